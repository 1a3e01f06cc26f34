import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { HealthCheck, LifecycleHook, ResilientDaemonSet, ResilientDaemonSetProps, Tolerations } from '../../src';
import { expectValidKubernetes } from '../support/k8s-validate';
import { expectResilientInvariants, matches, podLabelsOf, podSpecOf } from '../support/properties';
import { KubeObject, newChart, only, synth, rejectionOf } from '../support/synth';

function agent(props: Partial<ResilientDaemonSetProps> = {}, id = 'agent'): { objects: KubeObject[]; construct: ResilientDaemonSet } {
  const chart = newChart();
  const construct = new ResilientDaemonSet(chart, id, {
    container: { image: 'example/agent:1.0.0', portNumber: 9100 },
    ...props,
  });
  const objects = synth(chart);
  expectValidKubernetes(objects);
  return { objects, construct };
}

function errorOf(props: Partial<ResilientDaemonSetProps>): string {
  return rejectionOf(() => agent(props));
}

const appShutdown = (seconds: number) => () => seconds;

describe('ResilientDaemonSet output', () => {
  test('defaults: the minimal call', () => {
    const { objects } = agent();
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => o.kind)).toEqual(['DaemonSet']);
    expectResilientInvariants(objects, appShutdown(20));
  });

  test('a log shipper on every node: tolerates everything, HTTP health, no preStop, priority class, surge', () => {
    const { objects } = agent({
      name: 'log-agent',
      component: 'logging',
      partOf: 'platform',
      priorityClassName: 'node-agent',
      tolerations: [Tolerations.everywhere()],
      rollout: { maxSurge: '10%', minReady: Duration.seconds(20) },
      container: {
        image: 'example/shipper:3.1.4',
        ports: [{ number: 2020, name: 'http' }],
        probes: {
          readiness: HealthCheck.httpGet('/api/v1/health', { port: 'http' }),
          liveness: HealthCheck.tcp({ port: 'http' }),
        },
      },
      shutdown: { preStop: LifecycleHook.none(), appShutdown: Duration.seconds(10) },
    }, 'log-agent');
    expect(objects).toMatchSnapshot();
    expectResilientInvariants(objects, appShutdown(10));
  });

  test('a hostPort exporter on control-plane nodes and a dedicated pool, 20% at a time', () => {
    const { objects } = agent({
      tolerations: [Tolerations.controlPlane(), Tolerations.taint('dedicated', { value: 'ingress', effect: kplus.TaintEffect.NO_SCHEDULE }), Tolerations.notReadyAndUnreachable()],
      rollout: { maxUnavailable: '20%' },
      container: { image: 'example/node-exporter:1.7.0', ports: [{ number: 9100, hostPort: 9100, name: 'metrics' }] },
    }, 'exporter');
    expect(objects).toMatchSnapshot();
    expectResilientInvariants(objects, appShutdown(20));
  });
});

