/**
 * The local-process runtime: runs the container's command on this machine.
 *
 * Two modes:
 * - `pid1`: `unshare --pid --fork --mount-proc` makes the command PID 1 of a new PID namespace,
 *   as in a container: the kernel only delivers signals PID 1 has a handler for, and when PID 1
 *   exits every other process in the namespace is killed. Hooks and exec probes join that
 *   namespace through `nsenter`. Needs root.
 *   Processes the kernel kills with PID 1 are caught by the exit watch (exit-watch.ts).
 * - `plain`: an ordinary child process in a session of its own. The main process gets default
 *   signal handling, as an app does in a pod with `shareProcessNamespace: true` (the pause
 *   container is PID 1 there); processes it leaves behind survive and can be listed.
 *
 * With a pod network (netns.ts) the command, its hooks and exec probes also join the container's
 * network namespace.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { ExitWatch, exitWatchSupport, startExitWatch, watchReady } from './exit-watch';
import { PodNetwork } from './netns';
import { readAllStats, readProcess, uptimeSeconds } from './proc';
import {
  CLOCK_TICKS_PER_SECOND, ExecHandle, findExecutable, nowMs, OutputTail, RunningWorkload, sleep, spawnCollect, within,
} from './runtime';
import { ProcessTracker } from './tracker';
import { ExitStatus, Leftovers, RuntimeDescription, SigtermSnapshot } from './types';

export { findExecutable } from './runtime';

export interface LocalRunOptions {
  readonly command: string[];
  readonly pid1: boolean;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** After the main process exits, how long leftovers may run before they are killed. */
  readonly leftoverWaitSeconds: number;
  /** The signal that starts the shutdown (SIGTERM, or the image's STOPSIGNAL). */
  readonly stopSignal: { readonly name: NodeJS.Signals; readonly number: number };
  /** The container's own network; this machine's network when undefined. */
  readonly network?: PodNetwork;
  /** Without a pod network: why (for the report). */
  readonly hostNetworkReason?: string;
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

/** Commands that would reach beyond the workload when there is no PID namespace around it. */
const HOST_WIDE = /(^|[\s;&|(`])(pkill|killall5?)\b|(^|[\s;&|(`])kill\b[^;&|\n]*\s(-1|1)(?=$|[\s;&|)])/;

/**
 * Seconds from the spawn until the command behind `launcher` ran. When the launcher forks the
 * command (nsenter --pid does), the command's kernel start time is compared with the boot clock
 * read just before the spawn (both to the hundredth of a second); otherwise the spawn itself is
 * the cost. Undefined when the command ended before it was seen.
 */
async function startCost(
  launcher: number | undefined, uptimeAtSpawn: number | undefined, spawnSeconds: number, forks: boolean, done: Promise<unknown>,
): Promise<number | undefined> {
  if (launcher === undefined) return undefined;
  if (!forks) return spawnSeconds;
  if (uptimeAtSpawn === undefined) return undefined;
  let finished = false;
  void done.then(() => (finished = true));
  const deadline = nowMs() + 2000;
  while (!finished && nowMs() < deadline) {
    const child = [...readAllStats().values()].find((s) => s.ppid === launcher);
    if (child) return Math.max(0, child.startTime / CLOCK_TICKS_PER_SECOND - uptimeAtSpawn);
    await sleep(5);
  }
  return undefined;
}

