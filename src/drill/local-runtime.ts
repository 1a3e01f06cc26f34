/**
 * The local-process runtime: runs the container's command on this machine.
 *
 * Two modes:
 * - `pid1`: `unshare --pid --fork --mount-proc` makes the command PID 1 of a new PID namespace,
 *   as in a container: the kernel only delivers signals PID 1 has a handler for, and when PID 1
 *   exits every other process in the namespace is killed. Hooks and exec probes join that
 *   namespace through `nsenter`. Needs root.
 * - `plain`: an ordinary child process in a session of its own. The main process gets default
 *   signal handling, as an app does in a pod with `shareProcessNamespace: true` (the pause
 *   container is PID 1 there); processes it leaves behind survive and can be listed.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readAllStats, readProcess } from './proc';
import { ExecHandle, nowMs, OutputTail, RunningWorkload, sleep, spawnCollect, within } from './runtime';
import { ProcessTracker } from './tracker';
import { ExitStatus, Leftovers, RuntimeDescription, SigtermSnapshot } from './types';

export interface LocalRunOptions {
  readonly command: string[];
  readonly pid1: boolean;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** After the main process exits, how long leftovers may run before they are killed. */
  readonly leftoverWaitSeconds: number;
}

let pid1Cache: { ok: boolean; reason?: string } | undefined;

/** Whether PID-1 emulation works here (root, util-linux unshare/nsenter, PID namespaces allowed). */
export function pid1Support(): { ok: boolean; reason?: string } {
  if (pid1Cache) return pid1Cache;
  if (process.platform !== 'linux') return (pid1Cache = { ok: false, reason: 'PID namespaces need Linux' });
  if (process.getuid?.() !== 0) return (pid1Cache = { ok: false, reason: 'unshare --pid needs root' });
  for (const tool of ['unshare', 'nsenter']) {
    if (!findExecutable(tool, process.env.PATH)) {
      return (pid1Cache = { ok: false, reason: `${tool} (util-linux) is not installed` });
    }
  }
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { timeout: 5000, encoding: 'utf8' });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
    return (pid1Cache = { ok: false, reason: `unshare --pid --fork --mount-proc failed: ${why}` });
  }
  return (pid1Cache = { ok: true });
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

/** Commands that would reach beyond the workload when there is no PID namespace around it. */
const HOST_WIDE = /(^|[\s;&|(`])(pkill|killall5?)\b|(^|[\s;&|(`])kill\b[^;&|\n]*\s(-1|1)(?=$|[\s;&|)])/;

