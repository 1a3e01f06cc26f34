/**
 * The kubelet's stop sequence (kuberuntime killContainer, Kubernetes 1.27), played against a
 * running workload:
 *
 * 1. run the preStop hook and wait for it, at most the grace period;
 * 2. grace left = grace - whole seconds the hook took (Go truncates), at least 2 s; this floor is
 *    the "one-time 2 s extension" a hook that outlives the grace period gets;
 * 3. SIGTERM to the main process; wait the grace left;
 * 4. SIGKILL if it is still alive.
 *
 * A hook that is still running at step 3 is not stopped: like an exec in a container, it ends
 * with the container.
 */
import { describeHttpGet, describeProbe, httpGet, probeUsable, runProbe } from './probe';
import { nowMs, RunningWorkload } from './runtime';
import { DrillFacts, DrillTarget, ExitPhase, ExitStatus, PreStopResult, StartupResult } from './types';

export const MINIMUM_GRACE_SECONDS = 2;

/** Seconds rounded to milliseconds, for reports. */
const ms3 = (n: number) => Math.round(n * 1000) / 1000;

export interface SequenceOptions {
  readonly gracePeriodSeconds: number;
  /** Without a usable probe: how long to let the process start before stopping it. */
  readonly settleSeconds: number;
  /** With a probe: how long to wait for it to pass before stopping anyway. */
  readonly readyTimeoutSeconds: number;
}

/** Seconds between SIGTERM and SIGKILL, as killContainer computes them. Pure. */
export function termWindowSeconds(gracePeriodSeconds: number, preStopSeconds: number | undefined): number {
  let grace = gracePeriodSeconds;
  if (preStopSeconds !== undefined && grace > 0) grace -= Math.floor(preStopSeconds);
  return Math.max(grace, MINIMUM_GRACE_SECONDS);
}

type Race<T> = { kind: 'value'; value: T } | { kind: 'exit'; exit: ExitStatus } | { kind: 'timeout' };

