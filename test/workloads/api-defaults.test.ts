/**
 * Values cdk8s-plus writes that equal the API server's defaults are left out of the library's
 * objects (src/workloads/api-defaults.ts); values the props or the user's JSON patches set on
 * purpose, and fields the 1.27 API requires, stay.
 */
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as fc from 'fast-check';
import * as kplus from 'cdk8s-plus-27';
import {
  HelperInjection, ImageTools, LifecycleHook, ResilientCronJob, ResilientDaemonSet, ResilientDeployment, ResilientJob, ResilientStatefulSet,
} from '../../src';
import { expectValidKubernetes } from '../support/k8s-validate';
import { podSpecOf } from '../support/properties';
import { KubeObject, newChart, only, synth } from '../support/synth';

/** Every library workload kind, with a sidecar, an init container and injected helpers somewhere. */
function everyKind(): KubeObject[] {
  const chart = newChart();
  new ResilientDeployment(chart, 'web', {
    container: { image: 'example/web:1.0.0', portNumber: 8080 },
    sidecars: [{ name: 'proxy', image: 'example/proxy:1.0.0', portNumber: 9000 }],
    initContainers: [{ name: 'setup', image: 'example/setup:1.0.0', command: ['/setup'] }],
  });
  new ResilientDeployment(chart, 'distroless', {
    container: { image: 'example/api:1.0.0', portNumber: 8080, imageTools: ImageTools.none() },
    helpers: HelperInjection.busybox(),
    shutdown: { preStop: LifecycleHook.drainPause() },
  });
  new ResilientStatefulSet(chart, 'store', {
    container: { image: 'example/store:2.1.0', ports: [{ number: 7000, name: 'peer' }] },
    volumeClaims: [{ name: 'data', size: Size.gibibytes(10), mountPath: '/data' }],
    clientService: {},
  });
  new ResilientDaemonSet(chart, 'agent', { container: { image: 'example/agent:1.0.0', portNumber: 9100 } });
  new ResilientJob(chart, 'migrate', { container: { image: 'example/migrate:1.0.0', command: ['/migrate'] } });
  new ResilientCronJob(chart, 'report', { schedule: '30 2 * * *', container: { image: 'example/report:1.0.0', command: ['/report'] } });
  const objects = synth(chart);
  expectValidKubernetes(objects);
  return objects;
}

const POD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

