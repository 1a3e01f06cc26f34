/**
 * Regression tests for every example of issue 14: settings that were accepted but gave manifests
 * the API server rejects, duplicates, escape-hatch settings that were silently lost, missing pod
 * settings, pods that would not start, and messages without a path or with a wrong value.
 */
import { App, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { HealthCheck, HelperInjection, ImageTools, InitProcess, LifecycleHook, ResilienceProfile, ResilientCronJob, ResilientDaemonSet, ResilientDeployment, ResilientDeploymentProps, ResilientJob, ResilientStatefulSet, Severity } from '../../src';
import { expectValidKubernetes } from '../support/k8s-validate';
import { apiServerProblems } from '../support/api-server-model';
import { all, KubeObject, newChart, only, rejectionOf, synth } from '../support/synth';

const container = { image: 'example/web:1.0.0', portNumber: 8080 };

function deploy(props: Partial<ResilientDeploymentProps> = {}, id = 'web', chart = newChart()): KubeObject[] {
  new ResilientDeployment(chart, id, { container, ...props });
  return valid(synth(chart));
}

function valid(objects: KubeObject[]): KubeObject[] {
  expectValidKubernetes(objects);
  expect(apiServerProblems(objects)).toEqual([]);
  return objects;
}

const podOf = (o: KubeObject) => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);

