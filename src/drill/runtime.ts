/**
 * What the kubelet sequence needs from a runtime, whichever one runs the process: start it, run
 * exec actions beside it, signal its main process, show its process tree, report what it left
 * behind and clean everything up.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { readAllStats } from './proc';
import { ExitStatus, Leftovers, RuntimeDescription, SigtermSnapshot } from './types';

/** The drill could not run here (no usable runtime, missing command, a probe that cannot run ...): exit 2, not a verdict. */
export class DrillSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillSetupError';
  }
}

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
  /**
   * Seconds the runtime spent before the command itself ran (spawn, entering namespaces), measured
   * from the kernel's start times; undefined when it could not be measured (the command ended
   * before it was seen, or the runtime cannot tell).
   */
  readonly startSeconds?: Promise<number | undefined>;
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
   * Local addresses of the TCP sockets listening in the container's network ("127.0.0.1:8080"),
   * when the runtime can list them; used to tell why a probe to the container's address failed.
   */
  listeners?(): Promise<string[]>;
  /**
   * Called once, before preStop: what watches the stop is set up here (PID 1 mode: the exit
   * watch). Returns notes for the report (what could not be set up, and why).
   */
  prepareStop?(): Promise<string[]>;
  /** When the main process began its exit, when the runtime knows it more exactly than `exited`. */
  exitCalledAtMs?(): number | undefined;
  /** When the stop signal was passed on to the main process by a tracer (PID 1 mode). */
  stopSignalPassedAtMs?(): number | undefined;
  /**
   * Why an exec action must not run here, if it must not (for example a hook that signals PID 1
   * when there is no PID namespace, which would hit this machine's init).
   */
  execRefusal(command: string[]): string | undefined;
  /** Runs a command the way this runtime runs exec hooks and probes. */
  exec(command: string[]): ExecHandle;
  /** Sends a signal to the main process, as a container runtime does (never to the group). */
  signal(sig: NodeJS.Signals): Promise<void>;
  /** The process tree now. */
  snapshot(): Promise<SigtermSnapshot>;
  /** After the main process exited: what is still around. */
  leftovers(): Promise<Leftovers>;
  /** Kills everything the drill started. Idempotent. */
  cleanup(): Promise<void>;
  /** Last lines of the main process's output. */
  outputTail(): string[];
}

/** Resolves a command name the way execvp does; undefined when it is not there or not executable. */
export function findExecutable(name: string, searchPath: string | undefined, cwd = process.cwd()): string | undefined {
  const candidates = name.includes('/')
    ? [path.resolve(cwd, name)]
    : (searchPath ?? '').split(':').filter(Boolean).map((dir) => path.join(dir, name));
  for (const file of candidates) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Clock ticks per second of /proc start times (USER_HZ, 100 on every mainstream Linux). */
export const CLOCK_TICKS_PER_SECOND = 100;

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

export type Race<T> = { kind: 'value'; value: T } | { kind: 'exit'; exit: ExitStatus } | { kind: 'timeout' };

/** Waits for a promise, the main process's exit, or a timeout, whichever comes first. */
export async function race<T>(w: RunningWorkload, p: Promise<T> | undefined, timeoutMs: number): Promise<Race<T>> {
  let timer: NodeJS.Timeout | undefined;
  const contenders: Promise<Race<T>>[] = [
    w.exited.then((exit) => ({ kind: 'exit' as const, exit })),
    new Promise<Race<T>>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timeout' }), Math.max(0, timeoutMs));
    }),
  ];
  if (p) contenders.unshift(p.then((value) => ({ kind: 'value' as const, value })));
  try {
    const first = await Promise.race(contenders);
    if (first.kind !== 'timeout') return first;
    // A busy event loop runs an overdue timer before it reads I/O that is already waiting, such
    // as the exit of the main process: let that I/O be read, and let what already happened win.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return await Promise.race([...contenders.slice(0, -1), Promise.resolve(first)]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

