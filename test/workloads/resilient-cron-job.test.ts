import { Cron, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { InitProcess, LifecycleHook, ResilientCronJob, ResilientCronJobProps } from '../../src';
import { expectValidKubernetes } from '../support/k8s-validate';
import { matches, podLabelsOf, podSpecOf } from '../support/properties';
import { KubeObject, newChart, only, synth, rejectionOf } from '../support/synth';

function cron(props: Partial<ResilientCronJobProps> = {}, id = 'report'): { objects: KubeObject[]; construct: ResilientCronJob } {
  const chart = newChart();
  const construct = new ResilientCronJob(chart, id, {
    schedule: '30 2 * * *',
    container: { image: 'example/report:1.0.0', command: ['/report'] },
    ...props,
  });
  const objects = synth(chart);
  expectValidKubernetes(objects);
  return { objects, construct };
}

function errorOf(props: Partial<ResilientCronJobProps>): string {
  return rejectionOf(() => cron(props));
}

describe('ResilientCronJob output', () => {
  test('defaults: the minimal call', () => {
    const { objects } = cron();
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => o.kind)).toEqual(['CronJob']);
  });

  test('a macro schedule in a time zone, Replace, exit codes, dumb-init, custom history', () => {
    const { objects } = cron({
      name: 'cleanup',
      component: 'maintenance',
      partOf: 'shop',
      schedule: '@hourly',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: kplus.ConcurrencyPolicy.REPLACE,
      startingDeadline: Duration.minutes(2),
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 5,
      activeDeadline: Duration.minutes(50),
      backoffLimit: 1,
      failJobOnExitCodes: [78],
      init: InitProcess.dumbInit(),
      container: { image: 'example/cleanup:2.0.1', command: ['/usr/local/bin/cleanup', '--older-than', '7d'] },
      shutdown: { appShutdown: Duration.seconds(10) },
    }, 'cleanup');
    expect(objects).toMatchSnapshot();
  });

  test('suspended, OnFailure, no pod failure policy', () => {
    const { objects, construct } = cron({ suspend: true, restartPolicy: kplus.RestartPolicy.ON_FAILURE });
    expect(objects).toMatchSnapshot();
    const spec = only(objects, 'CronJob').spec;
    expect(spec.suspend).toBe(true);
    expect(spec.jobTemplate.spec.podFailurePolicy).toBeUndefined();
    expect(podSpecOf(only(objects, 'CronJob')).restartPolicy).toBe('OnFailure');
    expect(construct.podFailurePolicy).toBeUndefined();
  });
});

describe('ResilientCronJob properties', () => {
  test('concurrencyPolicy Forbid, explicit UTC, a starting deadline and history limits by default', () => {
    const spec = only(cron().objects, 'CronJob').spec;
    expect(spec.concurrencyPolicy).toBe('Forbid');
    expect(spec.timeZone).toBe('Etc/UTC');
    expect(spec.startingDeadlineSeconds).toBe(600);
    expect(spec.successfulJobsHistoryLimit).toBe(3);
    expect(spec.failedJobsHistoryLimit).toBe(3);
    expect(spec.suspend).toBe(false);
    expect(spec.schedule).toBe('30 2 * * *');
  });

  test('the job template gets the Job run defaults, but no ttl (history limits keep finished runs)', () => {
    const job = only(cron().objects, 'CronJob').spec.jobTemplate.spec;
    expect(job.backoffLimit).toBe(3);
    expect(job.activeDeadlineSeconds).toBe(3600);
    expect(job.completions).toBe(1);
    expect(job.parallelism).toBe(1);
    expect(job.template.spec.restartPolicy).toBe('Never');
    expect(job.ttlSecondsAfterFinished).toBeUndefined();
    expect(job.selector).toBeUndefined();
  });

  test('disruptions are ignored and listed exit codes fail the run', () => {
    const rules = only(cron({ failJobOnExitCodes: [3] }).objects, 'CronJob').spec.jobTemplate.spec.podFailurePolicy.rules;
    expect(rules).toEqual([
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [3] }, onPodConditions: [] },
    ]);
  });

  test('a macro is written as given; a cdk8s Cron as its expression', () => {
    expect(only(cron({ schedule: '@weekly' }).objects, 'CronJob').spec.schedule).toBe('@weekly');
    const { objects, construct } = cron({ schedule: Cron.schedule({ minute: '15', hour: '*/6' }) });
    expect(only(objects, 'CronJob').spec.schedule).toBe('15 */6 * * *');
    expect(construct.cronJob.schedule.expressionString).toBe('15 */6 * * *');
  });

  test('graceful shutdown in the job template: grace covers preStop + app shutdown', () => {
    const { objects, construct } = cron({ shutdown: { preStop: LifecycleHook.command(['/report', '--flush'], Duration.seconds(5)), appShutdown: Duration.seconds(40) } });
    const c = only(objects, 'CronJob');
    expect(podSpecOf(c).terminationGracePeriodSeconds).toBe(50);
    expect(construct.terminationGracePeriodSeconds).toBe(50);
    expect(c.spec.jobTemplate.spec.template.metadata.annotations['resilient.cdk8s.io/shutdown-budget']).toBe('grace 50s = preStop 5s + app shutdown 40s + margin 5s');
  });

  test('no PodDisruptionBudget, no spreading, no default probes', () => {
    const { objects } = cron();
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    const pod = podSpecOf(only(objects, 'CronJob'));
    expect(pod.topologySpreadConstraints).toBeUndefined();
    expect(pod.containers[0].livenessProbe).toBeUndefined();
  });

  test('recommended labels on the CronJob, the Jobs it creates and their pods', () => {
    const { objects } = cron({ partOf: 'shop' });
    const c = only(objects, 'CronJob');
    const expected = {
      'app.kubernetes.io/name': 'report', 'app.kubernetes.io/instance': c.metadata.name, 'app.kubernetes.io/version': '1.0.0',
      'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'cdk8s',
    };
    expect(c.metadata.labels).toEqual(expected);
    expect(c.spec.jobTemplate.metadata.labels).toEqual(expected);
    expect(matches(expected, podLabelsOf(c))).toBe(true);
  });

  test('escape hatches', () => {
    const { construct } = cron();
    expect(construct.cronJob).toBeInstanceOf(kplus.CronJob);
    expect(construct.cronJob.concurrencyPolicy).toBe('Forbid');
    expect(construct.apiObject.kind).toBe('CronJob');
    expect(construct.settings.schedule.expression).toBe('30 2 * * *');
    expect(construct.run.backoffLimit).toBe(3);
  });
});

