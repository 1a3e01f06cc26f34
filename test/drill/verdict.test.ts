/**
 * The pure parts: /proc parsing, the signal reasoning, the kubelet's grace arithmetic, the
 * verdict and the text report, on hand-written facts.
 */
import { termWindowSeconds } from '../../src/drill/kubelet';
import { descendantsOf, parseStat, parseStatus, StatFields } from '../../src/drill/proc';
import { formatReport } from '../../src/drill/report';
import { findShellInStopPath, initForwarding, isShell } from '../../src/drill/signals';
import { DrillFacts, DrillReport, ProcessInfo, SigtermSnapshot } from '../../src/drill/types';
import { describeActivity } from '../../src/drill/activity';
import { describeExit, describeKilled, judge, stopSignalExitCode } from '../../src/drill/verdict';

function proc(pid: number, ppid: number, argv: string[], over: Partial<ProcessInfo> = {}): ProcessInfo {
  const exe = argv[0].split('/').pop()!;
  return {
    pid,
    ppid,
    pgid: pid,
    sid: pid,
    comm: exe.slice(0, 15),
    state: 'S',
    startTime: 1000 + pid,
    argv,
    exe: exe === 'sh' ? 'dash' : exe,
    sigterm: 'default',
    ...over,
  };
}

describe('/proc parsing', () => {
  test('stat with spaces and parentheses in the name', () => {
    const line = '4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 98765 1000 10 ...';
    expect(parseStat(line)).toEqual({ pid: 4242, comm: 'my (odd) app', state: 'S', ppid: 1, pgid: 4242, sid: 4242, startTime: 98765 });
  });

  test.each([
    ['0000000000004000', '0000000000000000', '0000000000000000', 'caught'],
    ['0000000000000000', '0000000000004000', '0000000000000000', 'ignored'],
    ['0000000000000000', '0000000000000000', '0000000000004000', 'blocked'],
    ['0000000000000002', '0000000000001000', '0000000000000000', 'default'],
  ])('SigCgt %s SigIgn %s SigBlk %s -> %s', (cgt, ign, blk, expected) => {
    const status = `Name:\tx\nNSpid:\t5123\t1\nSigBlk:\t${blk}\nSigIgn:\t${ign}\nSigCgt:\t${cgt}\n`;
    expect(parseStatus(status)).toEqual({ sigterm: expected, nsPid: 1 });
  });

  test('the disposition and pending state of another stop signal (SIGQUIT is bit 2)', () => {
    const status = 'NSpid:\t77\t1\nSigPnd:\t0000000000000004\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000000004\n';
    expect(parseStatus(status, 3)).toEqual({ sigterm: 'caught', nsPid: 1, pending: true });
    expect(parseStatus(status)).toEqual({ sigterm: 'default', nsPid: 1 });
  });

  test('descendants, parents first', () => {
    const stats = new Map<number, StatFields>(
      [
        [10, 1],
        [11, 10],
        [12, 11],
        [13, 10],
        [20, 1],
      ].map(([pid, ppid]) => [pid, { pid, ppid, comm: 'x', state: 'S', pgid: pid, sid: pid, startTime: 1 }]),
    );
    expect(descendantsOf(stats, [10])).toEqual([11, 13, 12]);
  });
});

