/**
 * Generated props for the Resilient* constructs: mostly sensible values, with the mistakes users
 * make mixed in (bad names, ports, quantities, int32 overflow, NaN, fractions, shell forms,
 * conflicting settings). Arbitraries produce plain data; `podProps` and friends turn it into
 * props inside a chart, so the same data can be synthesized twice from scratch.
 */
import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { HealthCheck, HelperInjection, ImageTools, InitProcess, LifecycleHook, ResilienceProfile, ResilientPodProps, Severity, Tolerations } from '../../src';

const oneOf = <T>(...values: T[]) => fc.constantFrom(...values);
const maybe = <T>(arb: fc.Arbitrary<T>, freq = 3) => fc.option(arb, { nil: undefined, freq });
export const INT_EDGES = [2 ** 31, 2 ** 31 - 1, -1, 1.5, NaN];

/**
 * The generators, in two modes. Without mistakes every value is one a careful user would write
 * (so most such cases must synthesize); with mistakes, each value is now and then one of the
 * errors users make, so those cases exercise the refusals.
 */
export function makeArbitraries(mistakes: boolean) {
  /** Good values, with (in mistake mode) a rare mistake among them (about one case in `odds`). */
  const mostly = <T>(good: T[], bad: T[], odds = 25): fc.Arbitrary<T> => (mistakes
    ? fc.oneof({ weight: odds, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) })
    : fc.constantFrom(...good));
  const count = (low: number, high: number) => (mistakes
    ? fc.oneof({ weight: 30, arbitrary: fc.integer({ min: low, max: high }) }, { weight: 1, arbitrary: oneOf(...INT_EDGES) })
    : fc.integer({ min: low, max: high }));

    const constructIds = oneOf('web', 'api', 'v1.2', 'my_app', 'Payments_API', 'worker', 'a-rather-long-construct-id-for-a-workload-that-keeps-going');
    const objectNames = maybe(mostly(['web', 'api', 'payments', 'db', 'x'.repeat(52)], ['web.v2', '', 'API', 'Payments_API', 'x'.repeat(53), 'x'.repeat(64), '-web', '1web'], 10), 2);
  const seconds = mistakes ? fc.oneof({ weight: 40, arbitrary: fc.integer({ min: 0, max: 300 }) }, { weight: 1, arbitrary: oneOf(NaN, 0.5, 2 ** 31, 1e6 * 86400) }) : fc.integer({ min: 1, max: 120 });
    const durationSpec = maybe(seconds);
  const portNumbers = mistakes ? fc.oneof({ weight: 40, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: oneOf(0, 65536, 70000, 1.5, NaN) }) : fc.integer({ min: 1024, max: 65535 });
  const portNames = maybe(mostly(['http', 'metrics', 'grpc', 'admin'], ['HTTP', 'a--b', 'x'.repeat(16), '8080', '']), 2);

    const portSpec = fc.record({ number: portNumbers, name: portNames, hostPort: maybe(mostly([8080, 0], [70000]), 8) });
    const checkSpec = fc.record({
    kind: mostly(['tcp', 'http', 'exec', 'grpc'], ['bad-http', 'empty-exec']),
    port: maybe(oneOf<number | string>(8080, 9090, 'http', 'metrics', 1234)),
    period: durationSpec,
    timeout: durationSpec,
    failureThreshold: maybe(count(1, 10)),
  });
    const hookSpec = fc.record({
    kind: mostly(['drain', 'nginx', 'jvm', 'postgres', 'command', 'http', 'none'], ['empty-command', 'bad-http']),
    pause: durationSpec,
    pidFile: maybe(mostly(['/tmp/nginx.pid', '/var/run/nginx.pid'], ['nginx.pid', '/nginx.pid'])),
  });
    const containerSpec = fc.record({
    name: maybe(mostly(['main', 'app', 'proxy', 'log'], ['', 'Bad_Name'])),
    image: mostly(['example/web:1.0.0', 'registry.example.com/team/api:2.3.1'], ['', 'nginx:latest', 'a b', 'busybox']),
    ports: fc.array(portSpec, { maxLength: 3 }),
    env: fc.array(mostly(['PORT', 'JAVA_OPTS', 'my.var', 'x-y'], ['MY VAR', '1X']), { maxLength: 2 }),
    command: maybe(mostly([
      ['java', '-jar', '/app.jar'], ['/server'], ['sh', '-c', 'exec nginx -g "daemon off;"'], ['sh', '-c', 'cd /app && exec ./server'],
      ['sh', '-c', 'exec java -Dfoo="a;b" -jar /app.jar'], ['sh', '-c', 'exec app # a; b'], ['bash', '-c', 'cd /app && ./server'],
    ], [['sh', '-c', './server; echo done']], 10)),
    cpu: maybe(fc.record({ request: maybe(mostly([0, 100, 250, 2000], [-100])), limit: maybe(oneOf(100, 500, 1000, 4000)) })),
    memoryMi: maybe(fc.record({ request: maybe(oneOf(64, 256, 1024)), limit: maybe(oneOf(128, 256, 512)) })),
    ephemeralGi: maybe(fc.record({ request: oneOf(1, 2), limit: oneOf(1, 2) }), 6),
    readiness: maybe(checkSpec),
    liveness: maybe(checkSpec),
    startupTimeout: durationSpec,
    readOnlyRoot: maybe(fc.boolean(), 6),
    capabilities: maybe(oneOf(['NET_BIND_SERVICE'], ['CAP_NET_BIND_SERVICE']), 6),
  });
    const podSpec = fc.record({
    container: containerSpec,
    sidecars: fc.array(containerSpec, { maxLength: 2 }),
    initContainers: fc.array(fc.record({ name: maybe(mostly(['migrate', 'init'], ['main', 'Bad'])), image: mostly(['example/migrate:1.0.0'], ['']) }), { maxLength: 1 }),
    init: maybe(oneOf('shared', 'dumb-init', 'tini', 'none')),
    imageTools: maybe(oneOf('shell', 'none'), 4),
    helpers: maybe(mostly(['busybox'], ['empty', 'nothing'], 8), 5),
    preStop: maybe(hookSpec),
    appShutdown: durationSpec,
    grace: maybe(seconds, 5),
    spread: maybe(oneOf('preferred', 'required')),
    zoneKey: maybe(mostly(['topology.kubernetes.io/zone', 'example.com/rack'], ['Bad Key', '']), 4),
    priorityClassName: maybe(mostly(['high', 'system-cluster-critical'], ['Business Critical']), 4),
    podLabels: maybe(mostly<Record<string, string>>([{ team: 'payments' }], [{ 'app.kubernetes.io/name': 'other' }, { 'bad key': 'x' }], 10), 4),
    podUser: maybe(oneOf(1000, 0, 65532), 5),
  });

    const profileSpec = maybe(fc.record({
    base: oneOf('production', 'development'),
    drainPause: durationSpec,
    zoneTopologyKey: maybe(mostly(['topology.kubernetes.io/zone', 'example.com/rack'], ['Bad Key', ''])),
    priorityClassName: maybe(mostly(['batch'], ['Business Critical'])),
    replicas: maybe(mostly([2, 3], [0, 1, 1.5])),
    minReplicas: maybe(mostly([1, 2], [0])),
    reason: mostly(['shared staging cluster'], [' ']),
  }), 2);
  return { mostly, count, constructIds, objectNames, durationSpec, portSpec, checkSpec, hookSpec, containerSpec, podSpec: mistakes ? podSpec : podSpec.map(carefulPod), profileSpec };
}

