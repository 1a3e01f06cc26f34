/**
 * The kubelet's stop sequence (kuberuntime killContainer), played against a running workload:
 *
 * 1. run the preStop hook and wait for it, at most the grace period;
 * 2. grace left = grace - whole seconds the hook took (Go truncates), at least 2 s; this floor is
 *    the "one-time 2 s extension" a hook that outlives the grace period gets (timing.ts);
 * 3. the stop signal (SIGTERM, or the image's STOPSIGNAL) to the main process; wait the grace left;
 * 4. SIGKILL if it is still alive.
 *
 * A hook that is still running at step 3 is not stopped: like an exec in a container, it ends
 * with the container. Probes and httpGet hooks go to the container's address (the pod IP with a
 * pod network), as the kubelet sends them.
 */
import { startupProbe } from './startup';
import { describeHttpGet, httpGet } from './probe';
import { nowMs, race, RunningWorkload, within } from './runtime';
import { kubeletWindow, marginSeconds } from './timing';
import { DrillFacts, DrillTarget, ExitPhase, ExitStatus, PreStopResult, TimingFacts } from './types';

export { MINIMUM_GRACE_SECONDS, termWindowSeconds } from './timing';

/** Seconds rounded to milliseconds, for reports. */
export const ms3 = (n: number) => Math.round(n * 1000) / 1000;

export interface SequenceOptions {
  readonly gracePeriodSeconds: number;
  /** Without a usable probe: how long to let the process start before stopping it. */
  readonly settleSeconds: number;
  /** With a probe: how long to wait for it to pass before stopping anyway. */
  readonly readyTimeoutSeconds: number;
  /** @default SIGTERM */
  readonly stopSignal?: NodeJS.Signals;
}

