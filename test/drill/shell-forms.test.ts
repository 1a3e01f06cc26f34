/**
 * Evidence: which shell forms let SIGTERM reach the app, with and without an init, as PID 1 of a
 * PID namespace (as in a container) and as an ordinary process (as with shareProcessNamespace).
 *
 * Each cell runs the real drill: `<init> <shell> -c '<form>'` where the app is the fixture that
 * records SIGTERM ("term") and, 300 ms later, the end of its shutdown ("done"). The expected
 * matrix below is what was observed on Debian 12 (dash 0.5.12 as /bin/sh, bash 5.2, dumb-init
 * 1.2.5, tini 0.19.0). If a shell or init behaves differently, these tests fail; then the table
 * in docs/shutdown-drill.md and the synth-time rule need another look.
 *
 * Outcomes:
 *   Y  the app got SIGTERM and finished its shutdown; the drill passes
 *   N  the app never got SIGTERM; the drill fails
 *   O  (not PID 1) the app got SIGTERM, but the main process exited before the app finished, so
 *      the app was left running on its own; the drill fails (in a pod the runtime kills it)
 *   C  (PID 1) the app was signalled with the whole group, but the shell died at once, PID 1
 *      exited with it and the kernel killed the app before it could finish; whether its handler
 *      even started is a race; the drill fails
 *
 * Timing. On an idle machine the app takes 300 ms to shut down and the grace period is 2 s. Under
 * load these grow with the costs measured in test/support/overhead.ts, so no outcome turns on
 * which process the scheduler happens to run first:
 * - the app's shutdown (SHUTDOWN_MS) outlasts an init's exit after the shell died (C, O);
 * - the grace period covers that shutdown plus the signal's way to the app (Y);
 * - once orphaned, the app stays `orphanMs` before it finishes (O) or leaves quietly (N, not
 *   PID 1), long enough for the drill, whose clock runs in this busy test process, to see it left
 *   behind; the drill waits for it up to --leftover-wait, which covers that.
 */
import { runDrill } from '../../src/drill';
import { DrillReport } from '../../src/drill/types';
import { machineOverhead, marginMs, worstLagMs } from '../support/overhead';
import { needs } from '../support/prereqs';
import { APP, killTagged, makeTarget, marks, NODE, scratch } from './helpers';
import * as fs from 'fs';
import * as path from 'path';

type Outcome = 'Y' | 'N' | 'O' | 'C';

const COST = machineOverhead();
/** The app's shutdown after SIGTERM: longer than any init takes to exit once its shell died. */
const SHUTDOWN_MS = marginMs(300, COST.signalExitMs, COST.timerLagMs);
/** Grace period: the app's shutdown plus SIGTERM's way to it (through an init and a shell). */
const GRACE_SECONDS = Math.max(2, Math.ceil((SHUTDOWN_MS + marginMs(1000, 2 * COST.signalExitMs, COST.timerLagMs)) / 1000));
/** Cells run this many at a time. */
const POOL = 6;

/** The app as the shell runs it; orphanMs: see the header. */
const prog = (orphanMs: number) => `'${NODE}' '${APP}' handle ${SHUTDOWN_MS} ${orphanMs}`;

export const FORMS: { id: string; argv: (prog: string) => string[] }[] = [
  { id: `sh -c 'prog'`, argv: (p) => ['sh', '-c', p] },
  { id: `sh -c 'exec prog'`, argv: (p) => ['sh', '-c', `exec ${p}`] },
  { id: `sh -c 'cd /tmp && prog'`, argv: (p) => ['sh', '-c', `cd /tmp && ${p}`] },
  { id: `sh -c 'cd /tmp && exec prog'`, argv: (p) => ['sh', '-c', `cd /tmp && exec ${p}`] },
  { id: `bash -c 'prog'`, argv: (p) => ['bash', '-c', p] },
  { id: `bash -c 'prog; echo done'`, argv: (p) => ['bash', '-c', `${p}; echo done`] },
  { id: `bash -c 'cd /tmp && prog'`, argv: (p) => ['bash', '-c', `cd /tmp && ${p}`] },
];