describe('signal reasoning', () => {
  test('shells and inits', () => {
    expect(isShell(proc(1, 0, ['sh', '-c', 'x']))).toBe(true);
    expect(isShell(proc(1, 0, ['node', 'x']))).toBe(false);
    expect(isShell(proc(1, 0, ['sh'], { exe: 'busybox' }))).toBe(true);
    expect(initForwarding(proc(1, 0, ['tini', '--', 'app']))).toBe('child');
    expect(initForwarding(proc(1, 0, ['tini', '-g', '--', 'app']))).toBe('group');
    expect(initForwarding(proc(1, 0, ['/sbin/tini', '-sg', 'app']))).toBe('group');
    expect(initForwarding(proc(1, 0, ['tini', '-e', '143', '--', 'app']))).toBe('child');
    expect(initForwarding(proc(1, 0, ['dumb-init', '--', 'app']))).toBe('group');
    expect(initForwarding(proc(1, 0, ['dumb-init', '--single-child', 'app']))).toBe('child');
    expect(initForwarding(proc(1, 0, ['dumb-init', '-c', 'app']))).toBe('child');
    expect(initForwarding(proc(1, 0, ['node', 'app']))).toBeUndefined();
  });

  const shell = proc(2, 1, ['sh', '-c', 'node app.js']);
  const app = proc(3, 2, ['node', 'app.js'], { sigterm: 'caught' });

  test.each([
    ['shell as PID 1', { main: shell, descendants: [app], mainIsPid1: true }, 'pid1-shell'],
    ['shell, not PID 1', { main: shell, descendants: [app], mainIsPid1: false }, 'shell-main'],
    ['tini -> shell', { main: proc(1, 0, ['tini', '--', 'sh'], { sigterm: 'caught' }), descendants: [{ ...shell, ppid: 1 }, app], mainIsPid1: true }, 'init-child'],
    ['dumb-init -> shell', { main: proc(1, 0, ['dumb-init', 'sh'], { sigterm: 'caught' }), descendants: [{ ...shell, ppid: 1 }, app], mainIsPid1: true }, 'init-group'],
  ] as [string, SigtermSnapshot, string][])('%s', (_name, snapshot, kind) => {
    expect(findShellInStopPath(snapshot)?.kind).toBe(kind);
  });

  test('no finding: a shell that traps SIGTERM, a shell without children, the app itself', () => {
    expect(findShellInStopPath({ main: { ...shell, sigterm: 'caught' }, descendants: [app], mainIsPid1: true })).toBeUndefined();
    expect(findShellInStopPath({ main: shell, descendants: [], mainIsPid1: true })).toBeUndefined();
    expect(findShellInStopPath({ main: app, descendants: [], mainIsPid1: true })).toBeUndefined();
  });
});

describe('what a killed process was doing', () => {
  test.each([
    [{ state: 'S', wchan: 'do_epoll_wait' }, 'waiting for I/O or a timer (epoll)'],
    [{ state: 'S', wchan: 'hrtimer_nanosleep' }, 'sleeping (nanosleep)'],
    [{ state: 'S', wchan: 'do_wait' }, 'waiting for a child process to exit'],
    [{ state: 'S', wchan: 'some_driver_wait' }, 'sleeping in the kernel (some_driver_wait)'],
    [{ state: 'S', wchan: '0' }, 'sleeping'],
    [{ state: 'R', wchan: '0' }, 'running on a CPU'],
    [{ state: 'D', wchan: 'io_schedule' }, 'sleeping in the kernel (io_schedule)'],
    [{ state: 'R', stopSignalPending: true, stopSignal: 'SIGTERM' }, 'running on a CPU, with SIGTERM still pending (not yet handled)'],
  ])('%j -> %s', (input, text) => {
    expect(describeActivity(input)).toBe(text);
  });

  test('a killed process by its whole command line, cut when long', () => {
    const p = proc(7, 1, ['node', 'worker.js', '--queue', 'mail'], { activity: 'sleeping (nanosleep)' });
    expect(describeKilled(p)).toBe('node worker.js --queue mail (pid 7), sleeping (nanosleep)');
    const long = describeKilled(proc(8, 1, ['java', ...Array(40).fill('-Dx=y')]));
    expect(long).toMatch(/^java -Dx=y .*\.\.\. \(pid 8\)$/);
    expect(long.length).toBeLessThan(140);
  });

  test('exit codes of an end by the stop signal', () => {
    expect(stopSignalExitCode()).toBe(143);
    expect(stopSignalExitCode('SIGQUIT')).toBe(131);
    expect(describeExit({ runtime: { kind: 'local', mode: 'pid1', summary: '' }, exit: { code: 131, signal: null, phase: 'after-sigterm' }, stopSignal: 'SIGQUIT' })).toBe(
      'exit code 131 (128 + SIGQUIT: how shells, inits and the JVM report an end by SIGQUIT)',
    );
  });
});

describe('kubelet grace arithmetic', () => {
  test.each([
    [30, undefined, 30],
    [30, 5.9, 25], // whole seconds only, as Go's int64(Seconds()) truncates
    [3, 1.4, 2],
    [3, 2.5, 2], // never below the 2 s minimum
    [10, 10.0, 2], // a hook that used the whole grace period: the one-time 2 s
    [0, undefined, 2],
  ])('grace %s, preStop %s s -> %s s between SIGTERM and SIGKILL', (grace, hook, window) => {
    expect(termWindowSeconds(grace, hook)).toBe(window);
  });
});

