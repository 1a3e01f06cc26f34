/**
 * The local runtime against real processes: the fixture app in its different behaviours, played
 * through the whole kubelet sequence. Grace periods are 2-3 s on an idle machine so each drill
 * ends quickly.
 *
 * Timing: what must happen first is made to happen first (an app that must be killed mid-shutdown
 * takes a minute to shut down; a probe waits for the state it needs). Grace periods and upper
 * bounds come from test/support/overhead.ts: the costs measured on this machine now (node start,
 * SIGTERM to exit, spawn, nsenter, the /proc scan) and this process's own event-loop lag, since
 * the drill's clock runs in this process. Lower bounds need no margin: a timer never fires early.
 */
import * as path from 'path';
import { runDrill } from '../../src/drill';
import { MINIMUM_GRACE_SECONDS } from '../../src/drill/kubelet';
import { DrillReport } from '../../src/drill/types';
import { machineOverhead, marginMs, marginSeconds, worstLagMs } from '../support/overhead';
import { needs } from '../support/prereqs';
import { APP, freePort, IGNORE_TERM, killTagged, liveTagged, makeTarget, marks, NODE, withScratch } from './helpers';

const COST = machineOverhead();
/** Grace period for an app that exits at once on SIGTERM: its exit must come before the window ends. */
const GRACE = marginSeconds(2, COST.signalExitMs, COST.timerLagMs);
/** What running an exec hook or probe costs here (nsenter into the namespace in PID 1 mode). */
const EXEC_MS = COST.spawnMs + (COST.nsenterMs ?? 0);

// a bound on a hang, not on speed
jest.setTimeout(180000);

const pid1 = needs('pid-namespace');
const pid1Test = pid1.concurrent;
const tiniTest = needs('pid-namespace', 'tini').concurrent;
/** PID 1 mode with the exit watch, which names what the kernel kills with PID 1. */
const watchTest = needs('pid-namespace', 'python3').concurrent;

/**
 * Upper bound for a duration the drill measured that should be `nominalSeconds` plus overhead: the
 * costs on its path and this process's lag, FACTOR times over, and at least the idle-machine slack.
 */
const atMost = (nominalSeconds: number, idleSlackSeconds: number, ...costsMs: number[]) =>
  nominalSeconds + marginMs(idleSlackSeconds * 1000, ...costsMs, worstLagMs()) / 1000;

afterAll(() => {
  // safety net: nothing started by this file may outlive it
  killTagged(`local-`, true);
});

const plain = { pid1: 'no' as const, settleSeconds: 0.5 };
const asPid1 = { pid1: 'yes' as const, settleSeconds: 0.5 };
/** A target whose app exits at once on SIGTERM, with the grace period that allows for it here. */
const target: typeof makeTarget = (s, over = {}) => makeTarget(s, { terminationGracePeriodSeconds: GRACE, ...over });

function summary(r: DrillReport) {
  return {
    status: r.verdict.status,
    phase: r.facts.exit.phase,
    code: r.facts.exit.code,
    signal: r.facts.exit.signal,
    sigkill: r.facts.sigkillSent,
  };
}

describe('an app that handles SIGTERM', () => {
  test.concurrent('passes as an ordinary process: exit 0, no SIGKILL', () =>
    withScratch('local-handle', async (s) => {
      const r = await runDrill({ target: target(s), ...plain });
      expect(summary(r)).toEqual({ status: 'pass', phase: 'after-sigterm', code: 0, signal: null, sigkill: false });
      expect(r.facts.runtime).toMatchObject({ kind: 'local', mode: 'plain' });
      expect(r.facts.startup.how).toBe('probe');
      expect(r.facts.exit.secondsAfterSigterm).toBeGreaterThan(0);
      expect(r.facts.exit.secondsAfterSigterm).toBeLessThan(atMost(0, 1.5, COST.signalExitMs));
      expect(marks(s.dir)).toEqual(new Set(['ready', 'term', 'done']));
      expect(liveTagged(s.token)).toEqual([]);
    }),
  );

  pid1Test('passes as PID 1 of its own namespace', () =>
    withScratch('local-handle1', async (s) => {
      const r = await runDrill({ target: target(s), ...asPid1 });
      expect(summary(r)).toEqual({ status: 'pass', phase: 'after-sigterm', code: 0, signal: null, sigkill: false });
      expect(r.facts.runtime.mode).toBe('pid1');
      expect(r.facts.sigterm?.mainIsPid1).toBe(true);
      expect(r.facts.sigterm?.main?.sigterm).toBe('caught');
    }),
  );

  test.concurrent('warns about a non-zero exit code after SIGTERM but passes', () =>
    withScratch('local-code', async (s) => {
      const r = await runDrill({ target: target(s, { command: [NODE, APP, 'exit-code', '3'] }), ...plain });
      expect(summary(r)).toMatchObject({ status: 'pass', code: 3 });
      expect(r.verdict.warnings.join('\n')).toMatch(/exited with code 3 after SIGTERM/);
    }),
  );
});

