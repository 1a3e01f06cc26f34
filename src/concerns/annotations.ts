/**
 * Annotation keys the workloads write and the rules read back. They live below both layers so
 * that rules/ never has to reach up into workloads/ for a name.
 */

/** On every pod: how the grace period was derived ("grace 30s = preStop 5s + app shutdown 20s + margin 5s"). */
export const SHUTDOWN_BUDGET_ANNOTATION = 'resilient.cdk8s.io/shutdown-budget';