describe('accepted, but invalid: now refused with the path, the field, the value and a fix', () => {
  test.each<[string, () => unknown, string]>([
    ['a second Service port without a name',
      () => deploy({ container: { image: 'example/web:1.0.0', ports: [{ number: 8080, name: 'http' }, { number: 9090 }] } }),
      '[test/web] container.ports[1].name: (unset) is needed: the Service exposes 2 ports (8080, 9090) and Kubernetes requires a name on each. Fix: name every declared port'],
    ['an empty name', () => deploy({ name: '' }), '[test/web] name: "" is empty, and every Deployment needs a name'],
    ['a name in capitals', () => deploy({ name: 'API' }), '[test/web] name: "API" is not a valid Deployment name'],
    ['a name with an underscore', () => deploy({ name: 'Payments_API' }), '[test/web] name: "Payments_API" is not a valid Deployment name'],
    ['a Deployment name that cannot name its Service', () => deploy({ name: 'web.v2' }),
      '[test/web] name: "web.v2" is not a valid Service name (at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit; the first a letter). Fix: the Service takes the workload\'s name'],
    ['a StatefulSet name over 52 characters', () => {
      new ResilientStatefulSet(newChart(), 'db', { name: 'd'.repeat(53), container: { image: 'example/db:1.0.0', portNumber: 5432 } });
    }, `[test/db] name: "${'d'.repeat(53)}" has 53 characters, more than the 52 a StatefulSet name may have`],
    ['a CronJob name over 52 characters', () => {
      new ResilientCronJob(newChart(), 'report', { name: 'r'.repeat(53), schedule: '@daily', container: { image: 'example/report:1.0.0' } });
    }, `[test/report] name: "${'r'.repeat(53)}" has 53 characters, more than the 52 a CronJob name may have`],
    ['a port name in capitals', () => deploy({ container: { image: 'example/web:1.0.0', ports: [{ number: 8080, name: 'HTTP' }] } }),
      '[test/web] container.ports[0].name: "HTTP" is not a valid port name'],
    ['container port 0', () => deploy({ container: { image: 'example/web:1.0.0', portNumber: 0 } }), '[test/web] container.portNumber: 0 is not a port number (a whole number from 1 to 65535)'],
    ['container port 65536', () => deploy({ container: { image: 'example/web:1.0.0', ports: [{ number: 65536 }] } }), '[test/web] container.ports[0].number: 65536 is not a port number'],
    ['container port 70000', () => deploy({ container: { image: 'example/web:1.0.0', ports: [{ number: 70000 }] } }), '[test/web] container.ports[0].number: 70000 is not a port number'],
    ['container port 1.5', () => deploy({ container: { image: 'example/web:1.0.0', ports: [{ number: 1.5 }] } }), '[test/web] container.ports[0].number: 1.5 is not a port number'],
    ['container port NaN', () => deploy({ container: { image: 'example/web:1.0.0', ports: [{ number: NaN }] } }), '[test/web] container.ports[0].number: NaN is not a port number'],
    ['hostPort 70000', () => deploy({ container: { image: 'example/web:1.0.0', ports: [{ number: 8080, hostPort: 70000 }] } }), '[test/web] container.ports[0].hostPort: 70000 is not a port number'],
    ['a hostPort bound twice in one container', () => deploy({ container: { image: 'example/web:1.0.0', ports: [{ number: 8080, hostPort: 8080, name: 'http' }, { number: 9090, hostPort: 8080, name: 'admin' }] } }),
      '[test/web] container.ports[1].hostPort: 8080 is also bound by container.ports[0].hostPort (same protocol and host IP), and one node port can be bound once. Fix: give each port its own hostPort'],
    ['a hostPort bound by the container and a sidecar', () => deploy({
      container: { image: 'example/web:1.0.0', ports: [{ number: 8080, hostPort: 9100 }] },
      sidecars: [{ name: 'proxy', image: 'example/proxy:1.0.0', ports: [{ number: 9000, hostPort: 9100 }] }],
    }), 'sidecars[0].ports[0].hostPort: 9100 is also bound by container.ports[0].hostPort'],
    ['an env var name with a space', () => deploy({ container: { ...container, envVariables: { 'MY VAR': kplus.EnvValue.fromValue('1') } } }),
      '[test/web] container.envVariables: "MY VAR" is not a valid environment variable name'],
    ['an empty container name', () => deploy({ container: { ...container, name: '' } }), '[test/web] container.name: "" is not a valid container name'],
    ['an init container named like the main container', () => deploy({ initContainers: [{ name: 'main', image: 'example/migrate:1.0.0' }] }),
      '[test/web] initContainers[0].name: "main" is also the name of container'],
    ['a topology key with a space', () => deploy({ placement: { zoneTopologyKey: 'Bad Key' } }), '[test/web] placement.zoneTopologyKey: "Bad Key" is not a valid topology key'],
    ['an empty topology key', () => deploy({ placement: { nodeTopologyKey: '' } }), '[test/web] placement.nodeTopologyKey: "" is not a valid topology key'],
    ['an invalid priorityClassName', () => deploy({ priorityClassName: 'Business Critical' }), '[test/web] priorityClassName: "Business Critical" is not a valid PriorityClass name'],
    ['a negative CPU request', () => deploy({ container: { ...container, resources: { cpu: { request: kplus.Cpu.millis(-100), limit: kplus.Cpu.millis(500) } } } }),
      '[test/web] container.resources.cpu.request: "-100m" is negative'],
    ['ephemeral storage request above its limit', () => deploy({ container: { ...container, resources: { ephemeralStorage: { request: Size.gibibytes(2), limit: Size.gibibytes(1) } } } }),
      '[test/web] container.resources.ephemeralStorage.request: "2097152Ki" is above the limit (1048576Ki)'],
    ['parallelism 2**31', () => new ResilientJob(newChart(), 'job', { parallelism: 2 ** 31, container: { image: 'example/job:1.0.0' } }),
      '[test/job] parallelism: 2147483648 is above 2147483647, the largest value Kubernetes accepts here (a 32-bit integer)'],
    ['completions 2**31', () => new ResilientJob(newChart(), 'job', { completions: 2 ** 31, container: { image: 'example/job:1.0.0' } }), '[test/job] completions: 2147483648 is above 2147483647'],
    ['backoffLimit 2**31', () => new ResilientJob(newChart(), 'job', { backoffLimit: 2 ** 31, container: { image: 'example/job:1.0.0' } }), '[test/job] backoffLimit: 2147483648 is above 2147483647'],
    ['revisionHistoryLimit 2**31', () => deploy({ rollout: { revisionHistoryLimit: 2 ** 31 } }), '[test/web] rollout.revisionHistoryLimit: 2147483648 is above 2147483647'],
    ['failureThreshold 2**31', () => deploy({ container: { ...container, probes: { liveness: HealthCheck.tcp({ failureThreshold: 2 ** 31 }) } } }),
      '[test/web] container.probes.liveness.failureThreshold: 2147483648 is above 2147483647'],
    ['a TTL of a million days', () => new ResilientJob(newChart(), 'job', { ttlAfterFinished: Duration.days(1e6), container: { image: 'example/job:1.0.0' } }),
      '[test/job] ttlAfterFinished: "86400000000s" is above 2147483647 seconds, the largest value Kubernetes accepts here (a 32-bit integer)'],
    ['a DaemonSet rollout that both surges and takes agents down', () => new ResilientDaemonSet(newChart(), 'agent', {
      rollout: { maxSurge: 1, maxUnavailable: 1 }, container: { image: 'example/agent:1.0.0', portNumber: 9100 },
    }), '[test/agent] rollout.maxSurge: 1 is set together with maxUnavailable 1: Kubernetes lets a DaemonSet rollout either surge or take agents down, not both'],
    // Found by the 50,000-case property run:
    ['a pod label key with a space', () => deploy({ podMetadata: { labels: { 'bad key': 'x' } } }), '[test/web] podMetadata.labels: "bad key" is not a valid label key'],
    ['one port declared twice', () => deploy({ container: { image: 'example/web:1.0.0', ports: [{ number: 12 }, { number: 12 }] } }),
      '[test/web] container.ports[1].number: 12 is declared twice (protocol TCP). Fix: declare each port once'],
  ])('%s', (_name, build, message) => {
    expect(rejectionOf(build)).toContain(message);
  });

  test('host ports the API server accepts stay accepted: another protocol or host IP, and init containers (which run one at a time)', () => {
    const objects = deploy({
      container: { image: 'example/dns:1.0.0', ports: [{ number: 53, hostPort: 53, name: 'dns-tcp' }, { number: 53, hostPort: 53, name: 'dns-udp', protocol: kplus.Protocol.UDP }] },
      initContainers: [{ name: 'warm-up', image: 'example/dns:1.0.0', ports: [{ number: 53, hostPort: 53 }] }],
    });
    expect(apiServerProblems(objects)).toEqual([]);
    // The Service exposes the port over both protocols, as the container declares it.
    expect(only(objects, 'Service').spec.ports).toEqual([
      { name: 'dns-tcp', port: 53, targetPort: 53 },
      { name: 'dns-udp', port: 53, protocol: 'UDP', targetPort: 53 },
    ]);
  });

  test('service.ports naming one number twice is refused', () => {
    expect(rejectionOf(() => deploy({ container: { image: 'example/web:1.0.0', portNumber: 8080 }, service: { ports: [8080, 8080] } })))
      .toContain('[test/web] service.ports: [8080,8080] lists a port more than once. Fix: list each port once');
  });

  test('a topology key from a profile is checked where a workload uses it, and where the profile is applied', () => {
    const app = Testing.app();
    const bad = ResilienceProfile.production().extend('bad-zones', { zoneTopologyKey: 'Bad Key' });
    expect(rejectionOf(() => bad.applyTo(app))).toContain('[] profile "bad-zones".zoneTopologyKey: "Bad Key" is not a valid topology key');
  });

  test('names derived from construct ids with ".", "_" or capitals are valid DNS labels', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop');
    new ResilientDeployment(chart, 'v1.2', { container });
    new ResilientDeployment(chart, 'my_app', { container });
    new ResilientDeployment(chart, 'Payments_API', { container });
    const names = valid(Testing.synth(chart) as KubeObject[]).map((o) => o.metadata.name);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    expect(names.filter((n) => n.startsWith('shop-v1-2-'))).toHaveLength(3);
    expect(names.filter((n) => n.startsWith('shop-my-app-'))).toHaveLength(3);
  });

  test('derived names fit their kind: 63 characters, 52 for StatefulSets and CronJobs, and the headless Service', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'a-rather-long-chart-name-for-an-application');
    const long = 'a-rather-long-construct-id-for-a-workload';
    new ResilientStatefulSet(chart, long, { container: { image: 'example/db:1.0.0', portNumber: 5432 } });
    new ResilientCronJob(chart, `${long}-cron`, { schedule: '@daily', container: { image: 'example/report:1.0.0' } });
    new ResilientDeployment(chart, `${long}-web`, { container });
    const objects = valid(Testing.synth(chart) as KubeObject[]);
    expect(only(objects, 'StatefulSet').metadata.name.length).toBeLessThanOrEqual(52);
    expect(only(objects, 'CronJob').metadata.name.length).toBeLessThanOrEqual(52);
    for (const o of objects) expect(o.metadata.name.length).toBeLessThanOrEqual(63);
    expect(all(objects, 'Service').map((s) => s.metadata.name)).toContain(`${only(objects, 'StatefulSet').metadata.name}-headless`);
  });
});