describe('an app without a SIGTERM handler', () => {
  pid1Test('as PID 1 never sees SIGTERM and needs SIGKILL', () =>
    withScratch('local-none1', async (s) => {
      const r = await runDrill({ target: target(s, { command: [NODE, APP, 'none'] }), ...asPid1 });
      expect(summary(r)).toEqual({ status: 'fail', phase: 'after-sigkill', code: null, signal: 'SIGKILL', sigkill: true });
      expect(r.verdict.reason).toMatch(new RegExp(`runs as PID 1 and was still running ${GRACE} s after SIGTERM.*re-raises the signal`));
      // (a timer may fire a few ms before performance.now() says it is due: timers use the loop's clock)
      expect(r.facts.exit.secondsAfterSigterm).toBeGreaterThanOrEqual(GRACE - 0.05);
    }),
  );

  test.concurrent('as an ordinary process dies on SIGTERM, but is judged for PID 1 in the pod', () =>
    withScratch('local-none', async (s) => {
      const r = await runDrill({ target: target(s, { command: [NODE, APP, 'none'] }), ...plain });
      expect(summary(r)).toEqual({ status: 'fail', phase: 'after-sigterm', code: null, signal: 'SIGTERM', sigkill: false });
      expect(r.verdict.reason).toMatch(/ended by SIGTERM itself.*In the pod it is PID 1/);
    }),
  );

  test.concurrent('passes with shareProcessNamespace, where it is not PID 1', () =>
    withScratch('local-none-shared', async (s) => {
      const r = await runDrill({ target: target(s, { command: [NODE, APP, 'none'], shareProcessNamespace: true }), settleSeconds: 0.5 });
      expect(r.facts.runtime.mode).toBe('plain');
      expect(r.notes.join('\n')).toMatch(/shareProcessNamespace/);
      expect(summary(r)).toMatchObject({ status: 'pass', signal: 'SIGTERM', sigkill: false });
      expect(r.verdict.reason).toMatch(/default action/);
    }),
  );

  tiniTest('passes under tini as PID 1: tini forwards and reports 143', () =>
    withScratch('local-none-tini', async (s) => {
      const r = await runDrill({ target: target(s, { command: ['tini', '--', NODE, APP, 'none'] }), ...asPid1 });
      expect(summary(r)).toEqual({ status: 'pass', phase: 'after-sigterm', code: 143, signal: null, sigkill: false });
    }),
  );
});

describe('apps that do not stop in time', () => {
  test.concurrent('an app that ignores SIGTERM (SIG_IGN) is SIGKILLed', () =>
    withScratch('local-ign', async (s) => {
      const r = await runDrill({ target: target(s, { command: [IGNORE_TERM] }), ...plain });
      expect(summary(r)).toMatchObject({ status: 'fail', phase: 'after-sigkill', signal: 'SIGKILL', sigkill: true });
      expect(r.facts.sigterm?.main?.sigterm).toBe('ignored');
      expect(r.verdict.reason).toMatch(/ignores SIGTERM/);
    }),
  );

  test.concurrent('an app whose handler never exits is SIGKILLed', () =>
    withScratch('local-stuck', async (s) => {
      const r = await runDrill({ target: target(s, { command: [NODE, APP, 'stuck'] }), ...plain });
      expect(summary(r)).toMatchObject({ status: 'fail', phase: 'after-sigkill', sigkill: true });
      expect(r.verdict.reason).toMatch(new RegExp(`handles SIGTERM but was still running ${GRACE} s later`));
      expect(r.verdict.fix).toMatch(/terminationGracePeriodSeconds/);
      expect(marks(s.dir).has('term')).toBe(true);
    }),
  );

  test.concurrent('an app that takes longer than the grace period is SIGKILLed mid-shutdown', () =>
    withScratch('local-slow', async (s) => {
      // a shutdown of ten minutes: SIGKILL comes first however late the drill runs
      const r = await runDrill({ target: target(s, { command: [NODE, APP, 'handle', '600000'] }), ...plain });
      expect(summary(r)).toMatchObject({ status: 'fail', sigkill: true });
      expect(marks(s.dir).has('term')).toBe(true);
      expect(marks(s.dir).has('done')).toBe(false);
    }),
  );
});