function facts(over: Partial<DrillFacts> = {}): DrillFacts {
  return {
    runtime: { kind: 'local', mode: 'pid1', summary: 'local process, PID 1' },
    gracePeriodSeconds: 30,
    stopSignal: 'SIGTERM',
    startup: { how: 'probe', seconds: 0.5, detail: 'readinessProbe passed' },
    preStop: { outcome: 'none', seconds: 0 },
    sigterm: { main: proc(1234, 1, ['node', 'server.js'], { sigterm: 'caught', nsPid: 1 }), descendants: [], mainIsPid1: true, sentAtSeconds: 0 },
    termWindowSeconds: 30,
    exit: { code: 0, signal: null, phase: 'after-sigterm', secondsAfterSigterm: 0.4 },
    sigkillSent: false,
    leftovers: { orphans: [], zombies: [], zombiesWhileRunning: [], observable: false },
    timing: { loopLagSeconds: 0.01, exitMarginSeconds: 0.2, deductedSeconds: 0, extended: false },
    pid1InCluster: true,
    outputTail: [],
    ...over,
  };
}

describe('verdict', () => {
  test('processes caught at PID 1\'s exit fail the drill, named with what they were doing', () => {
    const worker = proc(40, 1234, ['node', 'worker.js'], { sigterm: 'caught', activity: 'waiting for I/O or a timer (epoll)' });
    const v = judge(
      facts({
        sigterm: { main: proc(1234, 1, ['node', 'server.js'], { sigterm: 'caught', nsPid: 1 }), descendants: [worker], mainIsPid1: true, sentAtSeconds: 0 },
        leftovers: { orphans: [worker], zombies: [], zombiesWhileRunning: [], observable: true, fate: 'killed-with-pid1' },
      }),
    );
    expect(v.status).toBe('fail');
    expect(v.reason).toBe(
      'node (pid 1234) exited as PID 1 while 1 other process of the container was still running: node worker.js (pid 40), ' +
        'waiting for I/O or a timer (epoll). The kernel SIGKILLs every process of the namespace when PID 1 exits, so it was cut off mid-work.',
    );
    expect(v.fix).toMatch(/^PID 1 must outlive its children: pass SIGTERM on to them and wait/);
  });

  test('when the exit watch could not run, the warning says so instead of passing quietly', () => {
    const worker = proc(40, 1234, ['node', 'worker.js']);
    const v = judge(
      facts({
        sigterm: { main: proc(1234, 1, ['node', 'server.js'], { sigterm: 'caught', nsPid: 1 }), descendants: [worker], mainIsPid1: true, sentAtSeconds: 0 },
        leftovers: { orphans: [], zombies: [], zombiesWhileRunning: [], observable: false, note: 'which ones were still at work could not be checked: python3 is not installed' },
      }),
    );
    expect(v.warnings.join('\n')).toMatch(/node \(pid 40\) ran beside the main process when SIGTERM was sent; .*could not be checked \(.*python3 is not installed\)/);
  });

  test('a probe refused at the pod address while the app listens on loopback only', () => {
    const v = judge(
      facts({
        startup: {
          how: 'unreachable',
          seconds: 0.4,
          detail: 'readinessProbe httpGet http://198.18.0.2:8080/ready was refused',
          unreachable: { probe: 'readinessProbe', port: 8080, listeners: ['127.0.0.1:8080', '[::1]:8080'], podAddress: '198.18.0.2' },
        },
      }),
    );
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/^the app listens on 127\.0\.0\.1:8080, \[::1\]:8080 only \(loopback\), and the kubelet sends probes and httpGet hooks to the pod's address \(198\.18\.0\.2 here\)/);
    expect(v.fix).toMatch(/listen on all addresses/);
  });

  test('clean exit passes', () => {
    expect(judge(facts())).toEqual({ status: 'pass', reason: 'the process exited (exit code 0) 0.4 s after SIGTERM, within the 30 s allowed.', warnings: [] });
  });

  test('the shell case reads like the issue says', () => {
    const shell = proc(1, 0, ['sh', '-c', 'node server.js'], { nsPid: 1 });
    const app = proc(2, 1, ['node', 'server.js'], { sigterm: 'caught' });
    const v = judge(
      facts({
        sigterm: { main: shell, descendants: [app], mainIsPid1: true, sentAtSeconds: 0 },
        exit: { code: null, signal: 'SIGKILL', phase: 'after-sigkill', secondsAfterSigterm: 30 },
        sigkillSent: true,
      }),
    );
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/^SIGTERM reached a shell that did not forward it: sh \(pid 1\) runs as PID 1/);
    expect(v.fix).toMatch(/exec/);
  });

  test('a slow handler: SIGKILL with the time it had', () => {
    const v = judge(
      facts({
        sigterm: { main: proc(9, 1, ['java', '-jar', 'a.jar'], { sigterm: 'caught' }), descendants: [], mainIsPid1: true, sentAtSeconds: 10 },
        termWindowSeconds: 20,
        exit: { code: null, signal: 'SIGKILL', phase: 'after-sigkill', secondsAfterSigterm: 20 },
        sigkillSent: true,
      }),
    );
    expect(v.reason).toBe(
      'java (pid 9) handles SIGTERM but was still running 20 s later: shutdown takes longer than the time left, or the handler never ends the process; SIGKILL ended it.',
    );
  });

  test('problems pile up: the first is the reason, the rest are warnings', () => {
    const v = judge(
      facts({
        runtime: { kind: 'local', mode: 'plain', summary: 'plain' },
        preStop: { outcome: 'failed', action: 'exec sleep 5', seconds: 0.01, exitCode: 127, error: 'sleep: not found' },
        leftovers: {
          orphans: [proc(50, 1, ['worker'])],
          zombies: [],
          zombiesWhileRunning: [{ ...proc(51, 9, ['x']), state: 'Z' }],
          observable: true,
        },
        exit: { code: 1, signal: null, phase: 'after-sigterm', secondsAfterSigterm: 27 },
      }),
    );
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/^node \(pid 1234\) exited but left 1 process\(es\) running: worker \(pid 50\)/);
    expect(v.warnings[0]).toMatch(/preStop hook \(exec sleep 5\) failed: sleep: not found/);
    expect(v.warnings.join('\n')).toMatch(/exited with code 1 after SIGTERM/);
    expect(v.warnings.join('\n')).toMatch(/little headroom/);
    expect(v.warnings.join('\n')).toMatch(/zombie/);
  });

  test('engines report signal deaths as 128 + n', () => {
    const f = facts({ runtime: { kind: 'container', mode: 'engine', summary: 'docker' }, exit: { code: 143, signal: null, phase: 'after-sigterm', secondsAfterSigterm: 0.1 } });
    expect(describeExit(f)).toBe('exit code 143 (128 + SIGTERM, as the engine reports a signal death)');
    expect(judge(f).reason).toMatch(/default action/);
  });

  test('text report: runtime, numbers, verdict', () => {
    const report: DrillReport = {
      target: { source: 'app.yaml: Deployment/web, container app', kind: 'Deployment', name: 'web', container: 'app' },
      command: ['node', 'server.js'],
      facts: facts({
        preStop: { outcome: 'succeeded', action: 'exec sleep 5', seconds: 5.02, exitCode: 0 },
        termWindowSeconds: 25,
        timing: { loopLagSeconds: 0.01, exitMarginSeconds: 0.2, hookMarginSeconds: 0.2, deductedSeconds: 5, extended: false },
      }),
      verdict: judge(facts()),
      notes: ['a note'],
    };
    const text = formatReport(report);
    expect(text).toMatch(/^Shutdown drill: app.yaml: Deployment\/web, container app\n/);
    expect(text).toMatch(/runtime +local process, PID 1\n/);
    expect(text).toMatch(/preStop +exec sleep 5: succeeded \(exit 0\) in 5\.02 s\n/);
    expect(text).toMatch(/grace +30 s; preStop took 5\.02 s, the kubelet takes whole seconds \(truncated\) off: 30 - 5 = 25 s; SIGTERM to SIGKILL window 25 s\n/);
    expect(text).toMatch(/SIGTERM +sent 0\.00 s after the stop began, to node \(pid 1234\), PID 1, handles SIGTERM\n/);
    expect(text).toMatch(/exit +exit code 0, 0\.40 s after SIGTERM\n/);
    expect(text).toMatch(/SIGKILL +not needed\n/);
    expect(text).toMatch(/verdict +PASS\n/);
    expect(text).toMatch(/note +a note\n/);
  });
});
