/**
 * The kubelet's grace arithmetic, the drill's margins and the knife-edge warnings: pure checks on
 * hand-made facts (every hook time to the hundredth of a second, for grace periods up to 40 s),
 * and the knife-edge case of the issue with real processes: preStop `sleep 2.9`, grace 5 s, an app
 * that needs 2.5 s to shut down.
 */
import { runDrill } from '../../src/drill';
import { formatReport } from '../../src/drill/report';
import { flipWarnings, kubeletWindow, MIN_MARGIN_SECONDS, possibleWindows } from '../../src/drill/timing';
import { DrillFacts, ProcessInfo } from '../../src/drill/types';
import { judge } from '../../src/drill/verdict';
import { needs } from '../support/prereqs';
import { APP, killTagged, makeTarget, NODE, withScratch } from './helpers';

// a bound on a hang, not on speed
jest.setTimeout(180000);

afterAll(() => {
  killTagged('timing-', true);
});

describe('kubelet arithmetic', () => {
  test('grace periods from 0 to 40 s, every hook time to the hundredth: Go truncation, the 2 s floor', () => {
    const wrong: string[] = [];
    let checked = 0;
    const graces = [0, 1, 2, 3, 4, 5, 10, 30, 40];
    for (const grace of graces) {
      for (let centis = 0; centis <= 4500; centis += 1) {
        const hook = centis / 100;
        const w = kubeletWindow(grace, hook);
        const deducted = grace > 0 ? Math.floor(hook) : 0;
        const expected = { deducted, window: Math.max(grace - deducted, 2), extended: grace - deducted < 2 };
        checked++;
        if (w.deducted !== expected.deducted || w.window !== expected.window || w.extended !== expected.extended) {
          wrong.push(`grace ${grace}, hook ${hook}: ${JSON.stringify(w)}, expected ${JSON.stringify(expected)}`);
        }
      }
    }
    expect(checked).toBe(graces.length * 4501);
    expect(wrong.slice(0, 5)).toEqual([]);
    // no hook: the grace period itself, at least 2 s
    expect(kubeletWindow(30, undefined)).toEqual({ deducted: 0, window: 30, extended: false });
    expect(kubeletWindow(1, undefined)).toEqual({ deducted: 0, window: 2, extended: true });
  });

  test('the issue: 2.99 s of hook costs 2 s, 3.01 s costs 3 s', () => {
    expect(kubeletWindow(5, 2.99).window).toBe(3);
    expect(kubeletWindow(5, 3.01).window).toBe(2);
  });

  test('windows a kubelet could give within a margin', () => {
    expect(possibleWindows(5, 2.95, 0.2).map((w) => w.window)).toEqual([3, 2]);
    expect(possibleWindows(5, 2.5, 0.2).map((w) => w.window)).toEqual([3]);
    // capped at the grace period: the kubelet stops waiting there
    expect(possibleWindows(5, 4.9, 0.2).map((w) => w.window)).toEqual([2]);
    expect(possibleWindows(30, 0.1, 0.2).map((w) => w.window)).toEqual([30]);
  });
});

const main: ProcessInfo = {
  pid: 10, ppid: 1, pgid: 10, sid: 10, comm: 'node', state: 'S', startTime: 1, argv: ['node', 'app.js'], exe: 'node', sigterm: 'caught', nsPid: 1,
};

