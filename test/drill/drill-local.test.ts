/**
 * The local runtime against real processes: the fixture app in its different behaviours, played
 * through the whole kubelet sequence. Grace periods are 2-3 s so each drill ends quickly.
 */
import * as path from 'path';
import { runDrill } from '../../src/drill';
import { pid1Support } from '../../src/drill/local-runtime';
import { DrillReport } from '../../src/drill/types';
import { APP, freePort, hasCommand, IGNORE_TERM, killTagged, liveTagged, makeTarget, marks, NODE, withScratch } from './helpers';

jest.setTimeout(30000);

const PID1 = pid1Support().ok;
const pid1Test = PID1 ? test.concurrent : test.concurrent.skip;
const tiniTest = PID1 && hasCommand('tini') ? test.concurrent : test.concurrent.skip;

afterAll(() => {
  // safety net: nothing started by this file may outlive it
  killTagged(`local-`, true);
});

const plain = { pid1: 'no' as const, settleSeconds: 0.5 };
const asPid1 = { pid1: 'yes' as const, settleSeconds: 0.5 };

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
      const r = await runDrill({ target: makeTarget(s), ...plain });
      expect(summary(r)).toEqual({ status: 'pass', phase: 'after-sigterm', code: 0, signal: null, sigkill: false });
      expect(r.facts.runtime).toMatchObject({ kind: 'local', mode: 'plain' });
      expect(r.facts.startup.how).toBe('probe');
      expect(r.facts.exit.secondsAfterSigterm).toBeLessThan(1.5);
      expect(marks(s.dir)).toEqual(new Set(['ready', 'term', 'done']));
      expect(liveTagged(s.token)).toEqual([]);
    }),
  );

  pid1Test('passes as PID 1 of its own namespace', () =>
    withScratch('local-handle1', async (s) => {
      const r = await runDrill({ target: makeTarget(s), ...asPid1 });
      expect(summary(r)).toEqual({ status: 'pass', phase: 'after-sigterm', code: 0, signal: null, sigkill: false });
      expect(r.facts.runtime.mode).toBe('pid1');
      expect(r.facts.sigterm?.mainIsPid1).toBe(true);
      expect(r.facts.sigterm?.main?.sigterm).toBe('caught');
    }),
  );

  test.concurrent('warns about a non-zero exit code after SIGTERM but passes', () =>
    withScratch('local-code', async (s) => {
      const r = await runDrill({ target: makeTarget(s, { command: [NODE, APP, 'exit-code', '3'] }), ...plain });
      expect(summary(r)).toMatchObject({ status: 'pass', code: 3 });
      expect(r.verdict.warnings.join('\n')).toMatch(/exited with code 3 after SIGTERM/);
    }),
  );
});

describe('an app without a SIGTERM handler', () => {
  pid1Test('as PID 1 never sees SIGTERM and needs SIGKILL', () =>
    withScratch('local-none1', async (s) => {
      const r = await runDrill({ target: makeTarget(s, { command: [NODE, APP, 'none'] }), ...asPid1 });
      expect(summary(r)).toEqual({ status: 'fail', phase: 'after-sigkill', code: null, signal: 'SIGKILL', sigkill: true });
      expect(r.verdict.reason).toMatch(/runs as PID 1 and was still running 2 s after SIGTERM.*re-raises the signal/);
      expect(r.facts.exit.secondsAfterSigterm).toBeGreaterThanOrEqual(1.9);
    }),
  );

  test.concurrent('as an ordinary process dies on SIGTERM, but is judged for PID 1 in the pod', () =>
    withScratch('local-none', async (s) => {
      const r = await runDrill({ target: makeTarget(s, { command: [NODE, APP, 'none'] }), ...plain });
      expect(summary(r)).toEqual({ status: 'fail', phase: 'after-sigterm', code: null, signal: 'SIGTERM', sigkill: false });
      expect(r.verdict.reason).toMatch(/ended by SIGTERM itself.*In the pod it is PID 1/);
    }),
  );

  test.concurrent('passes with shareProcessNamespace, where it is not PID 1', () =>
    withScratch('local-none-shared', async (s) => {
      const r = await runDrill({ target: makeTarget(s, { command: [NODE, APP, 'none'], shareProcessNamespace: true }), settleSeconds: 0.5 });
      expect(r.facts.runtime.mode).toBe('plain');
      expect(r.notes.join('\n')).toMatch(/shareProcessNamespace/);
      expect(summary(r)).toMatchObject({ status: 'pass', signal: 'SIGTERM', sigkill: false });
      expect(r.verdict.reason).toMatch(/default action/);
    }),
  );

  tiniTest('passes under tini as PID 1: tini forwards and reports 143', () =>
    withScratch('local-none-tini', async (s) => {
      const r = await runDrill({ target: makeTarget(s, { command: ['tini', '--', NODE, APP, 'none'] }), ...asPid1 });
      expect(summary(r)).toEqual({ status: 'pass', phase: 'after-sigterm', code: 143, signal: null, sigkill: false });
    }),
  );
});

