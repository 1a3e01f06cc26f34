/**
 * Run-to-completion work: Jobs and CronJobs. Nothing keeps a Job "available"; what matters is
 * that it ends (a deadline), retries transient failures but not hopeless ones (backoffLimit and
 * a pod failure policy), is not charged for failures it did not cause (node drains, preemption),
 * and is cleaned up afterwards. A CronJob adds when it runs and what happens when runs overlap.
 */
import { Cron, Duration } from 'cdk8s';
import { InvalidSetting, requireSetting } from './errors';
import { wholeSeconds } from './shutdown';

export type JobRestartPolicy = 'Never' | 'OnFailure';

/** How one run of a Job behaves; shared by ResilientJob and ResilientCronJob's job template. */
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
   * 'Never' replaces a failed pod with a new one (each attempt keeps its own pod and logs, and
   * the pod failure policy works); 'OnFailure' restarts the container in place, and Kubernetes
   * then allows no pod failure policy.
   * @default 'Never'
   */
  readonly restartPolicy?: JobRestartPolicy;
  /** Successful pods needed for the Job to complete. @default 1 */
  readonly completions?: number;
  /** Pods running at the same time. @default 1 */
  readonly parallelism?: number;
  /**
   * Exit codes of the main container that mean "retrying will not help" (bad arguments, invalid
   * input): the Job fails at once instead of using up its retries. Whole numbers from 1 to 255.
   * Needs restartPolicy 'Never'.
   * @default none
   */
  readonly failJobOnExitCodes?: number[];
  /**
   * Pods that failed because they were disrupted (drained, preempted, evicted by a taint) are
   * replaced without counting against backoffLimit. Needs restartPolicy 'Never'.
   * @default true with restartPolicy 'Never', false with 'OnFailure'
   */
  readonly ignoreDisruptions?: boolean;
}

/** A standalone Job also cleans itself up. */
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
  const restartPolicy = props.restartPolicy ?? 'Never';
  requireSetting(restartPolicy === 'Never' || restartPolicy === 'OnFailure', 'restartPolicy', restartPolicy,
    'is not allowed for Jobs (Kubernetes accepts only Never or OnFailure)', 'use "Never" (the default) or "OnFailure"');
  const backoffLimit = props.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
  requireSetting(Number.isInteger(backoffLimit) && backoffLimit >= 0, 'backoffLimit', backoffLimit,
    'must be a whole number >= 0', `use e.g. ${DEFAULT_BACKOFF_LIMIT}, or 0 to never retry`);
  const activeDeadlineSeconds = positiveSeconds(props.activeDeadline ?? DEFAULT_ACTIVE_DEADLINE, 'activeDeadline',
    'Kubernetes requires a positive activeDeadlineSeconds');
  const completions = props.completions ?? 1;
  requireSetting(Number.isInteger(completions) && completions >= 1, 'completions', completions,
    'must be a whole number >= 1', 'use 1 for a single run, or the number of successful pods the work needs');
  const parallelism = props.parallelism ?? 1;
  requireSetting(Number.isInteger(parallelism) && parallelism >= 1, 'parallelism', parallelism,
    'must be a whole number >= 1 (0 starts no pod, so the Job would never finish)', 'use 1 or more');

  const codes = props.failJobOnExitCodes ?? [];
  for (const code of codes) {
    requireSetting(Number.isInteger(code) && code >= 1 && code <= 255, 'failJobOnExitCodes', code,
      code === 0 ? 'is success, which cannot fail a Job (Kubernetes rejects 0 in an "In" rule)' : 'is not an exit code (whole numbers from 1 to 255)',
      'list the non-zero exit codes your program uses for errors that retrying cannot fix');
  }
  const failJobOnExitCodes = [...new Set(codes)].sort((a, b) => a - b);
  requireSetting(restartPolicy === 'Never' || failJobOnExitCodes.length === 0, 'failJobOnExitCodes', failJobOnExitCodes,
    'needs a pod failure policy, which Kubernetes allows only with restartPolicy "Never"', 'use restartPolicy "Never" (the default), or remove failJobOnExitCodes');
  requireSetting(restartPolicy === 'Never' || props.ignoreDisruptions !== true, 'ignoreDisruptions', true,
    'needs a pod failure policy, which Kubernetes allows only with restartPolicy "Never"', 'use restartPolicy "Never" (the default), or remove ignoreDisruptions');
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

