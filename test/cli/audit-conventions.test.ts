/**
 * What users of kube-linter, kube-score and Polaris expect: a configuration file found on its
 * own, --fail-on, SARIF with rule metadata and help links, JUnit for CI dashboards, doc links
 * and colour in text output.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RULES } from '../../src/rules';
import { audit, buildIfStale, FIXTURES, ROOT } from './run';

beforeAll(buildIfStale, 120_000);

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-conventions-'));
  fs.mkdirSync(path.join(dir, '.git'));
  fs.mkdirSync(path.join(dir, 'deploy', 'nested'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, FIXTURES, 'errors.yaml'), path.join(dir, 'deploy', 'errors.yaml'));
  fs.copyFileSync(path.join(ROOT, FIXTURES, 'warnings.yaml'), path.join(dir, 'deploy', 'warnings.yaml'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const config = (text: string, name = '.cdk8s-resilient.yaml') => fs.writeFileSync(path.join(dir, name), text);

describe('configuration file', () => {
  test('found from a subdirectory: rule levels, ignored paths and assumptions apply', () => {
    const before = JSON.parse(audit(['--format', 'json', 'deploy'], { cwd: dir }).stdout);
    expect(before.findings.map((f: any) => `${f.ruleId}:${f.severity}`)).toContain('grace-period-too-short:warning');
    config([
      'rules:',
      '  image-tag-mutable: warning',
      '  pdb-unhealthy-pods-block-drain: off',
      'assumptions:',
      '  appShutdownSeconds: 20',
      'ignore:',
      '  - "**/warnings.yaml"',
    ].join('\n'));
    const r = audit(['--format', 'json', '.'], { cwd: path.join(dir, 'deploy') });
    const report = JSON.parse(r.stdout);
    const found = report.findings.map((f: any) => `${f.ruleId}:${f.severity}`);
    expect(found).toContain('image-tag-mutable:warning');
    expect(found).not.toContain('pdb-unhealthy-pods-block-drain:warning');
    // The configuration states the app's shutdown time: the finding no longer rests on an assumption.
    expect(found).toContain('grace-period-too-short:error');
    expect(report.findings.find((f: any) => f.ruleId === 'grace-period-too-short').message).toMatch(/app shutdown 20s \(from the configuration file/);
    expect(report.skipped).toEqual([{ kind: 'ignored', file: 'warnings.yaml', message: 'ignored by the configuration file', error: false }]);
  });

  test('--rule wins over the file, --no-config and --config choose', () => {
    config('rules:\n  image-tag-mutable: "off"\n');
    const ids = (args: string[]) => JSON.parse(audit(['--format', 'json', ...args, 'deploy/errors.yaml'], { cwd: dir }).stdout).findings.map((f: any) => `${f.ruleId}:${f.severity}`);
    expect(ids([])).not.toContain('image-tag-mutable:error');
    expect(ids(['--rule', 'image-tag-mutable=error'])).toContain('image-tag-mutable:error');
    expect(ids(['--no-config'])).toContain('image-tag-mutable:error');
    config('rules:\n  shell-without-exec: warning\n', 'other.yaml');
    expect(ids(['--config', 'other.yaml'])).toEqual(expect.arrayContaining(['shell-without-exec:warning', 'image-tag-mutable:error']));
  });

  test('a mistake in the file names the file, the key and the fix, and exits 2', () => {
    config('rules:\n  image-tag-mutible: warning\n');
    expect(audit(['deploy'], { cwd: dir })).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `cdk8s-resilient audit: configuration: ${path.join(dir, '.cdk8s-resilient.yaml')}: rules.image-tag-mutible: names no rule. Fix: use an id from \`cdk8s-resilient audit --list-rules\`\n`,
    });
    config('assumptions:\n  appShutdownSeconds: soon\n');
    expect(audit(['deploy'], { cwd: dir }).stderr).toMatch(/assumptions\.appShutdownSeconds: is "soon"\. Fix: write a whole number of seconds/);
    config('failOn: critical\n');
    expect(audit(['deploy'], { cwd: dir }).stderr).toMatch(/failOn: is "critical"\. Fix: use error or warning/);
  });

  test('the search stops at the repository root', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-outside-'));
    try {
      fs.writeFileSync(path.join(outside, '.cdk8s-resilient.yaml'), 'rules:\n  image-tag-mutable: "off"\n');
      const repo = path.join(outside, 'repo');
      fs.mkdirSync(path.join(repo, '.git'), { recursive: true });
      fs.copyFileSync(path.join(ROOT, FIXTURES, 'errors.yaml'), path.join(repo, 'errors.yaml'));
      expect(audit(['errors.yaml'], { cwd: repo }).stdout).toContain('image-tag-mutable');
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('--fail-on', () => {
  test('warning makes warnings fail; the file can say so too', () => {
    const warnings = path.join(ROOT, FIXTURES, 'warnings.yaml');
    expect(audit([warnings]).code).toBe(0);
    expect(audit(['--fail-on', 'warning', warnings]).code).toBe(1);
    expect(audit(['--fail-on=error', warnings]).code).toBe(0);
    config('failOn: warning\n');
    expect(audit(['deploy/warnings.yaml'], { cwd: dir }).code).toBe(1);
    expect(audit(['--fail-on', 'error', 'deploy/warnings.yaml'], { cwd: dir }).code).toBe(0);
    expect(audit(['--fail-on', 'info', warnings])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--fail-on takes error or warning, not "info"/) });
  });
});

