/**
 * Graceful shutdown. The kubelet starts one clock when a pod is deleted: the preStop hook runs,
 * then SIGTERM is sent, then SIGKILL when terminationGracePeriodSeconds is over. preStop and the
 * app's own shutdown therefore share one budget, and the grace period is derived from both.
 */
import { Duration } from 'cdk8s';
import { INT64_SECONDS_MAX, wholeSeconds } from './durations';
import { requireSetting } from './errors';
import { LifecycleHook } from './lifecycle-hook';
import { DEFAULT_APP_SHUTDOWN_SECONDS, SHUTDOWN_SAFETY_MARGIN_SECONDS } from './shutdown-defaults';

export { INT64_SECONDS_MAX, wholeSeconds } from './durations';
export * from './lifecycle-hook';

/** Time a typical stateless service needs after SIGTERM to finish in-flight requests. */
export const DEFAULT_APP_SHUTDOWN = Duration.seconds(DEFAULT_APP_SHUTDOWN_SECONDS);
/** Slack on top of preStop + shutdown: signal delivery, slow disks and the kubelet's own timing. */
export const SHUTDOWN_SAFETY_MARGIN = Duration.seconds(SHUTDOWN_SAFETY_MARGIN_SECONDS);

/** How the pod stops: the preStop hook, the app's own shutdown time and the grace period. */
export interface ShutdownProps {
  /**
   * What runs before SIGTERM.
   * @default LifecycleHook.drainPause() for workloads that serve traffic
   */
  readonly preStop?: LifecycleHook;
  /**
   * How long the app needs after SIGTERM to finish its work and exit.
   * @default 20 seconds (stateless); workloads may pass their own default
   */
  readonly appShutdown?: Duration;
  /**
   * An explicit terminationGracePeriodSeconds. Must cover preStop + appShutdown.
   * @default preStop + appShutdown + 5 s safety margin
   */
  readonly terminationGracePeriod?: Duration;
}

export interface ShutdownDefaults {
  readonly preStop: LifecycleHook;
  readonly appShutdown: Duration;
}

export interface ShutdownPlan {
  readonly preStop: LifecycleHook;
  readonly preStopSeconds: number;
  readonly appShutdownSeconds: number;
  readonly marginSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  /** e.g. "grace 30s = preStop 5s + app shutdown 20s + margin 5s" */
  readonly explanation: string;
}

/** Derives the grace period from the preStop hook and the app's shutdown time. */
export function planShutdown(props: ShutdownProps = {}, defaults: ShutdownDefaults, sidecarHooks: LifecycleHook[] = []): ShutdownPlan {
  const preStop = props.preStop ?? defaults.preStop;
  const appShutdownSeconds = wholeSeconds(props.appShutdown ?? defaults.appShutdown, 'shutdown.appShutdown');
  // Every container's preStop runs in parallel on the same clock; the longest one counts.
  const preStopSeconds = Math.max(preStop.seconds, ...sidecarHooks.map((h) => h.seconds));
  const needed = preStopSeconds + appShutdownSeconds;
  if (props.terminationGracePeriod !== undefined) {
    const explicit = wholeSeconds(props.terminationGracePeriod, 'shutdown.terminationGracePeriod', INT64_SECONDS_MAX);
    requireSetting(explicit >= needed, 'shutdown.terminationGracePeriod', `${explicit}s`,
      `is shorter than preStop (${preStopSeconds}s) + appShutdown (${appShutdownSeconds}s) = ${needed}s, so the kubelet would SIGKILL the app mid-shutdown`,
      `leave terminationGracePeriod unset to derive ${needed + SHUTDOWN_SAFETY_MARGIN.toSeconds()}s, set it to at least ${needed}s, or shorten preStop/appShutdown`);
    return {
      preStop, preStopSeconds, appShutdownSeconds, marginSeconds: explicit - needed,
      terminationGracePeriodSeconds: explicit,
      explanation: `grace ${explicit}s (explicit) >= preStop ${preStopSeconds}s + app shutdown ${appShutdownSeconds}s`,
    };
  }
  const margin = SHUTDOWN_SAFETY_MARGIN.toSeconds();
  const grace = needed + margin;
  return {
    preStop, preStopSeconds, appShutdownSeconds, marginSeconds: margin,
    terminationGracePeriodSeconds: grace,
    explanation: `grace ${grace}s = preStop ${preStopSeconds}s + app shutdown ${appShutdownSeconds}s + margin ${margin}s`,
  };
}