export type Arbitraries = ReturnType<typeof makeArbitraries>;
export const GOOD = makeArbitraries(false);
export const ANY = makeArbitraries(true);
export type PodSpecData = typeof GOOD.podSpec extends fc.Arbitrary<infer T> ? T : never;
export type ProfileSpecData = typeof GOOD.profileSpec extends fc.Arbitrary<infer T> ? T : never;

/**
 * Settings a careful user keeps consistent across fields: an init that wraps needs a command,
 * several Service ports need names, limits at or above requests, probe ports that exist, a JVM
 * preset needs an init that forwards to PID 1.
 */
function carefulPod(pod: any): any {
  const seen = new Set<string | number>();
  const ports = pod.container.ports.filter((p: any) => !seen.has(p.number) && !seen.has(p.name) && seen.add(p.number) && seen.add(p.name));
  const named = ports.map((p: any, i: number) => ({ ...p, name: ports.length > 1 ? `${['http', 'metrics', 'grpc'][i]}` : p.name }));
  const main = {
    ...pod.container,
    ports: named.length > 0 ? named : [{ number: 8080 }],
    cpu: pod.container.cpu && { request: pod.container.cpu.request, limit: pod.container.cpu.limit === undefined ? undefined : Math.max(pod.container.cpu.limit, pod.container.cpu.request ?? 250, 250) },
    memoryMi: pod.container.memoryMi && { request: pod.container.memoryMi.request, limit: pod.container.memoryMi.limit === undefined ? undefined : Math.max(pod.container.memoryMi.limit, pod.container.memoryMi.request ?? 256, 256) },
    ephemeralGi: pod.container.ephemeralGi && { request: 1, limit: pod.container.ephemeralGi.limit },
    readiness: pod.container.readiness && { ...pod.container.readiness, port: undefined, timeout: undefined, failureThreshold: Math.min(pod.container.readiness.failureThreshold ?? 3, 3), period: Math.min(pod.container.readiness.period ?? 5, 5) },
    liveness: pod.container.liveness && { ...pod.container.liveness, port: undefined, timeout: undefined, period: undefined, failureThreshold: undefined },
    startupTimeout: pod.container.startupTimeout,
    command: pod.container.command ?? (pod.init === 'dumb-init' || pod.init === 'tini' || pod.preStop?.kind === 'jvm' ? ['java', '-jar', '/app.jar'] : undefined),
  };
  const init = pod.preStop?.kind === 'jvm' && (pod.init === undefined || pod.init === 'shared') ? 'dumb-init' : pod.init;
  return {
    ...pod,
    container: { ...main, name: main.name === 'main' ? undefined : main.name },
    sidecars: pod.sidecars.map((s: any, i: number) => ({
      ...s, name: `sidecar-${i + 1}`, ports: [], readiness: undefined, liveness: undefined, startupTimeout: undefined, cpu: undefined, memoryMi: undefined, ephemeralGi: undefined,
    })),
    init,
    imageTools: pod.helpers === 'busybox' && init !== 'dumb-init' && init !== 'tini' ? pod.imageTools : undefined,
    preStop: pod.preStop && (pod.preStop.kind === 'http' ? { ...pod.preStop, kind: 'drain' } : pod.preStop),
    grace: undefined,
  };
}