const INITS: { id: string; prefix: string[] }[] = [
  { id: 'no init', prefix: [] },
  { id: 'dumb-init --', prefix: ['dumb-init', '--'] },
  { id: 'tini --', prefix: ['tini', '--'] },
  { id: 'tini -g --', prefix: ['tini', '-g', '--'] },
];

/** Expected outcome per mode, init and form (forms in the order of FORMS). */
const EXPECTED: Record<'pid1' | 'plain', Record<string, Outcome[]>> = {
  pid1: {
    'no init': ['N', 'Y', 'N', 'Y', 'Y', 'N', 'Y'],
    'dumb-init --': ['C', 'Y', 'C', 'Y', 'Y', 'C', 'Y'],
    'tini --': ['N', 'Y', 'N', 'Y', 'Y', 'N', 'Y'],
    'tini -g --': ['C', 'Y', 'C', 'Y', 'Y', 'C', 'Y'],
  },
  plain: {
    'no init': ['N', 'Y', 'N', 'Y', 'Y', 'N', 'Y'],
    'dumb-init --': ['O', 'Y', 'O', 'Y', 'Y', 'O', 'Y'],
    'tini --': ['N', 'Y', 'N', 'Y', 'Y', 'N', 'Y'],
    'tini -g --': ['O', 'Y', 'O', 'Y', 'Y', 'O', 'Y'],
  },
};

interface Cell {
  mode: 'pid1' | 'plain';
  init: string;
  form: string;
  argv: (prog: string) => string[];
  expected: Outcome;
}

interface Observed {
  term: boolean;
  done: boolean;
  report?: DrillReport;
  error?: string;
}

const inits = needs('dumb-init', 'tini', 'bash');
const pid1 = needs('pid-namespace');
const MODES: ('pid1' | 'plain')[] = pid1.ok ? ['pid1', 'plain'] : ['plain'];

const cells: Cell[] = [];
for (const mode of MODES) {
  for (const init of INITS) {
    FORMS.forEach((form, i) => {
      cells.push({ mode, init: init.id, form: form.id, argv: (p) => [...init.prefix, ...form.argv(p)], expected: EXPECTED[mode][init.id][i] });
    });
  }
}

const observed = new Map<Cell, Observed>();
const TOKEN_PREFIX = `shellforms-${process.pid}`;