function facts(hookSeconds: number | undefined, exit: Partial<DrillFacts['exit']>, over: Partial<DrillFacts> = {}): DrillFacts {
  const grace = 5;
  const k = kubeletWindow(grace, hookSeconds);
  return {
    runtime: { kind: 'local', mode: 'pid1', summary: 'local' },
    gracePeriodSeconds: grace,
    stopSignal: 'SIGTERM',
    startup: { how: 'probe', seconds: 0.3, detail: 'readinessProbe passed' },
    preStop: hookSeconds === undefined ? { outcome: 'none', seconds: 0 } : { outcome: 'succeeded', action: 'exec sleep 2.9', seconds: hookSeconds, startSeconds: 0.05, exitCode: 0 },
    sigterm: { main, descendants: [], mainIsPid1: true, sentAtSeconds: hookSeconds ?? 0 },
    termWindowSeconds: k.window,
    exit: { code: 0, signal: null, phase: 'after-sigterm', secondsAfterSigterm: 2.5, ...exit },
    sigkillSent: exit.phase === 'after-sigkill',
    leftovers: { orphans: [], zombies: [], zombiesWhileRunning: [], observable: true, fate: 'killed-with-pid1' },
    timing: {
      loopLagSeconds: 0.02,
      hookMarginSeconds: hookSeconds === undefined ? undefined : MIN_MARGIN_SECONDS,
      exitMarginSeconds: MIN_MARGIN_SECONDS,
      deductedSeconds: k.deducted,
      extended: k.extended,
    },
    pid1InCluster: true,
    outputTail: [],
    ...over,
  };
}

