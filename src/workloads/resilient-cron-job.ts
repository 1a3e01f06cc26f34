/**
 * ResilientCronJob: a Job on a validated schedule, in an explicit time zone, that never runs twice
 * at once by default. Each run gets ResilientJob's run settings (deadline, retries, pod failure
 * policy, graceful shutdown). The Job's ttlSecondsAfterFinished is left out on purpose: the
 * CronJob's history limits decide how many finished runs are kept, and a TTL would delete the
 * runs those limits are meant to keep.
 */
import { ApiObject, Chart, Cron, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CronJobPlan, CronScheduleProps, JobRunPlan, JobRunProps, planCronJob, planJobRun, planPodFailurePolicy, PodFailurePolicySpec } from '../concerns/batch';
import { withConstructPath } from '../concerns/errors';
import { addFinalJsonPatch } from './final-patch';
import { IdentityProps, labelAll, objectName, resolveIdentity } from './identity';
import { PodPlan, applyPodResilience, cdk8sPlusPodProps, ResilientPodProps } from './pod';
import { batchPodOptions, jobRunPatches, restartPolicyOf } from './resilient-job';
import { requireUniqueObjects } from './unique-objects';
import { attachResilienceRules } from '../rules/synth';

/**
 * A ResilientCronJob: its pod, identity, schedule and the settings of each run. The pod is a
 * Job's (see ResilientJobProps): no default probes, no preStop hook.
 */
export interface ResilientCronJobProps extends ResilientPodProps, IdentityProps, JobRunProps, CronScheduleProps {}

const JOB_SPEC = '/spec/jobTemplate/spec';
const POD_SPEC = `${JOB_SPEC}/template/spec`;

/**
 * A Job on a validated schedule, in an explicit time zone, that never runs twice at once by
 * default. Each run gets ResilientJob's run settings.
 */
export class ResilientCronJob extends Construct {
  /** The cdk8s-plus CronJob: reach for it for anything this construct does not cover. */
  public readonly cronJob: kplus.CronJob;
  /** The CronJob's ApiObject, for JSON patches. */
  public readonly apiObject: ApiObject;
  /** The recommended labels on every object of this workload. */
  public readonly labels: Record<string, string>;
  /**
   * What was decided for the pod.
   * @jsii ignore
   */
  public readonly pod: PodPlan;
  /**
   * Schedule, time zone, concurrency, starting deadline, history limits and suspend as decided.
   * @jsii ignore
   */
  public readonly settings: CronJobPlan;
  /**
   * Each run's backoffLimit, deadline, restart policy, completions and parallelism.
   * @jsii ignore
   */
  public readonly run: JobRunPlan;
  /**
   * undefined with restartPolicy OnFailure, or when there is no rule to put in it.
   * @jsii ignore
   */
  public readonly podFailurePolicy?: PodFailurePolicySpec;
  /** Seconds the kubelet waits between delete and SIGKILL. */
  public readonly terminationGracePeriodSeconds: number;

  constructor(scope: Construct, id: string, props: ResilientCronJobProps) {
    super(scope, id);
    this.settings = withConstructPath(this, () => planCronJob(props));
    this.run = withConstructPath(this, () => planJobRun(props));
    const fields = this.settings.schedule.fields;

    this.cronJob = new kplus.CronJob(this, 'CronJob', Object.assign(cdk8sPlusPodProps(props), {
      metadata: { name: objectName(this, 'CronJob', props.name) },
      schedule: Cron.schedule({ minute: fields.minute, hour: fields.hour, day: fields.dayOfMonth, month: fields.month, weekDay: fields.dayOfWeek }),
      timeZone: this.settings.timeZone,
      concurrencyPolicy: this.settings.concurrencyPolicy as kplus.ConcurrencyPolicy,
      startingDeadline: Duration.seconds(this.settings.startingDeadlineSeconds),
      successfulJobsRetained: this.settings.successfulJobsHistoryLimit,
      failedJobsRetained: this.settings.failedJobsHistoryLimit,
      suspend: this.settings.suspend,
      restartPolicy: restartPolicyOf(this.run),
      backoffLimit: this.run.backoffLimit,
      activeDeadline: Duration.seconds(this.run.activeDeadlineSeconds),
    }));
    this.apiObject = ApiObject.of(this.cronJob);
    const name = this.cronJob.name;
    const ids = withConstructPath(this, () => resolveIdentity(id, name, props.container.image, props));
    this.labels = ids.labels;
    labelAll(this, ids.labels, this.cronJob.metadata, this.cronJob.podMetadata);

    this.pod = applyPodResilience(this, this.cronJob, props, batchPodOptions(ids.selector, POD_SPEC));
    this.terminationGracePeriodSeconds = this.pod.shutdown.terminationGracePeriodSeconds;
    this.podFailurePolicy = planPodFailurePolicy(this.run, this.pod.mainContainer.name);

    addFinalJsonPatch(this.apiObject,
      // The schedule exactly as written (a macro stays a macro); cdk8s-plus only knows five fields.
      JsonPatch.replace('/spec/schedule', this.settings.schedule.expression),
      // cdk8s-plus writes no metadata for the Jobs a CronJob creates; label them like everything else.
      JsonPatch.add('/spec/jobTemplate/metadata', { labels: { ...ids.labels } }),
      ...jobRunPatches(JOB_SPEC, this.run, this.podFailurePolicy),
    );
    requireUniqueObjects(this);
    attachResilienceRules(this);
  }

  /** The chart this workload belongs to. */
  public get chart(): Chart {
    return Chart.of(this);
  }
}
