/**
 * The container runtime: the same sequence against the workload's image through a local engine
 * (docker or podman CLI). The container runs without --init, as under the kubelet; the preStop
 * exec runs inside it with `exec`, SIGTERM and SIGKILL go through `kill -s`, and the exit code
 * comes from `inspect`. When the engine runs on this machine, /proc shows the container's
 * processes and the same tree inspection as the local runtime applies.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import { readAllStats, descendantsOf, readProcess } from './proc';
import { ExecHandle, nowMs, OutputTail, RunningWorkload, sleep, spawnCollect } from './runtime';
import { DrillTarget, ExitStatus, ProcessInfo, SigtermSnapshot } from './types';

export type EngineName = 'docker' | 'podman';

export type EngineCheck =
  | { readonly ok: true; readonly engine: EngineName; readonly version: string }
  | { readonly ok: false; readonly reason: string };

/** Runs an engine command to completion. */
export async function engineCommand(
  engine: string,
  args: string[],
  timeoutMs = 30000,
): Promise<{ code: number | null; output: string; stderr: string; error?: string }> {
  const r = await spawnCollect([engine, ...args], { timeoutMs }).done;
  return { code: r.code, output: r.output, stderr: r.stderr, error: r.error };
}

function firstMeaningfulLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(Client|Server):?$/.test(l) && !/^(Context|Debug Mode|Version):/.test(l));
  const error = lines.find((l) => /error|cannot|can't|unable|denied|not /i.test(l));
  return error ?? lines[lines.length - 1] ?? 'no output';
}

/**
 * Finds an engine whose daemon answers (`info` succeeds). Tries `preferred` only, or docker then
 * podman. The reason on failure names every engine tried.
 */
export async function detectEngine(preferred?: EngineName): Promise<EngineCheck> {
  const reasons: string[] = [];
  for (const engine of preferred ? [preferred] : (['docker', 'podman'] as EngineName[])) {
    const r = await engineCommand(engine, ['info', '--format', '{{json .}}'], 15000);
    if (r.error) {
      reasons.push(`${engine}: ${/ENOENT/.test(r.error) ? 'not installed' : r.error}`);
      continue;
    }
    if (r.code === 0) {
      let version = '';
      try {
        const info = JSON.parse(r.output);
        version = info.ServerVersion ?? info.version?.Version ?? '';
      } catch {
        /* version is cosmetic */
      }
      return { ok: true, engine, version };
    }
    reasons.push(`${engine}: ${firstMeaningfulLine(r.stderr || r.output)}`);
  }
  return { ok: false, reason: reasons.join('; ') };
}

/**
 * Arguments of `run` for the container, following the Kubernetes rules: `command` replaces the
 * ENTRYPOINT (its first word goes to --entrypoint, the rest before the args) and `args` replaces
 * the CMD. No --init, no restart.
 */
export function buildRunArgs(target: DrillTarget, name: string, commandOverride?: string[]): string[] {
  if (!target.image) throw new Error(`${target.source} has no image`);
  const command = commandOverride ?? target.command;
  const out = ['run', '-d', '--name', name, '--label', 'cdk8s-resilient.drill=1'];
  if (command?.length) out.push('--entrypoint', command[0]);
  for (const [k, v] of Object.entries(target.env)) out.push('-e', `${k}=${v}`);
  if (target.workingDir) out.push('-w', target.workingDir);
  out.push(target.image);
  if (command?.length) out.push(...command.slice(1));
  if (target.args?.length) out.push(...target.args);
  return out;
}

interface InspectState {
  running: boolean;
  pid: number;
  exitCode: number;
  oomKilled: boolean;
  ip: string;
}

export function parseInspect(json: string): InspectState | undefined {
  try {
    const parsed = JSON.parse(json);
    const c = Array.isArray(parsed) ? parsed[0] : parsed;
    const nets = c?.NetworkSettings?.Networks ?? {};
    const ip = c?.NetworkSettings?.IPAddress || Object.values<any>(nets).map((n) => n?.IPAddress).find(Boolean) || '';
    return {
      running: Boolean(c?.State?.Running),
      pid: Number(c?.State?.Pid ?? 0),
      exitCode: Number(c?.State?.ExitCode ?? 0),
      oomKilled: Boolean(c?.State?.OOMKilled),
      ip,
    };
  } catch {
    return undefined;
  }
}