describe('knife edges', () => {
  test('a pass that a one-second-bigger deduction would turn into a fail is flagged, with the numbers', () => {
    const f = facts(2.96, { secondsAfterSigterm: 2.5 });
    expect(f.termWindowSeconds).toBe(3);
    const v = judge(f);
    expect(v.status).toBe('pass');
    expect(v.warnings).toContain(
      'knife edge: preStop took 2.96 s (±0.20 s; 0.05 s of it was the drill starting the hook); the kubelet truncates it to whole seconds, ' +
        'so in a cluster it may deduct 3 s instead of 2 s and leave 2 s instead of 3 s between SIGTERM and SIGKILL, less than the 2.50 s ' +
        'this shutdown took: the verdict would flip to FAIL there.',
    );
  });

  test('a fail that a one-second-smaller deduction might turn into a pass is flagged', () => {
    const f = facts(3.04, { code: null, signal: 'SIGKILL', phase: 'after-sigkill', secondsAfterSigterm: 2 });
    expect(f.termWindowSeconds).toBe(2);
    const v = judge(f);
    expect(v.status).toBe('fail');
    expect(v.warnings.join('\n')).toMatch(/knife edge: preStop took 3\.04 s .*may deduct 2 s instead of 3 s and leave 3 s instead of 2 s .*might finish in 3 s: the verdict may be PASS there\./);
  });

  test('no warning when the other window would not change the outcome', () => {
    // far from a whole second
    expect(flipWarnings(facts(2.5, { secondsAfterSigterm: 1.0 }), true)).toEqual([]);
    // near one, but shutdown fits either window
    expect(flipWarnings(facts(2.96, { secondsAfterSigterm: 0.4 }), true)).toEqual([]);
    // SIGKILLed, but the app ignores SIGTERM: more time would not help
    expect(flipWarnings(facts(3.04, { code: null, signal: 'SIGKILL', phase: 'after-sigkill' }), false)).toEqual([]);
  });

  test('a shutdown that ends within the margin of SIGKILL is flagged instead of the headroom warning', () => {
    const v = judge(facts(undefined, { secondsAfterSigterm: 4.85 }));
    expect(v.status).toBe('pass');
    expect(v.warnings).toEqual([
      'knife edge: shutdown took 4.85 s of the 5 s between SIGTERM and SIGKILL, within the 0.20 s margin of the drill\'s timing: in a cluster it may be SIGKILLed.',
    ]);
    expect(judge(facts(undefined, { secondsAfterSigterm: 4.5 })).warnings).toEqual(['shutdown took 4.5 s of the 5 s allowed: little headroom before SIGKILL']);
  });

  test('a hook that nearly used up the grace period is flagged', () => {
    const w = flipWarnings(facts(4.9, { secondsAfterSigterm: 0.3 }), true);
    expect(w).toContain(
      'knife edge: preStop took 4.90 s (±0.20 s; 0.05 s of it was the drill starting the hook) of the 5 s grace period: in a cluster it may not finish in time, and then SIGTERM comes with only the 2 s minimum left.',
    );
  });

  test('the report prints what the kubelet computes: 2.96 s of hook is 2 s off, never "3.0 s" then 2', () => {
    const f = facts(2.96, { secondsAfterSigterm: 2.5 });
    const text = formatReport({ target: { source: 's', kind: 'Deployment', name: 'w', container: 'c' }, command: ['node', 'app.js'], facts: f, verdict: judge(f), notes: [] });
    expect(text).toMatch(/\n {2}preStop +exec sleep 2\.9: succeeded \(exit 0\) in 2\.96 s \(0\.05 s of it the drill starting the hook\)\n/);
    expect(text).toMatch(/\n {2}grace +5 s; preStop took 2\.96 s, the kubelet takes whole seconds \(truncated\) off: 5 - 2 = 3 s; SIGTERM to SIGKILL window 3 s\n/);
    expect(text).toMatch(/\n {2}timing +margin ±0\.20 s on the preStop time, ±0\.20 s on the shutdown time \(starting the hook took 0\.05 s \(spawn \+ nsenter\); the drill's clock ran up to 0\.02 s late;/);
    expect(text).not.toMatch(/3\.0 s/);
  });

  test('the 2 s extension is named when it applies', () => {
    const f = facts(5.01, { secondsAfterSigterm: 0.3 }, {});
    const text = formatReport({ target: { source: 's', kind: 'Deployment', name: 'w', container: 'c' }, command: ['x'], facts: { ...f, preStop: { ...f.preStop, outcome: 'outlived-grace' } }, verdict: judge(f), notes: [] });
    expect(text).toMatch(/grace +5 s; preStop took 5\.01 s, .*: 5 - 5 leaves under 2 s, so the kubelet's one-time 2 s minimum applies; SIGTERM to SIGKILL window 2 s\n/);
  });
});

describe('the knife-edge case, real processes', () => {
  const pid1 = needs('pid-namespace', 'python3');

  pid1.concurrent('preStop sleep 2.9, grace 5, a 2.5 s drain: the report gives its margin and warns', () =>
    withScratch('timing-knife', async (s) => {
      const r = await runDrill({
        target: makeTarget(s, {
          command: [NODE, APP, 'handle', '2500'],
          terminationGracePeriodSeconds: 5,
          preStop: { exec: { command: ['sleep', '2.9'] } },
        }),
        pid1: 'yes',
        readyTimeoutSeconds: 600,
      });
      const p = r.facts.preStop;
      const t = r.facts.timing;
      expect(p).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
      // sleep does not end early; the rest is what starting and watching it cost
      expect(p.seconds).toBeGreaterThanOrEqual(2.9);
      expect(p.startSeconds).toBeGreaterThanOrEqual(0);
      expect(p.startSeconds!).toBeLessThan(p.seconds - 2.9 + 0.02);
      // the kubelet's arithmetic on the measured time, unrounded
      expect(t.deductedSeconds).toBe(Math.floor(p.seconds));
      expect(r.facts.termWindowSeconds).toBe(Math.max(5 - Math.floor(p.seconds), 2));
      expect(t.hookMarginSeconds).toBeGreaterThanOrEqual(MIN_MARGIN_SECONDS);
      expect(t.hookMarginSeconds).toBeGreaterThanOrEqual(p.startSeconds! + t.loopLagSeconds - 0.001);
      // whichever way this run went, the report says it could go the other way in a cluster
      // (the whole report shows in the diff if it does not)
      const edge = r.verdict.warnings.find((w) => w.startsWith('knife edge: preStop took'));
      expect({ edge, report: formatReport(r) }).toMatchObject({
        edge: expect.stringMatching(/the kubelet truncates it to whole seconds, so in a cluster it may deduct/),
      });
      expect(formatReport(r)).toMatch(/\n {2}timing +margin ±\d\.\d\d s on the preStop time/);
    }),
  );
});
