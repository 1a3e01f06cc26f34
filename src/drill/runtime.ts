/**
 * What the kubelet sequence needs from a runtime, whichever one runs the process: start it, run
 * exec actions beside it, signal its main process, show its process tree, report what it left
 * behind and clean everything up.
 */
import { ChildProcess, spawn } from 'child_process';
import { performance } from 'perf_hooks';
import { readAllStats } from './proc';
import { ExitStatus, Leftovers, RuntimeDescription, SigtermSnapshot } from './types';

export interface ExecResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly output: string;
  /** Standard error alone. */
  readonly stderr: string;
  /** Set when the command could not be started at all. */
  readonly error?: string;
}

/** A command started beside the main process (preStop exec, exec probe). */
export interface ExecHandle {
  readonly done: Promise<ExecResult>;
  /** Kills the command and whatever it started. Safe to call after it ended. */
  kill(): void;
  /** Kills the command's process group and waits (at most 2 s) until none of it is left. */
  killAndWait(): Promise<void>;
}

export interface RunningWorkload {
  readonly description: RuntimeDescription;
  /** The argv that was started, for the report. */
  readonly command: string[];
  /** Resolves once the main process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  exitStatus(): ExitStatus | undefined;
  /** Host on which the container's ports answer (localhost, or the container's address). */
  networkHost(): Promise<string>;
  /**
   * Why an exec action must not run here, if it must not (for example a hook that signals PID 1
   * when there is no PID namespace, which would hit this machine's init).
   */
  execRefusal(command: string[]): string | undefined;
  /** Runs a command the way this runtime runs exec hooks and probes. */
  exec(command: string[]): ExecHandle;
  /** Sends a signal to the main process, as a container runtime does (never to the group). */
  signal(sig: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** The process tree now. */
  snapshot(): Promise<SigtermSnapshot>;
  /** After the main process exited: what is still around. */
  leftovers(): Promise<Leftovers>;
  /** Kills everything the drill started. Idempotent. */
  cleanup(): Promise<void>;
  /** Last lines of the main process's output. */
  outputTail(): string[];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const nowMs = () => performance.now();

/** Waits for `p` at most `ms`; the timer does not outlive the wait. */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Keeps the last bytes of a stream. */
export class OutputTail {
  private text = '';
  constructor(private readonly limit = 8192) {}
  add(chunk: Buffer | string) {
    this.text = (this.text + chunk.toString()).slice(-this.limit);
  }
  lines(count = 20): string[] {
    const lines = this.text.split('\n');
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-count);
  }
  toString() {
    return this.text;
  }
}

/**
 * Spawns a helper command in its own process group and collects its output. Used for exec
 * actions and for engine commands.
 */
export function spawnCollect(
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): ExecHandle & { child?: ChildProcess } {
  const out = new OutputTail();
  const err = new OutputTail();
  let child: ChildProcess | undefined;
  let finished = false;
  const kill = () => {
    if (!child?.pid || finished) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  const done = new Promise<ExecResult>((resolve) => {
    try {
      child = spawn(argv[0], argv.slice(1), {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      resolve({ code: null, signal: null, output: '', stderr: '', error: (e as Error).message });
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs !== undefined) timer = setTimeout(kill, options.timeoutMs);
    child.stdout?.on('data', (d) => out.add(d));
    child.stderr?.on('data', (d) => {
      out.add(d);
      err.add(d);
    });
    const finish = (r: ExecResult) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      child?.stdout?.destroy();
      child?.stderr?.destroy();
      resolve(r);
    };
    child.on('error', (e) => finish({ code: null, signal: null, output: out.toString(), stderr: err.toString(), error: e.message }));
    child.on('exit', (code, signal) => {
      // give the pipes a moment to deliver the last output
      setTimeout(() => finish({ code, signal, output: out.toString(), stderr: err.toString() }), 20);
    });
  });
  const killAndWait = async () => {
    const pgid = child?.pid;
    if (pgid === undefined) return;
    const deadline = nowMs() + 2000;
    for (;;) {
      const left = [...readAllStats().values()].filter((s) => s.pgid === pgid && s.state !== 'Z');
      if (!left.length || nowMs() > deadline) return;
      for (const s of left) {
        try {
          process.kill(s.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await sleep(20);
    }
  };
  return {
    done,
    kill,
    killAndWait,
    get child() {
      return child;
    },
  };
}
