/**
 * The shutdown figures the library assumes, in seconds. Kept apart from shutdown.ts (which states
 * them as cdk8s Durations) so that the audit's rules load without cdk8s.
 */

/** Time a typical stateless service needs after SIGTERM to finish in-flight requests. */
export const DEFAULT_APP_SHUTDOWN_SECONDS = 20;
/** Slack on top of preStop + shutdown: signal delivery, slow disks and the kubelet's own timing. */
export const SHUTDOWN_SAFETY_MARGIN_SECONDS = 5;
/** Pause before the app is told to stop, so endpoints and load balancers move traffic away. */
export const DEFAULT_DRAIN_PAUSE_SECONDS = 5;
