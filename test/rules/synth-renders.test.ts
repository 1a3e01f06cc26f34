/**
 * One rendering per object per synth (src/rules/synth-renders.ts): the synth-time rules audit the
 * rendering cdk8s then writes. Counted on ApiObject.prototype.toJson, which every rendering of
 * every object goes through (the L1 classes call it with super.toJson()).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { HealthCheck, ResilientDeployment } from '../../src';
import { ShopChart } from '../../src/main';

let renders: Map<ApiObject, number>;
let spy: jest.SpyInstance;

beforeEach(() => {
  renders = new Map();
  const original = ApiObject.prototype.toJson;
  spy = jest.spyOn(ApiObject.prototype, 'toJson').mockImplementation(function (this: ApiObject) {
    renders.set(this, (renders.get(this) ?? 0) + 1);
    return original.call(this);
  });
});

afterEach(() => spy.mockRestore());

/** How many objects were rendered how many times: { '1': 12 } is twelve objects rendered once each. */
function histogram(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of renders.values()) counts[n] = (counts[n] ?? 0) + 1;
  renders.clear();
  return counts;
}

function workloads(chart: Chart, count: number, prefix = 'svc'): ResilientDeployment[] {
  return Array.from({ length: count }, (_, i) => new ResilientDeployment(chart, `${prefix}-${i}`, {
    container: { image: `registry.example.com/${prefix}-${i}:1.0.0`, portNumber: 8080, probes: { readiness: HealthCheck.httpGet('/ready') } },
  }));
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'renders-'));
}

describe('each object is rendered once per synth', () => {
  test('Testing.synth() and Chart.toJson()', () => {
    const chart = new Chart(Testing.app(), 'one');
    workloads(chart, 4);
    const objects = Testing.synth(chart);
    expect(objects).toHaveLength(12);
    expect(histogram()).toEqual({ 1: 12 });
    chart.toJson();
    expect(histogram()).toEqual({ 1: 12 });
  });

  test('App.synthYaml() twice: once per object each time', () => {
    const app = new App({ outdir: tempDir() });
    workloads(new Chart(app, 'one'), 3);
    const first = app.synthYaml();
    expect(histogram()).toEqual({ 1: 9 });
    expect(app.synthYaml()).toBe(first);
    expect(histogram()).toEqual({ 1: 9 });
  });

  test('App.synth() of three charts, which cdk8s validates four times', () => {
    const app = new App({ outdir: tempDir() });
    for (const id of ['a', 'b', 'c']) workloads(new Chart(app, id), 2, id);
    app.synth();
    expect(histogram()).toEqual({ 1: 18 });
    expect(fs.readdirSync(app.outdir).sort()).toEqual(['a.k8s.yaml', 'b.k8s.yaml', 'c.k8s.yaml']);
  });

  test('App.synth() writing one file per resource', () => {
    const app = new App({ outdir: tempDir(), yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    workloads(new Chart(app, 'a'), 2);
    app.synth();
    expect(histogram()).toEqual({ 1: 6 });
  });

  test('the example shop (every Resilient* kind, HPA, profiles) written by App.synth(): no object rendered twice', () => {
    const app = new App({ outdir: tempDir() });
    new ShopChart(app, 'shop');
    app.synth();
    const counts = histogram();
    // Every object cdk8s wrote was rendered, and none more than once.
    const written = fs.readFileSync(path.join(app.outdir, 'shop.k8s.yaml'), 'utf8').split(/^---$/m).filter((d) => d.trim()).length;
    expect(written).toBeGreaterThan(10);
    expect(counts).toEqual({ 1: written });
  });

  test('cdk8s-plus validations known only to read (HorizontalPodAutoscaler) keep one rendering', () => {
    const chart = new Chart(Testing.app(), 'one');
    workloads(chart, 1);
    const plain = new kplus.Deployment(chart, 'plain', { containers: [{ image: 'example/plain:1.0.0', resources: { cpu: { request: kplus.Cpu.millis(100) } } }] });
    new kplus.HorizontalPodAutoscaler(chart, 'hpa', { target: plain, maxReplicas: 3 });
    Testing.synth(chart);
    expect(histogram()).toEqual({ 1: 5 });
  });
});

describe('a kept rendering is never stale', () => {
  test('a validation the library does not know makes every object render again for the writer, which sees its change', () => {
    const chart = new Chart(Testing.app(), 'one');
    const [web] = workloads(chart, 2);
    // Runs after the workloads' own validations (it is on a construct added later), so after the audit.
    const late = new Chart(chart, 'late');
    late.node.addValidation({ validate: () => { web.deployment.metadata.addLabel('changed-late', 'yes'); return []; } });
    const objects = Testing.synth(chart);
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === web.deployment.name).metadata.labels['changed-late']).toBe('yes');
    expect(histogram()).toEqual({ 2: 6 });
  });

  test('a change between two synths is in the second', () => {
    const app = new App({ outdir: tempDir() });
    const [web] = workloads(new Chart(app, 'one'), 1);
    app.synthYaml();
    web.deployment.metadata.addLabel('second', 'synth');
    expect(app.synthYaml()).toContain('second: synth');
  });

  test('after a synth, toJson() in the same task renders afresh', () => {
    const chart = new Chart(Testing.app(), 'one');
    const [web] = workloads(chart, 1);
    Testing.synth(chart);
    web.deployment.metadata.addLabel('after', 'synth');
    expect(web.apiObject.toJson().metadata.labels.after).toBe('synth');
  });

  test('after a failed synth, toJson() in the same task renders afresh', () => {
    const chart = new Chart(Testing.app(), 'one');
    const web = new ResilientDeployment(chart, 'web', { container: { image: 'registry.example.com/web:latest', portNumber: 8080 } });
    expect(() => Testing.synth(chart)).toThrow(/image-tag-mutable/);
    web.deployment.metadata.addLabel('after', 'failure');
    expect(web.apiObject.toJson().metadata.labels.after).toBe('failure');
    expect(ApiObject.of(web.service!).toJson().spec.ports).toEqual([{ port: 8080, targetPort: 8080 }]);
  });

  test('validating a construct alone keeps nothing past the task', async () => {
    const chart = new Chart(Testing.app(), 'one');
    const [web] = workloads(chart, 1);
    expect(web.node.validate()).toEqual([]);
    await Promise.resolve();
    web.deployment.metadata.addLabel('later', 'task');
    expect(web.apiObject.toJson().metadata.labels.later).toBe('task');
  });
});