export async function startLocal(options: LocalRunOptions): Promise<RunningWorkload> {
  const argv = options.pid1
    ? ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', '--', ...options.command]
    : options.command;
  const description: RuntimeDescription = options.pid1
    ? {
        kind: 'local',
        mode: 'pid1',
        summary: 'local process, PID 1 of a new PID namespace (unshare --pid --fork --mount-proc), as in a container',
      }
    : {
        kind: 'local',
        mode: 'plain',
        summary:
          'local process, not PID 1 (ordinary child in its own session; signal handling as with shareProcessNamespace: true)',
      };

  const output = new OutputTail();
  const launcherErrors = new OutputTail(2048);
  const child: ChildProcess = spawn(argv[0], argv.slice(1), {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exit: ExitStatus | undefined;
  let sigkillSent = false;
  const exited = new Promise<ExitStatus>((resolve) => {
    const done = (code: number | null, signal: string | null) => {
      if (exit) return;
      // unshare cannot re-raise SIGKILL on itself and exits 1 with this message instead
      if (options.pid1 && code === 1 && (sigkillSent || /sigprocmask unblock failed/.test(launcherErrors.toString()))) {
        code = null;
        signal = 'SIGKILL';
      }
      exit = { code, signal, atMs: nowMs() };
      resolve(exit);
    };
    child.on('exit', (code, signal) => done(code, signal));
    child.on('error', (e) => {
      output.add(`${argv[0]}: ${e.message}\n`);
      done(127, null);
    });
  });
  child.stdout?.on('data', (d) => output.add(d));
  child.stderr?.on('data', (d: Buffer) => {
    const text = d.toString();
    if (options.pid1 && /^unshare: /m.test(text)) {
      launcherErrors.add(text);
      // unshare's complaint about re-raising SIGKILL is noise, not the app's output
      output.add(text.replace(/^unshare: sigprocmask unblock failed.*\n?/m, ''));
    } else output.add(text);
  });

  const rootPid = child.pid;
  const tracker = rootPid !== undefined ? new ProcessTracker(rootPid) : undefined;
  tracker?.start();

  // In pid1 mode the main process is unshare's forked child, once it has exec'd the command.
  let mainPid: number | undefined = options.pid1 ? undefined : rootPid;
  if (options.pid1 && rootPid !== undefined) {
    const deadline = nowMs() + 5000;
    while (!exit && nowMs() < deadline) {
      const inner = [...readAllStats().values()].find((s) => s.ppid === rootPid);
      const info = inner ? readProcess(inner.pid) : undefined;
      if (info && info.exe !== 'unshare') {
        mainPid = info.pid;
        break;
      }
      await sleep(10);
    }
  }

  const hooks: ExecHandle[] = [];
  let cleaned = false;

  const workload: RunningWorkload = {
    description,
    command: options.command,
    exited,
    exitStatus: () => exit,
    networkHost: async () => '127.0.0.1',
    execRefusal(command) {
      if (options.pid1) return undefined;
      const text = command.join(' ');
      return HOST_WIDE.test(text)
        ? `'${text}' would signal processes of this machine (there is no PID namespace in this mode); not run`
        : undefined;
    },
    exec(command) {
      const full =
        options.pid1 && mainPid !== undefined && !exit
          ? ['nsenter', `--target=${mainPid}`, '--pid', '--mount', `--wd=${options.cwd}`, '--', ...command]
          : command;
      const handle = spawnCollect(full, { cwd: options.cwd, env: options.env });
      hooks.push(handle);
      return handle;
    },
    async signal(sig) {
      if (sig === 'SIGKILL') sigkillSent = true;
      if (mainPid === undefined || exit) return;
      try {
        process.kill(mainPid, sig);
      } catch {
        /* exited meanwhile */
      }
    },
    async snapshot(): Promise<SigtermSnapshot> {
      if (!tracker) return { descendants: [], mainIsPid1: false };
      return tracker.snapshot(exit ? undefined : mainPid);
    },
    async leftovers(): Promise<Leftovers> {
      if (!tracker) return { orphans: [], zombies: [], zombiesWhileRunning: [], observable: false };
      tracker.stop();
      const zombiesWhileRunning = tracker.lingeringZombies();
      const found = tracker.survivors();
      let note: string | undefined;
      if (options.leftoverWaitSeconds > 0 && found.orphans.length) {
        const deadline = nowMs() + options.leftoverWaitSeconds * 1000;
        let left = found.orphans.length;
        while (nowMs() < deadline && left) {
          await sleep(50);
          left = tracker.survivors().orphans.length;
        }
        note = `${found.orphans.length - left} of ${found.orphans.length} ended by themselves within --leftover-wait ${options.leftoverWaitSeconds} s`;
      }
      if (options.pid1) {
        return {
          ...found,
          zombiesWhileRunning,
          observable: false,
          note: sigkillSent
            ? 'PID 1 was killed; the kernel killed every other process of its namespace with it'
            : 'when PID 1 exits the kernel SIGKILLs every other process of its namespace, so nothing can be left behind; ' +
              'run with --pid1 no to see which processes outlive the main one',
        };
      }
      return { ...found, zombiesWhileRunning, observable: true, note };
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await Promise.all(hooks.map((h) => h.killAndWait()));
      if (tracker) await tracker.killAll();
      else if (rootPid !== undefined) {
        try {
          process.kill(-rootPid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await within(exited, 2000);
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
    outputTail: () => output.lines(),
  };
  if (options.pid1 && mainPid === undefined && !exit) {
    await workload.cleanup();
    throw new Error(`${argv[0]} did not start ${options.command[0]} within 5 s`);
  }
  return workload;
}