export interface ContainerRunOptions {
  readonly engine: EngineName;
  readonly engineVersion: string;
  readonly target: DrillTarget;
  readonly commandOverride?: string[];
  /** The signal whose disposition snapshots report (SIGTERM's 15 by default). */
  readonly stopSignalNumber?: number;
}

export async function startContainer(options: ContainerRunOptions): Promise<RunningWorkload> {
  const { engine, target } = options;
  const name = `drill-${target.name}-${process.pid}-${Math.floor(Math.random() * 1e6)}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
  const run = await engineCommand(engine, buildRunArgs(target, name, options.commandOverride), 300000);
  if (run.code !== 0) {
    await engineCommand(engine, ['rm', '-f', name]);
    throw new Error(`${engine} run failed: ${firstMeaningfulLine(run.stderr || run.error || run.output)}`);
  }
  const inspect = async () => parseInspect((await engineCommand(engine, ['inspect', name], 10000)).output);

  let exit: ExitStatus | undefined;
  let state = await inspect();
  const logs = new OutputTail();
  const logProc = spawn(engine, ['logs', '-f', name], { stdio: ['ignore', 'pipe', 'pipe'] });
  logProc.stdout?.on('data', (d) => logs.add(d));
  logProc.stderr?.on('data', (d) => logs.add(d));
  logProc.on('error', () => undefined);

  let polling = true;
  const exited = new Promise<ExitStatus>((resolve) => {
    const poll = async () => {
      while (polling) {
        const s = await inspect();
        if (s && !s.running) {
          exit = { code: s.exitCode, signal: null, atMs: nowMs() };
          resolve(exit);
          return;
        }
        if (s) state = s;
        await sleep(100);
      }
    };
    void poll();
  });

  const hostPid = () => (state && state.pid > 0 && fs.existsSync(`/proc/${state.pid}`) ? state.pid : undefined);
  const execs: ExecHandle[] = [];
  let cleaned = false;
  const engineLabel = `${engine}${options.engineVersion ? ' ' + options.engineVersion : ''}`;

  const signalNumber = options.stopSignalNumber ?? 15;
  const address = state?.ip || '127.0.0.1';
  return {
    description: {
      kind: 'container',
      mode: 'engine',
      engine,
      summary: `container from image ${target.image} on ${engineLabel} (no --init: the command is PID 1 of the container)`,
      network: state?.ip
        ? { mode: 'pod', address, summary: `the engine's container network; probes and httpGet hooks go to the container's address ${address}` }
        : {
            mode: 'host',
            address,
            summary: 'the engine reported no container address; probes and httpGet hooks went to 127.0.0.1',
            skipped: 'the engine reported no container address',
          },
    },
    command: [...(options.commandOverride ?? target.command ?? ['<image entrypoint>']), ...(target.args ?? [])],
    exited,
    exitStatus: () => exit,
    networkHost: async () => state?.ip || '127.0.0.1',
    execRefusal: () => undefined,
    exec(command) {
      const h = spawnCollect([engine, 'exec', name, ...command]);
      execs.push(h);
      return h;
    },
    async signal(sig) {
      if (exit) return;
      await engineCommand(engine, ['kill', '-s', sig.replace(/^SIG/, ''), name], 10000);
    },
    async snapshot(): Promise<SigtermSnapshot> {
      const pid = hostPid();
      if (pid === undefined) return { descendants: [], mainIsPid1: true };
      const main = readProcess(pid, signalNumber);
      const descendants = descendantsOf(readAllStats(), [pid])
        .map((p) => readProcess(p, signalNumber))
        .filter((p): p is ProcessInfo => p !== undefined);
      return { main, descendants, mainIsPid1: true };
    },
    async leftovers() {
      return {
        orphans: [],
        zombies: [],
        zombiesWhileRunning: [],
        observable: false,
        note: 'the engine ends every process of the container with its main process',
      };
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      polling = false;
      await Promise.all(execs.map((h) => h.killAndWait()));
      await engineCommand(engine, ['rm', '-f', name], 30000);
      try {
        logProc.kill('SIGKILL');
      } catch {
        /* gone */
      }
    },
    outputTail: () => logs.lines(),
  };
}
