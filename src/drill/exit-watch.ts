/**
 * The exit watch (PID 1 mode): names the processes that were still at work when PID 1 exited and
 * the kernel SIGKILLed them, with what each was doing at that moment. A ptrace helper
 * (exit-watch-helper.ts, run by python3) stops PID 1 at the start of its exit, reads /proc for its
 * descendants and lets it go on; this module runs the helper and turns its lines into facts.
 */
import { ChildProcess, spawn } from 'child_process';
import { describeActivity } from './activity';
import { EXIT_WATCH_SOURCE } from './exit-watch-helper';
import { parseCmdline, parseStat, parseStatus } from './proc';
import { findExecutable, nowMs, within } from './runtime';
import { ProcessInfo } from './types';

export interface ExitWatch {
  /** Resolves once PID 1 is traced (undefined), or with the reason it cannot be. */
  readonly ready: Promise<string | undefined>;
  /** When PID 1 began its exit (performance.now() ms), once the helper has said so. */
  exitCalledAtMs(): number | undefined;
  /** When the stop signal was passed on to PID 1 (performance.now() ms), once it was. */
  signalPassedAtMs(): number | undefined;
  /**
   * Waits (at most `timeoutMs`) until the helper has seen PID 1 gone, then returns the processes
   * caught at PID 1's exit (zombies included), or undefined when no exit was caught (PID 1 was
   * SIGKILLed, or the helper failed).
   */
  caught(timeoutMs: number): Promise<ProcessInfo[] | undefined>;
  /** Ends the helper (the kernel detaches it from PID 1). Idempotent. */
  stop(): Promise<void>;
}

let supportCache: { ok: boolean; reason?: string } | undefined;

/** Whether the helper can run: python3 on PATH (ptrace itself is tried when the watch starts). */
export function exitWatchSupport(): { ok: boolean; reason?: string } {
  if (supportCache) return supportCache;
  supportCache = findExecutable('python3', process.env.PATH)
    ? { ok: true }
    : { ok: false, reason: 'python3 is not installed (the exit watch uses ptrace through its ctypes)' };
  return supportCache;
}

/** A CLOCK_MONOTONIC time in ns (Node's hrtime clock) as a performance.now() time in ms. */
function monotonicToNowMs(ns: number): number {
  return nowMs() - Number(process.hrtime.bigint() - BigInt(ns)) / 1e6;
}

interface HelperProcess {
  readonly pid: number;
  readonly stat: string;
  readonly status: string;
  readonly cmdline: string;
  readonly exe: string | null;
  readonly wchan: string;
}

/** Turns one process of the helper's exit line into ProcessInfo, with what it was doing. */
export function caughtProcess(p: HelperProcess, signalNumber: number, signalName: string): ProcessInfo | undefined {
  const stat = parseStat(p.stat);
  if (!stat) return undefined;
  const status = parseStatus(p.status, signalNumber);
  return {
    ...stat,
    argv: parseCmdline(p.cmdline),
    exe: p.exe ?? undefined,
    sigterm: status.sigterm,
    nsPid: status.nsPid,
    activity: describeActivity({ state: stat.state, wchan: p.wchan, stopSignalPending: status.pending, stopSignal: signalName }),
  };
}

/** Starts tracing PID `pid` (host pid of the namespace's PID 1). */
export function startExitWatch(pid: number, signalNumber: number, signalName: string): ExitWatch {
  let child: ChildProcess | undefined;
  let exitAt: number | undefined;
  let passedAt: number | undefined;
  let processes: ProcessInfo[] | undefined;
  let stderr = '';
  let resolveReady: (reason: string | undefined) => void = () => undefined;
  const ready = new Promise<string | undefined>((resolve) => (resolveReady = resolve));
  let resolveGone: () => void = () => undefined;
  const gone = new Promise<void>((resolve) => (resolveGone = resolve));

  const onLine = (line: string) => {
    let msg: any;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    switch (msg.event) {
      case 'ready':
        resolveReady(undefined);
        break;
      case 'error':
        resolveReady(String(msg.message));
        break;
      case 'signal':
        passedAt ??= monotonicToNowMs(msg.t);
        break;
      case 'exit':
        exitAt = monotonicToNowMs(msg.t);
        processes = (msg.processes as HelperProcess[])
          .map((p) => caughtProcess(p, signalNumber, signalName))
          .filter((p): p is ProcessInfo => p !== undefined);
        break;
      case 'gone':
        resolveGone();
        break;
    }
  };

  try {
    child = spawn('python3', ['-I', '-c', EXIT_WATCH_SOURCE, String(pid), String(signalNumber)], {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (e) {
    resolveReady(`python3 could not be started: ${(e as Error).message}`);
    resolveGone();
  }
  let buffered = '';
  child?.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  child?.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const ended = new Promise<void>((resolve) => {
    if (!child) return resolve();
    child.on('error', (e) => {
      resolveReady(`python3 could not be started: ${e.message}`);
      resolve();
    });
    child.on('close', (code) => {
      const last = stderr.trim().split('\n').pop();
      resolveReady(`the exit watch ended before tracing (exit ${code}${last ? `: ${last}` : ''})`);
      resolveGone();
      resolve();
    });
  });

  let stopped = false;
  return {
    ready,
    exitCalledAtMs: () => exitAt,
    signalPassedAtMs: () => passedAt,
    async caught(timeoutMs) {
      await within(gone, timeoutMs);
      return processes;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      child?.stdin?.end();
      if ((await within(ended, 2000)) === undefined && child?.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await within(ended, 2000);
      }
    },
  };
}

/** Waits for the watch to be ready, at most `timeoutMs` (a bound on a hang: python3 may start slowly). */
export async function watchReady(watch: ExitWatch, timeoutMs: number): Promise<string | undefined> {
  const r = await within(watch.ready.then((reason) => ({ reason })), timeoutMs);
  return r ? r.reason : `the exit watch did not start within ${timeoutMs / 1000} s`;
}
