/**
 * The simulation, for TypeScript and JavaScript: `import { simulate } from 'cdk8s-resilient/simulate'`.
 * It applies manifests to a cluster of simulated nodes and reports, per workload and scenario,
 * whether availability held; `cdk8s-resilient simulate` is built on it. Other languages run the
 * command instead. Not part of the jsii API (nothing here is reachable from index.ts).
 */
export * from './simulate';