describe('apps that do not stop in time', () => {
  test.concurrent('an app that ignores SIGTERM (SIG_IGN) is SIGKILLed', () =>
    withScratch('local-ign', async (s) => {
      const r = await runDrill({ target: makeTarget(s, { command: [IGNORE_TERM] }), ...plain });
      expect(summary(r)).toMatchObject({ status: 'fail', phase: 'after-sigkill', signal: 'SIGKILL', sigkill: true });
      expect(r.facts.sigterm?.main?.sigterm).toBe('ignored');
      expect(r.verdict.reason).toMatch(/ignores SIGTERM/);
    }),
  );

  test.concurrent('an app whose handler never exits is SIGKILLed', () =>
    withScratch('local-stuck', async (s) => {
      const r = await runDrill({ target: makeTarget(s, { command: [NODE, APP, 'stuck'] }), ...plain });
      expect(summary(r)).toMatchObject({ status: 'fail', phase: 'after-sigkill', sigkill: true });
      expect(r.verdict.reason).toMatch(/handles SIGTERM but was still running 2 s later/);
      expect(r.verdict.fix).toMatch(/terminationGracePeriodSeconds/);
      expect(marks(s.dir).has('term')).toBe(true);
    }),
  );

  test.concurrent('an app that takes longer than the grace period is SIGKILLed mid-shutdown', () =>
    withScratch('local-slow', async (s) => {
      const r = await runDrill({ target: makeTarget(s, { command: [NODE, APP, 'handle', '5000'] }), ...plain });
      expect(summary(r)).toMatchObject({ status: 'fail', sigkill: true });
      expect(marks(s.dir).has('term')).toBe(true);
      expect(marks(s.dir).has('done')).toBe(false);
    }),
  );
});