describe('preStop', () => {
  test.concurrent('the hook runs first and its whole seconds come off the grace period', () =>
    withScratch('local-pre', async (s) => {
      // the hook's 1 s must fit in the grace period with the spawn it costs; what is left (at least
      // the 2 s minimum) must cover the app's exit
      const grace = 1 + Math.max(GRACE, marginSeconds(2, EXEC_MS));
      const r = await runDrill({
        target: target(s, { terminationGracePeriodSeconds: grace, preStop: { exec: { command: ['sleep', '1'] } } }),
        ...plain,
      });
      expect(r.facts.preStop).toMatchObject({ outcome: 'succeeded', exitCode: 0, action: 'exec sleep 1' });
      expect(r.facts.preStop.seconds).toBeGreaterThanOrEqual(1);
      expect(r.facts.preStop.seconds).toBeLessThan(atMost(1, 1, EXEC_MS));
      expect(r.facts.termWindowSeconds).toBe(Math.max(grace - Math.floor(r.facts.preStop.seconds), MINIMUM_GRACE_SECONDS));
      expect(r.facts.termWindowSeconds).toBeLessThan(grace);
      expect(r.facts.sigterm?.sentAtSeconds).toBeGreaterThanOrEqual(1);
      expect(r.verdict.status).toBe('pass');
    }),
  );

  test.concurrent('a hook that outlives the grace period gets the 2 s minimum, then SIGTERM', () =>
    withScratch('local-prelong', async (s) => {
      const r = await runDrill({
        target: target(s, { terminationGracePeriodSeconds: 1, preStop: { exec: { command: ['sleep', '30'] } } }),
        ...plain,
      });
      expect(r.facts.preStop.outcome).toBe('outlived-grace');
      expect(r.facts.sigterm?.sentAtSeconds).toBeGreaterThanOrEqual(1);
      // SIGTERM follows when the grace period runs out, after one look at the process tree
      expect(r.facts.sigterm?.sentAtSeconds).toBeLessThan(atMost(1, 0.8, COST.procScanMs));
      expect(r.facts.termWindowSeconds).toBe(MINIMUM_GRACE_SECONDS);
      expect(r.verdict.status).toBe('fail');
      expect(r.verdict.reason).toMatch(/still running when the 1 s grace period ran out/);
      expect(liveTagged(s.token)).toEqual([]);
    }),
  );

  test.concurrent('a failing hook fails the drill even though shutdown went well', () =>
    withScratch('local-prefail', async (s) => {
      const r = await runDrill({
        target: target(s, { preStop: { exec: { command: ['sh', '-c', 'echo no sleep here >&2; exit 127'] } } }),
        ...plain,
      });
      expect(r.facts.preStop).toMatchObject({ outcome: 'failed', exitCode: 127, error: 'no sleep here' });
      expect(r.facts.exit.code).toBe(0);
      expect(r.verdict.status).toBe('fail');
      expect(r.verdict.reason).toMatch(/FailedPreStopHook/);
    }),
  );

  test.concurrent('a hook that stops the app ends the drill before SIGTERM', () =>
    withScratch('local-prekill', async (s) => {
      const pidFile = path.join(s.dir, 'ready');
      const r = await runDrill({
        target: target(s, {
          // the hook (a shell, cat and kill) must stop the app before the grace period ends
          terminationGracePeriodSeconds: marginSeconds(3, 3 * EXEC_MS, COST.signalExitMs, COST.timerLagMs),
          preStop: { exec: { command: ['sh', '-c', `kill -TERM $(cat ${pidFile}); sleep 5`] } },
        }),
        ...plain,
      });
      expect(r.facts.preStop.outcome).toBe('container-exited');
      expect(r.facts.exit.phase).toBe('during-prestop');
      expect(r.facts.sigterm).toBeUndefined();
      expect(r.verdict.status).toBe('pass');
      expect(liveTagged(s.token)).toEqual([]);
    }),
  );

  test.concurrent('without a PID namespace a hook that signals PID 1 is refused', () =>
    withScratch('local-prerefuse', async (s) => {
      const r = await runDrill({ target: target(s, { preStop: { exec: { command: ['kill', '-TERM', '1'] } } }), ...plain });
      expect(r.facts.preStop.outcome).toBe('skipped');
      expect(r.verdict.warnings.join('\n')).toMatch(/would signal processes of this machine/);
    }),
  );

  pid1Test('inside the PID namespace the same hook signals the app, which is PID 1 there', () =>
    withScratch('local-prepid1', async (s) => {
      const r = await runDrill({
        target: target(s, {
          terminationGracePeriodSeconds: marginSeconds(3, 2 * EXEC_MS, COST.signalExitMs, COST.timerLagMs),
          preStop: { exec: { command: ['sh', '-c', 'kill -TERM 1; sleep 5'] } },
        }),
        ...asPid1,
      });
      expect(r.facts.preStop.outcome).toBe('container-exited');
      expect(r.verdict.status).toBe('pass');
      expect(marks(s.dir).has('term')).toBe(true);
    }),
  );

  test.concurrent('an httpGet hook calls the app and the probe waits for readiness over HTTP', () =>
    withScratch('local-prehttp', async (s) => {
      const port = await freePort();
      const r = await runDrill({
        target: target(s, {
          command: [NODE, APP, 'http', String(port)],
          ports: [{ name: 'http', containerPort: port }],
          readiness: { field: 'readinessProbe', probe: { httpGet: { port: 'http', path: '/ready' } } },
          preStop: { httpGet: { port: 'http', path: '/drain' } },
        }),
        ...plain,
      });
      expect(r.facts.startup.how).toBe('probe');
      // the pod's own address when this machine can give it one, else this machine's loopback
      const address = r.facts.runtime.network!.address;
      expect(address).toEqual(r.facts.runtime.network!.mode === 'pod' ? expect.stringMatching(/^198\.1[89]\./) : '127.0.0.1');
      expect(r.facts.preStop).toMatchObject({ outcome: 'succeeded', httpStatus: 200, action: `httpGet http://${address}:${port}/drain` });
      expect(marks(s.dir).has('drain')).toBe(true);
      expect(r.verdict.status).toBe('pass');
    }),
  );
});

