import { Duration } from 'cdk8s';
import { LifecycleHook, planShutdown } from '../../src/concerns/shutdown';
import { auditObjects, estimateHookSeconds, parseShutdownBudget } from '../../src/rules';
import { shutdownTimelines } from '../../src/rules/engine';
import { formatTimeline } from '../../src/rules/timeline';
import { appWith, goodApp } from './fixtures';

describe('estimateHookSeconds', () => {
  test.each([
    [{ exec: { command: ['sleep', '5'] } }, 5],
    [{ exec: { command: ['/bin/sleep', '1m'] } }, 60],
    [{ exec: { command: ['sh', '-c', 'sleep 3; sleep 2s && app drain'] } }, 5],
    [{ exec: { command: ['/bin/sh', '-c', 'sleep 5; nginx -s quit; while kill -0 "$(cat /tmp/nginx.pid)"; do sleep 1; done'] } }, 5],
    [{ exec: { command: ['sh', '-c', 'sleep infinity'] } }, Infinity],
    // Read like a shell: quoted text and comments are not commands (a regex counted them).
    [{ exec: { command: ['sh', '-c', "echo 'draining; sleep 100'; sleep 2"] } }, 2],
    [{ exec: { command: ['sh', '-c', 'sleep 3 # then sleep 100'] } }, 3],
    [{ exec: { command: ['sh', '-c', 'echo "a;sleep 9" && sleep 1'] } }, 1],
    // The program is sleep, /bin/sleep or busybox's; assignments and keywords before it count.
    [{ exec: { command: ['sh', '-c', '/helpers/busybox sleep 5; kill -TERM 1 && while kill -0 1; do /helpers/busybox sleep 1; done'] } }, 5],
    [{ exec: { command: ['sh', '-c', 'PAUSE=5 /bin/sleep 6'] } }, 6],
    [{ exec: { command: ['sh', '-c', 'if [ -f /ready ]; then sleep 4; fi'] } }, 4],
    // Loops wait for the app (its shutdown time covers them); a backgrounded sleep holds nothing.
    [{ exec: { command: ['sh', '-c', 'for i in 1 2 3; do sleep 2; done; sleep 1'] } }, 1],
    [{ exec: { command: ['sh', '-c', 'sleep 30 & app drain'] } }, 0],
    [{ exec: { command: ['sh', '-c', 'sleep "$PAUSE"'] } }, 0],
    // A sleep-like word that is not the program.
    [{ exec: { command: ['sh', '-c', 'echo sleep 10'] } }, 0],
    [{ exec: { command: ['/app/drain'] } }, 0],
    [{ httpGet: { path: '/drain', port: 8080 } }, 5],
    [{ sleep: { seconds: 7 } }, 7],
  ])('%j takes %ss', (handler, seconds) => {
    expect(estimateHookSeconds(handler)!.seconds).toBe(seconds);
  });

  test('no handler, no estimate', () => {
    expect(estimateHookSeconds(undefined)).toBeUndefined();
  });

  test('the library\'s own hooks are estimated at the seconds they declare', () => {
    for (const hook of [LifecycleHook.drainPause(), LifecycleHook.nginx(), LifecycleHook.drainPause({ drainPause: Duration.seconds(12) })]) {
      expect(estimateHookSeconds(hook.handler)!.seconds).toBe(hook.seconds);
    }
  });
});

describe('parseShutdownBudget reads what planShutdown writes', () => {
  test('derived grace', () => {
    const plan = planShutdown({ appShutdown: Duration.seconds(15) }, { preStop: LifecycleHook.drainPause(), appShutdown: Duration.seconds(20) });
    expect(parseShutdownBudget(plan.explanation)).toEqual({ graceSeconds: plan.terminationGracePeriodSeconds, preStopSeconds: 5, appShutdownSeconds: 15 });
  });
  test('explicit grace', () => {
    const plan = planShutdown({ terminationGracePeriod: Duration.seconds(60) }, { preStop: LifecycleHook.drainPause(), appShutdown: Duration.seconds(40) });
    expect(parseShutdownBudget(plan.explanation)).toEqual({ graceSeconds: 60, preStopSeconds: 5, appShutdownSeconds: 40 });
  });
  test('anything else', () => {
    expect(parseShutdownBudget('hello')).toEqual({ graceSeconds: undefined, preStopSeconds: undefined, appShutdownSeconds: undefined });
  });
});

describe('shutdown timeline (--explain)', () => {
  function timeline(objects: any[]) {
    return shutdownTimelines(objects)[0];
  }

  test('preStop, then SIGTERM, then SIGKILL at the grace period', () => {
    const t = timeline(goodApp());
    expect(t.graceSeconds).toBe(30);
    expect(t.containers[0].events.map((e) => [e.atSeconds, e.event.split(/[ ;(]/)[0]])).toEqual([
      [0, 'pod'], [5, 'preStop'], [5, 'SIGTERM'], [20, 'app'], [30, 'SIGKILL'],
    ]);
    expect(t.containers[0].notes).toEqual([]);
    expect(formatTimeline(t)).toMatch(/Deployment web\n {2}grace period 30s \(terminationGracePeriodSeconds\); app shutdown 15s/);
  });

  test('preStop outliving the grace period: SIGTERM at the end of the grace period, SIGKILL 2s later', () => {
    const t = timeline(appWith((d) => {
      d.spec.template.spec.terminationGracePeriodSeconds = 10;
      d.spec.template.spec.containers[0].lifecycle.preStop.exec.command = ['sleep', '20'];
    }));
    const events = t.containers[0].events.map((e) => e.atSeconds);
    expect(events).toEqual([0, 10, 12, 12]);
    expect(t.containers[0].notes.join('\n')).toMatch(/preStop outlives the grace period of 10s/);
  });

  test('a shell that swallows SIGTERM: the app runs until SIGKILL', () => {
    const t = timeline(appWith((d) => { d.spec.template.spec.containers[0].command = ['sh', '-c', 'cd /app && server']; }));
    expect(t.containers[0].notes.join('\n')).toMatch(/SIGTERM does not reach the app .* it runs until SIGKILL at 30s/);
  });

  test('the timeline and the grace-period rule use the same figures', () => {
    const broken = appWith((d) => { d.spec.template.spec.terminationGracePeriodSeconds = 12; });
    expect(timeline(broken).containers[0].notes.join('\n')).toMatch(/needs until 20s but is killed at 12s/);
    expect(auditObjects(broken).findings.map((f) => f.ruleId)).toEqual(['grace-period-too-short']);
  });
});