describe('values equal to the API server defaults', () => {
  const objects = everyKind();
  const pods = objects.filter((o) => POD_KINDS.includes(o.kind));

  test('are left out of every pod spec the library makes', () => {
    expect(pods.length).toBe(6);
    for (const o of pods) {
      const spec = podSpecOf(o);
      const where = `${o.kind}/${o.metadata.name}`;
      expect({ where, dnsPolicy: spec.dnsPolicy, hostNetwork: spec.hostNetwork, setHostnameAsFQDN: spec.setHostnameAsFQDN }).toEqual({ where });
      if (spec.restartPolicy !== undefined) expect({ where, restartPolicy: spec.restartPolicy }).not.toEqual({ where, restartPolicy: 'Always' });
      if (o.kind !== 'StatefulSet') expect({ where, policy: spec.securityContext?.fsGroupChangePolicy }).toEqual({ where });
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        expect({ where, container: c.name, privileged: c.securityContext?.privileged }).toEqual({ where, container: c.name });
      }
    }
  });

  test('the library\'s containers are all covered, init containers and injected helpers included', () => {
    const names = pods.flatMap((o) => [...podSpecOf(o).containers, ...(podSpecOf(o).initContainers ?? [])].map((c: any) => c.name));
    expect(names).toEqual(expect.arrayContaining(['main', 'proxy', 'setup', 'resilient-helpers']));
  });

  test('Services carry no empty externalIPs list', () => {
    const services = objects.filter((o) => o.kind === 'Service');
    expect(services.length).toBe(4); // web, distroless, the StatefulSet's headless and client Services
    for (const s of services) expect(s.spec).not.toHaveProperty('externalIPs');
  });

  test('decisions that equal a default stay: Job restart policy, required empty lists, the StatefulSet\'s fsGroupChangePolicy', () => {
    expect(podSpecOf(only(objects, 'Job')).restartPolicy).toBe('Never');
    expect(podSpecOf(only(objects, 'CronJob')).restartPolicy).toBe('Never');
    expect(podSpecOf(only(objects, 'StatefulSet')).securityContext.fsGroupChangePolicy).toBe('OnRootMismatch');
    const web = only(objects, 'Deployment', 'test-web');
    expect(podSpecOf(web).automountServiceAccountToken).toBe(false);
    expect(podSpecOf(web).containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(web.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    expect(only(objects, 'Service', 'test-web').spec.type).toBe('ClusterIP');
  });
});

describe('what the user sets on purpose stays', () => {
  test('props: privileged false on a container, fsGroupChangePolicy Always on the pod', () => {
    const chart = newChart();
    new ResilientDeployment(chart, 'web', {
      container: { image: 'example/web:1.0.0', portNumber: 8080, securityContext: { privileged: false } },
      sidecars: [{ name: 'proxy', image: 'example/proxy:1.0.0' }],
      securityContext: { fsGroup: 1000, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ALWAYS },
    });
    const spec = podSpecOf(only(synth(chart), 'Deployment'));
    expect(spec.containers[0].securityContext.privileged).toBe(false);
    expect(spec.containers[1].securityContext).not.toHaveProperty('privileged');
    expect(spec.securityContext).toMatchObject({ fsGroup: 1000, fsGroupChangePolicy: 'Always' });
  });

  test('JSON patches that set a default value explicitly, or another value, run after the trimming', () => {
    const chart = newChart();
    const web = new ResilientDeployment(chart, 'web', { container: { image: 'example/web:1.0.0', portNumber: 8080 } });
    // Props form: cdk8s applies JSON patches before the L1 mapping.
    ApiObject.of(web.deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/dnsPolicy', 'ClusterFirst'),
      JsonPatch.add('/spec/template/spec/setHostnameAsFqdn', false),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/privileged', false),
    );
    ApiObject.of(web.service!).addJsonPatch(JsonPatch.add('/spec/externalIPs', ['192.0.2.10']));
    const objects = synth(chart);
    const spec = podSpecOf(only(objects, 'Deployment'));
    expect(spec.dnsPolicy).toBe('ClusterFirst');
    expect(spec.setHostnameAsFQDN).toBe(false);
    expect(spec.containers[0].securityContext.privileged).toBe(false);
    expect(only(objects, 'Service').spec.externalIPs).toEqual(['192.0.2.10']);
  });

  test('a container added through the cdk8s-plus escape hatch keeps what cdk8s-plus wrote for it', () => {
    const chart = newChart();
    const web = new ResilientDeployment(chart, 'web', { container: { image: 'example/web:1.0.0', portNumber: 8080 } });
    web.deployment.addContainer({ name: 'extra', image: 'example/extra:1.0.0', securityContext: { privileged: false } });
    const spec = podSpecOf(only(synth(chart), 'Deployment'));
    expect(spec.containers.find((c: any) => c.name === 'extra').securityContext.privileged).toBe(false);
    expect(spec.containers.find((c: any) => c.name === 'main').securityContext).not.toHaveProperty('privileged');
  });
});

/**
 * Property: whatever the user sets to a value that equals an API default (through props or JSON
 * patches, on any kind, any container) is in the output; what nobody set is left out.
 */
describe('property: a user-set value equal to a default is kept', () => {
  const SEED = Number(process.env.PROPERTY_SEED ?? 1414);
  const RUNS = Number(process.env.DEFAULTS_PROPERTY_RUNS ?? 60);
  type Kind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';
  const POD_SPEC_PATH: Record<Kind, string> = {
    Deployment: '/spec/template/spec', StatefulSet: '/spec/template/spec', DaemonSet: '/spec/template/spec',
    Job: '/spec/template/spec', CronJob: '/spec/jobTemplate/spec/template/spec',
  };
  // Pod fields patched to their API default; props-form names (patches run before the L1 mapping).
  const PATCHABLE = { dnsPolicy: 'ClusterFirst', hostNetwork: false, setHostnameAsFqdn: false, restartPolicy: 'Always' } as const;
  const OUTPUT_NAME: Record<keyof typeof PATCHABLE, string> = { dnsPolicy: 'dnsPolicy', hostNetwork: 'hostNetwork', setHostnameAsFqdn: 'setHostnameAsFQDN', restartPolicy: 'restartPolicy' };
  const privileged = fc.constantFrom<false | undefined>(false, undefined);
  const caseArb = fc.record({
    kind: fc.constantFrom<Kind>('Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'),
    mainPrivileged: privileged,
    sidecars: fc.array(privileged, { maxLength: 2 }),
    initContainers: fc.array(privileged, { maxLength: 2 }),
    fsGroupChangePolicyProp: fc.constantFrom<'Always' | 'OnRootMismatch' | undefined>('Always', 'OnRootMismatch', undefined),
    patched: fc.subarray(Object.keys(PATCHABLE) as Array<keyof typeof PATCHABLE>),
    patchFsGroupChangePolicy: fc.boolean(),
    patchMainPrivileged: fc.boolean(),
    patchExternalIPs: fc.boolean(),
  });

  test(`props and JSON patches (fast-check seed ${SEED}, ${RUNS} cases)`, () => {
    // eslint-disable-next-line no-console
    console.log(`api defaults property: fast-check seed ${SEED}, ${RUNS} cases (PROPERTY_SEED / DEFAULTS_PROPERTY_RUNS to change)`);
    fc.assert(fc.property(caseArb, (c) => {
      const chart = newChart();
      const container = (name: string, p: false | undefined, extra: object = {}) => ({
        name, image: `example/${name}:1.0.0`, ...extra, ...(p === undefined ? {} : { securityContext: { privileged: p } }),
      });
      const isBatch = c.kind === 'Job' || c.kind === 'CronJob';
      const pod = {
        container: container('main', c.mainPrivileged, isBatch ? { command: ['/run'] } : { portNumber: 8080 }),
        sidecars: c.sidecars.map((p, i) => container(`side-${i}`, p)),
        initContainers: c.initContainers.map((p, i) => container(`init-${i}`, p, { command: ['/setup'] })),
        ...(c.fsGroupChangePolicyProp ? { securityContext: { fsGroup: 1000, fsGroupChangePolicy: c.fsGroupChangePolicyProp as kplus.FsGroupChangePolicy } } : {}),
      };
      const built = c.kind === 'Deployment' ? new ResilientDeployment(chart, 'w', pod)
        : c.kind === 'StatefulSet' ? new ResilientStatefulSet(chart, 'w', pod)
          : c.kind === 'DaemonSet' ? new ResilientDaemonSet(chart, 'w', pod)
            : c.kind === 'Job' ? new ResilientJob(chart, 'w', pod)
              : new ResilientCronJob(chart, 'w', { ...pod, schedule: '0 3 * * *' });
      const workload = (built as any).deployment ?? (built as any).statefulSet ?? (built as any).daemonSet ?? (built as any).job ?? (built as any).cronJob;
      const base = POD_SPEC_PATH[c.kind];
      const patched = c.patched.filter((f) => !(isBatch && f === 'restartPolicy')); // Jobs refuse Always
      ApiObject.of(workload).addJsonPatch(
        ...patched.map((f) => JsonPatch.add(`${base}/${f}`, PATCHABLE[f])),
        ...(c.patchFsGroupChangePolicy ? [JsonPatch.add(`${base}/securityContext/fsGroupChangePolicy`, 'Always')] : []),
        ...(c.patchMainPrivileged ? [JsonPatch.add(`${base}/containers/0/securityContext/privileged`, false)] : []),
      );
      const service = ((built as any).service ?? (built as any).headlessService) as kplus.Service | undefined;
      if (service && c.patchExternalIPs) ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/externalIPs', []));

      const objects = synth(chart);
      const spec = podSpecOf(only(objects, c.kind));
      for (const f of Object.keys(PATCHABLE) as Array<keyof typeof PATCHABLE>) {
        const out = spec[OUTPUT_NAME[f]];
        if (patched.includes(f)) expect({ field: f, out }).toEqual({ field: f, out: PATCHABLE[f] });
        else if (f === 'restartPolicy' && isBatch) expect(out).toBe('Never');
        else expect({ field: f, out }).toEqual({ field: f, out: undefined });
      }
      const policy = spec.securityContext?.fsGroupChangePolicy;
      if (c.patchFsGroupChangePolicy) expect(policy).toBe('Always');
      else if (c.fsGroupChangePolicyProp) expect(policy).toBe(c.fsGroupChangePolicyProp);
      else expect(policy).toBe(c.kind === 'StatefulSet' ? 'OnRootMismatch' : undefined);
      const expectPrivileged = (name: string, set: boolean) => {
        const found = [...spec.containers, ...(spec.initContainers ?? [])].find((x: any) => x.name === name);
        expect({ name, privileged: found.securityContext?.privileged }).toEqual({ name, privileged: set ? false : undefined });
      };
      expectPrivileged('main', c.mainPrivileged === false || c.patchMainPrivileged);
      c.sidecars.forEach((p, i) => expectPrivileged(`side-${i}`, p === false));
      c.initContainers.forEach((p, i) => expectPrivileged(`init-${i}`, p === false));
      if (service) {
        const s = only(objects, 'Service');
        if (c.patchExternalIPs) expect(s.spec.externalIPs).toEqual([]);
        else expect(s.spec).not.toHaveProperty('externalIPs');
      }
    }), { seed: SEED, numRuns: RUNS });
  });
});
