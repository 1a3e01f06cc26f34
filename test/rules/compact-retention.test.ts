/**
 * Compact views must not keep their document's text alive: the YAML reader hands out slices of
 * the text, and V8 keeps a whole text for any slice of 13 characters or more. A view kept past its
 * document holding such a slice would keep the document, and an audit of 100,000 workloads would
 * hold every document it read. Measured on the heap of a fresh Node process (a test worker's heap
 * moves by tens of megabytes with what ran before): a view of a document of 32 MiB must leave the
 * heap where it was once the document is dropped; a plain slice kept the same way, the control,
 * shows the measurement can see the difference.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { buildIfStale, ROOT } from '../cli/run';

const BIG = 32 * 1024 * 1024;

/** Heap growth (bytes) left by what `keep` returns, for a document of `kind`, in a fresh process. */
function retained(kind: 'Deployment' | 'Service', keep: 'view' | 'slice'): { bytes: number; kept: string } {
  const lib = (p: string) => JSON.stringify(path.join(ROOT, 'lib', 'src', 'rules', p));
  const script = `
    const { compactReferrer, compactWorkloadObject } = require(${lib('compact')});
    const { parseBlockYaml } = require(${lib('input/yaml-fast')});
    const long = (what) => what + '-with-a-long-value-' + Math.random().toString(36).slice(2);
    function documentText(kind) {
      const filler = 'x'.repeat(${BIG});
      const labels = '      app.kubernetes.io/name: ' + long('name') + '\\n      app.kubernetes.io/instance: ' + long('instance') + '\\n';
      if (kind === 'Service') {
        return 'apiVersion: v1\\nkind: Service\\nmetadata:\\n  name: ' + long('svc') + '\\n  namespace: ' + long('ns') + '\\n  annotations:\\n    big: ' + filler + '\\n'
          + 'spec:\\n  clusterIP: ' + long('ip') + '\\n  selector:\\n    app: ' + long('app') + '\\n  ports:\\n    - name: http-main-port\\n      port: 80\\n      targetPort: ' + long('port') + '\\n';
      }
      return 'apiVersion: apps/v1\\nkind: Deployment\\nmetadata:\\n  name: ' + long('web') + '\\n  namespace: ' + long('ns') + '\\n  labels:\\n' + labels.replace(/^ {6}/gm, '    ')
        + '  annotations:\\n    big: ' + filler + '\\n    resilient.cdk8s.io/app-shutdown-seconds: ' + long('15') + '\\n'
        + 'spec:\\n  replicas: 2\\n  selector:\\n    matchLabels:\\n' + labels + '  strategy:\\n    type: ' + long('RollingUpdate') + '\\n  template:\\n    metadata:\\n      labels:\\n' + labels.replace(/^/gm, '  ')
        + '    spec:\\n      affinity:\\n        nodeAffinity: ' + long('affinity') + '\\n      containers:\\n        - name: ' + long('main') + '\\n          ports:\\n            - name: ' + long('http') + '\\n              containerPort: 8080\\n';
    }
    const kind = ${JSON.stringify(kind)};
    const keep = ${JSON.stringify(keep)};
    gc(); gc();
    const before = process.memoryUsage().heapUsed;
    const kept = (() => {
      const text = documentText(kind);
      if (keep === 'slice') return text.slice(text.indexOf('name: ') + 6, text.indexOf('name: ') + 40);
      const object = parseBlockYaml(text);
      return kind === 'Deployment' ? compactWorkloadObject(object) : compactReferrer(object);
    })();
    gc(); gc();
    const bytes = process.memoryUsage().heapUsed - before;
    process.stdout.write(JSON.stringify({ bytes, kept: JSON.stringify(kept) }));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

beforeAll(buildIfStale, 180_000);

test.each(['Deployment', 'Service'] as const)('a compact view of a %s does not keep its document alive', (kind) => {
  const slice = retained(kind, 'slice');
  const view = retained(kind, 'view');
  expect(slice.bytes).toBeGreaterThan(BIG / 2);
  expect(view.bytes).toBeLessThan(BIG / 8);
  expect(view.kept).toContain('-with-a-long-value-');
}, 60_000);
