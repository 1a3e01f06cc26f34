/** Generated ResilientJob and ResilientCronJob props (see test/support/property-harness.ts). */
import { Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { ResilientCronJob, ResilientJob } from '../../src';
import { ANY, applyProfile, Arbitraries, dur, GOOD, maybe, oneOf, podProps } from '../support/property-arbitraries';
import { expectBothOutcomes, runProperty, runsFor, timeoutFor } from '../support/property-harness';

const SHARE = 0.3;

const runSpec = (a: Arbitraries) => fc.record({
  backoffLimit: maybe(a.count(0, 6)),
  completions: maybe(a.count(1, 5)),
  parallelism: maybe(a.count(1, 5)),
  activeDeadline: maybe(a.mostly([60, 3600, 86400], [0, NaN, 0.5])),
  restartPolicy: maybe(a.mostly<any>(['Never', 'OnFailure'], ['Always'])),
  failJobOnExitCodes: maybe(fc.array(a.mostly([1, 2, 42, 255], [0, 256, -1, 1.5]), { maxLength: 3 })),
});

const batchSpec = (a: Arbitraries) => fc.record({
  cron: fc.boolean(),
  id: a.constructIds,
  name: a.objectNames,
  run: runSpec(a),
  ttl: maybe(a.mostly([0, 3600, 86400], [1e6 * 86400, NaN])),
  schedule: a.mostly(['@daily', '30 2 * * *', '*/15 * * * *', '0 0 1 * *', '@hourly'], ['', '60 * * * *', '@reboot', '0 0 30 2 *', 'CRON_TZ=UTC 0 * * * *', '* * * * * *']),
  timeZone: maybe(a.mostly(['Etc/UTC', 'Europe/Berlin', 'America/New_York'], ['Local', 'europe/berlin', 'Mars/Olympus', 'UTC+1'])),
  concurrencyPolicy: maybe(oneOf<any>('Forbid', 'Allow', 'Replace')),
  startingDeadline: maybe(a.mostly([10, 600], [0, 5])),
  history: maybe(a.count(0, 5)),
  pod: a.podSpec,
  profile: a.profileSpec,
});

test('ResilientJob and ResilientCronJob: every accepted prop set gives valid 1.27 objects; every refused one says where and how to fix it', () => {
  const tally = runProperty('batch', SHARE, fc.oneof(batchSpec(GOOD), batchSpec(ANY)), (spec, app) => {
    applyProfile(spec.profile, app);
    const chart = new Chart(app, 'jobs');
    // restartPolicy OnFailure allows no pod failure policy: a careful user leaves the codes out.
    const run = { ...spec.run, activeDeadline: dur(spec.run.activeDeadline), failJobOnExitCodes: spec.run.restartPolicy === 'OnFailure' ? undefined : spec.run.failJobOnExitCodes };
    const pod = podProps(spec.pod, true);
    if (spec.cron) {
      new ResilientCronJob(chart, spec.id, {
        ...pod, ...run, name: spec.name, schedule: spec.schedule, timeZone: spec.timeZone, concurrencyPolicy: spec.concurrencyPolicy,
        startingDeadline: dur(spec.startingDeadline), successfulJobsHistoryLimit: spec.history, failedJobsHistoryLimit: spec.history,
      });
    } else {
      new ResilientJob(chart, spec.id, { ...pod, ...run, name: spec.name, ttlAfterFinished: dur(spec.ttl) });
    }
  });
  expectBothOutcomes(tally);
}, timeoutFor(runsFor(SHARE)));
