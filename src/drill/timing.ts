/**
 * The kubelet's grace-period arithmetic and how close a drill's verdict is to flipping. Pure.
 *
 * The kubelet (kuberuntime killContainer; the same from 1.27 to today) runs preStop and waits for
 * it at most the grace period, then takes `int64(elapsed.Seconds())` off the grace period: Go
 * truncates, so a hook of 2.99 s costs 2 s and one of 3.01 s costs 3 s. Whatever is left, but at
 * least 2 s, is the time between the stop signal and SIGKILL; a hook that used up the whole grace
 * period therefore still leaves 2 s (the "one-time 2 s extension").
 *
 * A drill measures the hook with its own costs (spawning it, entering the namespaces) and its own
 * clock, which may run late; a kubelet measures it with the container runtime's costs. So a hook
 * near a whole second may be truncated one way here and the other way in a cluster, and the
 * window left for shutdown differs by a second. `flipWarnings` says when that, or a shutdown that
 * ended near the end of its window, could turn the verdict around.
 */
import { DrillFacts } from './types';

export const MINIMUM_GRACE_SECONDS = 2;

/** The least margin assumed: a kubelet's exec through the container runtime costs time the drill cannot know. */
export const MIN_MARGIN_SECONDS = 0.2;

export interface KubeletWindow {
  /** Whole seconds of preStop taken off the grace period. */
  readonly deducted: number;
  /** Seconds between the stop signal and SIGKILL. */
  readonly window: number;
  /** The 2 s minimum applied. */
  readonly extended: boolean;
}

/** What killContainer computes from the grace period and the time the hook took (undefined: no hook ran). */
export function kubeletWindow(gracePeriodSeconds: number, preStopSeconds: number | undefined): KubeletWindow {
  const deducted = preStopSeconds !== undefined && gracePeriodSeconds > 0 ? Math.trunc(Math.max(0, preStopSeconds)) : 0;
  const left = gracePeriodSeconds - deducted;
  return { deducted, window: Math.max(left, MINIMUM_GRACE_SECONDS), extended: left < MINIMUM_GRACE_SECONDS };
}

/** Seconds between the stop signal and SIGKILL, as killContainer computes them. */
export function termWindowSeconds(gracePeriodSeconds: number, preStopSeconds: number | undefined): number {
  return kubeletWindow(gracePeriodSeconds, preStopSeconds).window;
}

/** A margin from the costs measured on a path (seconds), never below MIN_MARGIN_SECONDS. */
export function marginSeconds(...costs: (number | undefined)[]): number {
  const sum = costs.reduce<number>((a, b) => a + (b ?? 0), 0);
  return Math.max(MIN_MARGIN_SECONDS, Math.round(sum * 1000) / 1000);
}

const s2 = (n: number) => `${n.toFixed(2)} s`;
const whole = (n: number) => `${n} s`;

/**
 * Windows a kubelet could give when the hook's time is anywhere in [h - margin, h + margin]:
 * one per whole second in that range, the hook's time capped at the grace period (the kubelet
 * stops waiting there).
 */
export function possibleWindows(gracePeriodSeconds: number, hookSeconds: number, margin: number): KubeletWindow[] {
  const lo = Math.max(0, hookSeconds - margin);
  const hi = Math.min(hookSeconds + margin, gracePeriodSeconds);
  const out: KubeletWindow[] = [];
  for (let d = Math.trunc(lo); d <= Math.trunc(Math.max(lo, hi)); d++) {
    const w = kubeletWindow(gracePeriodSeconds, d);
    if (!out.some((o) => o.window === w.window)) out.push(w);
  }
  return out;
}

/** Seconds from the stop signal to the exit: what the kernel reported when known, else what the drill saw. */
export function shutdownSeconds(facts: Pick<DrillFacts, 'exit' | 'timing'>): number | undefined {
  return facts.timing.exitCallSeconds ?? facts.exit.secondsAfterSigterm;
}

/**
 * Warnings for a verdict that is within the measurement margin of flipping:
 * - the preStop time is near a whole second, so a kubelet may deduct one second more or less, and
 *   the other window would have changed how shutdown ended;
 * - the hook nearly used up the grace period (in a cluster it may be cut off);
 * - shutdown ended within the margin of SIGKILL.
 * `handlesStopSignal`: whether the app was shutting down when it was SIGKILLed (a longer window
 * could have let it finish); unknown apps are not given the benefit of the doubt.
 */
export function flipWarnings(facts: DrillFacts, handlesStopSignal: boolean): string[] {
  const out: string[] = [];
  const t = facts.timing;
  const grace = facts.gracePeriodSeconds;
  const window = facts.termWindowSeconds;
  const p = facts.preStop;
  const phase = facts.exit.phase;
  const signal = facts.stopSignal;
  const shutdown = shutdownSeconds(facts);

  if (t.hookMarginSeconds !== undefined && (p.outcome === 'succeeded' || p.outcome === 'failed')) {
    const m = t.hookMarginSeconds;
    const measured =
      `preStop took ${s2(p.seconds)} (±${s2(m)}` +
      (p.startSeconds !== undefined ? `; ${s2(p.startSeconds)} of it was the drill starting the hook` : '') +
      ')';
    for (const alt of possibleWindows(grace, p.seconds, m)) {
      if (alt.window === window) continue;
      const how =
        `${measured}; the kubelet truncates it to whole seconds, so in a cluster it may deduct ${whole(alt.deducted)} instead of ` +
        `${whole(t.deductedSeconds)} and leave ${whole(alt.window)} instead of ${whole(window)} between ${signal} and SIGKILL`;
      if (phase === 'after-sigterm' && shutdown !== undefined && shutdown >= alt.window) {
        out.push(`knife edge: ${how}, less than the ${s2(shutdown)} this shutdown took: the verdict would flip to FAIL there.`);
      } else if ((phase === 'after-sigkill' || phase === 'not-observed') && alt.window > window && handlesStopSignal) {
        out.push(`knife edge: ${how}; the app was still shutting down when SIGKILL came here, and might finish in ${whole(alt.window)}: the verdict may be PASS there.`);
      }
    }
    if (grace > 0 && p.seconds + m >= grace) {
      out.push(
        `knife edge: ${measured} of the ${whole(grace)} grace period: in a cluster it may not finish in time, and then ${signal} comes with only the ${MINIMUM_GRACE_SECONDS} s minimum left.`,
      );
    }
  }
  if (phase === 'after-sigterm' && shutdown !== undefined && window - shutdown <= t.exitMarginSeconds) {
    out.push(
      `knife edge: shutdown took ${s2(shutdown)} of the ${whole(window)} between ${signal} and SIGKILL, within the ` +
        `${s2(t.exitMarginSeconds)} margin of the drill's timing: in a cluster it may be SIGKILLed.`,
    );
  }
  return out;
}