export interface CronScheduleProps {
  /**
   * Five fields (minute hour day-of-month month day-of-week) or a macro: @yearly, @annually,
   * @monthly, @weekly, @daily, @midnight, @hourly. A cdk8s `Cron` is accepted too.
   */
  readonly schedule: string | Cron;
  /**
   * IANA time zone the schedule is read in (GA in Kubernetes 1.27).
   * @default 'Etc/UTC': the schedule does not depend on the control plane's local time
   */
  readonly timeZone?: string;
  /**
   * What happens when a run is due while the previous one still runs. 'Forbid' skips the new
   * run; 'Replace' stops the running one; 'Allow' runs both.
   * @default 'Forbid'
   */
  readonly concurrencyPolicy?: ConcurrencyPolicyName;
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
  /** Stops future runs; a running one is not affected. @default false */
  readonly suspend?: boolean;
}

export interface CronSchedulePlan {
  /** The schedule as written to the manifest (trimmed, single spaces). */
  readonly expression: string;
  /** The same schedule as five fields (macros expanded). */
  readonly fields: CronFields;
  readonly macro?: string;
}

export interface CronFields {
  readonly minute: string;
  readonly hour: string;
  readonly dayOfMonth: string;
  readonly month: string;
  readonly dayOfWeek: string;
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
  const concurrencyPolicy = props.concurrencyPolicy ?? 'Forbid';
  requireSetting(['Forbid', 'Allow', 'Replace'].includes(concurrencyPolicy), 'concurrencyPolicy', concurrencyPolicy,
    'is not a concurrency policy', 'use "Forbid" (the default), "Replace" or "Allow"');
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
  requireSetting(Number.isInteger(limit) && limit >= 0, field, limit, 'must be a whole number >= 0', `use e.g. ${fallback}`);
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

// ---------------------------------------------------------------------------------------------
// Schedule validation, following the cron parser Kubernetes uses (robfig/cron, standard mode)
// ---------------------------------------------------------------------------------------------

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldRule {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Names mapped to numbers: index + offset. */
  readonly names?: { readonly list: string[]; readonly offset: number; readonly hint: string };
  readonly allowsQuestionMark?: boolean;
}

const FIELD_RULES: FieldRule[] = [
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31, allowsQuestionMark: true },
  { label: 'month', min: 1, max: 12, names: { list: MONTH_NAMES, offset: 1, hint: 'JAN-DEC' } },
  { label: 'day of week', min: 0, max: 6, names: { list: DAY_NAMES, offset: 0, hint: 'SUN-SAT' }, allowsQuestionMark: true },
];

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const SUPPORTED_MACROS = Object.keys(MACROS);

/** Checks a schedule the way the API server parses it, with a precise message for each mistake. */
export function planSchedule(schedule: string | Cron): CronSchedulePlan {
  const raw = typeof schedule === 'string' ? schedule : schedule.expressionString;
  const expression = raw.trim().split(/\s+/).join(' ');
  const fail = (problem: string, fix: string): never => reject('schedule', raw, problem, fix);
  if (expression.length === 0) fail('is empty', 'use five fields such as "30 2 * * *" (02:30 every day) or a macro such as "@daily"');

  const tz = /^(CRON_TZ|TZ)=(\S*)\s*(.*)$/.exec(expression);
  if (tz) {
    fail(`sets the time zone inside the schedule with ${tz[1]}=, which Kubernetes rejects`,
      `move it to the timeZone setting (timeZone: "${tz[2] || 'Europe/Berlin'}") and keep only "${tz[3] || '<five fields>'}" in the schedule`);
  }

  if (expression.startsWith('@')) {
    const [macro, ...rest] = expression.split(' ');
    const lower = macro.toLowerCase();
    if (lower === '@reboot') {
      fail('runs "at boot", which means nothing for a CronJob: no machine boots, and Kubernetes rejects it',
        'use a ResilientJob for work that runs once per deployment, or a five-field schedule');
    }
    if (lower === '@every') {
      fail('uses @every, which Kubernetes does not document for CronJobs',
        'write the interval as five fields, e.g. "*/15 * * * *" for every 15 minutes or "0 */6 * * *" for every 6 hours');
    }
    if (!(lower in MACROS)) fail('is not a supported macro', `use one of ${SUPPORTED_MACROS.join(', ')}, or five fields`);
    if (macro !== lower) fail(`writes the macro ${macro} in capitals, which the cron parser Kubernetes uses does not recognise`, `use "${lower}"`);
    if (rest.length > 0) fail(`has text after the macro ${macro}`, `use "${macro}" alone`);
    return { expression, fields: toFields(MACROS[macro].split(' ')), macro };
  }

  const parts = expression.split(' ');
  if (parts.length !== 5) {
    const hint = parts.length === 6
      ? 'drop the seconds (or year) field: Kubernetes schedules have no seconds'
      : 'write minute hour day-of-month month day-of-week, e.g. "30 2 * * *"';
    fail(`has ${parts.length} field${parts.length === 1 ? '' : 's'}; a Kubernetes schedule has 5 (minute hour day-of-month month day-of-week)`, hint);
  }
  const values = parts.map((part, index) => parseField(part, index, raw));
  checkDaysExist(values[2], values[3], parts, raw);
  return { expression, fields: toFields(parts) };
}

