/**
 * `audit` starts without the libraries it rarely needs: cdk8s (and the constructs behind it), the
 * `yaml` library, js-yaml and worker threads together took about 130 ms of every run, a tenth of
 * an audit of 20,000 objects. They load when a path needs them: js-yaml for YAML the fast reader
 * declines, `yaml` for positions the line scan cannot follow, worker threads when asked for.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { buildIfStale, ROOT } from './run';

const PLAIN = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n';
const ANCHORED = 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: tagged\ndata:\n  x: !!str 1\n';

/** The modules (package names, or node: builtins) loaded by an in-process audit of `input` from stdin. */
function loadedBy(input: string): string[] {
  const script = `
    const { runAudit } = require(${JSON.stringify(path.join(ROOT, 'lib', 'src', 'cli', 'audit'))});
    const sink = { write: () => true };
    runAudit(['--no-config', '--format', 'json', '-'], { stdout: sink, stderr: sink, readStdin: () => ${JSON.stringify(input)}, env: {} }).then(() => {
      const names = new Set();
      for (const file of Object.keys(require.cache)) {
        const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file);
        if (m) names.add(m[1]);
      }
      if (process.moduleLoadList.some((m) => m === 'NativeModule worker_threads')) names.add('worker_threads');
      process.stdout.write(JSON.stringify([...names].sort()));
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

beforeAll(buildIfStale, 180_000);

test('a plain manifest is audited without cdk8s, constructs, yaml, js-yaml or worker threads', () => {
  const loaded = loadedBy(PLAIN);
  for (const name of ['cdk8s', 'cdk8s-plus-27', 'constructs', 'yaml', 'js-yaml', 'worker_threads']) expect(loaded).not.toContain(name);
});

test('YAML the fast reader declines (a tag) loads js-yaml', () => {
  expect(loadedBy(ANCHORED)).toContain('js-yaml');
});
