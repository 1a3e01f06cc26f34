import { Cron, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  checkTimeZone, planCronJob, planJob, planJobRun, planPodFailurePolicy, planSchedule, SUPPORTED_MACROS,
} from '../../src/concerns/batch';

describe('job run settings', () => {
  test('defaults: always-set retries, deadline and ttl; Never; one pod', () => {
    expect(planJob({})).toEqual({
      backoffLimit: 3, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 86400, restartPolicy: 'Never',
      completions: 1, parallelism: 1, failJobOnExitCodes: [], ignoreDisruptions: true,
    });
  });

  test('overrides, including 0 retries and a ttl of 0', () => {
    expect(planJob({ backoffLimit: 0, activeDeadline: Duration.minutes(5), ttlAfterFinished: Duration.seconds(0), completions: 4, parallelism: 2 }))
      .toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 300, ttlSecondsAfterFinished: 0, completions: 4, parallelism: 2 });
  });

  test('exit codes are sorted and deduplicated (the API wants an ordered set)', () => {
    expect(planJobRun({ failJobOnExitCodes: [42, 2, 42, 7] }).failJobOnExitCodes).toEqual([2, 7, 42]);
  });

  test('OnFailure: no disruption rule, since Kubernetes allows no pod failure policy there', () => {
    const run = planJobRun({ restartPolicy: kplus.RestartPolicy.ON_FAILURE });
    expect(run.ignoreDisruptions).toBe(false);
    expect(planPodFailurePolicy(run, 'main')).toBeUndefined();
  });

  test.each<[string, object, string]>([
    ['negative backoffLimit', { backoffLimit: -1 }, 'backoffLimit: -1 must be at least 0. Fix: use e.g. 3, or 0 to never retry'],
    ['fractional backoffLimit', { backoffLimit: 1.5 }, 'backoffLimit: 1.5 is not a whole number'],
    ['zero activeDeadline', { activeDeadline: Duration.seconds(0) },
      'activeDeadline: "0 seconds" is zero: Kubernetes requires a positive activeDeadlineSeconds. Fix: use a positive duration, e.g. Duration.minutes(10)'],
    ['fractional activeDeadline', { activeDeadline: Duration.millis(1500) }, 'activeDeadline: "1.5s" is not a whole number of seconds'],
    ['zero completions', { completions: 0 }, 'completions: 0 must be at least 1'],
    ['zero parallelism', { parallelism: 0 }, 'parallelism: 0 must be at least 1 (0 starts no pod, so the Job would never finish). Fix: use 1 or more'],
    ['negative parallelism', { parallelism: -2 }, 'parallelism: -2 must be at least 1'],
    ['restartPolicy Always', { restartPolicy: 'Always' }, 'restartPolicy: "Always" is not allowed for Jobs (Kubernetes accepts only Never or OnFailure)'],
    ['exit code 0', { failJobOnExitCodes: [0] }, 'failJobOnExitCodes: 0 is success, which cannot fail a Job (Kubernetes rejects 0 in an "In" rule)'],
    ['exit code 256', { failJobOnExitCodes: [256] }, 'failJobOnExitCodes: 256 is not an exit code (whole numbers from 1 to 255)'],
    ['negative exit code', { failJobOnExitCodes: [-1] }, 'failJobOnExitCodes: -1 is not an exit code'],
    ['exit codes with OnFailure', { restartPolicy: 'OnFailure', failJobOnExitCodes: [2] },
      'failJobOnExitCodes: [2] needs a pod failure policy, which Kubernetes allows only with restartPolicy "Never". Fix: use restartPolicy RestartPolicy.NEVER (the default), or remove failJobOnExitCodes'],
    ['ignoreDisruptions with OnFailure', { restartPolicy: 'OnFailure', ignoreDisruptions: true },
      'ignoreDisruptions: true needs a pod failure policy, which Kubernetes allows only with restartPolicy "Never"'],
  ])('rejects %s', (_, props, message) => {
    expect(() => planJobRun(props)).toThrow(message);
  });

  test('ttlAfterFinished must be whole seconds', () => {
    expect(() => planJob({ ttlAfterFinished: Duration.millis(100) })).toThrow('ttlAfterFinished: "0.1s" is not a whole number of seconds');
  });
});