describe('children and zombies', () => {
  test.concurrent('children left running after the main process exits are reported and killed', () =>
    withScratch('local-kids', async (s) => {
      const r = await runDrill({ target: target(s, { command: [NODE, APP, 'children', '2'] }), ...plain });
      expect(r.facts.exit).toMatchObject({ phase: 'after-sigterm', code: 0 });
      expect(r.facts.leftovers.observable).toBe(true);
      expect(r.facts.leftovers.orphans).toHaveLength(2);
      expect(r.facts.leftovers.orphans.every((p) => p.argv.includes('child'))).toBe(true);
      expect(r.verdict.status).toBe('fail');
      expect(r.verdict.reason).toMatch(/left 2 process\(es\) running/);
      expect(liveTagged(s.token)).toEqual([]);
    }),
  );

  watchTest('as PID 1 the children the kernel kills with it are named, with what they were doing', () =>
    withScratch('local-kids1', async (s) => {
      // stopped once both children are up (each marks child-ready-PID when its handler is in place)
      const bothReady = { exec: { command: ['sh', '-c', `test "$(ls '${s.dir}' | grep -c '^child-ready-')" -ge 2`] } };
      const r = await runDrill({
        target: target(s, { command: [NODE, APP, 'children', '2'], readiness: { field: 'readinessProbe', probe: bothReady } }),
        ...asPid1,
        readyTimeoutSeconds: 600,
      });
      expect(r.facts.exit).toMatchObject({ phase: 'after-sigterm', code: 0 });
      expect(r.facts.leftovers).toMatchObject({ observable: true, fate: 'killed-with-pid1' });
      expect(r.facts.leftovers.orphans.map((p) => p.argv.slice(-2))).toEqual([[APP, 'child'], [APP, 'child']]);
      // idle Node processes wait in epoll; one the scheduler happens to be running shows as such
      expect(r.facts.leftovers.orphans.map((p) => p.activity)).toEqual([
        expect.stringMatching(/^(waiting for I\/O or a timer \(epoll\)|running on a CPU)$/),
        expect.stringMatching(/^(waiting for I\/O or a timer \(epoll\)|running on a CPU)$/),
      ]);
      expect(r.verdict.status).toBe('fail');
      expect(r.verdict.reason).toMatch(/exited as PID 1 while 2 other processes of the container were still running: .*app\.js child \(pid \d+\), waiting/);
      expect(liveTagged(s.token)).toEqual([]);
    }),
  );

  /**
   * The app marks `orphan-ended` once its orphan has been a zombie (or gone) for `hold` ms, and the
   * stop sequence starts only when a probe sees that mark. The drill counts a zombie that two of its
   * samples (every 100 ms, late by this process's lag) saw at least 500 ms apart.
   */
  const zombieTarget = (s: { dir: string; token: string }, command: string[]) => {
    const hold = 500 + marginMs(2000, 100, COST.procScanMs, worstLagMs());
    return target(s, {
      command: [...command, NODE, APP, 'zombie-maker', String(hold)],
      readiness: { field: 'readinessProbe', probe: { exec: { command: ['test', '-e', path.join(s.dir, 'orphan-ended')] } } },
    });
  };

  pid1Test('a PID 1 that does not reap adopted orphans leaves zombies', () =>
    withScratch('local-zombie', async (s) => {
      const r = await runDrill({ target: zombieTarget(s, []), ...asPid1 });
      // (the app's output shows in the diff if it ended early)
      expect({ startup: r.facts.startup.how, output: r.facts.outputTail }).toMatchObject({ startup: 'probe' });
      expect(r.facts.leftovers.zombiesWhileRunning.map((z) => z.comm)).toContain('sleep');
      expect(r.verdict.warnings.join('\n')).toMatch(/zombie/);
    }),
  );

  tiniTest('tini as PID 1 reaps them', () =>
    withScratch('local-zombie-tini', async (s) => {
      const r = await runDrill({ target: zombieTarget(s, ['tini', '--']), ...asPid1 });
      // (the app's output shows in the diff if it ended early)
      expect({ startup: r.facts.startup.how, output: r.facts.outputTail }).toMatchObject({ startup: 'probe' });
      expect(r.facts.leftovers.zombiesWhileRunning).toEqual([]);
      expect(r.verdict.warnings.join('\n')).not.toMatch(/zombie/);
    }),
  );
});

