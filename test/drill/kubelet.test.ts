/**
 * The stop sequence against a hand-made workload, for what real drills only hit under load: the
 * drill's event loop is busy while the main process exits, and when it catches up the end of the
 * grace period and the exit are both waiting. The exit happened first, so it must win: no SIGKILL.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import { MINIMUM_GRACE_SECONDS, runStopSequence } from '../../src/drill/kubelet';
import { nowMs, RunningWorkload } from '../../src/drill/runtime';
import { ExitStatus } from '../../src/drill/types';

jest.setTimeout(60000);

/** True once `pid` has exited (a zombie not yet reaped by its parent, or gone). */
function hasExited(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/**
 * A workload whose "main process" is started on SIGTERM: it writes a line and exits 200 ms later.
 * The handler of that line blocks this process's event loop until the child has exited and the
 * grace period is over, as a burst of synchronous work in a busy test process would.
 */
function workloadThatExitsWhileTheLoopIsBlocked(): { workload: RunningWorkload; signals: string[] } {
  let exit: ExitStatus | undefined;
  let resolveExit: (e: ExitStatus) => void = () => undefined;
  const exited = new Promise<ExitStatus>((resolve) => (resolveExit = resolve));
  const signals: string[] = [];
  let child: ChildProcess | undefined;
  const workload: RunningWorkload = {
    description: { kind: 'local', mode: 'plain', summary: 'test double' },
    command: ['test-double'],
    exited,
    exitStatus: () => exit,
    networkHost: async () => '127.0.0.1',
    execRefusal: () => undefined,
    exec: () => {
      throw new Error('no hooks in this test');
    },
    async signal(sig) {
      signals.push(sig);
      if (sig !== 'SIGTERM') return;
      const sentAt = nowMs();
      child = spawn('sh', ['-c', 'echo stopping; sleep 0.2'], { stdio: ['ignore', 'pipe', 'ignore'] });
      child.on('exit', (code, signal) => {
        exit = { code, signal, atMs: nowMs() };
        resolveExit(exit);
      });
      child.stdout!.once('data', () => {
        const until = sentAt + MINIMUM_GRACE_SECONDS * 1000 + 300;
        while (nowMs() < until || !hasExited(child!.pid!)) {
          /* busy: the loop cannot read the child's exit meanwhile */
        }
      });
    },
    snapshot: async () => ({ descendants: [], mainIsPid1: false }),
    leftovers: async () => ({ orphans: [], zombies: [], zombiesWhileRunning: [], observable: true }),
    cleanup: async () => undefined,
    outputTail: () => [],
  };
  return { workload, signals };
}

test('an exit that happened before the grace period ran out wins over the overdue timer', async () => {
  const { workload, signals } = workloadThatExitsWhileTheLoopIsBlocked();
  const facts = await runStopSequence(workload, { source: 't', kind: 'Deployment', name: 'n', container: 'c', ports: [], shareProcessNamespace: false, notes: [], env: {} }, {
    gracePeriodSeconds: 1,
    settleSeconds: 0,
    readyTimeoutSeconds: 1,
  });
  expect(signals).toEqual(['SIGTERM']);
  expect(facts.sigkillSent).toBe(false);
  expect(facts.exit).toMatchObject({ phase: 'after-sigterm', code: 0, signal: null });
  // the exit was read late, after the loop caught up: the measured time says so
  expect(facts.exit.secondsAfterSigterm).toBeGreaterThanOrEqual(MINIMUM_GRACE_SECONDS);
});
