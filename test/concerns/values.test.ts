import { Duration } from 'cdk8s';
import { LifecycleHook } from '../../src';
import { planDisruptionBudget, podsOf } from '../../src/concerns/disruption-budget';
import { recommendedLabels, versionFromImage } from '../../src/concerns/labels';
import { planPlacement } from '../../src/concerns/placement';
import { planRollout } from '../../src/concerns/rollout';
import { planScaling } from '../../src/concerns/scaling';
import { DEFAULT_APP_SHUTDOWN, planShutdown } from '../../src/concerns/shutdown';

describe('shutdown', () => {
  const defaults = { preStop: LifecycleHook.drainPause(), appShutdown: DEFAULT_APP_SHUTDOWN };
  test('the default budget is the Kubernetes default of 30 s, now explained', () => {
    const plan = planShutdown({}, defaults);
    expect(plan.terminationGracePeriodSeconds).toBe(30);
    expect(plan.explanation).toBe('grace 30s = preStop 5s + app shutdown 20s + margin 5s');
  });
  test('an explicit grace period equal to preStop + shutdown is accepted without margin', () => {
    expect(planShutdown({ terminationGracePeriod: Duration.seconds(25) }, defaults).marginSeconds).toBe(0);
  });
  test('presets', () => {
    expect(LifecycleHook.nginx().handler!.exec!.command[2]).toContain('/usr/sbin/nginx -s quit');
    expect(LifecycleHook.jvm().handler!.exec!.command[2]).toBe('sleep 5; kill -TERM 1 && while kill -0 1 2>/dev/null; do sleep 1; done');
    expect(LifecycleHook.jvm().requiredTools).toEqual(['sh', 'sleep']);
    expect(LifecycleHook.httpGet('/drain', { port: 8080 }).requiredTools).toEqual([]);
    expect(LifecycleHook.none().handler).toBeUndefined();
  });
  test('bad hook input is kept by the factory and raised, named, by whoever uses the hook', () => {
    const cases: Array<[LifecycleHook, string]> = [
      [LifecycleHook.command([], Duration.seconds(1)), 'shutdown.preStop.command: [] is empty'],
      [LifecycleHook.httpGet('drain', { port: 1 }), 'shutdown.preStop.httpGet.path: "drain" must start with "/". Fix: use "/drain"'],
      [LifecycleHook.drainPause({ drainPause: Duration.millis(2500) }), 'shutdown.preStop.drainPause: "2.5s" is not a whole number of seconds'],
    ];
    for (const [hook, message] of cases) {
      expect(() => hook.check('shutdown.preStop')).toThrow(message);
      // Used outside a construct, it still refuses to render.
      expect(() => hook.handler).toThrow(message.replace('shutdown.preStop.', ''));
    }
  });
});

describe('disruption budget', () => {
  test.each([
    [1, 2, 1], ['50%', 3, 2], ['1%', 2, 1], ['0%', 5, 0], ['100%', 4, 4],
  ])('podsOf(%j, %d) = %d (percentages round up)', (value, replicas, pods) => {
    expect(podsOf(value as number | string, replicas as number, 'f')).toBe(pods);
  });
  test('no PDB below 2 replicas', () => {
    expect(planDisruptionBudget({ a: 'b' }, 1)).toBeUndefined();
  });
  test('bad values', () => {
    expect(() => podsOf('abc', 2, 'f')).toThrow('f: "abc" is neither a number nor a percentage');
    expect(() => podsOf('150%', 2, 'f')).toThrow('f: "150%" is above 100%');
    expect(() => podsOf(-1, 2, 'f')).toThrow('f: -1 must be at least 0');
  });
});

describe('placement', () => {
  test('custom topology keys and no revision key', () => {
    const plan = planPlacement({ a: 'b' }, { zoneTopologyKey: 'example.com/rack', nodeTopologyKey: 'example.com/host' });
    expect(plan.topologySpreadConstraints.map((c) => c.topologyKey)).toEqual(['example.com/rack', 'example.com/host']);
    expect(plan.topologySpreadConstraints[0].matchLabelKeys).toBeUndefined();
  });
});

describe('rollout and scaling', () => {
  test('defaults', () => {
    expect(planRollout({}, 2)).toEqual({ maxSurge: '25%', maxUnavailable: 0, minReadySeconds: 10, progressDeadlineSeconds: 600, revisionHistoryLimit: 5 });
    expect(planScaling(undefined, undefined)).toEqual({ replicas: 2, minReplicas: 2 });
  });
  test('bad values', () => {
    expect(() => planRollout({ revisionHistoryLimit: 0 }, 2)).toThrow('rollout.revisionHistoryLimit: 0 must be at least 1');
    expect(() => planScaling(2.5, undefined)).toThrow('replicas: 2.5 is not a whole number');
    expect(() => planScaling(1, undefined)).toThrow('replicas: 1 is below 2');
    expect(() => planScaling(2 ** 31, undefined)).toThrow('replicas: 2147483648 is above 2147483647, the largest value Kubernetes accepts here');
    expect(() => planScaling(NaN, undefined)).toThrow('replicas: NaN is not a whole number');
    expect(() => planScaling(undefined, { maxReplicas: 4, targetCpuUtilizationPercent: 0 })).toThrow('autoscaling.targetCpuUtilizationPercent: 0 must be a percentage from 1 to 100');
  });
  test('memory target adds a second metric', () => {
    expect(planScaling(undefined, { maxReplicas: 4, targetMemoryUtilizationPercent: 80 }).autoscaler!.metrics).toHaveLength(2);
  });
});

describe('labels', () => {
  test.each([
    ['nginx:1.25.3', '1.25.3'],
    ['registry.example.com:5000/team/app:2.0', '2.0'],
    ['registry.example.com:5000/team/app', undefined],
    ['app:latest', undefined],
    ['app@sha256:abc', undefined],
    ['app:1.0@sha256:abc', '1.0'],
  ])('versionFromImage(%s) = %s', (image, version) => {
    expect(versionFromImage(image)).toBe(version);
  });
  test('managed-by is always set', () => {
    expect(recommendedLabels({ name: 'a', instance: 'b' })['app.kubernetes.io/managed-by']).toBe('cdk8s');
  });
});