describe('preStop', () => {
  test.concurrent('the hook runs first and its whole seconds come off the grace period', () =>
    withScratch('local-pre', async (s) => {
      const r = await runDrill({
        target: makeTarget(s, { terminationGracePeriodSeconds: 3, preStop: { exec: { command: ['sleep', '1'] } } }),
        ...plain,
      });
      expect(r.facts.preStop).toMatchObject({ outcome: 'succeeded', exitCode: 0, action: 'exec sleep 1' });
      expect(r.facts.preStop.seconds).toBeGreaterThanOrEqual(1);
      expect(r.facts.preStop.seconds).toBeLessThan(2);
      expect(r.facts.termWindowSeconds).toBe(2);
      expect(r.facts.sigterm?.sentAtSeconds).toBeGreaterThanOrEqual(1);
      expect(r.verdict.status).toBe('pass');
    }),
  );

  test.concurrent('a hook that outlives the grace period gets the 2 s minimum, then SIGTERM', () =>
    withScratch('local-prelong', async (s) => {
      const r = await runDrill({
        target: makeTarget(s, { terminationGracePeriodSeconds: 1, preStop: { exec: { command: ['sleep', '30'] } } }),
        ...plain,
      });
      expect(r.facts.preStop.outcome).toBe('outlived-grace');
      expect(r.facts.sigterm?.sentAtSeconds).toBeGreaterThanOrEqual(1);
      expect(r.facts.sigterm?.sentAtSeconds).toBeLessThan(1.8);
      expect(r.facts.termWindowSeconds).toBe(2);
      expect(r.verdict.status).toBe('fail');
      expect(r.verdict.reason).toMatch(/still running when the 1 s grace period ran out/);
      expect(liveTagged(s.token)).toEqual([]);
    }),
  );

  test.concurrent('a failing hook fails the drill even though shutdown went well', () =>
    withScratch('local-prefail', async (s) => {
      const r = await runDrill({
        target: makeTarget(s, { preStop: { exec: { command: ['sh', '-c', 'echo no sleep here >&2; exit 127'] } } }),
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
        target: makeTarget(s, {
          terminationGracePeriodSeconds: 3,
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
      const r = await runDrill({ target: makeTarget(s, { preStop: { exec: { command: ['kill', '-TERM', '1'] } } }), ...plain });
      expect(r.facts.preStop.outcome).toBe('skipped');
      expect(r.verdict.warnings.join('\n')).toMatch(/would signal processes of this machine/);
    }),
  );

  pid1Test('inside the PID namespace the same hook signals the app, which is PID 1 there', () =>
    withScratch('local-prepid1', async (s) => {
      const r = await runDrill({
        target: makeTarget(s, { terminationGracePeriodSeconds: 3, preStop: { exec: { command: ['sh', '-c', 'kill -TERM 1; sleep 5'] } } }),
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
        target: makeTarget(s, {
          command: [NODE, APP, 'http', String(port)],
          ports: [{ name: 'http', containerPort: port }],
          readiness: { field: 'readinessProbe', probe: { httpGet: { port: 'http', path: '/ready' } } },
          preStop: { httpGet: { port: 'http', path: '/drain' } },
        }),
        ...plain,
      });
      expect(r.facts.startup.how).toBe('probe');
      expect(r.facts.preStop).toMatchObject({ outcome: 'succeeded', httpStatus: 200, action: `httpGet http://127.0.0.1:${port}/drain` });
      expect(marks(s.dir).has('drain')).toBe(true);
      expect(r.verdict.status).toBe('pass');
    }),
  );
});

describe('children and zombies', () => {
  test.concurrent('children left running after the main process exits are reported and killed', () =>
    withScratch('local-kids', async (s) => {
      const r = await runDrill({ target: makeTarget(s, { command: [NODE, APP, 'children', '2'] }), ...plain });
      expect(r.facts.exit).toMatchObject({ phase: 'after-sigterm', code: 0 });
      expect(r.facts.leftovers.observable).toBe(true);
      expect(r.facts.leftovers.orphans).toHaveLength(2);
      expect(r.facts.leftovers.orphans.every((p) => p.argv.includes('child'))).toBe(true);
      expect(r.verdict.status).toBe('fail');
      expect(r.verdict.reason).toMatch(/left 2 process\(es\) running/);
      expect(liveTagged(s.token)).toEqual([]);
    }),
  );

  pid1Test('as PID 1 nothing can be left behind, and the report says why', () =>
    withScratch('local-kids1', async (s) => {
      const r = await runDrill({ target: makeTarget(s, { command: [NODE, APP, 'children', '2'] }), ...asPid1 });
      expect(r.facts.leftovers.observable).toBe(false);
      expect(r.facts.leftovers.note).toMatch(/kernel SIGKILLs every other process/);
      expect(r.verdict.warnings.join('\n')).toMatch(/ran beside the main process/);
      expect(liveTagged(s.token)).toEqual([]);
    }),
  );

  pid1Test('a PID 1 that does not reap adopted orphans leaves zombies; tini reaps them', () =>
    withScratch('local-zombie', async (s) => {
      const bare = await runDrill({ target: makeTarget(s, { command: [NODE, APP, 'zombie-maker'], readiness: undefined }), ...asPid1, settleSeconds: 1.5 });
      expect(bare.facts.leftovers.zombiesWhileRunning.map((z) => z.comm)).toContain('sleep');
      expect(bare.verdict.warnings.join('\n')).toMatch(/zombie/);
      if (!hasCommand('tini')) return;
      const withTini = await runDrill({
        target: makeTarget(s, { command: ['tini', '--', NODE, APP, 'zombie-maker'], readiness: undefined }),
        ...asPid1,
        settleSeconds: 1.5,
      });
      expect(withTini.facts.leftovers.zombiesWhileRunning).toEqual([]);
    }),
  );
});

describe('startup', () => {
  test.concurrent('a process that ends before the stop sequence fails the drill', () =>
    withScratch('local-early', async (s) => {
      const r = await runDrill({ target: makeTarget(s, { command: [NODE, APP, 'exit-now', '0'], readiness: undefined }), ...plain });
      expect(r.facts.exit.phase).toBe('before-stop');
      expect(r.verdict.status).toBe('fail');
      expect(r.verdict.reason).toMatch(/ended by itself/);
    }),
  );

  test.concurrent('a probe that never passes is waited for, then the drill goes on with a warning', () =>
    withScratch('local-probe', async (s) => {
      const r = await runDrill({
        target: makeTarget(s, { readiness: { field: 'readinessProbe', probe: { exec: { command: ['false'] } } } }),
        ...plain,
        readyTimeoutSeconds: 1,
      });
      expect(r.facts.startup.how).toBe('probe-timeout');
      expect(r.verdict.status).toBe('pass');
      expect(r.verdict.warnings.join('\n')).toMatch(/did not pass within 1 s/);
    }),
  );
});
