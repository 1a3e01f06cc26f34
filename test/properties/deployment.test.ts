/** Generated ResilientDeployment props, alone or under a profile (see test/support/property-harness.ts). */
import { Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { ResilientDeployment } from '../../src';
import { ANY, applyProfile, Arbitraries, GOOD, maybe, oneOf, podProps } from '../support/property-arbitraries';
import { expectBothOutcomes, runProperty, runsFor, timeoutFor } from '../support/property-harness';

const SHARE = 0.3;

const deploymentSpec = (a: Arbitraries) => fc.record({
  id: a.constructIds,
  name: a.objectNames,
  replicas: maybe(a.count(2, 5)),
  autoscaling: maybe(fc.record({ minReplicas: maybe(a.count(2, 4)), maxReplicas: a.count(5, 10), cpu: maybe(a.mostly([70, 50], [0, 101, 50.5])) }), 4),
  rollout: maybe(fc.record({
    maxSurge: maybe(a.mostly<number | string>([1, 2, '25%', '100%'], [0, '150%', -1, 'x'])),
    maxUnavailable: maybe(oneOf<number | string>(0, 1, '50%')),
    revisionHistoryLimit: maybe(a.count(1, 10)),
  })),
  disruptionBudget: maybe(a.mostly<any>([{ maxUnavailable: 1 }, { minAvailable: 1 }, { maxUnavailable: '50%' }], [{ enabled: false }, false, { maxUnavailable: 0 }])),
  service: maybe(a.mostly<any>([{ enabled: false }, { name: 'public' }], [{ name: 'Public' }, { ports: [80] }])),
  pod: a.podSpec,
  profile: a.profileSpec,
  hashes: fc.boolean(),
});

test('ResilientDeployment: every accepted prop set gives valid 1.27 objects; every refused one says where and how to fix it', () => {
  const tally = runProperty('deployment', SHARE, fc.oneof(deploymentSpec(GOOD), deploymentSpec(ANY)), (spec, app) => {
    applyProfile(spec.profile, app);
    const chart = new Chart(app, 'shop', { disableResourceNameHashes: !spec.hashes });
    new ResilientDeployment(chart, spec.id, {
      ...podProps(spec.pod),
      name: spec.name,
      replicas: spec.autoscaling ? undefined : spec.replicas,
      autoscaling: spec.autoscaling && { minReplicas: spec.autoscaling.minReplicas, maxReplicas: spec.autoscaling.maxReplicas, targetCpuUtilizationPercent: spec.autoscaling.cpu },
      rollout: spec.rollout as any,
      disruptionBudget: spec.disruptionBudget,
      service: spec.service,
    });
  });
  // The generator must exercise both sides of the contract.
  expectBothOutcomes(tally);
}, timeoutFor(runsFor(SHARE)));
