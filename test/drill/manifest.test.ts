import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DrillInputError, expandEnvReferences, loadTarget, looksLikeSidecar, parseManifest, pickContainer, resolvePort, targetFromObjects,
} from '../../src/drill/manifest';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-manifest-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const podSpec = (extra: Record<string, unknown> = {}) => ({
  terminationGracePeriodSeconds: 45,
  containers: [
    {
      name: 'app',
      image: 'example/app:1',
      command: ['node', 'server.js'],
      args: ['--port', '$(PORT)'],
      env: [
        { name: 'PORT', value: '8080' },
        { name: 'URL', value: 'http://localhost:$(PORT)/x' },
        { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
      ports: [{ name: 'http', containerPort: 8080 }],
      lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
      readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
    },
    { name: 'sidecar', image: 'example/sidecar:1', startupProbe: { tcpSocket: { port: 9000 } } },
  ],
  ...extra,
});

const MULTI = `apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec: ${JSON.stringify(podSpec())}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec: {containers: [{name: job, image: example/job:1, command: [run-job]}], restartPolicy: Never}
`;

describe('reading manifests', () => {
  test('multi-document YAML: the workload, not the Service of the same name', () => {
    const t = loadTarget(write('multi.yaml', MULTI), 'web');
    expect(t).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      container: 'app',
      image: 'example/app:1',
      command: ['node', 'server.js'],
      args: ['--port', '8080'],
      env: { PORT: '8080', URL: 'http://localhost:8080/x' },
      terminationGracePeriodSeconds: 45,
      preStop: { exec: { command: ['sleep', '5'] } },
      readiness: { field: 'readinessProbe', probe: { httpGet: { path: '/ready', port: 'http' } } },
      ports: [{ name: 'http', containerPort: 8080 }],
      shareProcessNamespace: false,
    });
    expect(t.source).toBe(`${path.join(dir, 'multi.yaml')}: Deployment/web, container app`);
    expect(t.notes.join('\n')).toMatch(/env SECRET comes from secretKeyRef/);
  });

  test('a named container; startupProbe stands in when there is no readinessProbe', () => {
    const t = loadTarget(write('multi2.yaml', MULTI), 'web', 'sidecar');
    expect(t.container).toBe('sidecar');
    expect(t.command).toBeUndefined();
    expect(t.readiness).toEqual({ field: 'startupProbe', probe: { tcpSocket: { port: 9000 } } });
  });

  test('CronJob pod template; grace left out stays undefined (the default applies later)', () => {
    const t = loadTarget(write('multi3.yaml', MULTI), 'cronjob/nightly');
    expect(t).toMatchObject({ kind: 'CronJob', container: 'job', command: ['run-job'] });
    expect(t.terminationGracePeriodSeconds).toBeUndefined();
  });

  test.each(['Pod', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'])('%s', (kind) => {
    const spec = kind === 'Pod' ? podSpec({ shareProcessNamespace: true }) : { template: { spec: podSpec({ shareProcessNamespace: true }) } };
    const t = targetFromObjects([{ kind, metadata: { name: 'w' }, spec }], 'f.yaml', 'w');
    expect(t).toMatchObject({ kind, container: 'app', shareProcessNamespace: true });
  });

  test('JSON: one object, an array, and a List', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: podSpec() } } };
    expect(loadTarget(write('one.json', JSON.stringify(deployment)), 'web').kind).toBe('Deployment');
    expect(loadTarget(write('arr.json', JSON.stringify([deployment])), 'web').kind).toBe('Deployment');
    expect(loadTarget(write('list.json', JSON.stringify({ kind: 'List', items: [deployment] })), 'web').kind).toBe('Deployment');
  });

  test('$(VAR) expansion follows Kubernetes: unknown names stay, $$ escapes', () => {
    expect(expandEnvReferences('a $(X) $(Y) $$(X)', { X: '1' })).toBe('a 1 $(Y) $(X)');
  });

  test('named and numeric ports', () => {
    expect(resolvePort('http', [{ name: 'http', containerPort: 8080 }])).toBe(8080);
    expect(resolvePort('9090', [])).toBe(9090);
    expect(resolvePort('nope', [])).toBeUndefined();
  });
});

