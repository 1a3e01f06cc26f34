/**
 * The stop signal (--stop-signal, an image's STOPSIGNAL) and readiness probes that cannot run, with
 * real processes. Grace periods come from the costs measured on this machine now
 * (test/support/overhead.ts); a probe that cannot run is given a ten-minute ready timeout, so the
 * drill ending at all shows that it did not wait.
 */
import { runDrill } from '../../src/drill';
import { DrillReport } from '../../src/drill/types';
import { machineOverhead, marginSeconds } from '../support/overhead';
import { needs } from '../support/prereqs';
import { APP, killTagged, liveTagged, makeTarget, marks, NODE, withScratch } from './helpers';

const COST = machineOverhead();
/** Grace period for an app that exits at once on its stop signal. */
const GRACE = marginSeconds(2, COST.signalExitMs, COST.timerLagMs);

// a bound on a hang, not on speed
jest.setTimeout(180000);

const pid1Test = needs('pid-namespace').concurrent;

afterAll(() => {
  killTagged('signal-', true);
});

const plain = { pid1: 'no' as const, settleSeconds: 0.5 };
const asPid1 = { pid1: 'yes' as const, settleSeconds: 0.5 };
const target: typeof makeTarget = (s, over = {}) => makeTarget(s, { terminationGracePeriodSeconds: GRACE, ...over });

function summary(r: DrillReport) {
  return { status: r.verdict.status, phase: r.facts.exit.phase, code: r.facts.exit.code, signal: r.facts.exit.signal, sigkill: r.facts.sigkillSent };
}

describe('the stop signal', () => {
  pid1Test('an app that stops on SIGQUIT (an image STOPSIGNAL, as nginx has) passes with --stop-signal SIGQUIT', () =>
    withScratch('signal-quit', async (s) => {
      const r = await runDrill({ target: target(s, { command: [NODE, APP, 'on-signal', 'SIGQUIT'] }), ...asPid1, stopSignal: 'SIGQUIT' });
      expect(summary(r)).toEqual({ status: 'pass', phase: 'after-sigterm', code: 0, signal: null, sigkill: false });
      expect(r.facts.stopSignal).toBe('SIGQUIT');
      // the disposition read is the stop signal's
      expect(r.facts.sigterm?.main?.sigterm).toBe('caught');
      expect(marks(s.dir).has('term')).toBe(true);
    }),
  );

  pid1Test('the same app sent SIGTERM, as PID 1, never stops: SIGKILL', () =>
    withScratch('signal-quit-term', async (s) => {
      const r = await runDrill({ target: target(s, { command: [NODE, APP, 'on-signal', 'SIGQUIT'] }), ...asPid1 });
      expect(summary(r)).toMatchObject({ status: 'fail', phase: 'after-sigkill', sigkill: true });
      expect(marks(s.dir).has('term')).toBe(false);
    }),
  );
});

describe('a probe that cannot run ends the drill at once, with the reason', () => {
  // a ten-minute ready timeout: the drill ending at all shows it did not wait for the probe
  const cannotRun = (s: { dir: string; token: string }, probe: object, mode: typeof plain | typeof asPid1) =>
    runDrill({ target: target(s, { readiness: { field: 'readinessProbe', probe } }), ...mode, readyTimeoutSeconds: 600 });

  test.concurrent('an exec probe whose command is not here', () =>
    withScratch('signal-probe-missing', async (s) => {
      await expect(cannotRun(s, { exec: { command: ['no-such-probe-command', '--ready'] } }, plain)).rejects.toThrow(
        // spawned directly, or through nsenter into the pod network
        /readinessProbe exec no-such-probe-command --ready cannot run here: (no-such-probe-command: spawn no-such-probe-command ENOENT|exit 127 \(command not found\): nsenter: failed to execute no-such-probe-command: No such file or directory)\. The drill stops instead of waiting 600 s/,
      );
      expect(liveTagged(s.token)).toEqual([]);
    }),
  );

  pid1Test('the same inside the PID namespace (nsenter exits 127)', () =>
    withScratch('signal-probe-missing1', async (s) => {
      await expect(cannotRun(s, { exec: { command: ['no-such-probe-command'] } }, asPid1)).rejects.toThrow(
        /cannot run here: exit 127 \(command not found\): nsenter: failed to execute no-such-probe-command/,
      );
      expect(liveTagged(s.token)).toEqual([]);
    }),
  );

  test.concurrent('an httpGet probe on a named port the container does not declare', () =>
    withScratch('signal-probe-port', async (s) => {
      await expect(cannotRun(s, { httpGet: { port: 'metrics', path: '/ready' } }, plain)).rejects.toThrow(
        /readinessProbe httpGet http:\/\/[\d.]+:metrics\/ready cannot run here: port 'metrics' is not a declared container port/,
      );
    }),
  );
});