describe('ResilientCronJob rejects unsafe input', () => {
  const cases: Array<[string, Partial<ResilientCronJobProps>, string]> = [
    ['a schedule with seconds', { schedule: '0 30 2 * * *' },
      '[test/report] schedule: "0 30 2 * * *" has 6 fields; a Kubernetes schedule has 5 (minute hour day-of-month month day-of-week). Fix: drop the seconds (or year) field: Kubernetes schedules have no seconds'],
    ['an hour out of range', { schedule: '0 25 * * *' },
      '[test/report] schedule: "0 25 * * *" field 2 (hour) "25" is out of range 0-23. Fix: use a value in 0-23'],
    ['@reboot', { schedule: '@reboot' },
      '[test/report] schedule: "@reboot" runs "at boot", which means nothing for a CronJob: no machine boots, and Kubernetes rejects it. Fix: use a ResilientJob for work that runs once per deployment, or a five-field schedule'],
    ['a time zone inside the schedule', { schedule: 'CRON_TZ=Europe/Berlin 30 2 * * *' },
      '[test/report] schedule: "CRON_TZ=Europe/Berlin 30 2 * * *" sets the time zone inside the schedule with CRON_TZ=, which Kubernetes rejects. Fix: move it to the timeZone setting (timeZone: "Europe/Berlin") and keep only "30 2 * * *" in the schedule'],
    ['a schedule that never runs', { schedule: '0 0 31 2 *' },
      '[test/report] schedule: "0 0 31 2 *" never runs: day 31 of the month does not occur in month 2. Fix: choose days that exist in the chosen months'],
    ['a UTC offset as time zone', { timeZone: '+01:00' },
      '[test/report] timeZone: "+01:00" is not shaped like an IANA time zone name'],
    ['an unknown time zone', { timeZone: 'Europe/Atlantis' },
      '[test/report] timeZone: "Europe/Atlantis" is not a known time zone. Fix: use an IANA time zone name such as "Europe/Berlin", "America/New_York" or "Etc/UTC"'],
    ['a zero starting deadline', { startingDeadline: Duration.seconds(0) },
      '[test/report] startingDeadline: "0 seconds" is zero: every run would have to start within 0 seconds of its slot, so runs would be skipped as missed'],
    ['a starting deadline under 10 s', { startingDeadline: Duration.seconds(9) },
      '[test/report] startingDeadline: "9s" is below 10s: the CronJob controller checks schedules every 10 seconds, so runs could be missed every time. Fix: use at least Duration.seconds(10); the default is 600s'],
    ['a zero activeDeadline', { activeDeadline: Duration.seconds(0) },
      '[test/report] activeDeadline: "0 seconds" is zero: Kubernetes requires a positive activeDeadlineSeconds'],
    ['a negative history limit', { failedJobsHistoryLimit: -1 },
      '[test/report] failedJobsHistoryLimit: -1 must be at least 0. Fix: use e.g. 3'],
    ['a negative backoffLimit', { backoffLimit: -3 },
      '[test/report] backoffLimit: -3 must be at least 0'],
    ['exit codes with OnFailure', { restartPolicy: kplus.RestartPolicy.ON_FAILURE, failJobOnExitCodes: [1] },
      '[test/report] failJobOnExitCodes: [1] needs a pod failure policy, which Kubernetes allows only with restartPolicy "Never"'],
    ['an unknown concurrency policy', { concurrencyPolicy: 'Skip' as any },
      '[test/report] concurrencyPolicy: "Skip" is not a concurrency policy. Fix: use ConcurrencyPolicy.FORBID (the default), ConcurrencyPolicy.REPLACE or ConcurrencyPolicy.ALLOW'],
  ];
  test.each(cases)('%s', (_, props, message) => {
    expect(errorOf(props)).toContain(message);
  });
});