const dur = (s: number | undefined) => (s === undefined ? undefined : Number.isFinite(s) && Number.isInteger(s * 1000) ? Duration.millis(s * 1000) : Duration.seconds(s));

function check(spec: any): HealthCheck {
  const timing = { period: dur(spec.period), timeout: dur(spec.timeout), failureThreshold: spec.failureThreshold };
  switch (spec.kind) {
    case 'http': return HealthCheck.httpGet('/ready', { ...timing, port: spec.port });
    case 'bad-http': return HealthCheck.httpGet('ready', timing);
    case 'exec': return HealthCheck.exec(['/bin/check'], timing);
    case 'empty-exec': return HealthCheck.exec([], timing);
    case 'grpc': return HealthCheck.grpc({ ...timing, port: typeof spec.port === 'number' ? spec.port : undefined });
    default: return HealthCheck.tcp({ ...timing, port: spec.port });
  }
}

function hook(spec: any): LifecycleHook {
  const drainPause = dur(spec.pause);
  switch (spec.kind) {
    case 'drain': return LifecycleHook.drainPause({ drainPause });
    case 'nginx': return LifecycleHook.nginx({ drainPause, pidFile: spec.pidFile });
    case 'jvm': return LifecycleHook.jvm({ drainPause });
    case 'postgres': return LifecycleHook.postgres({ stopTimeout: drainPause });
    case 'command': return LifecycleHook.command(['/app/drain'], drainPause ?? Duration.seconds(3));
    case 'empty-command': return LifecycleHook.command([], Duration.seconds(1));
    case 'http': return LifecycleHook.httpGet('/drain', { port: 8080, expectedDuration: drainPause });
    case 'bad-http': return LifecycleHook.httpGet('drain', { port: 8080 });
    default: return LifecycleHook.none();
  }
}