describe('duplicates', () => {
  test('two workloads named "api" in one chart', () => {
    const chart = newChart();
    new ResilientDeployment(chart, 'api', { name: 'api', container });
    new ResilientDeployment(chart, 'api2', { name: 'api', container });
    const message = rejectionOf(() => synth(chart));
    expect(message).toContain('[test/api2] name: "api" is also the name of the Deployment made by test/api/Deployment/Resource in namespace (the default one), and Kubernetes keeps one Deployment per name and namespace');
    expect(message).toContain('is also the name of the Service made by test/api/Service/Resource');
    expect(message).toContain('is also the name of the PodDisruptionBudget made by test/api/DisruptionBudget');
  });

  test('a StatefulSet\'s headless Service and another Service of the same name', () => {
    const chart = newChart();
    new ResilientStatefulSet(chart, 'db', { name: 'db', container: { image: 'example/db:1.0.0', portNumber: 5432 } });
    new ResilientDeployment(chart, 'proxy', { name: 'db-headless', container });
    expect(rejectionOf(() => synth(chart))).toContain('[test/proxy] name: "db-headless" is also the name of the Service made by test/db/HeadlessService/Resource');
  });

  test('across two charts of one App in one namespace, and not across namespaces', () => {
    const app = new App({ outdir: Testing.app().outdir });
    new ResilientDeployment(new Chart(app, 'one', { namespace: 'shop' }), 'api', { name: 'api', container });
    new ResilientDeployment(new Chart(app, 'two', { namespace: 'shop' }), 'api', { name: 'api', container });
    expect(rejectionOf(() => app.synthYaml())).toContain('[two/api] name: "api" is also the name of the Deployment made by one/api/Deployment/Resource of chart one in namespace shop');

    const apart = new App({ outdir: Testing.app().outdir });
    new ResilientDeployment(new Chart(apart, 'one', { namespace: 'shop' }), 'api', { name: 'api', container });
    new ResilientDeployment(new Chart(apart, 'two', { namespace: 'billing' }), 'api', { name: 'api', container });
    expect(() => apart.synthYaml()).not.toThrow();
  });
});