describe('pod failure policy', () => {
  test('disruptions are ignored first, then listed exit codes of the main container fail the Job', () => {
    const policy = planPodFailurePolicy(planJobRun({ failJobOnExitCodes: [3, 2] }), 'report');
    expect(policy).toEqual({
      rules: [
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        { action: 'FailJob', onExitCodes: { containerName: 'report', operator: 'In', values: [2, 3] }, onPodConditions: [] },
      ],
    });
  });

  test('ignoreDisruptions: false and no exit codes leave no policy', () => {
    expect(planPodFailurePolicy(planJobRun({ ignoreDisruptions: false }), 'main')).toBeUndefined();
  });

  test('exit codes only', () => {
    expect(planPodFailurePolicy(planJobRun({ ignoreDisruptions: false, failJobOnExitCodes: [9] }), 'main')!.rules.map((r) => r.action)).toEqual(['FailJob']);
  });
});

describe('cron job settings', () => {
  test('defaults: Forbid, UTC, 10 min starting deadline, 3/3 history, not suspended', () => {
    expect(planCronJob({ schedule: '30 2 * * *' })).toEqual({
      schedule: { expression: '30 2 * * *', fields: { minute: '30', hour: '2', dayOfMonth: '*', month: '*', dayOfWeek: '*' } },
      timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3, suspend: false,
    });
  });

  test('overrides', () => {
    expect(planCronJob({
      schedule: Cron.hourly(), timeZone: 'Europe/Berlin', concurrencyPolicy: kplus.ConcurrencyPolicy.REPLACE, startingDeadline: Duration.seconds(10),
      successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 5, suspend: true,
    })).toMatchObject({ timeZone: 'Europe/Berlin', concurrencyPolicy: 'Replace', startingDeadlineSeconds: 10, successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 5, suspend: true });
  });

  test.each<[string, object, string]>([
    ['zero starting deadline', { startingDeadline: Duration.seconds(0) },
      'startingDeadline: "0 seconds" is zero: every run would have to start within 0 seconds of its slot, so runs would be skipped as missed. Fix: use a positive duration'],
    ['starting deadline under 10 s', { startingDeadline: Duration.seconds(5) },
      'startingDeadline: "5s" is below 10s: the CronJob controller checks schedules every 10 seconds, so runs could be missed every time. Fix: use at least Duration.seconds(10); the default is 600s'],
    ['negative history limit', { successfulJobsHistoryLimit: -1 }, 'successfulJobsHistoryLimit: -1 must be at least 0. Fix: use e.g. 3'],
    ['fractional failed history limit', { failedJobsHistoryLimit: 0.5 }, 'failedJobsHistoryLimit: 0.5 is not a whole number'],
    ['unknown concurrency policy', { concurrencyPolicy: 'Queue' }, 'concurrencyPolicy: "Queue" is not a concurrency policy. Fix: use ConcurrencyPolicy.FORBID (the default), ConcurrencyPolicy.REPLACE or ConcurrencyPolicy.ALLOW'],
  ])('rejects %s', (_, props, message) => {
    expect(() => planCronJob({ schedule: '@daily', ...props })).toThrow(message);
  });
});

describe('time zones', () => {
  test.each(['Etc/UTC', 'UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'US/Pacific'])('accepts %s', (tz) => {
    expect(() => checkTimeZone(tz)).not.toThrow();
  });
  test.each<[string, string]>([
    ['Local', 'timeZone: "Local" is not an explicit time zone (Kubernetes rejects "Local")'],
    ['+02:00', 'timeZone: "+02:00" is not shaped like an IANA time zone name'],
    ['Europe/Berlin ', 'timeZone: "Europe/Berlin " is not shaped like an IANA time zone name'],
    ['Mars/Olympus', 'timeZone: "Mars/Olympus" is not a known time zone. Fix: use an IANA time zone name such as "Europe/Berlin", "America/New_York" or "Etc/UTC"'],
    ['europe/berlin', 'timeZone: "europe/berlin" differs in case from the IANA name, and the API server looks names up case-sensitively. Fix: use "Europe/Berlin"'],
  ])('rejects %j', (tz, message) => {
    expect(() => checkTimeZone(tz)).toThrow(message);
  });
});

