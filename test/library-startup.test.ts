/**
 * Importing the library loads what synth needs and nothing more: the manifest reader (and js-yaml
 * behind it) serves `cdk8s-resilient audit` and the validation plugin's `validate`, which loads it
 * itself. Every `cdk8s synth` of an app that imports the library would otherwise pay for it at
 * start-up.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildIfStale, ROOT } from './cli/run';

const LIB = path.join(ROOT, 'lib', 'src');

/** What `script` left loaded in a fresh Node process (files under lib/src, npm packages), and what it printed. */
function loadedAfter(script: string): { files: string[]; packages: string[]; output: unknown } {
  const probe = `(async () => {
    const output = await (async () => { ${script} })();
    const files = [], packages = new Set();
    for (const file of Object.keys(require.cache)) {
      if (file.startsWith(${JSON.stringify(LIB + path.sep)})) files.push(file.slice(${LIB.length + 1}));
      const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file);
      if (m) packages.add(m[1]);
    }
    process.stdout.write(JSON.stringify({ files, packages: [...packages], output }));
  })();`;
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

beforeAll(buildIfStale, 180_000);

test('importing the library loads neither the manifest reader nor js-yaml', () => {
  const { files, packages } = loadedAfter(`require(${JSON.stringify(LIB)});`);
  expect(packages).toEqual(expect.arrayContaining(['cdk8s', 'cdk8s-plus-27']));
  expect(files).toContain('validation-plugin.js');
  expect(files).not.toContain(path.join('rules', 'manifests.js'));
  expect(packages).not.toContain('js-yaml');
});

test('the validation plugin loads the reader when cdk8s calls it, and reports', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'library-startup-'));
  try {
    const manifest = path.join(dir, 'one.k8s.yaml');
    fs.writeFileSync(manifest, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n'
      + '  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n'
      + '    spec:\n      containers:\n      - name: web\n        image: nginx:1.25.3\n');
    const { files, output } = loadedAfter(`
      const { ResilienceValidation } = require(${JSON.stringify(LIB)});
      const rules = [];
      const report = { addViolation: (v) => rules.push(v.ruleName), submit: () => {} };
      await new ResilienceValidation().validate({ manifests: [${JSON.stringify(manifest)}], report });
      return rules;`);
    expect(files).toContain(path.join('rules', 'manifests.js'));
    expect(output).toEqual(expect.arrayContaining([expect.stringMatching(/^replicas-too-few/)]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
