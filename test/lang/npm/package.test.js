/**
 * The npm tarball that `npm run package` writes (lang/js), installed into a fresh project the way
 * a user installs it: what is in it, that its docs are reachable from it, that JavaScript and
 * TypeScript apps use both entry points, that the CLI audits, and that cdk8s-cli loads the
 * validation plugin from ./node_modules/cdk8s-resilient.
 *
 * Run by test/lang/run.sh after `npm run package` (node --test test/lang/npm/package.test.js).
 */
'use strict';
const { after, before, test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const tarball = path.join(root, 'lang', 'js', `${pkg.name}@${pkg.version}.jsii.tgz`);
const installedVersion = (name) => JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

let project;
let installed;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: project, encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return result;
}

function ok(result, what) {
  assert.equal(result.status, 0, `${what} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

function write(file, lines) {
  fs.writeFileSync(path.join(project, file), `${lines.join('\n')}\n`);
}

before(() => {
  assert.ok(fs.existsSync(tarball), `${tarball} is missing: run npm run package first`);
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-resilient-user-'));
  // The peers at the versions the TypeScript side is tested with (package-lock.json).
  write('package.json', [JSON.stringify({
    name: 'user-app', version: '1.0.0', private: true,
    dependencies: {
      'cdk8s-resilient': `file:${tarball}`,
      'cdk8s': installedVersion('cdk8s'),
      'cdk8s-plus-27': installedVersion('cdk8s-plus-27'),
      'constructs': installedVersion('constructs'),
    },
  }, null, 2)]);
  ok(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']), 'npm install');
  installed = path.join(project, 'node_modules', 'cdk8s-resilient');
}, { timeout: 600_000 });

after(() => {
  if (project) fs.rmSync(project, { recursive: true, force: true });
});

test('the package holds the library, the CLI, the docs, the license and the jsii assembly; no sources, tests or example app', () => {
  for (const file of ['lib/src/index.js', 'lib/src/index.d.ts', 'lib/src/audit.js', 'bin/cdk8s-resilient.js', '.jsii',
    'LICENSE', 'README.md', 'CHANGELOG.md', 'docs/API.md', 'docs/rules.md', 'node_modules/js-yaml/package.json']) {
    assert.ok(fs.existsSync(path.join(installed, file)), `${file} is missing from the package`);
  }
  for (const file of ['src', 'test', 'scripts', 'bench', 'imports', 'lib/src/main.js', 'tsconfig.json', 'dist']) {
    assert.ok(!fs.existsSync(path.join(installed, file)), `${file} should not be in the package`);
  }
  const shipped = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  assert.equal(shipped.license, 'Apache-2.0');
  assert.match(fs.readFileSync(path.join(installed, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  for (const key of ['repository', 'homepage', 'bugs']) assert.ok(shipped[key], `package.json has no ${key}`);
});

test('every relative link of the README and the docs leads to a file in the package', () => {
  const files = ['README.md', ...fs.readdirSync(path.join(installed, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const broken = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(installed, file), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target) || target.startsWith('#')) continue;
      const resolved = path.join(installed, path.dirname(file), target.split('#')[0]);
      if (!fs.existsSync(resolved)) broken.push(`${file}: ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

const APP = [
  "const { App, Chart } = require('cdk8s');",
  "const { HealthCheck, ResilienceProfile, ResilientDeployment, Severity, Rules } = require('cdk8s-resilient');",
  'const app = new App();',
  'ResilienceProfile.production().applyTo(app);',
  "const chart = new Chart(app, 'user', { disableResourceNameHashes: true });",
  "const web = new ResilientDeployment(chart, 'web', {",
  "  container: { image: 'registry.example.com/user/web:1.2.3', portNumber: 8080, probes: { readiness: HealthCheck.httpGet('/ready') } },",
  '});',
  "Rules.of(web).setSeverity('spread-missing', Severity.WARNING, 'one zone in this cluster');",
  'app.synth();',
];

test('a JavaScript app synthesizes with the installed package, and the CLI audits its output', () => {
  write('app.js', APP);
  ok(run(process.execPath, ['app.js'], { env: { ...process.env, CDK8S_OUTDIR: 'dist' } }), 'node app.js');
  const yaml = fs.readFileSync(path.join(project, 'dist', 'user.k8s.yaml'), 'utf8');
  for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget']) assert.match(yaml, new RegExp(`^kind: ${kind}$`, 'm'));
  assert.match(yaml, /path: \/ready/);

  const cli = path.join(project, 'node_modules', '.bin', 'cdk8s-resilient');
  const clean = ok(run(cli, ['audit', 'dist']), 'cdk8s-resilient audit dist');
  assert.match(clean.stdout, /0 errors/);

  write('bad.yaml', ['apiVersion: apps/v1', 'kind: Deployment', 'metadata: { name: api }', 'spec:', '  replicas: 1',
    '  selector: { matchLabels: { app: api } }', '  template:', '    metadata: { labels: { app: api } }',
    '    spec: { containers: [{ name: main, image: "api:latest" }] }']);
  const bad = run(cli, ['audit', 'bad.yaml']);
  assert.equal(bad.status, 1, `audit of bad.yaml should fail with exit 1:\n${bad.stdout}\n${bad.stderr}`);
  assert.match(bad.stdout, /image-tag-mutable/);
  assert.match(bad.stdout, /replicas-too-few/);
});

test('TypeScript resolves the types of both entry points, with node10 and node16 module resolution', () => {
  write('check.ts', [
    "import { App, Chart } from 'cdk8s';",
    "import * as kplus from 'cdk8s-plus-27';",
    "import { ResilientJob, ResilientJobProps } from 'cdk8s-resilient';",
    "import { auditObjects, AuditResult } from 'cdk8s-resilient/audit';",
    "const props: ResilientJobProps = { container: { image: 'x/y:1.0.0' }, restartPolicy: kplus.RestartPolicy.NEVER };",
    "new ResilientJob(new Chart(new App(), 'c'), 'job', props);",
    'const result: AuditResult = auditObjects([]);',
    'console.log(result.objectCount);',
  ]);
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const common = ['--noEmit', '--strict', '--target', 'es2020', '--skipLibCheck', '--types', 'node', '--typeRoots', path.join(root, 'node_modules', '@types'), 'check.ts'];
  ok(run(process.execPath, [tsc, '--module', 'commonjs', '--moduleResolution', 'node10', ...common]), 'tsc (node10)');
  ok(run(process.execPath, [tsc, '--module', 'node16', '--moduleResolution', 'node16', ...common]), 'tsc (node16)');
});

test('the README\'s TypeScript example type-checks against the installed package, runs, and writes what every language must', () => {
  // test/readme-examples.test.ts keeps the README block equal to this file.
  fs.copyFileSync(path.join(root, 'test', 'lang', 'readme', 'main.ts'), path.join(project, 'readme.ts'));
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  ok(run(process.execPath, [tsc, '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2020', '--skipLibCheck',
    '--types', 'node', '--typeRoots', path.join(root, 'node_modules', '@types'), '--outDir', 'readme-build', 'readme.ts']), 'tsc readme.ts');
  const outdir = path.join(project, 'readme-dist');
  ok(run(process.execPath, ['readme-build/readme.js'], { env: { ...process.env, CDK8S_OUTDIR: outdir } }), 'node readme-build/readme.js');
  const expected = path.join(root, 'test', 'lang', 'readme', 'shop.k8s.yaml');
  assert.equal(fs.readFileSync(path.join(outdir, 'shop.k8s.yaml'), 'utf8'), fs.readFileSync(expected, 'utf8'),
    `the README example's output differs from ${expected}`);
});

test('cdk8s synth loads the validation plugin from ./node_modules/cdk8s-resilient and fails a plain app that breaks a rule', () => {
  write('plain.js', [
    "const { App, Chart } = require('cdk8s');",
    "const kplus = require('cdk8s-plus-27');",
    'const app = new App();',
    "new kplus.Deployment(new Chart(app, 'plain'), 'web', { replicas: 1, containers: [{ image: 'nginx:1.25.3', portNumber: 80 }] });",
    'app.synth();',
  ]);
  write('cdk8s.yaml', [
    'app: node plain.js',
    'language: typescript',
    'validations:',
    '  - package: ./node_modules/cdk8s-resilient',
    `    version: ${pkg.version}`,
    '    class: ResilienceValidation',
  ]);
  const cdk8s = path.join(root, 'node_modules', '.bin', 'cdk8s');
  const result = run(cdk8s, ['synth', '--no-check-upgrade']);
  // cdk8s-cli exits 2 when a validation report fails.
  assert.equal(result.status, 2, `cdk8s synth should fail on the plugin's report:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /Validation Report/);
  assert.match(result.stdout, /replicas-too-few \(error\)/);
});