export async function startLocal(options: LocalRunOptions): Promise<RunningWorkload> {
  const net = options.network;
  const inNetwork = net ? ['nsenter', `--net=${net.nsPath}`, '--'] : [];
  const argv = options.pid1
    ? [...inNetwork, 'unshare', '--pid', '--fork', '--mount-proc', '--kill-child', '--', ...options.command]
    : [...inNetwork, ...options.command];
  const network = net
    ? {
        mode: 'pod' as const,
        address: net.podAddress,
        namespace: net.namespace,
        hostInterface: net.hostInterface,
        summary: `network namespace ${net.namespace} of its own, address ${net.podAddress} (veth ${net.hostInterface} on this side, ${net.hostAddress}); probes and httpGet hooks go to ${net.podAddress}, as to a pod IP`,
      }
    : {
        mode: 'host' as const,
        address: '127.0.0.1',
        summary: 'this machine\'s network; probes and httpGet hooks go to 127.0.0.1',
        skipped: options.hostNetworkReason ?? 'no network namespace',
      };
  const description: RuntimeDescription = options.pid1
    ? {
        kind: 'local',
        mode: 'pid1',
        summary: 'local process, PID 1 of a new PID namespace (unshare --pid --fork --mount-proc), as in a container',
        network,
      }
    : {
        kind: 'local',
        mode: 'plain',
        summary:
          'local process, not PID 1 (ordinary child in its own session; signal handling as with shareProcessNamespace: true)',
        network,
      };
  const stop = options.stopSignal;

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
  const tracker = rootPid !== undefined ? new ProcessTracker(rootPid, 100, stop.number) : undefined;
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
  let watch: ExitWatch | undefined;
  let watchProblem: string | undefined;
  let cleaned = false;

  const workload: RunningWorkload = {
    description,
    command: options.command,
    exited,
    exitStatus: () => exit,
    networkHost: async () => net?.podAddress ?? '127.0.0.1',
    listeners: net ? () => net.listeners() : undefined,
    execRefusal(command) {
      if (options.pid1) return undefined;
      const text = command.join(' ');
      return HOST_WIDE.test(text)
        ? `'${text}' would signal processes of this machine (there is no PID namespace in this mode); not run`
        : undefined;
    },
    exec(command) {
      const entering = options.pid1 && mainPid !== undefined && !exit;
      const full = entering
        ? ['nsenter', `--target=${mainPid}`, '--pid', '--mount', ...(net ? ['--net'] : []), `--wd=${options.cwd}`, '--', ...command]
        : [...inNetwork, ...command];
      const uptime = uptimeSeconds();
      const t0 = nowMs();
      const handle = spawnCollect(full, { cwd: options.cwd, env: options.env });
      const spawnSeconds = (nowMs() - t0) / 1000;
      hooks.push(handle);
      // nsenter forks the command when it enters a PID namespace, and execs it otherwise
      return { ...handle, startSeconds: startCost(handle.child?.pid, uptime, spawnSeconds, entering, handle.done) };
    },
    async prepareStop() {
      if (!options.pid1 || mainPid === undefined || exit) return [];
      const support = exitWatchSupport();
      if (!support.ok) {
        watchProblem = support.reason;
        return [];
      }
      watch = startExitWatch(mainPid, stop.number, stop.name);
      // a bound on a hang: python3 may start slowly on a busy machine, and the grace period has not begun
      watchProblem = await watchReady(watch, 30000);
      return [];
    },
    exitCalledAtMs: () => (watchProblem ? undefined : watch?.exitCalledAtMs()),
    stopSignalPassedAtMs: () => (watchProblem ? undefined : watch?.signalPassedAtMs()),
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
      if (options.pid1) return pid1Leftovers(zombiesWhileRunning);
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
      return { ...found, zombiesWhileRunning, observable: true, fate: 'left-running', note };
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
      await watch?.stop();
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
    outputTail: () => output.lines(),
  };

  /** PID 1 mode: what the exit watch caught at the moment PID 1 exited. */
  async function pid1Leftovers(zombiesWhileRunning: Leftovers['zombiesWhileRunning']): Promise<Leftovers> {
    const base = { zombiesWhileRunning, zombies: [], orphans: [] };
    if (sigkillSent) {
      return { ...base, observable: false, note: 'PID 1 was killed; the kernel killed every other process of its namespace with it' };
    }
    const unwatched = (why: string) => ({
      ...base,
      observable: false,
      note:
        `when PID 1 exits the kernel SIGKILLs every other process of its namespace; which ones were still at work could not be checked: ${why}; ` +
        'run with --pid1 no to see which processes outlive the main one',
    });
    if (!watch || watchProblem) return unwatched(watchProblem ?? 'the exit watch did not run');
    // the watch reports PID 1 gone once it has let it finish exiting (a bound on a hang)
    const caught = await watch.caught(10000);
    if (!caught) return unwatched('the exit watch did not see PID 1 exit');
    const alive = caught.filter((p) => p.state !== 'Z');
    const alivePids = new Set(alive.map((p) => p.pid));
    return {
      ...base,
      orphans: alive,
      zombies: caught.filter((p) => p.state === 'Z' && alivePids.has(p.ppid)),
      observable: true,
      fate: 'killed-with-pid1',
      note: alive.length
        ? 'caught at the moment PID 1 exited (ptrace exit stop); the kernel then SIGKILLed them'
        : 'nothing else was running when PID 1 exited (checked at its exit with ptrace)',
    };
  }

  if (options.pid1 && mainPid === undefined && !exit) {
    await workload.cleanup();
    throw new Error(`unshare did not start ${options.command[0]} within 5 s`);
  }
  return workload;
}
