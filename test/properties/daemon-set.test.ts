/** Generated ResilientDaemonSet props (see test/support/property-harness.ts). */
import { Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { ResilientDaemonSet } from '../../src';
import { ANY, applyProfile, Arbitraries, GOOD, maybe, podProps, tolerations, tolerationSpec } from '../support/property-arbitraries';
import { expectBothOutcomes, runProperty, runsFor, timeoutFor } from '../support/property-harness';

const SHARE = 0.1;

const daemonSpec = (a: Arbitraries) => fc.record({
  id: a.constructIds,
  name: a.objectNames,
  rollout: maybe(fc.record({
    maxUnavailable: maybe(a.mostly<number | string>([1, '10%', 0], [-1, '150%'])),
    maxSurge: maybe(a.mostly<number | string>([0, 1, '10%'], ['x'])),
    revisionHistoryLimit: maybe(a.count(1, 10)),
  })),
  tolerations: tolerationSpec,
  pod: a.podSpec,
  profile: a.profileSpec,
});

test('ResilientDaemonSet: every accepted prop set gives valid 1.27 objects; every refused one says where and how to fix it', () => {
  const tally = runProperty('daemonset', SHARE, fc.oneof(daemonSpec(GOOD), daemonSpec(ANY)), (spec, app) => {
    applyProfile(spec.profile, app);
    new ResilientDaemonSet(new Chart(app, 'agents'), spec.id, {
      ...podProps(spec.pod),
      name: spec.name,
      rollout: spec.rollout,
      tolerations: tolerations(spec.tolerations),
    });
  });
  expectBothOutcomes(tally);
}, timeoutFor(runsFor(SHARE)));
