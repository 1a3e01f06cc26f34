import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { planDaemonSetRollout, planTolerations, Tolerations } from '../../src/concerns/node-agent';

describe('DaemonSet rollout', () => {
  test('defaults: one node at a time, no surge, 10 s minReady, 5 revisions', () => {
    expect(planDaemonSetRollout({}, false)).toEqual({ maxUnavailable: 1, maxSurge: 0, minReadySeconds: 10, revisionHistoryLimit: 5 });
  });

  test('choosing a surge makes maxUnavailable default to 0: the new agent starts before the old one stops', () => {
    expect(planDaemonSetRollout({ maxSurge: 1 }, false)).toMatchObject({ maxUnavailable: 0, maxSurge: 1 });
    expect(planDaemonSetRollout({ maxSurge: '10%' }, false)).toMatchObject({ maxUnavailable: 0, maxSurge: '10%' });
    expect(planDaemonSetRollout({ maxSurge: 0 }, false)).toMatchObject({ maxUnavailable: 1, maxSurge: 0 });
    // Kubernetes allows exactly one of the two to be non-zero for a DaemonSet.
    expect(() => planDaemonSetRollout({ maxSurge: 2, maxUnavailable: 1 }, false)).toThrow('rollout.maxSurge: 2 is set together with maxUnavailable 1');
  });

  test('percentages and explicit settings', () => {
    expect(planDaemonSetRollout({ maxUnavailable: '20%', minReady: Duration.seconds(30), revisionHistoryLimit: 2 }, true))
      .toEqual({ maxUnavailable: '20%', maxSurge: 0, minReadySeconds: 30, revisionHistoryLimit: 2 });
  });

  test.each<[string, object, boolean, string]>([
    ['both zero', { maxUnavailable: 0 }, false,
      'rollout.maxUnavailable: 0 is 0 together with maxSurge 0, so the rollout could never replace an agent (Kubernetes rejects this). Fix: use maxUnavailable 1 (the default), or maxSurge 1 with maxUnavailable 0'],
    ['both zero percent', { maxUnavailable: '0%', maxSurge: '0%' }, false, 'rollout.maxUnavailable: "0%" is 0 together with maxSurge 0'],
    ['surge with a hostPort', { maxSurge: 1 }, true,
      'rollout.maxSurge: 1 starts the new agent next to the old one on the same node, but the pod declares a hostPort the old pod still holds, so the new pod never starts and the rollout stalls. Fix: use maxUnavailable 1 with maxSurge 0 (the default), or drop the hostPort'],
    ['a malformed maxUnavailable', { maxUnavailable: 'one' }, false, 'rollout.maxUnavailable: "one" is neither a number nor a percentage'],
    ['a negative maxSurge', { maxSurge: -1 }, false, 'rollout.maxSurge: -1 must be at least 0'],
    ['a percentage above 100', { maxUnavailable: '150%' }, false, 'rollout.maxUnavailable: "150%" is above 100%'],
    ['a fractional minReady', { minReady: Duration.millis(500) }, false, 'rollout.minReady: "0.5s" is not a whole number of seconds'],
    ['no revision history', { revisionHistoryLimit: 0 }, false, 'rollout.revisionHistoryLimit: 0 must be at least 1'],
  ])('rejects %s', (_, props, hostPort, message) => {
    expect(() => planDaemonSetRollout(props, hostPort)).toThrow(message);
  });
});

describe('tolerations', () => {
  test('presets', () => {
    expect(planTolerations([Tolerations.everywhere()])).toEqual([{ operator: 'Exists' }]);
    expect(planTolerations([Tolerations.controlPlane()])).toEqual([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(planTolerations([Tolerations.notReadyAndUnreachable()])).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    ]);
    expect(planTolerations([])).toEqual([]);
  });

  test('custom taints: Exists without a value, Equal with one, eviction delay with NoExecute', () => {
    expect(planTolerations([
      Tolerations.taint('dedicated', { value: 'logging', effect: kplus.TaintEffect.NO_SCHEDULE }),
      Tolerations.taint('example.com/maintenance', { effect: kplus.TaintEffect.NO_EXECUTE, evictAfter: Duration.minutes(5) }),
      Tolerations.taint('nvidia.com/gpu'),
    ])).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'logging', effect: 'NoSchedule' },
      { key: 'example.com/maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'nvidia.com/gpu', operator: 'Exists' },
    ]);
  });

  test('everywhere() makes the others redundant; duplicates are dropped', () => {
    expect(planTolerations([Tolerations.controlPlane(), Tolerations.everywhere()])).toEqual([{ operator: 'Exists' }]);
    expect(planTolerations([Tolerations.controlPlane(), Tolerations.controlPlane()])).toHaveLength(1);
  });

  test('presets say what they are', () => {
    expect([Tolerations.everywhere(), Tolerations.controlPlane(), Tolerations.notReadyAndUnreachable(), Tolerations.taint('a')].map((t) => t.kind))
      .toEqual(['everywhere', 'control-plane', 'not-ready-and-unreachable', 'taint a']);
  });

  test.each<[string, Tolerations, string]>([
    ['evictAfter without NoExecute', Tolerations.taint('dedicated', { evictAfter: Duration.seconds(30) }),
      'tolerations[0].evictAfter: "30 seconds" only applies to the NoExecute effect (Kubernetes rejects tolerationSeconds otherwise). Fix: add effect: TaintEffect.NO_EXECUTE, or remove evictAfter'],
    ['a key with spaces', Tolerations.taint('my taint'), 'tolerations[0].key: "my taint" is not a valid taint key'],
    ['an empty key', Tolerations.taint(''), 'tolerations[0].key: "" is not a valid taint key'],
    ['a value with a slash', Tolerations.taint('dedicated', { value: 'a/b' }), 'tolerations[0].value: "a/b" is not a valid taint value'],
  ])('rejects %s', (_, preset, message) => {
    expect(() => planTolerations([preset])).toThrow(message);
  });
});
