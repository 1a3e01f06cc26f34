/**
 * The verdict: pure functions from observed facts to pass/fail, a reason naming the processes
 * involved, and a fix. Every problem found is collected; the first (most serious) one becomes the
 * reason and the others become warnings.
 */
import * as os from 'os';
import { describeProcess, findShellInStopPath, initForwarding, processName, shellQuote, ShellInStopPath } from './signals';
import { flipWarnings } from './timing';
import { DrillFacts, ProcessInfo, Verdict } from './types';

interface Problem {
  readonly reason: string;
  readonly fix?: string;
}

const SIGNAL_NUMBERS: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM',
};

/**
 * The signal behind an exit: the real one for a local process; for an engine, which reports a
 * signal death as 128 + number, the one that code stands for.
 */
export function exitSignal(facts: Pick<DrillFacts, 'runtime' | 'exit'>): string | undefined {
  if (facts.exit.signal) return facts.exit.signal;
  const code = facts.exit.code;
  if (facts.runtime.kind === 'container' && code !== null && code > 128) return SIGNAL_NUMBERS[code - 128];
  return undefined;
}

/** The exit code shells, inits and the JVM use for an end by the stop signal: 128 + its number. */
export function stopSignalExitCode(stopSignal = 'SIGTERM'): number {
  return 128 + ((os.constants.signals as Record<string, number>)[stopSignal] ?? 15);
}

export function describeExit(facts: Pick<DrillFacts, 'runtime' | 'exit'> & { stopSignal?: string }): string {
  const { code, signal } = facts.exit;
  if (signal) return `killed by ${signal}`;
  if (code === null) return 'exit not observed';
  const sig = exitSignal(facts);
  if (sig) return `exit code ${code} (128 + ${sig}, as the engine reports a signal death)`;
  const stop = facts.stopSignal ?? 'SIGTERM';
  if (code === stopSignalExitCode(stop)) return `exit code ${code} (128 + ${stop}: how shells, inits and the JVM report an end by ${stop})`;
  return `exit code ${code}`;
}

/**
 * A killed process by its command line and what it was doing: `node app.js worker (pid 12),
 * waiting for I/O or a timer (epoll)`. Long command lines are cut.
 */
export function describeKilled(p: ProcessInfo): string {
  const line = p.argv.length ? shellQuote(p.argv) : p.comm;
  const cut = line.length > 120 ? `${line.slice(0, 117)}...` : line;
  return `${cut} (pid ${p.pid})${p.activity ? `, ${p.activity}` : ''}`;
}

const list = (ps: ProcessInfo[]) => ps.map(describeProcess).join(', ');
const secs = (n: number) => `${Number(n.toFixed(1))} s`;

const pid1HandlerFix = (sig: string) =>
  `handle ${sig} in the app and exit from the handler (process.on('${sig}', ...) in Node, signal.Notify in Go), ` +
  'or run it under an init as PID 1 (tini -- app, dumb-init app)';

const execFix = (sig: string) =>
  "put exec before the app in the shell string (sh -c '... && exec app') or drop the shell (command: [app, ...]), " +
  `so ${sig} reaches the app itself; an init in front of the shell does not help while the shell stays in between`;

function shellProblem(f: ShellInStopPath, observedOrphans: ProcessInfo[], window: number, sig: string, killedWithPid1: boolean): Problem {
  const shell = describeProcess(f.shell);
  const stranded = observedOrphans.length ? observedOrphans : f.children;
  const kids = observedOrphans.length && killedWithPid1 ? observedOrphans.map(describeKilled).join('; ') : list(stranded);
  const seen = observedOrphans.length && killedWithPid1 ? ' (caught as PID 1 exited, then SIGKILLed by the kernel)' : '';
  const one = stranded.length === 1;
  const them = one ? 'it' : 'them';
  const were = one ? 'was' : 'were';
  switch (f.kind) {
    case 'pid1-shell':
      return {
        reason:
          `${sig} reached a shell that did not forward it: ${shell} runs as PID 1 without a ${sig} handler, so the kernel ` +
          `dropped the signal, and ${kids} never heard of it; SIGKILL ended everything ${secs(window)} later.`,
        fix: `${execFix(sig)} (as PID 1 the app then needs its own ${sig} handler, or run it as \`tini -- app\`)`,
      };
    case 'shell-main':
      return {
        reason:
          `${sig} reached a shell that did not forward it: ${shell} died on the signal and left ${kids} running, never signalled; ` +
          `in a container ${one ? 'it is' : 'they are'} SIGKILLed once the main process is gone.`,
        fix: execFix(sig),
      };
    case 'init-child':
      return {
        reason:
          `${describeProcess(f.init!)} forwarded ${sig} to ${shell} only; the shell died without passing it on, ` +
          `${processName(f.init!)} exited with it, and ${kids} never got ${sig}${seen || ` (in a container the kernel SIGKILLs ${them} when PID 1 exits)`}.`,
        fix: execFix(sig),
      };
    case 'init-group':
      return {
        reason:
          `${describeProcess(f.init!)} signalled the whole process group, but ${shell} died at once and ` +
          `${processName(f.init!)} exited with it while ${kids} ${were} still shutting down${seen}; in a container the kernel ` +
          `SIGKILLs ${them} when PID 1 exits, before shutdown can finish.`,
        fix: execFix(sig),
      };
  }
}

