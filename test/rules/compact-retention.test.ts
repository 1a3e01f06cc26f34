/**
 * Compact views must not keep their document's text alive: the YAML reader hands out slices of
 * the text, and V8 keeps a whole text for any slice of 13 characters or more. A view kept past its
 * document holding such a slice would keep the document, and an audit of 100,000 workloads would
 * hold every document it read. Measured on the heap: a view of a document of several megabytes
 * must leave the heap where it was once the document is dropped; a plain slice kept the same way
 * shows the test can see the difference.
 */
import * as v8 from 'v8';
import * as vm from 'vm';
import { compactReferrer, compactWorkloadObject } from '../../src/rules/compact';
import { parseBlockYaml } from '../../src/rules/input/yaml-fast';
import { KubeObject } from '../../src/rules/types';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const BIG = 8 * 1024 * 1024;

/** A document with long (sliced) values in every field a view keeps, and a big field it drops. */
function documentText(kind: 'Deployment' | 'Service'): string {
  const long = (what: string) => `${what}-with-a-long-value-${Math.random().toString(36).slice(2)}`;
  const labels = `      app.kubernetes.io/name: ${long('name')}\n      app.kubernetes.io/instance: ${long('instance')}\n`;
  const filler = 'x'.repeat(BIG);
  if (kind === 'Service') {
    return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${long('svc')}\n  namespace: ${long('ns')}\n  annotations:\n    big: ${filler}\n`
      + `spec:\n  clusterIP: ${long('ip')}\n  selector:\n    app: ${long('app')}\n  ports:\n    - name: http-main-port\n      port: 80\n      targetPort: ${long('port')}\n`;
  }
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${long('web')}\n  namespace: ${long('ns')}\n  labels:\n${labels.replace(/^ {6}/gm, '    ')}`
    + `  annotations:\n    big: ${filler}\n    resilient.cdk8s.io/app-shutdown-seconds: ${long('15')}\n`
    + `spec:\n  replicas: 2\n  selector:\n    matchLabels:\n${labels}  strategy:\n    type: ${long('RollingUpdate')}\n  template:\n    metadata:\n      labels:\n${labels.replace(/^/gm, '  ')}`
    + `    spec:\n      affinity:\n        nodeAffinity: ${long('affinity')}\n      containers:\n        - name: ${long('main')}\n          ports:\n            - name: ${long('http')}\n              containerPort: 8080\n`;
}

function heapAfter(keep: (text: string) => unknown, kind: 'Deployment' | 'Service'): { kept: unknown; bytes: number } {
  gc();
  const before = process.memoryUsage().heapUsed;
  // Built in a nested function so that nothing but `kept` can hold the text afterwards.
  const kept = ((): unknown => keep(documentText(kind)))();
  gc();
  return { kept, bytes: process.memoryUsage().heapUsed - before };
}

test.each(['Deployment', 'Service'] as const)('a compact view of a %s does not keep its document alive', (kind) => {
  const view = heapAfter((text) => {
    const object = parseBlockYaml(text) as KubeObject;
    return kind === 'Deployment' ? compactWorkloadObject(object) : compactReferrer(object);
  }, kind);
  const slice = heapAfter((text) => text.slice(text.indexOf('name: ') + 6, text.indexOf('name: ') + 40), kind);
  // The control: a slice kept the same way holds the whole text.
  expect(slice.bytes).toBeGreaterThan(BIG / 2);
  expect(view.bytes).toBeLessThan(BIG / 8);
  expect(JSON.stringify(view.kept)).toContain('-with-a-long-value-');
});
