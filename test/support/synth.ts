/** Small helpers shared by the tests: synthesize a chart and pick objects out of it. */
import { App, Chart, Testing } from 'cdk8s';

export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any };

export function newChart(id = 'test'): Chart {
  const app: App = Testing.app();
  return new Chart(app, id, { disableResourceNameHashes: true });
}

export function synth(chart: Chart): KubeObject[] {
  return Testing.synth(chart) as KubeObject[];
}

export function only(objects: KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0];
}

export function all(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The message `build` throws; fails the test when it does not throw at all. */
export function rejectionOf(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the construct to reject its props');
}