/** Why the main process outlived the stop window, judged from its disposition of the stop signal. */
function stuckProblem(facts: DrillFacts): Problem {
  const sig = facts.stopSignal ?? 'SIGTERM';
  const window = facts.termWindowSeconds;
  const snap = facts.sigterm;
  const main = snap?.main;
  if (!main) return { reason: `the main process did not exit within ${secs(window)} of ${sig} and was SIGKILLed.` };
  const who = describeProcess(main);
  const slowFix =
    `make shutdown finish within the ${secs(window)} left, or raise terminationGracePeriodSeconds ` +
    '(preStop time counts against it: grace = preStop + shutdown + a margin)';
  if (initForwarding(main)) {
    const app = snap.descendants.find((p) => p.ppid === main.pid && p.state !== 'Z');
    if (app) {
      const appName = describeProcess(app);
      if (app.sigterm === 'ignored') {
        return {
          reason: `${who} forwarded ${sig} to ${appName}, which ignores it; SIGKILL ended both after ${secs(window)}.`,
          fix: `do not start the app with ${sig} ignored; handle ${sig} and exit`,
        };
      }
      return {
        reason: `${who} forwarded ${sig} to ${appName}, which was still running ${secs(window)} later; SIGKILL ended it.`,
        fix: slowFix,
      };
    }
  }
  if (main.sigterm === 'ignored') {
    return {
      reason: `${who} ignores ${sig} (disposition SIG_IGN, often inherited from a parent that ran \`trap '' ${sig.replace(/^SIG/, '')}\` or nohup); SIGKILL ended it after ${secs(window)}.`,
      fix: `do not start the app with ${sig} ignored; handle ${sig} and exit once in-flight work is done`,
    };
  }
  if (main.sigterm === 'blocked') {
    return {
      reason: `${who} blocks ${sig}, so it never acted on it; SIGKILL ended it after ${secs(window)}.`,
      fix: `unblock ${sig} (or wait for it with sigwait) and exit when it arrives`,
    };
  }
  if (main.sigterm === 'default' && snap.mainIsPid1) {
    return {
      reason: `${who} runs as PID 1 without a ${sig} handler, and the kernel only delivers signals PID 1 handles; SIGKILL ended it after ${secs(window)}.`,
      fix: pid1HandlerFix(sig),
    };
  }
  const isNode = main.exe === 'node' || processName(main) === 'node';
  if (main.sigterm === 'caught' && snap.mainIsPid1 && isNode) {
    return {
      reason:
        `${who} runs as PID 1 and was still running ${secs(window)} after ${sig}. Node always catches ${sig}: without ` +
        `process.on('${sig}') its built-in handler re-raises the signal, which the kernel ignores for PID 1. ` +
        'If the app does have a handler, it did not finish in time. SIGKILL ended it.',
      fix: `${pid1HandlerFix(sig)}; with a handler, make shutdown finish within ${secs(window)}`,
    };
  }
  if (main.sigterm === 'caught') {
    return {
      reason: `${who} handles ${sig} but was still running ${secs(window)} later: shutdown takes longer than the time left, or the handler never ends the process; SIGKILL ended it.`,
      fix: slowFix,
    };
  }
  return { reason: `${who} did not exit within ${secs(window)} of ${sig} and was SIGKILLed.`, fix: slowFix };
}

function preStopProblem(facts: DrillFacts): Problem | undefined {
  const sig = facts.stopSignal ?? 'SIGTERM';
  const p = facts.preStop;
  const action = p.action ?? 'preStop';
  if (p.outcome === 'failed') {
    const why = p.error ?? (p.exitCode !== undefined && p.exitCode !== null ? `exit code ${p.exitCode}` : 'it failed');
    return {
      reason:
        `the preStop hook (${action}) failed: ${why}. The kubelet records FailedPreStopHook and goes straight on to ${sig}, ` +
        'so whatever the hook was for (a pause while endpoints drain) did not happen.',
      fix: 'make sure the hook can run in the image (distroless and scratch images have no sh or sleep) or use an httpGet hook',
    };
  }
  if (p.outcome === 'outlived-grace') {
    return {
      reason: `the preStop hook (${action}) was still running when the ${facts.gracePeriodSeconds} s grace period ran out; the kubelet then sent ${sig} with only the minimum ${facts.termWindowSeconds} s left.`,
      fix: 'raise terminationGracePeriodSeconds above preStop + shutdown time, or shorten the hook',
    };
  }
  return undefined;
}