/** Watches how late this process's event loop runs: the drill's clock is only as exact as that. */
function lagMonitor(): { worstMs: () => number; stop: () => void } {
  const TICK = 10;
  let worst = 0;
  let last = nowMs();
  const timer = setInterval(() => {
    const t = nowMs();
    worst = Math.max(worst, t - last - TICK);
    last = t;
  }, TICK);
  timer.unref();
  return { worstMs: () => Math.max(0, worst), stop: () => clearInterval(timer) };
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
    const took = seconds();
    const start = h.startSeconds ? await within(h.startSeconds, 2000) : undefined;
    const startSeconds = start !== undefined ? ms3(start) : undefined;
    if (r.kind === 'timeout') return { outcome: 'outlived-grace', action, seconds: took, startSeconds };
    // The main process began its exit while the hook ran (a hook that stops the app): when PID 1
    // exits, the kernel ends the hook too, and the hook's end may be seen before the exit is.
    if (r.kind === 'exit' || (r.kind === 'value' && (w.exitStatus() || w.exitCalledAtMs?.() !== undefined))) {
      h.kill();
      return { outcome: 'container-exited', action, seconds: took, startSeconds };
    }
    const res = r.value;
    const detail = res.error ?? (res.code === 0 ? undefined : lastLine(res.output));
    return {
      outcome: res.code === 0 ? 'succeeded' : 'failed',
      action,
      seconds: took,
      startSeconds,
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
 * Plays startup, preStop, the stop signal and SIGKILL against `w` and gathers the facts. Does not
 * clean up: the caller owns `w`. Throws DrillSetupError when the readiness probe cannot run.
 */
export type SequenceFacts = Omit<DrillFacts, 'pid1InCluster'>;

export async function runStopSequence(w: RunningWorkload, target: DrillTarget, opts: SequenceOptions): Promise<SequenceFacts & { notes: string[] }> {
  const t0 = nowMs();
  const stopSignal = opts.stopSignal ?? 'SIGTERM';
  const startup = await startupProbe(w, target, opts, t0);
  const graceMs = opts.gracePeriodSeconds * 1000;
  const notes: string[] = [];

  const base = { runtime: w.description, gracePeriodSeconds: opts.gracePeriodSeconds, stopSignal, startup };
  const lag = lagMonitor();
  const finish = async (
    exit: ExitStatus,
    phase: ExitPhase,
    rest: Partial<Pick<DrillFacts, 'preStop' | 'sigterm' | 'sigkillSent'>> & { termAt?: number },
  ): Promise<SequenceFacts & { notes: string[] }> => {
    lag.stop();
    const leftovers = await w.leftovers();
    const preStop = rest.preStop ?? { outcome: 'none', seconds: 0 };
    const hookSeconds = target.preStop && graceMs > 0 && preStop.outcome !== 'skipped' ? preStop.seconds : undefined;
    const kubelet = kubeletWindow(opts.gracePeriodSeconds, hookSeconds);
    const lagSeconds = ms3(lag.worstMs() / 1000);
    const termAt = rest.termAt;
    const calledAt = w.exitCalledAtMs?.();
    const passedAt = w.stopSignalPassedAtMs?.();
    const exitCallSeconds =
      termAt !== undefined && calledAt !== undefined && calledAt >= termAt && phase === 'after-sigterm' ? ms3((calledAt - termAt) / 1000) : undefined;
    const signalRelaySeconds = termAt !== undefined && passedAt !== undefined ? ms3(Math.max(0, passedAt - termAt) / 1000) : undefined;
    const timing: TimingFacts = {
      loopLagSeconds: lagSeconds,
      hookMarginSeconds: hookSeconds !== undefined ? marginSeconds(preStop.startSeconds, lagSeconds) : undefined,
      exitMarginSeconds: marginSeconds(signalRelaySeconds, exitCallSeconds !== undefined ? 0 : lagSeconds),
      deductedSeconds: kubelet.deducted,
      extended: kubelet.extended,
      exitCallSeconds,
      signalRelaySeconds,
    };
    return {
      ...base,
      preStop,
      sigterm: rest.sigterm,
      termWindowSeconds: kubelet.window,
      exit: {
        code: exit.code,
        signal: exit.signal,
        phase,
        secondsAfterSigterm: termAt !== undefined && phase !== 'not-observed' ? ms3((exit.atMs - termAt) / 1000) : undefined,
      },
      sigkillSent: rest.sigkillSent ?? false,
      leftovers,
      timing,
      outputTail: w.outputTail(),
      notes,
    };
  };

  const early = w.exitStatus();
  if (early) return finish(early, 'before-stop', {});
  notes.push(...((await w.prepareStop?.()) ?? []));
  const beforeHook = w.exitStatus();
  if (beforeHook) return finish(beforeHook, 'before-stop', {});

  // 1. preStop; the grace period starts here
  const stopStart = nowMs();
  const preStop = await runPreStop(w, target, graceMs);
  const hookSeconds = target.preStop && graceMs > 0 ? preStop.seconds : undefined;
  const window = kubeletWindow(opts.gracePeriodSeconds, hookSeconds).window;
  const duringHook = w.exitStatus();
  if (duringHook) return finish(duringHook, 'during-prestop', { preStop });

  // 2. the stop signal to the main process
  const tree = await w.snapshot();
  const termAt = nowMs();
  await w.signal(stopSignal);
  const sigterm = { ...tree, sentAtSeconds: ms3((termAt - stopStart) / 1000) };
  const deadline = termAt + window * 1000;
  const r = await race(w, undefined, window * 1000);
  if (r.kind === 'exit') return finish(r.exit, 'after-sigterm', { preStop, sigterm, termAt });
  // The exit watch may know that the main process began its exit in time while the drill has not
  // seen the end of it yet (the watch holds it while it looks around): that is not a SIGKILL case.
  const calledAt = w.exitCalledAtMs?.();
  if (calledAt !== undefined && calledAt <= deadline) {
    const exit = await within(w.exited, 10000);
    if (exit) return finish(exit, 'after-sigterm', { preStop, sigterm, termAt });
  }

  // 3. SIGKILL
  await w.signal('SIGKILL');
  const k = await race(w, undefined, 10000);
  if (k.kind === 'exit') return finish(k.exit, 'after-sigkill', { preStop, sigterm, sigkillSent: true, termAt });
  return finish({ code: null, signal: null, atMs: nowMs() }, 'not-observed', { preStop, sigterm, sigkillSent: true, termAt });
}
