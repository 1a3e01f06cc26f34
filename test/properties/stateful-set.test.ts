/** Generated ResilientStatefulSet props (see test/support/property-harness.ts). */
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { ResilientStatefulSet } from '../../src';
import { ANY, applyProfile, Arbitraries, GOOD, maybe, oneOf, podProps } from '../support/property-arbitraries';
import { expectBothOutcomes, runProperty, runsFor, timeoutFor } from '../support/property-harness';

const SHARE = 0.2;

const claim = (a: Arbitraries) => fc.record({
  name: a.mostly(['data', 'wal', 'cache'], ['Data', '', 'x'.repeat(64)]),
  size: a.mostly(['10Gi', '500Mi', '1Ti'], ['0', '-1Gi', 'ten', '']),
  mountPath: a.mostly(['/var/lib/data', '/data', '/wal'], ['data', '/tmp']),
});

const statefulSpec = (a: Arbitraries) => fc.record({
  id: a.constructIds,
  name: a.objectNames,
  replicas: maybe(a.count(1, 5)),
  claims: fc.uniqueArray(claim(a), { maxLength: 2, selector: (c) => c.name }),
  headlessName: maybe(a.mostly(['db-peers', 'peers'], ['Peers', 'x'.repeat(64)]), 5),
  clientService: maybe(a.mostly<any>([{}, { name: 'db-client' }], [{ name: 'Client' }]), 4),
  partition: maybe(a.count(0, 2), 4),
  podManagementPolicy: maybe(oneOf(kplus.PodManagementPolicy.ORDERED_READY, kplus.PodManagementPolicy.PARALLEL)),
  fsGroup: maybe(a.mostly([1000, 999], [-1, 1.5]), 4),
  disruptionBudget: maybe(a.mostly<any>([{ maxUnavailable: 1 }], [{ minAvailable: 5 }]), 4),
  pod: a.podSpec,
  profile: a.profileSpec,
});

test('ResilientStatefulSet: every accepted prop set gives valid 1.27 objects; every refused one says where and how to fix it', () => {
  const tally = runProperty('statefulset', SHARE, fc.oneof(statefulSpec(GOOD), statefulSpec(ANY)), (spec, app) => {
    applyProfile(spec.profile, app);
    const chart = new Chart(app, 'data');
    // One claim of a careful user's set may land where another is mounted: keep paths apart.
    const seenPaths = new Set<string>();
    new ResilientStatefulSet(chart, spec.id, {
      ...podProps(spec.pod),
      name: spec.name,
      replicas: spec.replicas,
      volumeClaims: spec.claims.filter((c) => !seenPaths.has(c.mountPath) && seenPaths.add(c.mountPath)).map((c) => ({ name: c.name, size: c.size, mountPath: c.mountPath })),
      headlessService: spec.headlessName !== undefined ? { name: spec.headlessName } : undefined,
      clientService: spec.clientService,
      rollout: { partition: spec.partition, podManagementPolicy: spec.podManagementPolicy },
      fsGroup: spec.fsGroup,
      disruptionBudget: spec.disruptionBudget,
    });
  });
  expectBothOutcomes(tally);
}, timeoutFor(runsFor(SHARE)));
