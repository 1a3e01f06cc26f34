/** Public API of cdk8s-resilient. */
export * from './concerns/errors';
export * from './concerns/labels';
export * from './concerns/shutdown';
export * from './concerns/init-process';
export * from './concerns/probes';
export * from './concerns/placement';
export * from './concerns/disruption-budget';
export * from './concerns/rollout';
export * from './concerns/scaling';
export * from './concerns/resources';
export * from './concerns/security';
export * from './workloads/identity';
export * from './workloads/pod';
export * from './workloads/service';
export * from './workloads/resilient-deployment';
export * from './workloads/final-patch';
