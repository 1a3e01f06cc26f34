/**
 * PID 1 and its children, with real processes: when PID 1 of a PID namespace exits, the kernel
 * SIGKILLs every other process of the namespace. A process still at work at that moment is a
 * failure, named with its command line and what it was doing (the exit watch catches it at PID
 * 1's exit). The forms that wait for their children still pass.
 *
 * Timing: what must happen first is made to happen first. The stop sequence starts only when a
 * probe sees every child ready (its SIGTERM handler installed); a child that must be caught
 * running has ten minutes of work (`handle 600000`), or never ends (`child`). Grace periods cover
 * the children's 300 ms shutdown plus the costs measured on this machine now (test/support/overhead.ts).
 */
import * as path from 'path';
import { runDrill } from '../../src/drill';
import { DrillReport } from '../../src/drill/types';
import { machineOverhead, marginMs } from '../support/overhead';
import { needs } from '../support/prereqs';
import { APP, killTagged, liveTagged, makeTarget, marks, NODE, withScratch } from './helpers';

const COST = machineOverhead();
/** A child's 300 ms shutdown after the signal has reached it through PID 1 (and an init). */
const GRACE = Math.max(2, Math.ceil((300 + marginMs(1000, 2 * COST.signalExitMs, COST.timerLagMs)) / 1000));

// a bound on a hang, not on speed
jest.setTimeout(180000);

afterAll(() => {
  killTagged('pid1kids-', true);
});

const watched = needs('pid-namespace', 'python3');
const watchedWithTini = needs('pid-namespace', 'python3', 'tini');

type Scratch = { dir: string; token: string };

/** Ready when `count` children have marked child-ready-PID (their handler is installed). */
const childrenReady = (s: Scratch, count: number) => ({
  field: 'readinessProbe' as const,
  probe: { exec: { command: ['sh', '-c', `test "$(ls '${s.dir}' | grep -c '^child-ready-')" -ge ${count}`] } },
});

function drill(s: Scratch, command: string[], readyCount?: number): Promise<DrillReport> {
  return runDrill({
    target: makeTarget(s, {
      command,
      terminationGracePeriodSeconds: GRACE,
      ...(readyCount ? { readiness: childrenReady(s, readyCount) } : {}),
    }),
    pid1: 'yes',
    readyTimeoutSeconds: 600,
  });
}

/** The processes the report names as killed with PID 1: the tail of each command line. */
const killed = (r: DrillReport) => r.facts.leftovers.orphans.map((p) => p.argv.slice(-2).join(' '));

function expectKilledNamed(r: DrillReport, tail: string) {
  expect(r.facts.exit.phase).toBe('after-sigterm');
  expect(r.facts.sigkillSent).toBe(false);
  expect(r.facts.leftovers).toMatchObject({ observable: true, fate: 'killed-with-pid1' });
  expect(killed(r)).toEqual([tail]);
  // what it was doing when PID 1 exited, in words (a Node app waits in epoll; a busy one runs)
  expect(r.facts.leftovers.orphans[0].activity).toMatch(/^(waiting|sleeping|running)/);
  expect(r.verdict.status).toBe('fail');
  // named by its whole command line, its pid and what it was doing
  const [p] = r.facts.leftovers.orphans;
  expect(r.verdict.reason).toContain(`${p.argv.join(' ')} (pid ${p.pid}), ${p.activity}`);
}

