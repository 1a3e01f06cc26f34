/**
 * Shutdown drill: plays the kubelet's stop sequence against one container of a manifest and
 * judges how it stopped. `runDrill` picks a runtime, runs the sequence, always cleans up, and
 * returns a report; `formatReport` renders it.
 */
import * as fs from 'fs';
import { detectEngine, EngineCheck, EngineName, startContainer } from './container-runtime';
import { runStopSequence } from './kubelet';
import { pid1Support, startLocal } from './local-runtime';
import { DEFAULT_GRACE_SECONDS } from './manifest';
import { createPodNetwork, PodNetwork, podNetworkSupport, removeAllPodNetworks } from './netns';
import { DrillSetupError, findExecutable, RunningWorkload } from './runtime';
import { parseStopSignal, unwrapInit } from './signals';
import { DrillReport, DrillTarget } from './types';
import { judge } from './verdict';

export { DrillInputError, loadTarget, parseManifest, targetFromObjects } from './manifest';
export { formatReport } from './report';
export { judge } from './verdict';
export { detectEngine, buildRunArgs } from './container-runtime';
export { pid1Support } from './local-runtime';
export { podNetworkSupport } from './netns';
export { parseStopSignal } from './signals';
export * from './types';

export { DrillSetupError } from './runtime';

export interface DrillOptions {
  readonly target: DrillTarget;
  /** `auto`: the container runtime when an engine works and the command is not runnable here, else local. */
  readonly runtime?: 'local' | 'container' | 'auto';
  /** Local runtime: run as PID 1 of a new PID namespace. `auto`: when possible, unless the pod shares its process namespace. */
  readonly pid1?: 'auto' | 'yes' | 'no';
  /**
   * Local runtime: `pod` = a network namespace of the container's own with a non-loopback address,
   * which probes and httpGet hooks are sent to (needs root and iproute2); `host` = this machine's
   * network, probes to 127.0.0.1; `auto` = pod when possible.
   * @default auto
   */
  readonly network?: 'auto' | 'pod' | 'host';
  /** The signal that starts the shutdown: the image's STOPSIGNAL (SIGQUIT for nginx). @default SIGTERM */
  readonly stopSignal?: string;
  /** Entrypoint to use instead of the manifest's command (the manifest's args still follow). */
  readonly commandOverride?: string[];
  /** Overrides terminationGracePeriodSeconds. */
  readonly gracePeriodSeconds?: number;
  /** @default 2 */
  readonly settleSeconds?: number;
  /** @default 60 */
  readonly readyTimeoutSeconds?: number;
  /** @default 0 (a runtime kills leftovers at once) */
  readonly leftoverWaitSeconds?: number;
  /** Local runtime: working directory. @default the container's workingDir when it exists here, else the current directory */
  readonly cwd?: string;
  readonly engine?: EngineName;
  /** Replaceable for tests of the selection logic. */
  readonly detectEngine?: (preferred?: EngineName) => Promise<EngineCheck>;
  /** Replaceable for tests of the path without root. */
  readonly podNetworkSupport?: () => { ok: boolean; reason?: string };
}

/** Why the local runtime cannot run the target, or undefined when it can. */
export function localRunProblem(target: DrillTarget, override: string[] | undefined, cwd: string): string | undefined {
  const command = override ?? target.command;
  if (!command?.length) {
    return (
      `${target.source} sets no command, so the entrypoint is whatever the image ${target.image ?? ''} defines, ` +
      'which is unknown outside the image; the local runtime needs an explicit command: pass --command'
    ).replace(/image {2}/, 'image ');
  }
  // an init in front runs another program: that one must exist here too
  const programs = [command[0], unwrapInit(command)[0]].filter((p, i, all): p is string => !!p && all.indexOf(p) === i);
  for (const program of programs) {
    if (!findExecutable(program, process.env.PATH, cwd)) {
      return `the local runtime cannot run '${program}': not an executable file here (looked in ${program.includes('/') ? cwd : 'PATH'})`;
    }
  }
  return undefined;
}

/** Chooses the runtime. Pure apart from the engine check it is given. */
export async function chooseRuntime(
  requested: 'local' | 'container' | 'auto',
  localProblem: string | undefined,
  engineCheck: () => Promise<EngineCheck>,
): Promise<{ runtime: 'local' } | { runtime: 'container'; engine: EngineName; version: string }> {
  if (requested === 'local') {
    if (localProblem) throw new DrillSetupError(localProblem);
    return { runtime: 'local' };
  }
  if (requested === 'auto' && !localProblem) return { runtime: 'local' };
  const check = await engineCheck();
  if (check.ok) return { runtime: 'container', engine: check.engine, version: check.version };
  const unavailable = `container runtime unavailable: ${check.reason}`;
  throw new DrillSetupError(requested === 'auto' ? `${localProblem}; ${unavailable}` : unavailable);
}

const active = new Set<RunningWorkload>();

/** Kills everything any running drill started and removes its networks (for signal handlers of the CLI). */
export async function cleanupAll(): Promise<void> {
  await Promise.all([...active].map((w) => w.cleanup()));
  await removeAllPodNetworks();
}