describe('escape hatches: what the user sets survives, or synth fails naming both settings', () => {
  const nodeAffinity = {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['web'] }] }] },
  };

  test('scheduling.attract() node affinity is kept next to the library\'s anti-affinity', () => {
    const chart = newChart();
    const web = new ResilientDeployment(chart, 'web', { container });
    web.deployment.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.is('pool', 'web')));
    const affinity = podOf(only(valid(synth(chart)), 'Deployment')).affinity;
    expect(affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([{ key: 'pool', operator: 'In', values: ['web'] }]);
    expect(affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });

  test('scheduling.separate() is kept', () => {
    const chart = newChart();
    const web = new ResilientDeployment(chart, 'web', { container });
    const cache = new kplus.Deployment(chart, 'cache', { containers: [{ image: 'redis:7.2.4' }] });
    web.deployment.scheduling.separate(cache);
    const anti = podOf(only(synth(chart), 'Deployment', 'test-web')).affinity.podAntiAffinity;
    expect(anti.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(anti.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });

  test('a JSON patch on /spec/template/spec/affinity is merged, and one on a sub-path works', () => {
    const chart = newChart();
    const web = new ResilientDeployment(chart, 'web', { container });
    web.apiObject.addJsonPatch(JsonPatch.add('/spec/template/spec/affinity', { nodeAffinity }));
    const affinity = podOf(only(valid(synth(chart)), 'Deployment')).affinity;
    expect(affinity.nodeAffinity).toEqual(nodeAffinity);
    expect(affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);

    const chart2 = newChart();
    const web2 = new ResilientDeployment(chart2, 'web', { container });
    web2.apiObject.addJsonPatch(JsonPatch.add('/spec/template/spec/affinity/nodeAffinity', nodeAffinity));
    const affinity2 = podOf(only(valid(synth(chart2)), 'Deployment')).affinity;
    expect(affinity2.nodeAffinity).toEqual(nodeAffinity);
    expect(affinity2.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });

  test('a startup probe set by a JSON patch is kept, not replaced by the library\'s', () => {
    const chart = newChart();
    const web = new ResilientDeployment(chart, 'web', { container });
    const startupProbe = { exec: { command: ['/app/started'] }, failureThreshold: 99, periodSeconds: 3 };
    web.apiObject.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/startupProbe', startupProbe));
    expect(podOf(only(valid(synth(chart)), 'Deployment')).containers[0].startupProbe).toEqual(startupProbe);
  });

  test('a JSON-patched startup probe beside the props\' startup probe is a conflict naming both', () => {
    const chart = newChart();
    const web = new ResilientDeployment(chart, 'web', { container: { ...container, probes: { startupTimeout: Duration.minutes(2) } } });
    web.apiObject.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/startupProbe', { exec: { command: ['/app/started'] } }));
    expect(rejectionOf(() => synth(chart))).toMatch(/\[test\/web\] container\.probes\.startup: .* conflicts with the container's startupProbe: \{"exec":\{"command":\["\/app\/started"\]\}\}/);
  });

  test('a JSON-patched probe whose port cdk8s dropped is refused, with the form that works', () => {
    const patched = (port: unknown) => {
      const chart = newChart();
      const web = new ResilientDeployment(chart, 'web', { container });
      web.apiObject.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/startupProbe', { tcpSocket: { port }, failureThreshold: 30 }));
      return chart;
    };
    expect(rejectionOf(() => synth(patched(8080)))).toContain('[test/web] container.startupProbe.tcpSocket.port: (unset) is missing');
    expect(rejectionOf(() => synth(patched(8080)))).toContain('write it as { value: 8080 }');
    expect(podOf(only(valid(synth(patched({ value: 8080 }))), 'Deployment')).containers[0].startupProbe).toEqual({ tcpSocket: { port: 8080 }, failureThreshold: 30 });
  });

  test('a cdk8s-plus readiness probe in the container props is kept', () => {
    const main = podOf(only(deploy({ container: { ...container, readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080 }) } }), 'Deployment')).containers[0];
    expect(main.readinessProbe.httpGet).toMatchObject({ path: '/ready', port: 8080 });
    expect(main.livenessProbe.tcpSocket).toEqual({ port: 8080 });
  });

  test('the same probe set in both places is a conflict naming both', () => {
    const readiness = kplus.Probe.fromHttpGet('/ready', { port: 8080 });
    expect(rejectionOf(() => deploy({ container: { ...container, readiness, probes: { readiness: HealthCheck.httpGet('/healthz') } } })))
      .toContain('[test/web] container.probes.readiness: {"httpGet":{"path":"/healthz","port":8080}} conflicts with the container\'s readinessProbe: {"httpGet":{"path":"/ready","port":8080,"scheme":"HTTP"}}');
    const startup = kplus.Probe.fromTcpSocket({ port: 8080 });
    expect(rejectionOf(() => deploy({ container: { ...container, startup, probes: { startupTimeout: Duration.seconds(300) } } })))
      .toContain('[test/web] container.probes.startup: ');
  });

  test('a cdk8s-plus preStop in the container props replaces the default drain pause, and needs none of its tools', () => {
    // A distroless image has no sleep: the default drain pause could not run there, and is not asked to.
    const lifecycle = { preStop: kplus.Handler.fromHttpGet('/drain', { port: 8080 }) };
    const main = podOf(only(deploy({ container: { ...container, imageTools: ImageTools.none(), lifecycle } }), 'Deployment')).containers[0];
    expect(main.lifecycle).toEqual({ preStop: { httpGet: { path: '/drain', port: 8080, scheme: 'HTTP' } } });
  });

  test('a cdk8s-plus hook next to the library\'s own is a conflict naming both', () => {
    const preStop = { preStop: kplus.Handler.fromCommand(['/drain']) };
    expect(rejectionOf(() => deploy({ container: { ...container, lifecycle: preStop }, shutdown: { preStop: LifecycleHook.drainPause() } })))
      .toContain('[test/web] shutdown.preStop: {"exec":{"command":["sleep","5"]}} conflicts with the container\'s lifecycle.preStop: {"exec":{"command":["/drain"]}}');
    const postStart = { postStart: kplus.Handler.fromCommand(['/warm']) };
    expect(rejectionOf(() => deploy({ container: { ...container, lifecycle: postStart, postStart: LifecycleHook.command(['/warm-cache'], Duration.seconds(1)) } })))
      .toContain('[test/web] container.postStart: {"exec":{"command":["/warm-cache"]}} conflicts with the container\'s lifecycle.postStart: {"exec":{"command":["/warm"]}}');
  });

  test('addContainer on the escape hatch with a second container named "main" fails', () => {
    const chart = newChart();
    const web = new ResilientDeployment(chart, 'web', { container });
    web.deployment.addContainer({ name: 'main', image: 'example/sidecar:1.0.0' });
    expect(rejectionOf(() => synth(chart))).toContain('[test/web] containers[1] (added through the cdk8s-plus escape hatch).name: "main" is also the name of container');
  });

  test('checks are made afresh for each synth: a change after a first synth is seen by the next one', () => {
    const chart = newChart();
    const web = new ResilientDeployment(chart, 'web', { name: 'web', container });
    expect(() => synth(chart)).not.toThrow();
    web.deployment.addContainer({ name: 'main', image: 'example/sidecar:1.0.0' });
    new ResilientDeployment(chart, 'web2', { name: 'web', container });
    const message = rejectionOf(() => synth(chart));
    expect(message).toContain('[test/web] containers[1] (added through the cdk8s-plus escape hatch).name: "main" is also the name of container');
    expect(message).toContain('[test/web2] name: "web" is also the name of the Deployment made by test/web/Deployment/Resource');
  });

  test('a grace period patched in with another value than the props give is a conflict', () => {
    const chart = newChart();
    const web = new ResilientDeployment(chart, 'web', { container, shutdown: { terminationGracePeriod: Duration.seconds(60) } });
    web.apiObject.addJsonPatch(JsonPatch.replace('/spec/template/spec/terminationGracePeriodSeconds', 10));
    expect(rejectionOf(() => synth(chart))).toContain('[test/web] shutdown.terminationGracePeriod: "60s" conflicts with terminationGracePeriodSeconds: 10');
  });

  test('the profile\'s drainPause reaches the nginx and JVM presets, and ResilienceProfile.explain shows it', () => {
    const app = Testing.app();
    ResilienceProfile.production().extend('slow-lb', { drainPause: Duration.seconds(10) }).applyTo(app);
    const chart = new Chart(app, 'shop', { disableResourceNameHashes: true });
    new ResilientDeployment(chart, 'web', { container: { ...container, volumeMounts: [] }, shutdown: { preStop: LifecycleHook.nginx({ pidFile: '/tmp/nginx.pid' }) } });
    new ResilientDeployment(chart, 'api', { init: InitProcess.dumbInit(), container: { ...container, command: ['java', '-jar', '/app.jar'] }, shutdown: { preStop: LifecycleHook.jvm() } });
    new ResilientDeployment(chart, 'own', { init: InitProcess.dumbInit(), container: { ...container, command: ['java', '-jar', '/app.jar'] }, shutdown: { preStop: LifecycleHook.jvm({ drainPause: Duration.seconds(3) }) } });
    const objects = valid(Testing.synth(chart) as KubeObject[]);
    const script = (name: string) => podOf(only(objects, 'Deployment', name)).containers[0].lifecycle.preStop.exec.command[2];
    expect(script('shop-web')).toMatch(/^sleep 10; /);
    expect(script('shop-api')).toMatch(/^sleep 10; /);
    expect(script('shop-own')).toMatch(/^sleep 3; /);
    const explained = ResilienceProfile.explain(chart);
    expect(explained).toMatch(/shop\/web[^\n]*\n(?: [^\n]*\n)*? +drainPause +10s +app profile "slow-lb"/);
    expect(explained).toMatch(/shop\/own[^\n]*\n(?: [^\n]*\n)*? +drainPause +3s +props \(shutdown\.preStop\)/);
  });
});