describe('a process still at work when PID 1 exits fails the drill, named', () => {
  watched.concurrent(`sh -c "trap 'exit 0' TERM; app & wait": the shell exits on SIGTERM, the app is killed`, () =>
    withScratch('pid1kids-trap', async (s) => {
      const r = await drill(s, ['sh', '-c', `trap 'exit 0' TERM; '${NODE}' '${APP}' handle 600000 & wait`]);
      expect(r.facts.exit.code).toBe(0);
      expectKilledNamed(r, 'handle 600000');
      expect(r.verdict.reason).toMatch(/^sh \(pid \d+\) exited as PID 1 while 1 other process of the container was still running/);
      // the app never got SIGTERM: the shell's trap swallowed it
      expect(marks(s.dir).has('term')).toBe(false);
      expect(liveTagged(s.token)).toEqual([]);
    }),
  );

  watched.concurrent('a parent that exits on SIGTERM without passing it on to its child', () =>
    withScratch('pid1kids-parent', async (s) => {
      const r = await drill(s, [NODE, APP, 'children', '1'], 1);
      expectKilledNamed(r, `${APP} child`);
      expect(r.verdict.fix).toMatch(/PID 1 must outlive its children/);
      expect(marks(s.dir).has('child-term')).toBe(false);
    }),
  );

  watchedWithTini.concurrent('the same parent under tini: tini forwards to the parent only', () =>
    withScratch('pid1kids-tini', async (s) => {
      const r = await drill(s, ['tini', '--', NODE, APP, 'children', '1'], 1);
      expect(r.facts.sigterm?.main?.exe).toBe('tini');
      expectKilledNamed(r, `${APP} child`);
      expect(r.verdict.reason).toMatch(/^tini \(pid \d+\) exited as PID 1/);
    }),
  );

  watchedWithTini.concurrent('the same parent under tini -g: the child gets SIGTERM too, but is killed before it is done', () =>
    withScratch('pid1kids-tinig', async (s) => {
      const r = await drill(s, ['tini', '-g', '--', NODE, APP, 'children', '1'], 1);
      expectKilledNamed(r, `${APP} child`);
      // the child's handler is the proof that -g signalled the whole group
      expect(marks(s.dir).has('child-term')).toBe(true);
    }),
  );

  watched.concurrent('the report lists them under "left behind"', () =>
    withScratch('pid1kids-report', async (s) => {
      const { formatReport } = await import('../../src/drill');
      const r = await drill(s, [NODE, APP, 'children', '2'], 2);
      expect(killed(r)).toEqual([`${APP} child`, `${APP} child`]);
      expect(formatReport(r)).toMatch(/\n {2}left behind +still running when PID 1 exited, then SIGKILLed by the kernel: .*app\.js child \(pid \d+\), \w.*; .*app\.js child \(pid \d+\), \w/);
    }),
  );
});

describe('the forms that wait for their children still pass', () => {
  const expectClean = (r: DrillReport) => {
    expect({ status: r.verdict.status, reason: r.verdict.reason, phase: r.facts.exit.phase, sigkill: r.facts.sigkillSent }).toEqual({
      status: 'pass',
      reason: expect.stringMatching(/^the process exited \(exit code 0\)/),
      phase: 'after-sigterm',
      sigkill: false,
    });
    expect(r.facts.leftovers).toMatchObject({ observable: true, fate: 'killed-with-pid1', orphans: [] });
    expect(r.facts.leftovers.note).toMatch(/nothing else was running when PID 1 exited/);
  };

  watched.concurrent('a parent that passes SIGTERM on and waits for its child', () =>
    withScratch('pid1kids-waits', async (s) => {
      const r = await drill(s, [NODE, APP, 'parent-waits', '1']);
      expectClean(r);
      expect(marks(s.dir).has('done')).toBe(true);
    }),
  );

  watchedWithTini.concurrent('the same parent under tini -g', () =>
    withScratch('pid1kids-waits-tinig', async (s) => {
      const r = await drill(s, ['tini', '-g', '--', NODE, APP, 'parent-waits', '1']);
      expectClean(r);
    }),
  );

  watched.concurrent(`sh -c "trap 'kill -TERM $pid; wait $pid' TERM; app & pid=$!; wait"`, () =>
    withScratch('pid1kids-shwait', async (s) => {
      const r = await drill(s, ['sh', '-c', `trap 'kill -TERM $pid; wait $pid; exit 0' TERM; '${NODE}' '${APP}' handle 300 & pid=$!; wait`]);
      expectClean(r);
      // the app finished its shutdown before the shell exited
      expect(marks(s.dir).has('done')).toBe(true);
    }),
  );

  watched.concurrent('an app that is PID 1 itself (exec)', () =>
    withScratch('pid1kids-exec', async (s) => {
      const r = await drill(s, ['sh', '-c', `exec '${NODE}' '${APP}' handle 300`]);
      expectClean(r);
      expect(path.basename(r.facts.sigterm!.main!.argv[0])).toBe(path.basename(NODE));
    }),
  );
});