/** Waits for a promise, the main process's exit, or a timeout, whichever comes first. */
async function race<T>(w: RunningWorkload, p: Promise<T> | undefined, timeoutMs: number): Promise<Race<T>> {
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

async function waitStartup(w: RunningWorkload, target: DrillTarget, opts: SequenceOptions, t0: number): Promise<StartupResult> {
  const seconds = () => ms3((nowMs() - t0) / 1000);
  const probe = target.readiness?.probe;
  const exitedEarly = (): StartupResult | undefined =>
    w.exitStatus() ? { how: 'exited', seconds: seconds(), detail: 'the process ended while starting' } : undefined;
  if (!probe || !probeUsable(probe)) {
    await race(w, undefined, opts.settleSeconds * 1000);
    const early = exitedEarly();
    if (early) return early;
    const why = probe ? `${target.readiness?.field} (${describeProbe(probe, target.ports)}) cannot be run by the drill` : 'no readiness or startup probe';
    return { how: 'settle', seconds: seconds(), detail: `${why}; running for ${opts.settleSeconds} s` };
  }
  const label = `${target.readiness?.field} ${describeProbe(probe, target.ports)}`;
  const deadline = nowMs() + opts.readyTimeoutSeconds * 1000;
  let last = '';
  while (nowMs() < deadline && !w.exitStatus()) {
    const r = await race(w, runProbe(probe, w, target.ports), deadline - nowMs());
    if (r.kind !== 'value') break;
    if (r.value.ok) return { how: 'probe', seconds: seconds(), detail: `${label} passed` };
    last = r.value.detail;
    await race(w, undefined, 100);
  }
  const early = exitedEarly();
  if (early) return early;
  return {
    how: 'probe-timeout',
    seconds: seconds(),
    detail: `${label} did not pass within ${opts.readyTimeoutSeconds} s${last ? ` (last: ${last})` : ''}; stopping anyway`,
  };
}

async function runPreStop(w: RunningWorkload, target: DrillTarget, graceMs: number): Promise<PreStopResult> {
  const hook = target.preStop;
  const t0 = nowMs();
  const seconds = () => ms3((nowMs() - t0) / 1000);
  if (!hook) return { outcome: 'none', seconds: 0 };
  if (graceMs <= 0) return { outcome: 'skipped', seconds: 0, error: 'grace period is 0: the kubelet skips preStop' };

  if (hook.exec) {
    const action = `exec ${hook.exec.command.join(' ')}`;
    const refusal = w.execRefusal(hook.exec.command);
    if (refusal) return { outcome: 'skipped', action, seconds: 0, error: refusal };
    const h = w.exec(hook.exec.command);
    const r = await race(w, h.done, graceMs);
    if (r.kind === 'timeout') return { outcome: 'outlived-grace', action, seconds: seconds() };
    if (r.kind === 'exit') {
      h.kill();
      return { outcome: 'container-exited', action, seconds: seconds() };
    }
    const res = r.value;
    const detail = res.error ?? (res.code === 0 ? undefined : lastLine(res.output));
    return {
      outcome: res.code === 0 ? 'succeeded' : 'failed',
      action,
      seconds: seconds(),
      exitCode: res.code,
      error: detail ?? (res.signal ? `killed by ${res.signal}` : undefined),
    };
  }
  if (hook.httpGet) {
    const host = await w.networkHost();
    const action = `httpGet ${describeHttpGet(hook.httpGet, host, target.ports)}`;
    const r = await race(w, httpGet(hook.httpGet, host, target.ports, graceMs), graceMs);
    if (r.kind === 'timeout') return { outcome: 'outlived-grace', action, seconds: seconds() };
    if (r.kind === 'exit') return { outcome: 'container-exited', action, seconds: seconds() };
    // the kubelet only fails an HTTP hook when the request fails; the status is reported anyway
    return {
      outcome: r.value.answered ? 'succeeded' : 'failed',
      action,
      seconds: seconds(),
      httpStatus: r.value.status,
      error: r.value.answered ? undefined : r.value.detail,
    };
  }
  if (hook.sleep) {
    const action = `sleep ${hook.sleep.seconds} s (preStop.sleep exists from Kubernetes 1.29)`;
    let timer: NodeJS.Timeout | undefined;
    const slept = new Promise<void>((resolve) => (timer = setTimeout(resolve, hook.sleep!.seconds * 1000)));
    const r = await race(w, slept, graceMs);
    clearTimeout(timer);
    if (r.kind === 'timeout') return { outcome: 'outlived-grace', action, seconds: seconds() };
    return { outcome: r.kind === 'exit' ? 'container-exited' : 'succeeded', action, seconds: seconds() };
  }
  if (hook.tcpSocket) {
    return {
      outcome: 'skipped',
      action: 'tcpSocket',
      seconds: 0,
      error: 'tcpSocket is not a lifecycle action the kubelet runs; it does nothing',
    };
  }
  return { outcome: 'skipped', seconds: 0, error: 'preStop has no action' };
}

function lastLine(text: string): string | undefined {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.length ? lines[lines.length - 1] : undefined;
}

/**
 * Plays startup, preStop, SIGTERM and SIGKILL against `w` and gathers the facts. Does not clean
 * up: the caller owns `w`.
 */
export type SequenceFacts = Omit<DrillFacts, 'pid1InCluster'>;

export async function runStopSequence(w: RunningWorkload, target: DrillTarget, opts: SequenceOptions): Promise<SequenceFacts> {
  const t0 = nowMs();
  const startup = await waitStartup(w, target, opts, t0);
  const graceMs = opts.gracePeriodSeconds * 1000;

  const base = { runtime: w.description, gracePeriodSeconds: opts.gracePeriodSeconds, startup };
  const finish = async (
    exit: ExitStatus,
    phase: ExitPhase,
    rest: Partial<Pick<DrillFacts, 'preStop' | 'sigterm' | 'termWindowSeconds' | 'sigkillSent'>> & { termAt?: number },
  ): Promise<SequenceFacts> => {
    const leftovers = await w.leftovers();
    return {
      ...base,
      preStop: rest.preStop ?? { outcome: 'none', seconds: 0 },
      sigterm: rest.sigterm,
      termWindowSeconds: rest.termWindowSeconds ?? termWindowSeconds(opts.gracePeriodSeconds, undefined),
      exit: {
        code: exit.code,
        signal: exit.signal,
        phase,
        secondsAfterSigterm: rest.termAt !== undefined && phase !== 'not-observed' ? ms3((exit.atMs - rest.termAt) / 1000) : undefined,
      },
      sigkillSent: rest.sigkillSent ?? false,
      leftovers,
      outputTail: w.outputTail(),
    };
  };

  const early = w.exitStatus();
  if (early) return finish(early, 'before-stop', {});

  // 1. preStop; the grace period starts here
  const stopStart = nowMs();
  const preStop = await runPreStop(w, target, graceMs);
  const hookSeconds = target.preStop && graceMs > 0 ? preStop.seconds : undefined;
  const window = termWindowSeconds(opts.gracePeriodSeconds, hookSeconds);
  const duringHook = w.exitStatus();
  if (duringHook) return finish(duringHook, 'during-prestop', { preStop, termWindowSeconds: window });

  // 2. SIGTERM to the main process
  const tree = await w.snapshot();
  const termAt = nowMs();
  await w.signal('SIGTERM');
  const sigterm = { ...tree, sentAtSeconds: ms3((termAt - stopStart) / 1000) };
  const r = await race(w, undefined, window * 1000);
  if (r.kind === 'exit') return finish(r.exit, 'after-sigterm', { preStop, sigterm, termWindowSeconds: window, termAt });

  // 3. SIGKILL
  await w.signal('SIGKILL');
  const k = await race(w, undefined, 10000);
  if (k.kind === 'exit') {
    return finish(k.exit, 'after-sigkill', { preStop, sigterm, termWindowSeconds: window, sigkillSent: true, termAt });
  }
  return finish({ code: null, signal: null, atMs: nowMs() }, 'not-observed', {
    preStop,
    sigterm,
    termWindowSeconds: window,
    sigkillSent: true,
    termAt,
  });
}