describe('report formats', () => {
  test('SARIF rules carry helpUri and metadata; assumed findings say so', () => {
    const sarif = JSON.parse(audit(['--format', 'sarif', path.join(FIXTURES, 'errors.yaml')]).stdout);
    const driver = sarif.runs[0].tool.driver;
    expect(driver.rules).toHaveLength(RULES.length);
    for (const rule of driver.rules) {
      expect(rule.helpUri).toMatch(new RegExp(`docs/rules\\.md#${rule.id}$`));
      expect(rule).toMatchObject({ fullDescription: { text: expect.any(String) }, help: { markdown: expect.stringContaining(rule.helpUri) }, properties: { tags: expect.arrayContaining(['kubernetes']) } });
    }
    const grace = sarif.runs[0].results.find((x: any) => x.ruleId === 'grace-period-too-short');
    expect(grace).toMatchObject({ level: 'warning', properties: { assumption: expect.stringMatching(/app shutdown of 20s/) } });
  });

  test('JUnit: a suite per file, a case per object, failures for errors, warnings as output', () => {
    const r = audit(['--format', 'junit', path.join(FIXTURES, 'errors.yaml'), path.join(FIXTURES, 'warnings.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="cdk8s-resilient audit" tests="3" failures="2" errors="0" skipped="0">\n/);
    expect(r.stdout).toContain(`<testsuite name="${path.join(FIXTURES, 'errors.yaml')}" tests="2" failures="2" errors="0" skipped="0">`);
    expect(r.stdout).toMatch(/<testcase name="Deployment api" classname="[^"]*errors\.yaml"><failure message="2 findings: shell-without-exec, image-tag-mutable" type="error">/);
    expect(r.stdout).toMatch(/<testcase name="Job [^"]*" classname="[^"]*warnings\.yaml"><system-out>warning job-deadline-missing/);
    // With --fail-on warning the warnings fail too.
    expect(audit(['--format', 'junit', '--fail-on', 'warning', path.join(FIXTURES, 'warnings.yaml')]).stdout).toMatch(/failures="1"/);
  });

  test('text output links each finding to its documentation', () => {
    const r = audit([path.join(FIXTURES, 'errors.yaml')]);
    const docs = r.stdout.split('\n').filter((l) => l.trim().startsWith('Docs: '));
    expect(docs).toHaveLength(5);
    expect(docs[1]).toMatch(/^ {10}Docs: \S+docs\/rules\.md#shell-without-exec$/);
  });

  test('colour with --color, none with --no-color, NO_COLOR or a pipe', () => {
    const file = path.join(FIXTURES, 'errors.yaml');
    const coloured = audit(['--color', file]).stdout;
    expect(coloured).toContain('\u001b[31merror  \u001b[39m \u001b[1mshell-without-exec\u001b[22m');
    expect(audit([file]).stdout).not.toContain('\u001b[');
    expect(audit(['--no-color', file]).stdout).not.toContain('\u001b[');
    expect(audit(['--color', '--format', 'json', file]).stdout).not.toContain('\u001b[');
  });
});

describe('exit code 3 is an internal error', () => {
  test('a failure of the tool itself is not reported as bad input', () => {
    const r = audit([path.join(FIXTURES, 'errors.yaml')], { env: { NODE_OPTIONS: `--require ${path.join(ROOT, 'test', 'cli', 'break-engine.js')}` } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^cdk8s-resilient audit: internal error: Error: simulated defect\n/);
    expect(r.stderr).toMatch(/This is a bug in cdk8s-resilient, not a problem with your manifests/);
  });
});
