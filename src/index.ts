/**
 * Public API of cdk8s-resilient, the same in every cdk8s language (jsii): the constructs, their
 * props, the value classes and enums users call. The pure planners behind them (concerns/) stay
 * internal. TypeScript-only extras are marked `@jsii ignore` (the cdk8s-cli validation plugin, the
 * error classes); the audit engine is the separate entry point `cdk8s-resilient/audit`.
 */

// The constructs and their props.
export { ResilientDeployment } from './workloads/resilient-deployment';
export type { ResilientDeploymentProps } from './workloads/resilient-deployment';
export { ResilientStatefulSet } from './workloads/resilient-stateful-set';
export type { ResilientStatefulSetProps, StatefulRolloutProps, HeadlessServiceOptions } from './workloads/resilient-stateful-set';
export { ResilientJob } from './workloads/resilient-job';
export type { ResilientJobProps } from './workloads/resilient-job';
export { ResilientCronJob } from './workloads/resilient-cron-job';
export type { ResilientCronJobProps } from './workloads/resilient-cron-job';
export { ResilientDaemonSet } from './workloads/resilient-daemon-set';
export type { ResilientDaemonSetProps } from './workloads/resilient-daemon-set';
export type { ResilientPodProps, ResilientContainerProps } from './workloads/pod';
export type { IdentityProps } from './workloads/identity';
export type { ServiceOptions } from './workloads/service';

// What the props are made of.
export { LifecycleHook } from './concerns/shutdown';
export type { ShutdownProps, DrainPauseOptions, NginxQuitOptions, HttpGetHookOptions, PostgresShutdownOptions } from './concerns/shutdown';
export { InitProcess, InitKind } from './concerns/init-process';
export { HealthCheck } from './concerns/probes';
export type { ProbesProps, ProbeTiming, HttpCheckOptions, PortCheckOptions, GrpcCheckOptions } from './concerns/probes';
export { SpreadMode } from './concerns/placement';
export type { PlacementProps } from './concerns/placement';
export type { DisruptionBudgetProps } from './concerns/disruption-budget';
export type { RolloutProps } from './concerns/rollout';
export type { AutoscalingProps } from './concerns/scaling';
export { ClaimRetention } from './concerns/storage';
export type { VolumeClaimProps, ClaimMount, ClaimRetentionProps } from './concerns/storage';
export type { JobRunProps, JobProps, CronScheduleProps } from './concerns/batch';
export { Tolerations } from './concerns/node-agent';
export type { DaemonSetRolloutProps, TaintToleranceOptions } from './concerns/node-agent';
export { ImageTools, ShellTool, HelperInjection } from './concerns/image-tools';
export type { InitBinaryPaths, HelperImageProps } from './concerns/image-tools';

// Profiles and rule overrides.
export { ResilienceProfile } from './profiles/profile';
export type { ProfileSettings, RuleSeverity } from './profiles/profile';
export { Rules } from './rules/synth';
export { Severity } from './rules/severity';

// TypeScript only.
export { InvalidSetting, ResilientConfigError } from './concerns/errors';
export { ResilienceValidation } from './validation-plugin';
export type { ResilienceValidationProps, ValidationContextLike, ValidationViolationLike, ValidationViolatingResourceLike } from './validation-plugin';