describe('pod settings every real app needs, under cdk8s-plus\'s names', () => {
  test('service account, image pull secret, volumes, pod labels and annotations, pod security context', () => {
    const chart = newChart();
    const account = kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'web-runtime');
    const pullSecret = kplus.Secret.fromSecretName(chart, 'pull', 'registry-credentials');
    const config = kplus.Volume.fromConfigMap(chart, 'config', kplus.ConfigMap.fromConfigMapName(chart, 'cm', 'web-config'));
    new ResilientDeployment(chart, 'web', {
      container,
      serviceAccount: account,
      automountServiceAccountToken: true,
      dockerRegistryAuth: pullSecret,
      volumes: [config],
      podMetadata: { labels: { team: 'payments' }, annotations: { 'prometheus.io/scrape': 'true' } },
      securityContext: { user: 1001, group: 1001, fsGroup: 2000 },
    });
    const d = only(valid(synth(chart)), 'Deployment');
    const pod = podOf(d);
    expect(pod.serviceAccountName).toBe('web-runtime');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    expect(pod.volumes.map((v: any) => v.configMap?.name)).toContain('web-config');
    expect(d.spec.template.metadata.labels.team).toBe('payments');
    expect(d.spec.template.metadata.labels['app.kubernetes.io/name']).toBe('web');
    expect(d.spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true');
    expect(pod.securityContext).toMatchObject({ runAsUser: 1001, runAsGroup: 1001, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test('a pod label that would change the selector is a conflict', () => {
    expect(rejectionOf(() => deploy({ podMetadata: { labels: { 'app.kubernetes.io/name': 'other' } } })))
      .toContain('[test/web] podMetadata.labels["app.kubernetes.io/name"]: "other" conflicts with the library\'s label app.kubernetes.io/name: "web"');
  });

  test('a StatefulSet takes fsGroup from the security context, and refuses two different ones', () => {
    const chart = newChart();
    new ResilientStatefulSet(chart, 'db', { securityContext: { fsGroup: 999 }, container: { image: 'example/db:1.0.0', portNumber: 5432 } });
    expect(podOf(only(valid(synth(chart)), 'StatefulSet')).securityContext.fsGroup).toBe(999);
    expect(rejectionOf(() => new ResilientStatefulSet(newChart(), 'db', { fsGroup: 1000, securityContext: { fsGroup: 999 }, container: { image: 'example/db:1.0.0', portNumber: 5432 } })))
      .toContain('[test/db] fsGroup: 1000 conflicts with securityContext.fsGroup (999)');
  });
});

describe('pods that would not start', () => {
  test('the nginx preset gets a writable directory for its PID file under the read-only root file system', () => {
    const pod = podOf(only(deploy({ shutdown: { preStop: LifecycleHook.nginx({ pidFile: '/tmp/nginx.pid' }) } }), 'Deployment'));
    const main = pod.containers[0];
    expect(main.securityContext.readOnlyRootFilesystem).toBe(true);
    const mount = main.volumeMounts.find((m: any) => m.mountPath === '/tmp');
    expect(mount).toBeDefined();
    expect(pod.volumes.find((v: any) => v.name === mount.name).emptyDir).toBeDefined();
  });

  test('no extra volume when one is already mounted there, or the root file system is writable', () => {
    const chart = newChart();
    const tmp = kplus.Volume.fromEmptyDir(chart, 'tmp', 'tmp');
    new ResilientDeployment(chart, 'web', { container: { ...container, volumeMounts: [{ volume: tmp, path: '/tmp' }] }, shutdown: { preStop: LifecycleHook.nginx({ pidFile: '/tmp/nginx.pid' }) } });
    expect(podOf(only(synth(chart), 'Deployment')).volumes.map((v: any) => v.name)).toEqual(['tmp']);
    const pod = podOf(only(deploy({ container: { ...container, securityContext: { readOnlyRootFilesystem: false } }, shutdown: { preStop: LifecycleHook.nginx() } }), 'Deployment'));
    expect(pod.volumes).toBeUndefined();
  });
});

describe('messages', () => {
  test.each<[string, () => unknown, string]>([
    ['HealthCheck.exec([])', () => deploy({ container: { ...container, probes: { liveness: HealthCheck.exec([]) } } }), '[test/web] container.probes.liveness.exec.command: [] is empty'],
    ['HealthCheck.httpGet("healthz")', () => deploy({ container: { ...container, probes: { readiness: HealthCheck.httpGet('healthz') } } }),
      '[test/web] container.probes.readiness.httpGet.path: "healthz" must start with "/". Fix: use "/healthz"'],
    ['LifecycleHook.command([])', () => deploy({ shutdown: { preStop: LifecycleHook.command([], Duration.seconds(1)) } }), '[test/web] shutdown.preStop.command: [] is empty'],
    ['HelperInjection.fromImage({ image: "" })', () => deploy({ helpers: HelperInjection.fromImage({ image: '', busybox: '/bin/busybox' }) }), '[test/web] helpers.image: "" is empty'],
    ['extend() with an empty reason', () => ResilienceProfile.production().extend('x', { ruleSeverities: { 'pdb-missing': { severity: Severity.OFF, reason: '' } } }).applyTo(Testing.app()),
      '[] profile "x".ruleSeverities.pdb-missing.reason: "" is empty'],
    ['NaN replicas', () => deploy({ replicas: NaN }), '[test/web] replicas: NaN is not a whole number'],
    ['3.5 replicas', () => deploy({ replicas: 3.5 }), '[test/web] replicas: 3.5 is not a whole number'],
    ['an empty image', () => deploy({ container: { image: '', portNumber: 8080 } }), '[test/web] container.image: "" is empty'],
    ['a Duration of NaN seconds', () => deploy({ shutdown: { appShutdown: Duration.seconds(NaN) } }), '[test/web] shutdown.appShutdown: "NaNs" is not a finite number of seconds'],
    ['a Duration of a fraction of a millisecond', () => deploy({ shutdown: { appShutdown: Duration.millis(0.5) } }), '[test/web] shutdown.appShutdown: "0.0005s" is not a whole number of seconds'],
  ])('%s', (_name, build, message) => {
    const text = rejectionOf(build);
    expect(text).toContain(message);
    expect(text).not.toMatch(/\bnull\b|TypeError/);
  });

  test('a negative Duration never reaches a construct: cdk8s refuses it where it is written', () => {
    expect(() => Duration.seconds(-1)).toThrow('Duration amounts cannot be negative');
  });
});