/** Why a probe that was refused at the pod's address can never pass in a pod. */
function unreachableProblem(facts: DrillFacts): Problem | undefined {
  const u = facts.startup.unreachable;
  if (!u) return undefined;
  const loopback = u.listeners.every((l) => /^(127\.|\[::1\]|::1)/.test(l));
  return {
    reason:
      `the app listens on ${u.listeners.join(', ')} only${loopback ? ' (loopback)' : ''}, and the kubelet sends probes and httpGet hooks ` +
      `to the pod's address (${u.podAddress} here), where port ${u.port} refuses connections: in a pod the ${u.probe} ` +
      'never passes, so the pod never becomes Ready (and a liveness probe of the same kind restarts it).',
    fix: `listen on all addresses (0.0.0.0, or :: for IPv6 too) or on the pod IP (status.podIP through the downward API), not on ${loopback ? 'localhost' : u.listeners.join(', ')}`,
  };
}

/** Processes the kernel SIGKILLed when PID 1 exited, or that were left running: a failure either way. */
function orphanProblem(facts: DrillFacts, orphans: ProcessInfo[], sig: string): Problem {
  const main = facts.sigterm?.main;
  const mainName = main ? describeProcess(main) : 'the main process';
  if (facts.leftovers.fate === 'killed-with-pid1') {
    const n = orphans.length;
    return {
      reason:
        `${mainName} exited as PID 1 while ${n} other process${n === 1 ? '' : 'es'} of the container ${n === 1 ? 'was' : 'were'} still running: ` +
        `${orphans.map(describeKilled).join('; ')}. The kernel SIGKILLs every process of the namespace when PID 1 exits, so ` +
        `${n === 1 ? 'it was' : 'they were'} cut off mid-work.`,
      fix:
        `PID 1 must outlive its children: pass ${sig} on to them and wait for them to exit before exiting ` +
        `(in a shell: trap 'kill -${sig.replace(/^SIG/, '')} $pid; wait $pid' ${sig.replace(/^SIG/, '')} after app & pid=$!), or exec the app so it is PID 1 itself; ` +
        'tini -g and dumb-init do pass the signal to the whole group, but the process they run must still wait for its children',
    };
  }
  return {
    reason: `${mainName} exited but left ${orphans.length} process(es) running: ${list(orphans)}; in a container they are SIGKILLed, without ${sig}, as soon as the main process is gone.`,
    fix: `stop child processes before exiting (pass ${sig} on and wait for them), or run under an init that signals the whole group (tini -g, dumb-init)`,
  };
}