describe('which container is drilled when none is named', () => {
  const c = (name: string, image = `example/${name}:1`) => ({ name, image });
  const cronJob = (containers: object[], annotations?: Record<string, string>) => ({
    kind: 'CronJob',
    metadata: { name: 'report' },
    spec: { jobTemplate: { spec: { template: { metadata: { annotations }, spec: { containers, restartPolicy: 'Never' } } } } },
  });

  test('a CronJob whose first container is a sidecar drills the job, and says why', () => {
    const t = targetFromObjects([cronJob([c('cloud-sql-proxy', 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.0'), c('report')])], 'f.yaml', 'report');
    expect(t.container).toBe('report');
    expect(t.notes).toContain('container report picked as the main one: cloud-sql-proxy looks like a sidecar');
  });

  test('the default-container annotation wins, as it does for kubectl', () => {
    const t = targetFromObjects([cronJob([c('a'), c('b')], { 'kubectl.kubernetes.io/default-container': 'b' })], 'f.yaml', 'report');
    expect(t.container).toBe('b');
    expect(t.notes).toContain('container b picked by the kubectl.kubernetes.io/default-container annotation');
  });

  test('one container needs no note', () => {
    const t = targetFromObjects([cronJob([c('only')])], 'f.yaml', 'report');
    expect(t).toMatchObject({ container: 'only', notes: [] });
  });

  test.each([
    [[c('api'), c('worker')], 'which one is the main one is not clear: pass --container NAME'],
    [[c('istio-proxy'), c('fluent-bit')], 'which one is the main one is not clear (all look like sidecars): pass --container NAME'],
  ])('ambiguous: %j', (containers, message) => {
    expect(() => pickContainer(containers, undefined, 'f.yaml: CronJob/report')).toThrow(message);
  });

  test('an annotation naming no container is an error, not a guess', () => {
    expect(() => pickContainer([c('a'), c('b')], { 'kubectl.kubernetes.io/default-container': 'c' }, 'f.yaml: Deployment/w')).toThrow(
      "f.yaml: Deployment/w: kubectl.kubernetes.io/default-container names 'c', which is not a container (containers: a, b)",
    );
  });

  test.each([
    [c('istio-proxy'), true],
    [c('proxy', 'docker.io/istio/proxyv2:1.20'), false],
    [c('envoy'), true],
    [c('app', 'ghcr.io/x/envoy:1.29'), true],
    [c('log-shipper'), true],
    [c('my-sidecar'), true],
    [c('api'), false],
    [c('vectorizer'), false],
    [c('web', 'nginx:1.25'), false],
  ])('looksLikeSidecar(%j) = %s', (container, expected) => {
    expect(looksLikeSidecar(container)).toBe(expected);
  });
});

describe('input errors name the file and what is missing', () => {
  const errorOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(DrillInputError);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };

  test('missing file', () => {
    const file = path.join(dir, 'absent.yaml');
    expect(errorOf(() => loadTarget(file, 'web'))).toMatch(new RegExp(`cannot read manifest ${file}: ENOENT`));
  });

  test('broken YAML and JSON', () => {
    expect(errorOf(() => parseManifest('a: [1, 2\nb: 3', 'bad.yaml'))).toMatch(/^bad.yaml: not valid YAML/);
    expect(errorOf(() => parseManifest('{"kind": ', 'bad.json'))).toMatch(/^bad.json: not valid JSON/);
  });

  test('unknown workload lists the workloads there are', () => {
    const file = write('w.yaml', MULTI);
    expect(errorOf(() => loadTarget(file, 'api'))).toBe(
      `${file}: no workload named 'api' (kinds read: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod); ` +
        'workloads in the file: Deployment/web, CronJob/nightly',
    );
  });

  test('unknown container lists the containers', () => {
    const file = write('c.yaml', MULTI);
    expect(errorOf(() => loadTarget(file, 'web', 'db'))).toBe(`${file}: Deployment/web has no container named 'db' (containers: app, sidecar)`);
  });

  test('two workloads of the same name need KIND/NAME', () => {
    const objs = [
      { kind: 'Deployment', metadata: { name: 'x' }, spec: { template: { spec: podSpec() } } },
      { kind: 'Job', metadata: { name: 'x' }, spec: { template: { spec: podSpec() } } },
    ];
    expect(errorOf(() => targetFromObjects(objs, 'f.yaml', 'x'))).toMatch(/names 2 workloads .*pass --workload KIND\/NAME/);
    expect(targetFromObjects(objs, 'f.yaml', 'job/x').kind).toBe('Job');
  });

  test('a file without workloads says so', () => {
    expect(errorOf(() => targetFromObjects([{ kind: 'Service', metadata: { name: 'web' } }], 'svc.yaml', 'web'))).toMatch(
      /the file holds no workloads/,
    );
  });
});
