/**
 * Run-to-completion work: Jobs and CronJobs. Nothing keeps a Job "available"; what matters is
 * that it ends (a deadline), retries transient failures but not hopeless ones (backoffLimit and
 * a pod failure policy), is not charged for failures it did not cause (node drains, preemption),
 * and is cleaned up afterwards. A CronJob adds when it runs and what happens when runs overlap.
 */
import { Cron, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
export type { CronFields, CronSchedulePlan } from './cron-schedule';
export { planSchedule, SUPPORTED_MACROS } from './cron-schedule';
import { requireSetting, requireWholeNumber } from './errors';
import { CronSchedulePlan, planSchedule } from './cron-schedule';
import { INT64_SECONDS_MAX, wholeSeconds } from './shutdown';

/** The restart policies Kubernetes allows for a Job's pods. */
export type JobRestartPolicy = 'Never' | 'OnFailure';

/** How one run of a Job behaves, in ResilientJob and in the job template of ResilientCronJob. */
export interface JobRunProps {
  /**
   * Failed pods the Job tolerates before it is marked Failed. Pods stopped by a drain or by
   * preemption are not counted (see `ignoreDisruptions`).
   * @default 3
   */
  readonly backoffLimit?: number;
  /**
   * How long the Job may run, retries included, before Kubernetes stops its pods and marks it
   * Failed. Keeps a hung run from holding resources (and, in a CronJob with Forbid, from
   * blocking every later run) forever.
   * @default 1 hour
   */
  readonly activeDeadline?: Duration;
  /**
   * NEVER replaces a failed pod with a new one (each attempt keeps its own pod and logs, and
   * the pod failure policy works). ON_FAILURE restarts the container in place, and Kubernetes
   * then allows no pod failure policy. ALWAYS is refused (Kubernetes does not allow it for Jobs).
   * @default RestartPolicy.NEVER
   */
  readonly restartPolicy?: kplus.RestartPolicy;
  /** Successful pods needed for the Job to complete. @default 1 */
  readonly completions?: number;
  /** Pods running at the same time. @default 1 */
  readonly parallelism?: number;
  /**
   * Exit codes of the main container that mean "retrying will not help" (bad arguments, invalid
   * input): the Job fails at once instead of using up its retries. Whole numbers from 1 to 255.
   * Needs restartPolicy NEVER.
   * @default none
   */
  readonly failJobOnExitCodes?: number[];
  /**
   * Pods that failed because they were disrupted (drained, preempted, evicted by a taint) are
   * replaced without counting against backoffLimit. Needs restartPolicy NEVER.
   * @default true with restartPolicy NEVER, false with ON_FAILURE
   */
  readonly ignoreDisruptions?: boolean;
}

/** How a standalone Job runs, and how it cleans up after itself. */
export interface JobProps extends JobRunProps {
  /**
   * How long a finished Job (and its pods and logs) is kept before Kubernetes deletes it.
   * Zero deletes it as soon as it finishes.
   * @default 1 day
   */
  readonly ttlAfterFinished?: Duration;
}

export interface PodFailurePolicyRule {
  readonly action: 'FailJob' | 'Ignore' | 'Count';
  readonly onExitCodes?: { readonly containerName?: string; readonly operator: 'In' | 'NotIn'; readonly values: number[] };
  /** Always present: the 1.27 API schema lists it as required, even next to onExitCodes. */
  readonly onPodConditions: Array<{ readonly type: string; readonly status: 'True' | 'False' | 'Unknown' }>;
}

export interface PodFailurePolicySpec {
  readonly rules: PodFailurePolicyRule[];
}

export interface JobRunPlan {
  readonly backoffLimit: number;
  readonly activeDeadlineSeconds: number;
  readonly restartPolicy: JobRestartPolicy;
  readonly completions: number;
  readonly parallelism: number;
  /** Sorted, without duplicates. */
  readonly failJobOnExitCodes: number[];
  readonly ignoreDisruptions: boolean;
}

export interface JobPlan extends JobRunPlan {
  readonly ttlSecondsAfterFinished: number;
}

export const DEFAULT_BACKOFF_LIMIT = 3;
export const DEFAULT_ACTIVE_DEADLINE = Duration.hours(1);
export const DEFAULT_TTL_AFTER_FINISHED = Duration.days(1);
/** Time a batch step needs after SIGTERM to finish or roll back its current unit of work. */
export const DEFAULT_BATCH_SHUTDOWN = Duration.seconds(30);

/** The pod condition Kubernetes sets on pods it stops on purpose (drain, preemption, taint eviction). */
export const DISRUPTION_CONDITION = 'DisruptionTarget';

export function planJobRun(props: JobRunProps): JobRunPlan {
  const given: string = props.restartPolicy ?? 'Never';
  requireSetting(given === 'Never' || given === 'OnFailure', 'restartPolicy', given,
    'is not allowed for Jobs (Kubernetes accepts only Never or OnFailure)', 'use RestartPolicy.NEVER (the default) or RestartPolicy.ON_FAILURE');
  const restartPolicy = given as JobRestartPolicy;
  const backoffLimit = props.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
  requireWholeNumber(backoffLimit, 'backoffLimit', 0, `use e.g. ${DEFAULT_BACKOFF_LIMIT}, or 0 to never retry`);
  const activeDeadlineSeconds = positiveSeconds(props.activeDeadline ?? DEFAULT_ACTIVE_DEADLINE, 'activeDeadline',
    'Kubernetes requires a positive activeDeadlineSeconds');
  const completions = props.completions ?? 1;
  requireWholeNumber(completions, 'completions', 1, 'use 1 for a single run, or the number of successful pods the work needs');
  const parallelism = props.parallelism ?? 1;
  requireWholeNumber(parallelism, 'parallelism', 1, 'use 1 or more', 'must be at least 1 (0 starts no pod, so the Job would never finish)');

  const codes = props.failJobOnExitCodes ?? [];
  for (const code of codes) {
    requireSetting(Number.isInteger(code) && code >= 1 && code <= 255, 'failJobOnExitCodes', code,
      code === 0 ? 'is success, which cannot fail a Job (Kubernetes rejects 0 in an "In" rule)' : 'is not an exit code (whole numbers from 1 to 255)',
      'list the non-zero exit codes your program uses for errors that retrying cannot fix');
  }
  const failJobOnExitCodes = [...new Set(codes)].sort((a, b) => a - b);
  requireSetting(restartPolicy === 'Never' || failJobOnExitCodes.length === 0, 'failJobOnExitCodes', failJobOnExitCodes,
    'needs a pod failure policy, which Kubernetes allows only with restartPolicy "Never"', 'use restartPolicy RestartPolicy.NEVER (the default), or remove failJobOnExitCodes');
  requireSetting(restartPolicy === 'Never' || props.ignoreDisruptions !== true, 'ignoreDisruptions', true,
    'needs a pod failure policy, which Kubernetes allows only with restartPolicy "Never"', 'use restartPolicy RestartPolicy.NEVER (the default), or remove ignoreDisruptions');
  const ignoreDisruptions = props.ignoreDisruptions ?? restartPolicy === 'Never';
  return { backoffLimit, activeDeadlineSeconds, restartPolicy, completions, parallelism, failJobOnExitCodes, ignoreDisruptions };
}

export function planJob(props: JobProps): JobPlan {
  const run = planJobRun(props);
  const ttlSecondsAfterFinished = wholeSeconds(props.ttlAfterFinished ?? DEFAULT_TTL_AFTER_FINISHED, 'ttlAfterFinished');
  return { ...run, ttlSecondsAfterFinished };
}

/**
 * The pod failure policy for a planned run, or undefined when it has no rule. Disruptions come
 * first, so a pod stopped by a drain never fails the Job, whatever exit code SIGTERM left behind.
 */
export function planPodFailurePolicy(run: JobRunPlan, mainContainerName: string): PodFailurePolicySpec | undefined {
  const rules: PodFailurePolicyRule[] = [];
  if (run.ignoreDisruptions) {
    rules.push({ action: 'Ignore', onPodConditions: [{ type: DISRUPTION_CONDITION, status: 'True' }] });
  }
  if (run.failJobOnExitCodes.length > 0) {
    rules.push({
      action: 'FailJob',
      onExitCodes: { containerName: mainContainerName, operator: 'In', values: [...run.failJobOnExitCodes] },
      onPodConditions: [],
    });
  }
  return rules.length > 0 ? { rules } : undefined;
}

// ---------------------------------------------------------------------------------------------
// CronJob
// ---------------------------------------------------------------------------------------------

export type ConcurrencyPolicyName = 'Forbid' | 'Allow' | 'Replace';

/** When a CronJob runs, and what happens when runs overlap or start late. */
export interface CronScheduleProps {
  /**
   * Five fields (minute hour day-of-month month day-of-week), a macro (`@yearly`, `@annually`,
   * `@monthly`, `@weekly`, `@daily`, `@midnight` or `@hourly`) or a cdk8s `Cron`.
   */
  readonly schedule: string | Cron;
  /**
   * IANA time zone the schedule is read in (GA in Kubernetes 1.27).
   * @default 'Etc/UTC': the schedule does not depend on the control plane's local time
   */
  readonly timeZone?: string;
  /**
   * What happens when a run is due while the previous one still runs. FORBID skips the new
   * run; REPLACE stops the running one; ALLOW runs both.
   * @default ConcurrencyPolicy.FORBID
   */
  readonly concurrencyPolicy?: kplus.ConcurrencyPolicy;
  /**
   * How late a run may still start (controller outage, previous run still going under Forbid).
   * Later than that it is skipped and counted as missed. At least 10 seconds: the controller
   * checks schedules every 10 seconds.
   * @default 10 minutes
   */
  readonly startingDeadline?: Duration;
  /** Finished successful Jobs kept (with their pods and logs). @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** Failed Jobs kept, for diagnosis. @default 3 */
  readonly failedJobsHistoryLimit?: number;
  /** Stops future runs (a running one is not affected). @default false */
  readonly suspend?: boolean;
}

export interface CronJobPlan {
  readonly schedule: CronSchedulePlan;
  readonly timeZone: string;
  readonly concurrencyPolicy: ConcurrencyPolicyName;
  readonly startingDeadlineSeconds: number;
  readonly successfulJobsHistoryLimit: number;
  readonly failedJobsHistoryLimit: number;
  readonly suspend: boolean;
}

export const DEFAULT_TIME_ZONE = 'Etc/UTC';
export const DEFAULT_STARTING_DEADLINE = Duration.minutes(10);
/** The CronJob controller looks at schedules every 10 seconds; a shorter deadline may miss every run. */
export const MIN_STARTING_DEADLINE_SECONDS = 10;

export function planCronJob(props: CronScheduleProps): CronJobPlan {
  const schedule = planSchedule(props.schedule);
  const timeZone = props.timeZone ?? DEFAULT_TIME_ZONE;
  checkTimeZone(timeZone);
  const concurrencyPolicy = (props.concurrencyPolicy ?? 'Forbid') as ConcurrencyPolicyName;
  requireSetting(['Forbid', 'Allow', 'Replace'].includes(concurrencyPolicy), 'concurrencyPolicy', concurrencyPolicy,
    'is not a concurrency policy', 'use ConcurrencyPolicy.FORBID (the default), ConcurrencyPolicy.REPLACE or ConcurrencyPolicy.ALLOW');
  const startingDeadlineSeconds = positiveSeconds(props.startingDeadline ?? DEFAULT_STARTING_DEADLINE, 'startingDeadline',
    'every run would have to start within 0 seconds of its slot, so runs would be skipped as missed');
  requireSetting(startingDeadlineSeconds >= MIN_STARTING_DEADLINE_SECONDS, 'startingDeadline', `${startingDeadlineSeconds}s`,
    `is below ${MIN_STARTING_DEADLINE_SECONDS}s: the CronJob controller checks schedules every 10 seconds, so runs could be missed every time`,
    `use at least Duration.seconds(${MIN_STARTING_DEADLINE_SECONDS}); the default is ${DEFAULT_STARTING_DEADLINE.toSeconds()}s`);
  const successfulJobsHistoryLimit = historyLimit(props.successfulJobsHistoryLimit, 3, 'successfulJobsHistoryLimit');
  const failedJobsHistoryLimit = historyLimit(props.failedJobsHistoryLimit, 3, 'failedJobsHistoryLimit');
  return { schedule, timeZone, concurrencyPolicy, startingDeadlineSeconds, successfulJobsHistoryLimit, failedJobsHistoryLimit, suspend: props.suspend ?? false };
}

function historyLimit(value: number | undefined, fallback: number, field: string): number {
  const limit = value ?? fallback;
  requireWholeNumber(limit, field, 0, `use e.g. ${fallback}`);
  return limit;
}

/**
 * IANA names only. Kubernetes rejects "Local", names it cannot load, and name parts longer than
 * 14 characters or with characters outside letters, digits, '.', '_', '-' and '+'.
 */
export function checkTimeZone(timeZone: string): void {
  const fix = 'use an IANA time zone name such as "Europe/Berlin", "America/New_York" or "Etc/UTC"';
  requireSetting(timeZone.toLowerCase() !== 'local', 'timeZone', timeZone,
    'is not an explicit time zone (Kubernetes rejects "Local")', fix);
  requireSetting(timeZone.split('/').every((part) => /^[A-Za-z0-9._+-]{1,14}$/.test(part)), 'timeZone', timeZone,
    'is not shaped like an IANA time zone name (parts of 1-14 letters, digits, ".", "_", "-" or "+", separated by "/"; no UTC offsets)', fix);
  // A canonical IANA name is accepted as it is; only other spellings (aliases, other case, unknown
  // names) need a DateTimeFormat, whose first construction loads ICU's locale data (about 50 ms,
  // a sixth of the example app's synth).
  if (canonicalTimeZones().has(timeZone)) return;
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    resolved = undefined;
  }
  requireSetting(resolved !== undefined, 'timeZone', timeZone, 'is not a known time zone', fix);
  requireSetting(resolved!.toLowerCase() !== timeZone.toLowerCase() || resolved === timeZone, 'timeZone', timeZone,
    'differs in case from the IANA name, and the API server looks names up case-sensitively', `use "${resolved}"`);
}

let canonicalZones: ReadonlySet<string> | undefined;
/** The IANA names this runtime's ICU knows, in canonical form (empty where Intl cannot list them). */
function canonicalTimeZones(): ReadonlySet<string> {
  if (!canonicalZones) {
    const list = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
    canonicalZones = new Set(typeof list === 'function' ? list('timeZone') : []);
  }
  return canonicalZones;
}

/** Whole seconds above zero, for deadlines. */
export function positiveSeconds(duration: Duration, field: string, whyPositive: string): number {
  const seconds = wholeSeconds(duration, field, INT64_SECONDS_MAX);
  requireSetting(seconds > 0, field, duration.toHumanString(), `is zero: ${whyPositive}`, 'use a positive duration, e.g. Duration.minutes(10)');
  return seconds;
}