function toFields(parts: string[]): CronFields {
  return { minute: parts[0], hour: parts[1], dayOfMonth: parts[2], month: parts[3], dayOfWeek: parts[4] };
}

/** The set of values a field selects; `undefined` stands for "every value" (`*` or `?`). */
function parseField(text: string, index: number, raw: string): Set<number> | undefined {
  const rule = FIELD_RULES[index];
  const where = `field ${index + 1} (${rule.label})`;
  const range = `${rule.min}-${rule.max}${rule.names ? ` or ${rule.names.hint}` : ''}`;
  const fail = (token: string, problem: string, fix: string): never => reject('schedule', raw, `${where} "${token}" ${problem}`, fix);

  let every = false;
  const selected = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') fail(text, 'has an empty list item', 'remove the extra comma');
    const [base, step, ...extra] = item.split('/');
    if (extra.length > 0) fail(item, 'has more than one "/"', 'use one step, e.g. "*/15"');
    let stepValue = 1;
    if (step !== undefined) {
      if (!/^\d+$/.test(step) || Number(step) === 0) fail(item, 'has a step that is not a whole number above 0', 'use e.g. "*/5"');
      stepValue = Number(step);
    }
    let low: number;
    let high: number;
    if (base === '*' || base === '?') {
      if (base === '?' && !rule.allowsQuestionMark) fail(item, 'uses "?", which only the day fields accept', 'use "*"');
      low = rule.min;
      high = rule.max;
      if (step === undefined) every = true;
    } else {
      const bounds = base.split('-');
      if (bounds.length > 2 || bounds.some((b) => b === '')) fail(item, 'is not a value or a range low-high', `use values in ${range}`);
      low = parseValue(bounds[0], rule, (problem, fix) => fail(item, problem, fix));
      high = bounds.length === 2 ? parseValue(bounds[1], rule, (problem, fix) => fail(item, problem, fix)) : (step !== undefined ? rule.max : low);
      if (low > high) fail(item, 'is a range whose start is after its end', 'write the smaller value first, or list the values with commas');
    }
    for (let v = low; v <= high; v += stepValue) selected.add(v);
  }
  return every ? undefined : selected;
}

function parseValue(token: string, rule: FieldRule, fail: (problem: string, fix: string) => never): number {
  const range = `${rule.min}-${rule.max}${rule.names ? ` or ${rule.names.hint}` : ''}`;
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (rule.label === 'day of week' && value === 7) {
      fail('is out of range 0-6 (the cron parser Kubernetes uses does not accept 7 for Sunday)', 'use 0 (or SUN) for Sunday');
    }
    if (value < rule.min || value > rule.max) fail(`is out of range ${rule.min}-${rule.max}`, `use a value in ${range}`);
    return value;
  }
  const nameIndex = rule.names?.list.indexOf(token.toLowerCase()) ?? -1;
  if (nameIndex >= 0) return nameIndex + rule.names!.offset;
  if (/^(L|LW|\d+[LW]|H.*)$|#/.test(token)) {
    fail('uses Quartz or Jenkins syntax (L, W, #, H), which Kubernetes does not support', `use plain values in ${range}`);
  }
  return fail(rule.names ? `is neither a number nor a three-letter name (${rule.names.hint})` : 'is not a number', `use values in ${range}`);
}

function reject(field: string, value: unknown, problem: string, fix: string): never {
  throw new InvalidSetting(field, value, problem, fix);
}

/**
 * A day-of-month list that no selected month has (e.g. "0 0 30 2 *") parses fine but never runs.
 * Only checked when the weekday field is "*": otherwise cron runs on either match.
 */
function checkDaysExist(days: Set<number> | undefined, months: Set<number> | undefined, parts: string[], raw: string): void {
  const weekdayIsEvery = parts[4] === '*' || parts[4] === '?';
  if (!days || !weekdayIsEvery) return;
  const monthList = months ? [...months] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const longest = Math.max(...monthList.map((m) => DAYS_IN_MONTH[m - 1]));
  const possible = [...days].some((d) => d <= longest);
  requireSetting(possible, 'schedule', raw,
    `never runs: day ${[...days].join(', ')} of the month does not occur in month ${monthList.join(', ')}`,
    'choose days that exist in the chosen months');
}

/** Whole seconds above zero, for deadlines. */
export function positiveSeconds(duration: Duration, field: string, whyPositive: string): number {
  const seconds = wholeSeconds(duration, field);
  requireSetting(seconds > 0, field, duration.toHumanString(), `is zero: ${whyPositive}`, 'use a positive duration, e.g. Duration.minutes(10)');
  return seconds;
}