describe('startup', () => {
  test.concurrent('a process that ends before the stop sequence fails the drill', () =>
    withScratch('local-early', async (s) => {
      // a probe that never passes keeps the drill waiting until the process has ended by itself
      const r = await runDrill({
        target: target(s, { command: [NODE, APP, 'exit-now', '0'], readiness: { field: 'readinessProbe', probe: { exec: { command: ['false'] } } } }),
        ...plain,
        readyTimeoutSeconds: 600,
      });
      expect(r.facts.startup.how).toBe('exited');
      expect(r.facts.exit.phase).toBe('before-stop');
      expect(r.verdict.status).toBe('fail');
      expect(r.verdict.reason).toMatch(/ended by itself/);
    }),
  );

  test.concurrent('a probe that never passes is waited for, then the drill goes on with a warning', () =>
    withScratch('local-probe', async (s) => {
      // the app must have installed its SIGTERM handler before the drill gives up waiting
      const readyTimeout = marginSeconds(1, COST.nodeStartMs, COST.timerLagMs);
      const r = await runDrill({
        target: target(s, { readiness: { field: 'readinessProbe', probe: { exec: { command: ['false'] } } } }),
        ...plain,
        readyTimeoutSeconds: readyTimeout,
      });
      expect(r.facts.startup.how).toBe('probe-timeout');
      expect(r.facts.startup.seconds).toBeGreaterThanOrEqual(readyTimeout - 0.05);
      expect(r.verdict.status).toBe('pass');
      expect(r.verdict.warnings.join('\n')).toMatch(`did not pass within ${readyTimeout} s`);
    }),
  );
});
