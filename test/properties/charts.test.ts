/**
 * Generated apps of several charts and workloads, with profiles on the App and on charts, and
 * namespaces that may or may not separate them: duplicates across charts must be refused, and
 * everything accepted must be valid together (see test/support/property-harness.ts).
 */
import { Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { ResilientCronJob, ResilientDaemonSet, ResilientDeployment, ResilientJob, ResilientStatefulSet } from '../../src';
import { ANY, applyProfile, Arbitraries, GOOD, maybe, oneOf, podProps } from '../support/property-arbitraries';
import { expectBothOutcomes, runProperty, runsFor, timeoutFor } from '../support/property-harness';

const SHARE = 0.1;

const workload = (a: Arbitraries) => fc.record({
  kind: oneOf('Deployment', 'StatefulSet', 'Job', 'CronJob', 'DaemonSet'),
  id: oneOf('web', 'api', 'db', 'worker'),
  name: maybe(oneOf('api', 'db', 'db-headless', 'web'), 2),
  pod: a.podSpec,
});

const appSpec = (a: Arbitraries) => fc.record({
  appProfile: a.profileSpec,
  charts: fc.array(fc.record({
    namespace: maybe(oneOf('shop', 'billing')),
    profile: a.profileSpec,
    workloads: fc.uniqueArray(workload(a), { minLength: 1, maxLength: 2, selector: (w) => w.id }),
  }), { minLength: 1, maxLength: 2 }),
});

test('apps of several charts: accepted means valid together, duplicates are refused', () => {
  const tally = runProperty('charts', SHARE, fc.oneof(appSpec(GOOD), appSpec(ANY)), (spec, app) => {
    applyProfile(spec.appProfile, app);
    spec.charts.forEach((c, index) => {
      const chart = new Chart(app, `chart${index}`, { namespace: c.namespace });
      applyProfile(c.profile, chart);
      for (const w of c.workloads) {
        const base = { ...podProps(w.pod, w.kind === 'Job' || w.kind === 'CronJob'), name: w.name };
        if (w.kind === 'Deployment') new ResilientDeployment(chart, w.id, base);
        else if (w.kind === 'StatefulSet') new ResilientStatefulSet(chart, w.id, base);
        else if (w.kind === 'Job') new ResilientJob(chart, w.id, base);
        else if (w.kind === 'CronJob') new ResilientCronJob(chart, w.id, { ...base, schedule: '@daily' });
        else new ResilientDaemonSet(chart, w.id, base);
      }
    });
  });
  expectBothOutcomes(tally);
}, timeoutFor(runsFor(SHARE)));