/** Judges a drill. Pure: the same facts always give the same verdict. */
export function judge(facts: DrillFacts): Verdict {
  const sig = facts.stopSignal ?? 'SIGTERM';
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const shell = facts.sigterm ? findShellInStopPath(facts.sigterm) : undefined;
  const orphans = facts.leftovers.observable ? facts.leftovers.orphans : [];
  const killedWithPid1 = facts.leftovers.fate === 'killed-with-pid1';
  const phase = facts.exit.phase;
  const exitText = describeExit(facts);
  const window = facts.termWindowSeconds;

  const wrongAddress = unreachableProblem(facts);
  if (wrongAddress) problems.push(wrongAddress);
  if (phase === 'before-stop') {
    problems.push({
      reason: `the process ended by itself (${exitText}) before the stop sequence began, so there was nothing to stop.`,
      fix: 'check the command and its output; the drill needs a long-running process',
    });
  } else if (phase === 'after-sigkill' || phase === 'not-observed') {
    problems.push(shell && shell.kind === 'pid1-shell' ? shellProblem(shell, [], window, sig, false) : stuckProblem(facts));
  } else {
    const main = facts.sigterm?.main;
    if (shell) {
      const problem = shellProblem(shell, orphans, window, sig, killedWithPid1);
      const asPid1 =
        shell.kind === 'shell-main' && facts.pid1InCluster
          ? ` As PID 1 in the pod the shell would not even die: the kernel drops ${sig} for it, and SIGKILL ends everything after ${secs(window)}.`
          : '';
      problems.push({ ...problem, reason: problem.reason + asPid1 });
    } else if (facts.runtime.mode === 'plain' && facts.pid1InCluster && phase === 'after-sigterm' && exitSignal(facts) === sig) {
      // Killed by the signal itself: no handler, or one that re-raises it (Node's built-in one does).
      // PID 1 is immune to that, so in the pod the process would keep running until SIGKILL.
      const who = main ? describeProcess(main) : 'the main process';
      problems.push({
        reason:
          `${who} was ended by ${sig} itself (no handler, or one that re-raises the signal, as Node does without process.on('${sig}')); ` +
          `that only worked because it was not PID 1 here. In the pod it is PID 1, which the kernel does not let ${sig} kill, ` +
          `so it would run on until SIGKILL after ${secs(window)}.`,
        fix: pid1HandlerFix(sig),
      });
    }
    if (!shell && orphans.length) problems.push(orphanProblem(facts, orphans, sig));
    const died = exitSignal(facts);
    if (died && died !== sig && died !== 'SIGKILL') {
      problems.push({ reason: `the main process crashed while stopping (${exitText}).`, fix: 'look at the output of the shutdown path' });
    }
  }

  const hookProblem = preStopProblem(facts);
  if (hookProblem) problems.push(hookProblem);
  if (facts.preStop.outcome === 'skipped' && facts.preStop.error) warnings.push(`preStop not run: ${facts.preStop.error}`);
  if (facts.preStop.httpStatus !== undefined && facts.preStop.httpStatus >= 400) {
    warnings.push(`the preStop endpoint answered ${facts.preStop.httpStatus}; the kubelet ignores the status, but the hook probably did not do its job`);
  }
  if (facts.startup.how === 'probe-timeout') warnings.push(facts.startup.detail);
  const stopped = phase === 'after-sigterm' || phase === 'during-prestop';
  if (stopped && facts.exit.code !== null && ![0, stopSignalExitCode(sig)].includes(facts.exit.code) && !exitSignal(facts)) {
    warnings.push(`exited with code ${facts.exit.code} after ${sig}: Kubernetes marks the container as Error, and a Job counts it as a failed pod`);
  }
  const main = facts.sigterm?.main;
  const handles = !!main && (main.sigterm === 'caught' || initForwarding(main) !== undefined);
  const edges = facts.timing ? flipWarnings(facts, handles) : [];
  const after = facts.exit.secondsAfterSigterm;
  const shutdownEdge = edges.some((e) => e.startsWith('knife edge: shutdown took'));
  if (phase === 'after-sigterm' && after !== undefined && after > 0.8 * window && !shutdownEdge) {
    warnings.push(`shutdown took ${secs(after)} of the ${secs(window)} allowed: little headroom before SIGKILL`);
  }
  warnings.push(...edges);
  const zombies = facts.leftovers.zombiesWhileRunning;
  if (zombies.length) {
    warnings.push(
      `${zombies.length} zombie process(es) stayed unreaped while the workload ran (${zombies.map((z) => `${z.comm} (pid ${z.pid})`).join(', ')}); ` +
        'as PID 1 the main process must reap orphans, or run it under an init (tini, dumb-init)',
    );
  }
  if (facts.leftovers.zombies.length) {
    warnings.push(`zombie(s) left unreaped: ${facts.leftovers.zombies.map((z) => `${z.comm} (pid ${z.pid})`).join(', ')}`);
  }
  if (!shell && !facts.leftovers.observable && phase === 'after-sigterm' && main) {
    const others = facts.sigterm!.descendants.filter((p) => p.state !== 'Z' && !(initForwarding(main) && p.ppid === main.pid));
    if (others.length) {
      warnings.push(
        `${list(others)} ran beside the main process when ${sig} was sent; whatever was still running when it exited was ` +
          `SIGKILLed with it, and which ones were could not be checked (${facts.leftovers.note ?? 'not observable here'})`,
      );
    }
  }

  if (problems.length) {
    const [first, ...rest] = problems;
    return { status: 'fail', reason: first.reason, fix: first.fix, warnings: [...rest.map((p) => p.reason), ...warnings] };
  }
  let reason: string;
  const when = after !== undefined ? `${secs(after)} after ${sig}` : '';
  if (phase === 'during-prestop') {
    reason = `the preStop hook (${facts.preStop.action}) stopped the process (${exitText}) before ${sig} was needed.`;
  } else if (exitSignal(facts) === sig) {
    reason = `the process ended on ${sig}'s default action ${when} (no handler ran: fine for a process with nothing to flush).`;
  } else {
    reason = `the process exited (${exitText}) ${when}, within the ${secs(window)} allowed.`;
  }
  return { status: 'pass', reason, warnings };
}
