/**
 * `cdk8s-resilient audit`, run the way a user runs it: the bin launcher on the compiled library.
 * lib/ is (re)built first when it is missing or older than the sources.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing, Yaml } from 'cdk8s';
import { ShopChart } from '../../src/main';
import { RULES } from '../../src/rules';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'cdk8s-resilient.js');
const FIXTURES = path.join('test', 'fixtures', 'audit');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  const built = path.join(ROOT, 'lib', 'src', 'cli', 'audit.js');
  const stale = !fs.existsSync(built) || fs.statSync(built).mtimeMs < newestMtime(path.join(ROOT, 'src'));
  if (stale) execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
}, 120_000);

function audit(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, 'audit', ...args], { cwd: ROOT, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('exit codes', () => {
  test('0 when nothing is wrong (a directory of YAML and JSON)', () => {
    const r = audit([path.join(FIXTURES, 'clean')]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('4 objects audited: 0 errors, 0 warnings, 0 suppressed\n');
  });

  test('0 when there are only warnings', () => {
    const r = audit([path.join(FIXTURES, 'warnings.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning job-deadline-missing/);
  });

  test('1 when an error is found', () => {
    expect(audit([path.join(FIXTURES, 'errors.yaml')]).code).toBe(1);
  });

  test('a YAML parse error is reported with file, line and column, and the rest is audited', () => {
    const r = audit([path.join(FIXTURES, 'clean'), path.join(FIXTURES, 'broken.yaml')]);
    expect(r.code).toBe(0);
    // The broken document is skipped; the valid Service before it in the same file is audited.
    expect(r.stdout).toBe('5 objects audited: 0 errors, 0 warnings, 0 suppressed; 1 input skipped (1 unreadable or invalid)\n');
    expect(r.stderr).toBe(`cdk8s-resilient audit: error: ${path.join(FIXTURES, 'broken.yaml')}:12:3: invalid YAML: missed comma between flow collection entries (skipped)\n`);
  });

  test('2 when nothing could be read: a JSON parse error, with file and line', () => {
    const r = audit([path.join(FIXTURES, 'broken.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^cdk8s-resilient audit: error: ${path.join(FIXTURES, 'broken.json').replace(/\./g, '\\.')}:5:24: invalid JSON: Unexpected token '}' \\(skipped\\)\ncdk8s-resilient audit: no input could be read\n$`));
  });

  test('2 with --fail-on-invalid when any input is invalid, even with findings elsewhere', () => {
    expect(audit(['--fail-on-invalid', path.join(FIXTURES, 'errors.yaml'), path.join(FIXTURES, 'broken.yaml')]).code).toBe(2);
    expect(audit(['--fail-on-invalid', path.join(FIXTURES, 'errors.yaml')]).code).toBe(1);
  });

  test('2 on a missing file, a missing path argument or an unknown option', () => {
    expect(audit(['does/not/exist.yaml'])).toMatchObject({ code: 2, stderr: 'cdk8s-resilient audit: error: does/not/exist.yaml: cannot be read: no such file or directory (skipped)\ncdk8s-resilient audit: no input could be read\n' });
    expect(audit([]).code).toBe(2);
    expect(audit(['--frobnicate', 'x.yaml']).stderr).toMatch(/unknown option --frobnicate/);
    expect(audit(['--format', 'xml', 'x.yaml']).code).toBe(2);
    expect(audit(['--rule', 'nope=off', 'x.yaml']).stderr).toMatch(/unknown rule id "nope"/);
  });
});

describe('text output', () => {
  test('findings grouped by object, with file and line, rule, field, message and fix', () => {
    const r = audit([path.join(FIXTURES, 'errors.yaml')]);
    const file = path.join(FIXTURES, 'errors.yaml');
    expect(r.stdout.split('\n\n').map((block) => block.split('\n')[0])).toEqual([
      `${file}:2  Deployment api`,
      `${file}:41  PodDisruptionBudget api`,
      '2 objects audited: 3 errors, 2 warnings, 0 suppressed',
    ]);
    expect(r.stdout).toContain('  error   image-tag-mutable  spec.template.spec.containers[0].image (line 17)\n          container "main" runs "api:latest", tagged latest\n          Fix: Pin a version tag');
  });

  test('stdin with -', () => {
    const text = fs.readFileSync(path.join(ROOT, FIXTURES, 'errors.yaml'), 'utf8');
    const r = audit(['-'], text);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^-:2 {2}Deployment api$/m);
  });

  test('JSON on stdin, kind: List', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' }, spec: { maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'x' } } }] };
    const r = audit(['-'], JSON.stringify(list));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/HorizontalPodAutoscaler x\n {2}error {3}hpa-min-replicas-too-low/);
  });

  test('--rule changes a severity', () => {
    expect(audit(['--rule', 'job-deadline-missing=error', path.join(FIXTURES, 'warnings.yaml')]).code).toBe(1);
    expect(audit(['--rule=replicas-too-few=off', path.join(FIXTURES, 'list.yaml')]).code).toBe(0);
  });

  test('--list-rules prints the table', () => {
    const r = audit(['--list-rules']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(RULES.length);
  });
});

describe('json and sarif', () => {
  test('--format json', () => {
    const r = audit(['--format', 'json', path.join(FIXTURES, 'errors.yaml')]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.summary).toEqual({ objects: 2, errors: 3, warnings: 2, suppressed: 0, skipped: 0, invalid: 0 });
    expect(report.findings[0]).toEqual({
      ruleId: 'grace-period-too-short',
      // errors.yaml states no app shutdown time: the finding rests on the assumed 20 s.
      severity: 'warning',
      assumption: "an app shutdown of 20s, the library's default",
      docs: expect.stringMatching(/docs\/rules\.md#grace-period-too-short$/),
      object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      path: 'spec.template.spec.terminationGracePeriodSeconds',
      message: expect.stringContaining('terminationGracePeriodSeconds 10s is shorter than'),
      fix: expect.stringContaining('at least 30'),
      file: path.join(FIXTURES, 'errors.yaml'),
      line: 2,
      fieldLine: 14,
    });
  });

  test('--format sarif: SARIF 2.1.0 with the rule table and located results', () => {
    const r = audit(['--format=sarif', path.join(FIXTURES, 'errors.yaml')]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe('cdk8s-resilient');
    expect(run.tool.driver.rules.map((x: any) => x.id)).toEqual(RULES.map((x) => x.id));
    for (const rule of run.tool.driver.rules) {
      expect(rule).toMatchObject({ shortDescription: { text: expect.any(String) }, defaultConfiguration: { level: expect.stringMatching(/^(error|warning)$/) } });
    }
    expect(run.results).toHaveLength(5);
    const image = run.results.find((x: any) => x.ruleId === 'image-tag-mutable');
    expect(image).toMatchObject({
      level: 'error',
      ruleIndex: RULES.findIndex((x) => x.id === 'image-tag-mutable'),
      message: { text: expect.stringMatching(/^Deployment api: container "main" runs "api:latest"/) },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'test/fixtures/audit/errors.yaml' }, region: { startLine: 17 } } }],
    });
  });

  test('sarif lists suppressed findings as suppressed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-'));
    const file = path.join(dir, 'solo.yaml');
    const text = fs.readFileSync(path.join(ROOT, FIXTURES, 'list.yaml'), 'utf8')
      .replace('      name: solo\n', '      name: solo\n      annotations:\n        resilient.cdk8s.io/suppress.replicas-too-few: "batch-like singleton, restarts are fine"\n');
    fs.writeFileSync(file, text);
    const r = audit(['--format', 'sarif', file]);
    expect(r.code).toBe(0);
    const [result] = JSON.parse(r.stdout).runs[0].results;
    expect(result).toMatchObject({ ruleId: 'replicas-too-few', suppressions: [{ kind: 'inSource', justification: 'batch-like singleton, restarts are fine' }] });
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^file:\/\//);
  });
});

describe('--explain', () => {
  test('prints each workload\'s shutdown timeline', () => {
    const r = audit(['--explain', path.join(FIXTURES, 'clean')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      `Deployment shop/web  (${path.join(FIXTURES, 'clean', 'app.yaml')}:2)`,
      '  grace period 30s (terminationGracePeriodSeconds); app shutdown 15s (from the resilient.cdk8s.io/app-shutdown-seconds annotation)',
      '  container main',
      '     0s  pod Terminating, removed from Service endpoints; preStop starts (exec sleep 5)',
      '     5s  preStop ends (`sleep 5`)',
      "     5s  SIGTERM to the main process (the image's entrypoint)",
      '    20s  app expected to have exited (15s after SIGTERM)',
      '    30s  SIGKILL to anything still running',
      '',
      `Job shop/migrate  (${path.join(FIXTURES, 'clean', 'migrate.json')}:1)`,
      '  grace period 30s (Kubernetes default, terminationGracePeriodSeconds unset); app shutdown 20s (assumed: no resilient.cdk8s.io/app-shutdown-seconds annotation or configuration states it)',
      '  container main',
      '     0s  pod Terminating; no preStop, SIGTERM to the main process (migrate) at once',
      '    20s  app expected to have exited (20s after SIGTERM)',
      '    30s  SIGKILL to anything still running',
      '',
    ].join('\n'));
  });

  test('says when preStop would outlive the grace period, and exits 1 on errors', () => {
    const manifest = fs.readFileSync(path.join(ROOT, FIXTURES, 'errors.yaml'), 'utf8').replace('command: ["sleep", "5"]', 'command: ["sleep", "15"]');
    const r = audit(['--explain', '-'], manifest);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('    10s  grace period over while preStop still runs (it would take 15s); the kubelet allows 2s more and sends SIGTERM to the main process (sh)');
    expect(r.stdout).toContain('    12s  SIGKILL to anything still running');
    expect(r.stdout).toContain('    ! preStop outlives the grace period of 10s');
  });

  test('--explain --format json', () => {
    const r = audit(['--explain', '--format', 'json', path.join(FIXTURES, 'clean')]);
    const timelines = JSON.parse(r.stdout);
    expect(timelines.map((t: any) => t.object.name)).toEqual(['web', 'migrate']);
    expect(timelines[0].containers[0].events[0]).toEqual({ atSeconds: 0, event: expect.stringMatching(/^pod Terminating/) });
  });
});

describe('the example app', () => {
  test('its synthesized manifest audits with no findings', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-'));
    const objects = Testing.synth(new ShopChart(new App({ outdir: dir }), 'shop'));
    Yaml.save(path.join(dir, 'shop.k8s.yaml'), objects);
    const r = audit([dir]);
    // The one suppression is the example's single PostgreSQL primary, with its reason.
    expect(r.stdout).toMatch(/ audited: 0 errors, 0 warnings, 1 suppressed\n$/);
    expect(r.code).toBe(0);
  });
});

test('a thousand copies of an app in one stream audit like one', () => {
  // Throughput is held by `npm run bench` (bench/audit-bench.js), not by a timed test: a test's
  // wall clock on a busy machine says more about the machine than about the audit.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const text = fs.readFileSync(path.join(ROOT, FIXTURES, 'clean', 'app.yaml'), 'utf8');
  const docs: string[] = [];
  for (let i = 0; i < 1000; i++) docs.push(text.replace(/\bweb\b/g, `web-${i}`));
  fs.writeFileSync(path.join(dir, 'many.yaml'), docs.join('\n---\n'));
  const r = audit([dir]);
  fs.rmSync(dir, { recursive: true, force: true });
  expect(r.stdout).toBe('3000 objects audited: 0 errors, 0 warnings, 0 suppressed\n');
  expect(r.code).toBe(0);
}, 120_000);