async function runCell(cell: Cell): Promise<Observed> {
  const s = scratch(`shellforms-${process.pid}`);
  // sized when the cell starts, from the lag this process has shown so far
  const orphanMs = marginMs(1000, worstLagMs(), COST.procScanMs, COST.timerLagMs);
  try {
    const report = await runDrill({
      target: makeTarget(s, { command: cell.argv(prog(orphanMs)), terminationGracePeriodSeconds: GRACE_SECONDS }),
      pid1: cell.mode === 'pid1' ? 'yes' : 'no',
      // let an app that outlives the main process finish, so its marks are not a race with the cleanup
      leftoverWaitSeconds: cell.mode === 'plain' ? Math.ceil((2 * orphanMs + SHUTDOWN_MS) / 1000) : 0,
      // a bound for an app that never starts, not a race: measured starts under load stay below 2 s
      readyTimeoutSeconds: 60,
    });
    const m = marks(s.dir);
    return { term: m.has('term'), done: m.has('done'), report };
  } catch (e) {
    return { term: false, done: false, error: (e as Error).message };
  } finally {
    killTagged(s.token);
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

inits.describe('SIGTERM through shell forms and inits (real processes)', () => {
  if (!pid1.ok) pid1.test('PID 1 cells (only the not-PID-1 half of the matrix ran)', () => undefined);

  beforeAll(async () => {
    // cells that leave the app behind (O) last: by then this process's lag under the full pool is known
    const order = [...cells].sort((a, b) => Number(a.expected === 'O') - Number(b.expected === 'O'));
    await pool(order, POOL, async (cell) => {
      observed.set(cell, await runCell(cell));
    });
  }, 900000); // a bound on a hang, not on speed

  afterAll(() => {
    killTagged(TOKEN_PREFIX, true);
  });

  test.each(cells.map((c) => [c.mode === 'pid1' ? 'PID 1' : 'not PID 1', c.init, c.form, c.expected, c] as const))(
    '%s, %s, %s -> %s',
    (_mode, _init, _form, expected, cell) => {
      const o = observed.get(cell)!;
      expect(o.error).toBeUndefined();
      const r = o.report!;
      switch (expected) {
        case 'Y':
          expect({ term: o.term, done: o.done, verdict: r.verdict.status, sigkill: r.facts.sigkillSent }).toEqual({
            term: true,
            done: true,
            verdict: 'pass',
            sigkill: false,
          });
          break;
        case 'N':
          expect({ term: o.term, done: o.done, verdict: r.verdict.status }).toEqual({ term: false, done: false, verdict: 'fail' });
          expect(r.verdict.reason).toMatch(/did not forward it|only; the shell died without passing it on/);
          break;
        case 'O':
          expect({ term: o.term, done: o.done, verdict: r.verdict.status }).toEqual({ term: true, done: true, verdict: 'fail' });
          expect(r.facts.leftovers.orphans.length).toBeGreaterThan(0);
          expect(r.verdict.reason).toMatch(/signalled the whole process group, but/);
          break;
        case 'C':
          // SIGTERM was sent to the app's group; its handler may or may not have started (a race),
          // but it never finished
          expect({ done: o.done, verdict: r.verdict.status, sigkill: r.facts.sigkillSent }).toEqual({
            done: false,
            verdict: 'fail',
            sigkill: false,
          });
          expect(r.verdict.reason).toMatch(/signalled the whole process group, but/);
          break;
      }
    },
  );

  test('a shell as PID 1 needs SIGKILL; everywhere else the main process exits on SIGTERM', () => {
    for (const [cell, o] of observed) {
      const shellIsPid1 = cell.mode === 'pid1' && cell.init === 'no init' && cell.expected === 'N';
      expect({ cell: `${cell.mode} ${cell.init} ${cell.form}`, sigkill: o.report?.facts.sigkillSent }).toEqual({
        cell: `${cell.mode} ${cell.init} ${cell.form}`,
        sigkill: shellIsPid1,
      });
    }
  });
});

describe('docs/shutdown-drill.md', () => {
  /** Reads the two evidence tables back into outcomes. */
  function docTables(): Record<'pid1' | 'plain', Record<string, Outcome[]>> {
    const text = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'shutdown-drill.md'), 'utf8');
    const section = (heading: string) => {
      const start = text.indexOf(heading);
      expect(start).toBeGreaterThan(-1);
      const rows = text
        .slice(start)
        .split('\n')
        .filter((l) => l.startsWith('| `'))
        .slice(0, FORMS.length)
        .map((l) => l.split('|').slice(1, 6).map((c) => c.trim()));
      expect(rows.map((r) => r.shift())).toEqual(FORMS.map((f) => `\`${f.id}\``));
      const outcome = (cell: string): Outcome =>
        cell.startsWith('yes') ? 'Y' : cell.startsWith('no') ? 'N' : cell.startsWith('cut short') ? 'C' : cell.startsWith('orphaned') ? 'O' : (cell as Outcome);
      const out: Record<string, Outcome[]> = {};
      INITS.forEach((init, col) => (out[init.id] = rows.map((r) => outcome(r[col]))));
      return out;
    };
    return { pid1: section('As PID 1 (a container'), plain: section('Not PID 1 (as with') };
  }

  test('the evidence tables say what the tests assert', () => {
    expect(docTables()).toEqual(EXPECTED);
  });
});