describe('schedule', () => {
  test.each([
    '* * * * *', '0 2 * * *', '*/15 * * * *', '0 9-17/2 * * 1-5', '0 0 1,15 * *', '30 4 * JAN,JUL MON', '0 0 * * sun',
    '0 0 ? * MON-FRI', '5 4 31 * *', '0 0 29 2 *', '59 23 31 12 6', '0 6/3 * * *', ' 0  2 * * * ',
  ])('accepts %j', (expression) => {
    expect(() => planSchedule(expression)).not.toThrow();
  });

  test.each(SUPPORTED_MACROS)('accepts the macro %s and knows its five fields', (macro) => {
    const plan = planSchedule(macro);
    expect(plan.expression).toBe(macro);
    expect(plan.macro).toBe(macro);
    expect(Object.values(plan.fields)).toHaveLength(5);
  });

  test('normalises whitespace and keeps the fields', () => {
    expect(planSchedule('  0   6/3 * *  * ')).toMatchObject({ expression: '0 6/3 * * *', fields: { hour: '6/3' } });
    expect(planSchedule('@weekly').fields).toEqual({ minute: '0', hour: '0', dayOfMonth: '*', month: '*', dayOfWeek: '0' });
  });

  test('a cdk8s Cron is validated like a string', () => {
    expect(planSchedule(Cron.schedule({ minute: '0', hour: '3' })).expression).toBe('0 3 * * *');
    expect(() => planSchedule(Cron.schedule({ minute: '60' }))).toThrow('schedule: "60 * * * *" field 1 (minute) "60" is out of range 0-59');
  });

  test.each<[string, string]>([
    ['', 'schedule: "" is empty. Fix: use five fields such as "30 2 * * *" (02:30 every day) or a macro such as "@daily"'],
    ['0 2 * *', 'schedule: "0 2 * *" has 4 fields; a Kubernetes schedule has 5 (minute hour day-of-month month day-of-week). Fix: write minute hour day-of-month month day-of-week'],
    ['0 0 2 * * *', 'schedule: "0 0 2 * * *" has 6 fields; a Kubernetes schedule has 5 (minute hour day-of-month month day-of-week). Fix: drop the seconds (or year) field'],
    ['daily', 'schedule: "daily" has 1 field; a Kubernetes schedule has 5'],
    ['@reboot', 'schedule: "@reboot" runs "at boot", which means nothing for a CronJob: no machine boots, and Kubernetes rejects it. Fix: use a ResilientJob'],
    ['@every 1h', 'schedule: "@every 1h" uses @every, which Kubernetes does not document for CronJobs. Fix: write the interval as five fields'],
    ['@fortnightly', 'schedule: "@fortnightly" is not a supported macro. Fix: use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, or five fields'],
    ['@Daily', 'schedule: "@Daily" writes the macro @Daily in capitals, which the cron parser Kubernetes uses does not recognise. Fix: use "@daily"'],
    ['@daily 5', 'schedule: "@daily 5" has text after the macro @daily. Fix: use "@daily" alone'],
    ['TZ=Europe/Berlin 0 2 * * *', 'schedule: "TZ=Europe/Berlin 0 2 * * *" sets the time zone inside the schedule with TZ=, which Kubernetes rejects. Fix: move it to the timeZone setting (timeZone: "Europe/Berlin") and keep only "0 2 * * *" in the schedule'],
    ['CRON_TZ=UTC @daily', 'schedule: "CRON_TZ=UTC @daily" sets the time zone inside the schedule with CRON_TZ=, which Kubernetes rejects. Fix: move it to the timeZone setting (timeZone: "UTC") and keep only "@daily" in the schedule'],
    ['60 * * * *', 'schedule: "60 * * * *" field 1 (minute) "60" is out of range 0-59. Fix: use a value in 0-59'],
    ['0 24 * * *', 'schedule: "0 24 * * *" field 2 (hour) "24" is out of range 0-23'],
    ['0 0 0 * *', 'schedule: "0 0 0 * *" field 3 (day of month) "0" is out of range 1-31'],
    ['0 0 32 * *', 'schedule: "0 0 32 * *" field 3 (day of month) "32" is out of range 1-31'],
    ['0 0 * 13 *', 'schedule: "0 0 * 13 *" field 4 (month) "13" is out of range 1-12. Fix: use a value in 1-12 or JAN-DEC'],
    ['0 0 * * 7', 'schedule: "0 0 * * 7" field 5 (day of week) "7" is out of range 0-6 (the cron parser Kubernetes uses does not accept 7 for Sunday). Fix: use 0 (or SUN) for Sunday'],
    ['0 0 * * MONDAY', 'schedule: "0 0 * * MONDAY" field 5 (day of week) "MONDAY" is neither a number nor a three-letter name (SUN-SAT). Fix: use values in 0-6 or SUN-SAT'],
    ['0 0 * JUL-JAN *', 'schedule: "0 0 * JUL-JAN *" field 4 (month) "JUL-JAN" is a range whose start is after its end. Fix: write the smaller value first, or list the values with commas'],
    ['*/0 * * * *', 'schedule: "*/0 * * * *" field 1 (minute) "*/0" has a step that is not a whole number above 0. Fix: use e.g. "*/5"'],
    ['*/x * * * *', 'schedule: "*/x * * * *" field 1 (minute) "*/x" has a step that is not a whole number above 0'],
    ['*/5/2 * * * *', 'schedule: "*/5/2 * * * *" field 1 (minute) "*/5/2" has more than one "/"'],
    ['0,,30 * * * *', 'schedule: "0,,30 * * * *" field 1 (minute) "0,,30" has an empty list item. Fix: remove the extra comma'],
    ['0 1-2-3 * * *', 'schedule: "0 1-2-3 * * *" field 2 (hour) "1-2-3" is not a value or a range low-high'],
    ['0 -5 * * *', 'schedule: "0 -5 * * *" field 2 (hour) "-5" is not a value or a range low-high'],
    ['? * * * *', 'schedule: "? * * * *" field 1 (minute) "?" uses "?", which only the day fields accept. Fix: use "*"'],
    ['0 0 L * *', 'schedule: "0 0 L * *" field 3 (day of month) "L" uses Quartz or Jenkins syntax (L, W, #, H), which Kubernetes does not support'],
    ['0 0 15W * *', 'schedule: "0 0 15W * *" field 3 (day of month) "15W" uses Quartz or Jenkins syntax'],
    ['0 0 * * 1#2', 'schedule: "0 0 * * 1#2" field 5 (day of week) "1#2" uses Quartz or Jenkins syntax'],
    ['H * * * *', 'schedule: "H * * * *" field 1 (minute) "H" uses Quartz or Jenkins syntax'],
    ['0 0 * * JUL', 'schedule: "0 0 * * JUL" field 5 (day of week) "JUL" is neither a number nor a three-letter name (SUN-SAT)'],
    ['0 0 30 2 *', 'schedule: "0 0 30 2 *" never runs: day 30 of the month does not occur in month 2. Fix: choose days that exist in the chosen months'],
    ['0 0 31 APR,JUN *', 'schedule: "0 0 31 APR,JUN *" never runs: day 31 of the month does not occur in month 4, 6'],
  ])('rejects %j', (expression, message) => {
    expect(() => planSchedule(expression)).toThrow(message);
  });

  test('day 31 in an impossible month still runs when a weekday is also given (cron ORs the two)', () => {
    expect(() => planSchedule('0 0 31 2 MON')).not.toThrow();
  });
});