/** The pod network for a local run, or why there is none. */
async function podNetworkFor(options: DrillOptions): Promise<{ network?: PodNetwork; skipped?: string }> {
  const wanted = options.network ?? 'auto';
  if (wanted === 'host') return { skipped: '--network host' };
  const support = (options.podNetworkSupport ?? podNetworkSupport)();
  if (!support.ok) {
    if (wanted === 'pod') throw new DrillSetupError(`--network pod: a network namespace of its own is unavailable: ${support.reason}`);
    return { skipped: support.reason };
  }
  try {
    return { network: await createPodNetwork() };
  } catch (e) {
    throw new DrillSetupError(`cannot set up the container's network: ${(e as Error).message}`);
  }
}

export async function runDrill(options: DrillOptions): Promise<DrillReport> {
  const target = options.target;
  const notes = [...target.notes];
  let cwd = options.cwd ?? process.cwd();
  if (!options.cwd && target.workingDir) {
    if (fs.existsSync(target.workingDir)) cwd = target.workingDir;
    else notes.push(`workingDir ${target.workingDir} does not exist here; the local runtime uses ${cwd}`);
  }
  let stop;
  try {
    stop = parseStopSignal(options.stopSignal ?? 'SIGTERM');
  } catch (e) {
    throw new DrillSetupError(`--stop-signal: ${(e as Error).message}`);
  }
  if (options.stopSignal !== undefined) notes.push(`stop signal ${stop.name} (given with --stop-signal), as a runtime sends an image's STOPSIGNAL`);
  const grace = options.gracePeriodSeconds ?? target.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  if (options.gracePeriodSeconds !== undefined) notes.push(`grace period set to ${grace} s by --grace`);
  else if (target.terminationGracePeriodSeconds === undefined) notes.push(`terminationGracePeriodSeconds not set: the default ${DEFAULT_GRACE_SECONDS} s applies`);

  const choice = await chooseRuntime(options.runtime ?? 'auto', localRunProblem(target, options.commandOverride, cwd), () =>
    (options.detectEngine ?? detectEngine)(options.engine),
  );

  let workload: RunningWorkload;
  let network: PodNetwork | undefined;
  if (choice.runtime === 'container') {
    if (!target.image) throw new DrillSetupError(`${target.source} has no image for the container runtime`);
    try {
      workload = await startContainer({
        engine: choice.engine,
        engineVersion: choice.version,
        target,
        commandOverride: options.commandOverride,
        stopSignalNumber: stop.number,
      });
    } catch (e) {
      throw new DrillSetupError(`container runtime: ${(e as Error).message}`);
    }
  } else {
    const pid1Wanted = options.pid1 ?? 'auto';
    const support = pid1Wanted === 'no' ? { ok: false } : pid1Support();
    let pid1 = false;
    if (pid1Wanted === 'yes') {
      if (!support.ok) throw new DrillSetupError(`--pid1 yes: PID 1 emulation unavailable: ${support.reason}`);
      pid1 = true;
    } else if (pid1Wanted === 'auto') {
      if (target.shareProcessNamespace) notes.push('the pod sets shareProcessNamespace: true, so the app is not PID 1; ran it as an ordinary process');
      else if (!support.ok) notes.push(`PID 1 emulation unavailable (${support.reason}); ran as an ordinary process, PID 1 behaviour is inferred from the signal dispositions`);
      else pid1 = true;
    }
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(target.env)) {
      if (k === 'PATH') notes.push('the container sets PATH; the local runtime keeps this machine\'s PATH');
      else env[k] = v;
    }
    const command = [...(options.commandOverride ?? target.command ?? []), ...(target.args ?? [])];
    const net = await podNetworkFor(options);
    network = net.network;
    if (net.skipped) {
      notes.push(
        `pod address not checked (${net.skipped}): probes and httpGet hooks went to 127.0.0.1, so an app that listens on ` +
          'loopback only passes here but fails in a pod, where they go to the pod IP',
      );
    }
    try {
      workload = await startLocal({
        command, pid1, cwd, env, leftoverWaitSeconds: options.leftoverWaitSeconds ?? 0, stopSignal: stop, network, hostNetworkReason: net.skipped,
      });
    } catch (e) {
      await network?.remove();
      throw new DrillSetupError((e as Error).message);
    }
  }

  active.add(workload);
  try {
    const { notes: sequenceNotes, ...facts } = await runStopSequence(workload, target, {
      gracePeriodSeconds: grace,
      settleSeconds: options.settleSeconds ?? 2,
      readyTimeoutSeconds: options.readyTimeoutSeconds ?? 60,
      stopSignal: stop.name,
    });
    const withExpectation = {
      ...facts,
      pid1InCluster: workload.description.kind === 'container' || !target.shareProcessNamespace,
    };
    return {
      target: { source: target.source, kind: target.kind, name: target.name, container: target.container, image: target.image },
      command: workload.command,
      facts: withExpectation,
      verdict: judge(withExpectation),
      notes: [...notes, ...sequenceNotes],
    };
  } finally {
    await workload.cleanup();
    active.delete(workload);
    await network?.remove();
  }
}