function containerProps(spec: any): any {
  const resources: kplus.ContainerResources = {
    ...(spec.cpu ? { cpu: { request: spec.cpu.request !== undefined ? kplus.Cpu.millis(spec.cpu.request) : undefined, limit: spec.cpu.limit !== undefined ? kplus.Cpu.millis(spec.cpu.limit) : undefined } } : {}),
    ...(spec.memoryMi ? { memory: { request: spec.memoryMi.request !== undefined ? Size.mebibytes(spec.memoryMi.request) : undefined, limit: spec.memoryMi.limit !== undefined ? Size.mebibytes(spec.memoryMi.limit) : undefined } } : {}),
    ...(spec.ephemeralGi ? { ephemeralStorage: { request: Size.gibibytes(spec.ephemeralGi.request), limit: Size.gibibytes(spec.ephemeralGi.limit) } } : {}),
  };
  return {
    ...(spec.name !== undefined ? { name: spec.name } : {}),
    image: spec.image,
    ports: spec.ports.map((p: any) => ({ number: p.number, ...(p.name !== undefined ? { name: p.name } : {}), ...(p.hostPort !== undefined ? { hostPort: p.hostPort } : {}) })),
    ...(spec.env.length ? { envVariables: Object.fromEntries(spec.env.map((n: string) => [n, kplus.EnvValue.fromValue('1')])) } : {}),
    ...(spec.command ? { command: spec.command } : {}),
    ...(Object.keys(resources).length ? { resources } : {}),
    ...(spec.readiness || spec.liveness || spec.startupTimeout !== undefined ? {
      probes: { readiness: spec.readiness && check(spec.readiness), liveness: spec.liveness && check(spec.liveness), startupTimeout: dur(spec.startupTimeout) },
    } : {}),
    ...(spec.readOnlyRoot !== undefined || spec.capabilities ? {
      securityContext: { readOnlyRootFilesystem: spec.readOnlyRoot, ...(spec.capabilities ? { capabilities: { add: spec.capabilities } } : {}) },
    } : {}),
  };
}

/** The pod part of any Resilient* construct's props. */
export function podProps(spec: PodSpecData, batch = false): ResilientPodProps {
  const init = { 'shared': InitProcess.sharedProcessNamespace(), 'dumb-init': InitProcess.dumbInit(), 'tini': InitProcess.tini(), 'none': InitProcess.none() };
  const helpers = { busybox: () => HelperInjection.busybox(), empty: () => HelperInjection.fromImage({ image: '', busybox: '/bin/busybox' }), nothing: () => HelperInjection.fromImage({ image: 'x:1' }) };
  const main = containerProps(spec.container);
  if (spec.imageTools) main.imageTools = spec.imageTools === 'none' ? ImageTools.none() : ImageTools.shell();
  return {
    container: main,
    sidecars: spec.sidecars.map(containerProps),
    initContainers: spec.initContainers.map((c: any) => ({ ...(c.name !== undefined ? { name: c.name } : {}), image: c.image })),
    init: spec.init ? init[spec.init as keyof typeof init] : undefined,
    helpers: spec.helpers ? helpers[spec.helpers as keyof typeof helpers]() : undefined,
    shutdown: {
      preStop: spec.preStop && !batch ? hook(spec.preStop) : undefined,
      appShutdown: dur(spec.appShutdown),
      terminationGracePeriod: dur(spec.grace),
    },
    placement: { spread: spec.spread as any, zoneTopologyKey: spec.zoneKey },
    priorityClassName: spec.priorityClassName,
    podMetadata: spec.podLabels ? { labels: spec.podLabels as Record<string, string> } : undefined,
    securityContext: spec.podUser !== undefined ? { user: spec.podUser } : undefined,
  };
}

/** A profile, or none; made on `scope` (an App or a Chart). */
export function applyProfile(spec: ProfileSpecData, scope: Chart | any): void {
  if (!spec) return;
  const base = spec.base === 'development' ? ResilienceProfile.development() : ResilienceProfile.production();
  base.extend('generated', {
    drainPause: dur(spec.drainPause),
    zoneTopologyKey: spec.zoneTopologyKey,
    priorityClassName: spec.priorityClassName,
    replicas: spec.replicas,
    minReplicas: spec.minReplicas,
    ruleSeverities: { 'image-tag-mutable': { severity: Severity.WARNING, reason: spec.reason } },
  }).applyTo(scope);
}

export const tolerationSpec = fc.array(oneOf('everywhere', 'control-plane', 'not-ready', 'gpu', 'bad'), { maxLength: 2 });

export function tolerations(names: string[]): Tolerations[] {
  return names.map((n) => (n === 'everywhere' ? Tolerations.everywhere() : n === 'control-plane' ? Tolerations.controlPlane()
    : n === 'not-ready' ? Tolerations.notReadyAndUnreachable() : n === 'gpu' ? Tolerations.taint('example.com/gpu', { value: 'a100' }) : Tolerations.taint('Bad Key')));
}

export { dur, oneOf, maybe };
