/**
 * The validation plugin, loaded the way cdk8s-cli loads a `validations:` entry of cdk8s.yaml: its
 * PluginManager requires the package (a local path here, as `package: ./node_modules/cdk8s-resilient`
 * would), instantiates the class with `properties`, and ValidationPlugin.load builds the context.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// Type-only: the compiler checks the plugin against cdk8s-cli's own Validation interface.
import type { Validation } from 'cdk8s-cli/lib/plugins';
import { ResilienceValidation } from '../../src';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI_LIB = path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'lib');
// cdk8s-cli exports only ./plugins; its loader is reached by file path, as its own CLI does.
const { PluginManager } = require(path.join(CLI_LIB, 'plugins', '_manager.js'));
const { ValidationPlugin } = require(path.join(CLI_LIB, 'plugins', 'validation.js'));
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'audit');

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'src', 'validation-plugin.js'))) {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  }
}, 120_000);

async function runPlugin(manifests: string[], properties: Record<string, unknown> = {}) {
  const manager = new PluginManager(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-plugins-')));
  const config = { package: ROOT, version: '0.1.0', class: 'ResilienceValidation', properties };
  const { plugin, context } = ValidationPlugin.load(config, { manifests }, false, manager);
  await plugin.validate(context);
  return context.report;
}

test('implements cdk8s-cli\'s Validation interface', () => {
  const validation: Validation = new ResilienceValidation();
  expect(typeof validation.validate).toBe('function');
});

test('a clean app passes', async () => {
  const report = await runPlugin([path.join(FIXTURES, 'clean', 'app.yaml')]);
  expect(report.success).toBe(true);
  expect(report.toJson().violations).toEqual([]);
  expect(report.toJson().summary.metadata).toEqual({ objects: '3', errors: '0', warnings: '0', suppressed: '0' });
});

test('errors fail the report, one violation per rule with the resources and fields', async () => {
  const report = await runPlugin([path.join(FIXTURES, 'errors.yaml')]);
  expect(report.success).toBe(false);
  const json = report.toJson();
  expect(json.violations.map((v: any) => v.ruleName)).toEqual([
    // The grace-period finding rests on the assumed 20 s app shutdown (errors.yaml states none): a warning.
    'grace-period-too-short (warning)', 'shell-without-exec (error)', 'image-tag-mutable (error)',
    'pdb-blocks-eviction (error)', 'pdb-unhealthy-pods-block-drain (warning)',
  ]);
  expect(json.violations[2]).toMatchObject({
    fix: expect.stringMatching(/^Pin a version tag/),
    violatingConstructs: [{
      resourceName: 'api',
      manifestPath: path.join(FIXTURES, 'errors.yaml'),
      locations: ['spec.template.spec.containers[0].image: container "main" runs "api:latest", tagged latest (line 17)'],
    }],
  });
  expect(report.toString()).toContain('image-tag-mutable (error) (1 occurrences)');
});

test('properties change severities, and warnings can fail the report', async () => {
  const relaxed = await runPlugin([path.join(FIXTURES, 'list.yaml')], { rules: { 'replicas-too-few': 'warning' } });
  expect(relaxed.success).toBe(true);
  const strict = await runPlugin([path.join(FIXTURES, 'list.yaml')], { rules: { 'replicas-too-few': 'warning' }, failOnWarnings: true });
  expect(strict.success).toBe(false);
  expect(() => new ResilienceValidation({ rules: { 'no-such-rule': 'off' } })).toThrow(/unknown rule id "no-such-rule"/);
});

test('`cdk8s synth` with the plugin in cdk8s.yaml audits a plain cdk8s-plus app', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-app-'));
  fs.writeFileSync(path.join(dir, 'app.js'), [
    "const { App, Chart } = require('cdk8s');",
    "const kplus = require('cdk8s-plus-27');",
    'const app = new App();',
    "const chart = new Chart(app, 'plain');",
    "new kplus.Deployment(chart, 'web', { replicas: 1, containers: [{ image: 'nginx:1.25.3', portNumber: 80 }] });",
    'app.synth();',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
    'app: node app.js',
    'language: typescript',
    'validations:',
    `  - package: ${ROOT}`,
    '    version: 0.1.0',
    '    class: ResilienceValidation',
    '    properties:',
    '      rules: { spread-missing: "off" }',
  ].join('\n'));
  const cdk8s = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
  const run = () => require('child_process').spawnSync(cdk8s, ['synth', '--no-check-upgrade'], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
  });
  const r = run();
  // cdk8s-cli exits 2 when a validation report fails.
  expect(r.status).toBe(2);
  expect(r.stdout).toContain('Validation Report');
  expect(r.stdout).toContain('replicas-too-few (error) (1 occurrences)');
  expect(r.stdout).toContain('Construct Path: plain/web/Resource');
  expect(r.stdout).not.toContain('spread-missing');
}, 60_000);
