/**
 * ResilientJob: run-to-completion work that always ends (deadline), retries what is worth
 * retrying, is not charged for drains and preemption, shuts down gracefully when its node is
 * drained, and cleans up after itself. A composition only: the decisions live in concerns/batch.
 *
 * There is no PodDisruptionBudget: a Job's pod is replaced when it is disrupted, and a budget
 * would only make node drains wait for the Job (see docs/batch-and-node-workloads.md).
 */
import { ApiObject, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DEFAULT_BATCH_SHUTDOWN, JobPlan, JobProps, JobRunPlan, planJob, planPodFailurePolicy, PodFailurePolicySpec } from '../concerns/batch';
import { withConstructPath } from '../concerns/errors';
import { LifecycleHook, ShutdownDefaults } from '../concerns/shutdown';
import { addFinalJsonPatch } from './final-patch';
import { IdentityProps, labelAll, objectName, resolveIdentity } from './identity';
import { applyPodResilience, PodPlan, PodResilienceOptions, ResilientPodProps, cdk8sPlusPodProps } from './pod';
import { requireUniqueObjects } from './unique-objects';
import { attachResilienceRules } from '../rules/synth';

/**
 * A ResilientJob: its pod, identity and run settings.
 *
 * The main container has no probes unless given (a liveness probe can catch a run that hangs
 * without exiting) and no preStop hook: a Job receives no Service traffic, so there is nothing to
 * drain before SIGTERM; the app gets 30 s to finish or roll back its current unit of work.
 * Kubernetes 1.27 has no native sidecars: a Job's pod finishes only when every container has
 * exited, so a sidecar that never exits on its own (a proxy, a log shipper) keeps the pod running
 * until activeDeadline fails the Job.
 */
export interface ResilientJobProps extends ResilientPodProps, IdentityProps, JobProps {}

/** Pod settings shared by Jobs and CronJobs: no spreading, no default probes, no preStop. */
export const BATCH_SHUTDOWN_DEFAULTS: ShutdownDefaults = { preStop: LifecycleHook.none(), appShutdown: DEFAULT_BATCH_SHUTDOWN };

export function batchPodOptions(selector: Record<string, string>, podSpecPath?: string): PodResilienceOptions {
  return { shutdownDefaults: BATCH_SHUTDOWN_DEFAULTS, selector, podSpecPath, probesByDefault: false, spread: false };
}

/** The Job spec fields cdk8s-plus does not express, as patches under `jobSpecPath`. */
export function jobRunPatches(jobSpecPath: string, run: JobRunPlan, podFailurePolicy: PodFailurePolicySpec | undefined): JsonPatch[] {
  return [
    JsonPatch.add(`${jobSpecPath}/completions`, run.completions),
    JsonPatch.add(`${jobSpecPath}/parallelism`, run.parallelism),
    ...(podFailurePolicy ? [JsonPatch.add(`${jobSpecPath}/podFailurePolicy`, podFailurePolicy)] : []),
  ];
}

export function restartPolicyOf(run: JobRunPlan): kplus.RestartPolicy {
  return run.restartPolicy === 'Never' ? kplus.RestartPolicy.NEVER : kplus.RestartPolicy.ON_FAILURE;
}

/**
 * Run-to-completion work that always ends (a deadline), retries what is worth retrying, is not
 * charged for drains and preemption, shuts down gracefully when its node is drained, and cleans
 * up after itself: a cdk8s-plus Job with a pod failure policy.
 */
export class ResilientJob extends Construct {
  /** The cdk8s-plus Job: reach for it for anything this construct does not cover. */
  public readonly job: kplus.Job;
  /** The Job's ApiObject, for JSON patches. */
  public readonly apiObject: ApiObject;
  /** The recommended labels on every object of this workload. */
  public readonly labels: Record<string, string>;
  /**
   * What was decided for the pod.
   * @jsii ignore
   */
  public readonly pod: PodPlan;
  /**
   * backoffLimit, deadlines, ttl, restart policy, completions and parallelism as decided.
   * @jsii ignore
   */
  public readonly settings: JobPlan;
  /**
   * undefined with restartPolicy OnFailure, or when there is no rule to put in it.
   * @jsii ignore
   */
  public readonly podFailurePolicy?: PodFailurePolicySpec;
  /** Seconds the kubelet waits between delete and SIGKILL. */
  public readonly terminationGracePeriodSeconds: number;

  constructor(scope: Construct, id: string, props: ResilientJobProps) {
    super(scope, id);
    this.settings = withConstructPath(this, () => planJob(props));

    // Left to Kubernetes, the Job gets a selector on its own controller-uid label; cdk8s-plus
    // adds none for Jobs (select: false), and setting one would need manualSelector.
    this.job = new kplus.Job(this, 'Job', Object.assign(cdk8sPlusPodProps(props), {
      metadata: { name: objectName(this, 'Job', props.name) },
      restartPolicy: restartPolicyOf(this.settings),
      backoffLimit: this.settings.backoffLimit,
      activeDeadline: Duration.seconds(this.settings.activeDeadlineSeconds),
      ttlAfterFinished: Duration.seconds(this.settings.ttlSecondsAfterFinished),
    }));
    this.apiObject = ApiObject.of(this.job);
    const name = this.job.name;
    const ids = withConstructPath(this, () => resolveIdentity(id, name, props.container.image, props));
    this.labels = ids.labels;
    labelAll(this, ids.labels, this.job.metadata, this.job.podMetadata);

    this.pod = applyPodResilience(this, this.job, props, batchPodOptions(ids.selector));
    this.terminationGracePeriodSeconds = this.pod.shutdown.terminationGracePeriodSeconds;
    this.podFailurePolicy = planPodFailurePolicy(this.settings, this.pod.mainContainer.name);

    addFinalJsonPatch(this.apiObject, ...jobRunPatches('/spec', this.settings, this.podFailurePolicy));
    requireUniqueObjects(this);
    attachResilienceRules(this);
  }

  /** The chart this workload belongs to. */
  public get chart(): Chart {
    return Chart.of(this);
  }
}
