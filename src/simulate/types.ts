/** The shapes `simulate` passes between its layers: workloads, measurements, verdicts, the report. */
import type { KubeObject } from './kube-client';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: string[] }>;
}

/** A PodDisruptionBudget's allowance as written (an absolute number or a percentage). */
export interface DisruptionBudget {
  readonly name: string;
  readonly minAvailable?: number | string;
  readonly maxUnavailable?: number | string;
}

/** One workload of the input, as simulate runs it. */
export interface Workload {
  readonly kind: WorkloadKind;
  readonly name: string;
  /** The namespace simulate created for the input this workload came from. */
  readonly namespace: string;
  /** The input PATH it came from. */
  readonly input: string;
  readonly selector?: LabelSelector;
  /** spec.replicas as written (undefined: the API server's default of 1, or an autoscaler's). */
  readonly replicas?: number;
  /** minReplicas of a HorizontalPodAutoscaler that scales it. */
  readonly autoscalerMinReplicas?: number;
  /** The PodDisruptionBudget whose selector matches its pods. */
  readonly budget?: DisruptionBudget;
  /** Why a single replica is acceptable, when the manifest says so (suppress.replicas-too-few). */
  readonly singleReplicaReason?: string;
  /** Deployment/StatefulSet/DaemonSet update strategy type. */
  readonly strategy?: string;
  readonly progressDeadlineSeconds?: number;
  /** The manifest as applied (after simulate's timing annotations). */
  readonly manifest: KubeObject;
}

export type ScenarioId = 'start' | 'rolling-update' | 'node-drain' | 'zone-outage' | 'stateful-set' | 'job-eviction' | 'cron-job';

export const SCENARIOS: readonly ScenarioId[] = ['start', 'rolling-update', 'node-drain', 'zone-outage', 'stateful-set', 'job-eviction', 'cron-job'];

/**
 * pass; fail; accepted (an availability failure the manifest explicitly accepts, with its reason);
 * skipped (the scenario does not apply, or could not run here: the reason says which).
 */
export type Verdict = 'pass' | 'fail' | 'accepted' | 'skipped';

export type Numbers = Record<string, number | string | boolean | null>;

/** The verdict of one scenario for one workload. */
export interface ScenarioResult {
  readonly scenario: ScenarioId;
  /** "Deployment/web". */
  readonly workload: string;
  readonly input: string;
  readonly namespace: string;
  readonly verdict: Verdict;
  /** What was measured, machine-readable (JSON output). */
  readonly numbers: Numbers;
  /** The numbers in a few words, for the table ("lowest ready 3/3, surge 1, 42 s of 600 s"). */
  readonly summary: string;
  /** Why it failed, was accepted or skipped; empty when it passed. */
  readonly reasons: string[];
}

export interface SimulationReport {
  readonly cluster: { readonly context: string; readonly server: string; readonly kubernetesVersion: string; readonly nodes: number; readonly simulatedNodes: boolean };
  readonly inputs: ReadonlyArray<{ readonly path: string; readonly namespace: string; readonly objects: number }>;
  readonly settings: Readonly<Record<string, number | string | undefined>>;
  readonly results: readonly ScenarioResult[];
  /** Things the reader should know: skipped objects, capped grace periods. */
  readonly notes: readonly string[];
  readonly passed: boolean;
  readonly seconds: number;
}