describe('ResilientDaemonSet properties', () => {
  test('RollingUpdate one node at a time, no surge, minReady and history', () => {
    const { objects, construct } = agent();
    const spec = only(objects, 'DaemonSet').spec;
    expect(spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(spec.minReadySeconds).toBe(10);
    expect(spec.revisionHistoryLimit).toBe(5);
    expect(construct.rollout).toEqual({ maxUnavailable: 1, maxSurge: 0, minReadySeconds: 10, revisionHistoryLimit: 5 });
  });

  test.each<[string, Partial<ResilientDaemonSetProps>]>([
    ['defaults', {}],
    ['surge', { rollout: { maxSurge: 1 } }],
    ['percentages', { rollout: { maxUnavailable: '10%' } }],
    ['a surge percentage', { rollout: { maxSurge: '5%' } }],
  ])('a rollout always makes progress (%s): maxUnavailable >= 1 or maxSurge >= 1', (_, props) => {
    const r = only(agent(props).objects, 'DaemonSet').spec.updateStrategy.rollingUpdate;
    const nonZero = (v: number | string) => (typeof v === 'number' ? v : parseInt(v, 10)) >= 1;
    expect(nonZero(r.maxUnavailable) || nonZero(r.maxSurge)).toBe(true);
  });

  test('default probes on the main container, differing readiness and liveness', () => {
    const main = podSpecOf(only(agent().objects, 'DaemonSet')).containers[0];
    expect(main.readinessProbe.tcpSocket).toEqual({ port: 9100 });
    expect(main.livenessProbe).not.toEqual(main.readinessProbe);
    expect(main.startupProbe).toBeDefined();
  });

  test('graceful shutdown like a service: drain pause, 20 s, grace 30 s', () => {
    const { objects, construct } = agent();
    const pod = podSpecOf(only(objects, 'DaemonSet'));
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(construct.terminationGracePeriodSeconds).toBe(30);
  });

  test('no spreading (one pod per node anyway) and no PodDisruptionBudget', () => {
    const { objects } = agent();
    const pod = podSpecOf(only(objects, 'DaemonSet'));
    expect(pod.topologySpreadConstraints).toBeUndefined();
    expect(pod.affinity).toBeUndefined();
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  test('no tolerations unless asked for; presets are written as given', () => {
    expect(podSpecOf(only(agent().objects, 'DaemonSet')).tolerations).toBeUndefined();
    expect(podSpecOf(only(agent({ tolerations: [Tolerations.everywhere()] }).objects, 'DaemonSet')).tolerations).toEqual([{ operator: 'Exists' }]);
    expect(podSpecOf(only(agent({ tolerations: [Tolerations.taint('maintenance', { effect: kplus.TaintEffect.NO_EXECUTE, evictAfter: Duration.minutes(10) })] }).objects, 'DaemonSet')).tolerations)
      .toEqual([{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 }]);
  });

  test('tolerations added through the cdk8s-plus escape hatch are kept next to the presets', () => {
    const chart = newChart();
    const construct = new ResilientDaemonSet(chart, 'agent', { container: { image: 'example/agent:1.0.0', portNumber: 9100 }, tolerations: [Tolerations.controlPlane()] });
    construct.daemonSet.scheduling.tolerate(kplus.Node.tainted(kplus.NodeTaintQuery.exists('gpu')));
    expect(podSpecOf(only(synth(chart), 'DaemonSet')).tolerations.map((t: any) => t.key)).toEqual(['node-role.kubernetes.io/control-plane', 'gpu']);
  });

  test('priority class', () => {
    expect(podSpecOf(only(agent({ priorityClassName: 'system-node-critical' }).objects, 'DaemonSet')).priorityClassName).toBe('system-node-critical');
  });

  test('selector uses only name and instance and matches the pod labels; labels everywhere', () => {
    const { objects, construct } = agent({ component: 'monitoring' });
    const d = only(objects, 'DaemonSet');
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'agent', 'app.kubernetes.io/instance': d.metadata.name });
    expect(matches(d.spec.selector.matchLabels, podLabelsOf(d))).toBe(true);
    expect(matches(d.metadata.labels!, podLabelsOf(d))).toBe(true);
    expect(d.metadata.labels).toMatchObject({ 'app.kubernetes.io/version': '1.0.0', 'app.kubernetes.io/component': 'monitoring', 'app.kubernetes.io/managed-by': 'cdk8s' });
    expect(construct.selectorLabels).toEqual(d.spec.selector.matchLabels);
  });

  test('a new image version does not change the selector', () => {
    const a = only(agent().objects, 'DaemonSet');
    const b = only(agent({ container: { image: 'example/agent:2.0.0', portNumber: 9100 } }).objects, 'DaemonSet');
    expect(b.spec.selector).toEqual(a.spec.selector);
  });

  test('escape hatches', () => {
    const { construct } = agent();
    expect(construct.daemonSet).toBeInstanceOf(kplus.DaemonSet);
    expect(construct.daemonSet.minReadySeconds).toBe(10);
    expect(construct.apiObject.kind).toBe('DaemonSet');
  });
});

describe('ResilientDaemonSet rejects unsafe input', () => {
  const cases: Array<[string, Partial<ResilientDaemonSetProps>, string]> = [
    ['maxUnavailable 0 without surge', { rollout: { maxUnavailable: 0 } },
      '[test/agent] rollout.maxUnavailable: 0 is 0 together with maxSurge 0, so the rollout could never replace an agent (Kubernetes rejects this). Fix: use maxUnavailable 1 (the default), or maxSurge 1 with maxUnavailable 0'],
    ['both zero percent', { rollout: { maxUnavailable: '0%', maxSurge: 0 } },
      '[test/agent] rollout.maxUnavailable: "0%" is 0 together with maxSurge 0'],
    ['surge with a hostPort', { rollout: { maxSurge: 1 }, container: { image: 'example/agent:1.0.0', ports: [{ number: 9100, hostPort: 9100 }] } },
      '[test/agent] rollout.maxSurge: 1 starts the new agent next to the old one on the same node, but the pod declares a hostPort the old pod still holds, so the new pod never starts and the rollout stalls. Fix: use maxUnavailable 1 with maxSurge 0 (the default), or drop the hostPort'],
    ['a sidecar hostPort with surge', { rollout: { maxSurge: '25%' }, sidecars: [{ name: 'proxy', image: 'example/proxy:1.0.0', ports: [{ number: 8443, hostPort: 8443 }], probes: undefined }] },
      '[test/agent] rollout.maxSurge: "25%" starts the new agent next to the old one'],
    ['a malformed maxUnavailable', { rollout: { maxUnavailable: 'half' } },
      '[test/agent] rollout.maxUnavailable: "half" is neither a number nor a percentage'],
    ['no revision history', { rollout: { revisionHistoryLimit: 0 } },
      '[test/agent] rollout.revisionHistoryLimit: 0 must be at least 1'],
    ['evictAfter without NoExecute', { tolerations: [Tolerations.controlPlane(), Tolerations.taint('dedicated', { evictAfter: Duration.seconds(60) })] },
      '[test/agent] tolerations[1].evictAfter: "1 minute" only applies to the NoExecute effect (Kubernetes rejects tolerationSeconds otherwise). Fix: add effect: TaintEffect.NO_EXECUTE, or remove evictAfter'],
    ['an invalid taint key', { tolerations: [Tolerations.taint('bad key')] },
      '[test/agent] tolerations[0].key: "bad key" is not a valid taint key'],
    ['no port for default probes', { container: { image: 'example/agent:1.0.0' } },
      '[test/agent] container.probes: (unset) cannot get default probes because the container declares no port'],
    ['a grace period shorter than preStop + shutdown', { shutdown: { terminationGracePeriod: Duration.seconds(10) } },
      '[test/agent] shutdown.terminationGracePeriod: "10s" is shorter than preStop (5s) + appShutdown (20s) = 25s'],
  ];
  test.each(cases)('%s', (_, props, message) => {
    expect(errorOf(props)).toContain(message);
  });
});
