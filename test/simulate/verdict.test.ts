/**
 * The verdict rules of `simulate`, without a cluster: each scenario's measurements in, pass, fail
 * or accepted out, with the numbers and the reason.
 */
import * as fc from 'fast-check';
import { availabilityFloor } from '../../src/simulate/availability';
import { Workload } from '../../src/simulate/types';
import {
  judgeCronJob, judgeDrain, judgeJobEviction, judgeRollingUpdate, judgeStart, judgeStatefulSet, judgeZoneOutage, skipped,
} from '../../src/simulate/verdict';

function workload(over: Partial<Workload> = {}): Workload {
  return { kind: 'Deployment', name: 'web', namespace: 'ns', input: 'in.yaml', manifest: { metadata: { name: 'web' } }, strategy: 'RollingUpdate', ...over };
}

const rollout = { desired: 3, lowestReady: 3, surge: 1, completed: true, seconds: 40, deadlineSeconds: 600, deadlineExceeded: false, pending: [] };

describe('rolling update', () => {
  test('passes when ready stays at or above replicas - 1 and it completes in time', () => {
    const r = judgeRollingUpdate(workload(), { ...rollout, lowestReady: 2 });
    expect(r.verdict).toBe('pass');
    expect(r.numbers).toMatchObject({ lowestReady: 2, floor: 2, surge: 1, completed: true, seconds: 40, progressDeadlineSeconds: 600 });
    expect(r.summary).toBe('lowest ready 2/3, surge 1, done in 40 s of 600 s');
  });

  test('Recreate to zero fails naming the strategy', () => {
    const r = judgeRollingUpdate(workload({ strategy: 'Recreate' }), { ...rollout, lowestReady: 0, surge: 0 });
    expect(r.verdict).toBe('fail');
    expect(r.reasons).toEqual(['during the rollout (strategy Recreate): ready fell to 0 of 3 (floor 2: replicas - 1)']);
  });

  test('a deadline exceeded, or not done, or done too late, fails', () => {
    expect(judgeRollingUpdate(workload(), { ...rollout, completed: false, deadlineExceeded: true }).reasons).toEqual(['progress deadline (600 s) exceeded']);
    expect(judgeRollingUpdate(workload(), { ...rollout, completed: false, seconds: 300 }).reasons).toEqual(['rollout did not complete within 300 s']);
    expect(judgeRollingUpdate(workload(), { ...rollout, seconds: 700 }).reasons).toEqual(['completed after 700 s, beyond progressDeadlineSeconds 600']);
  });

  test('the PodDisruptionBudget sets the floor when it has one', () => {
    const w = workload({ budget: { name: 'web', maxUnavailable: 2 } });
    expect(judgeRollingUpdate(w, { ...rollout, desired: 6, lowestReady: 4 }).verdict).toBe('pass');
    expect(judgeRollingUpdate(w, { ...rollout, desired: 6, lowestReady: 3 }).reasons[0]).toMatch(/ready fell to 3 of 6 \(floor 4: PodDisruptionBudget web\)/);
  });
});

describe('node drain', () => {
  const drain = { desired: 3, lowestReady: 2, drains: [{ node: 'n1', finished: true, seconds: 7, refusals: 1 }], deadlineSeconds: 120, pending: [], readyAfter: 3 };

  test('passes with one pod down at a time and every drain finished', () => {
    const r = judgeDrain(workload(), drain);
    expect(r.verdict).toBe('pass');
    expect(r.numbers).toMatchObject({ lowestReady: 2, nodes: 1, blockedDrains: 0, refusals: 1, slowestDrainSeconds: 7 });
  });

  test('a blocked drain fails with the API server\'s refusal', () => {
    const r = judgeDrain(workload(), { ...drain, lowestReady: 3, drains: [{ node: 'n1', finished: false, seconds: 120, refusals: 118, blockedBy: 'Cannot evict pod as it would violate the pod\'s disruption budget.' }] });
    expect(r.verdict).toBe('fail');
    expect(r.reasons).toEqual(["drain of n1 did not finish within 120 s (118 eviction(s) refused: Cannot evict pod as it would violate the pod's disruption budget.)"]);
  });

  test('zero ready fails for a single replica, unless the manifest accepts one replica', () => {
    const single = { ...drain, desired: 1, lowestReady: 0 };
    expect(judgeDrain(workload(), single).reasons).toEqual(['during the drains: ready fell to 0 of 1 (floor 1: never zero)']);
    const accepted = judgeDrain(workload({ singleReplicaReason: 'primary only' }), single);
    expect(accepted.verdict).toBe('accepted');
    expect(accepted.reasons[0]).toMatch(/accepted: single replica \(primary only\)/);
  });

  test('acceptance covers availability only: a blocked drain still fails', () => {
    const r = judgeDrain(workload({ singleReplicaReason: 'primary only' }), { ...drain, desired: 1, lowestReady: 0, drains: [{ node: 'n1', finished: false, seconds: 120, refusals: 3 }] });
    expect(r.verdict).toBe('fail');
  });

  test('pods left Pending fail', () => {
    expect(judgeDrain(workload(), { ...drain, pending: ['0/6 nodes are available'] }).reasons).toEqual(['after the drains 1 pod(s) Pending: 0/6 nodes are available']);
  });
});

describe('zone outage', () => {
  const zone = { zone: 'zone-a', zones: 3, desired: 3, podsInZone: 1, readyRightAfter: 2, readyAfter: 3, seconds: 9, pending: [] };

  test('losing one zone\'s share and recovering passes', () => {
    expect(judgeZoneOutage(workload(), zone).verdict).toBe('pass');
    expect(judgeZoneOutage(workload(), { ...zone, desired: 6, podsInZone: 2, readyRightAfter: 4, readyAfter: 6 }).verdict).toBe('pass');
  });

  test('everything in one zone fails right after and stays Pending', () => {
    const r = judgeZoneOutage(workload(), { ...zone, podsInZone: 3, readyRightAfter: 0, readyAfter: 0, pending: ["didn't match Pod's node affinity/selector"] });
    expect(r.verdict).toBe('fail');
    expect(r.reasons).toEqual([
      'right after losing zone-a: ready 0 of 3 (3 pod(s) were in zone-a; floor 2)',
      'after rescheduling: ready 0 of 3 after 9 s',
      "1 pod(s) Pending: didn't match Pod's node affinity/selector",
    ]);
  });
});

describe('start, StatefulSet, Jobs', () => {
  test('start fails with the scheduler\'s message for Pending pods', () => {
    const r = judgeStart(workload(), { desired: 8, ready: 6, seconds: 20, pending: ['anti-affinity', 'anti-affinity'] });
    expect(r.reasons).toEqual(['2 pod(s) Pending: anti-affinity', 'only 6 of 8 ready after 20 s']);
    expect(judgeStart(workload(), { desired: 3, ready: 3, seconds: 5, pending: [] }).verdict).toBe('pass');
  });

  test('StatefulSet: a replaced claim or a pod out of order fails', () => {
    const base = { desired: 2, claimsBefore: { 'data-db-0': 'u0', 'data-db-1': 'u1' }, claimsAfterScale: { 'data-db-0': 'u0', 'data-db-1': 'u1' }, claimsAfterReapply: { 'data-db-0': 'u0', 'data-db-1': 'u1' }, orderViolations: [], orderedReady: true, readyAfterScale: 2, readyAfterReapply: 2, seconds: 30 };
    const w = workload({ kind: 'StatefulSet', name: 'db' });
    expect(judgeStatefulSet(w, base).numbers).toMatchObject({ claims: 2, claimsKept: 2 });
    const lost = judgeStatefulSet(w, { ...base, claimsAfterReapply: { 'data-db-0': 'new', 'data-db-1': 'u1' } });
    expect(lost.reasons).toEqual(['after delete and re-apply: data-db-0 was replaced by a new claim']);
    expect(lost.numbers.claimsKept).toBe(1);
    expect(judgeStatefulSet(w, { ...base, orderViolations: ['db-1 was created before db-0 was ready'] }).verdict).toBe('fail');
  });

  test('Job: an evicted pod counted against backoffLimit fails; ignored passes', () => {
    const w = workload({ kind: 'Job', name: 'migrate' });
    expect(judgeJobEviction(w, { evicted: true, completed: true, failuresCounted: 0, backoffLimit: 2, seconds: 12 }).verdict).toBe('pass');
    expect(judgeJobEviction(w, { evicted: true, completed: true, failuresCounted: 1, backoffLimit: 2, seconds: 12 }).reasons[0]).toMatch(/counted as 1 failure\(s\) of backoffLimit 2/);
    expect(judgeJobEviction(w, { evicted: false, completed: true, failuresCounted: 0, backoffLimit: 2, seconds: 1 }).verdict).toBe('fail');
  });

  test('CronJob: the triggered run must complete', () => {
    const w = workload({ kind: 'CronJob', name: 'nightly' });
    expect(judgeCronJob(w, { job: 'nightly-simulated', completed: true, seconds: 8 }).verdict).toBe('pass');
    expect(judgeCronJob(w, { job: 'nightly-simulated', completed: false, failed: 'BackoffLimitExceeded: x', seconds: 8 }).reasons).toEqual(['the triggered Job nightly-simulated failed: BackoffLimitExceeded: x']);
    expect(skipped(w, 'zone-outage', 'why').verdict).toBe('skipped');
  });
});

describe('availability floor (property)', () => {
  test('never zero, replicas - 1 without a budget, and a lowest ready count fails exactly below it', () => {
    const seed = Date.now() % 2 ** 31;
    process.stdout.write(`simulate floor property seed ${seed}\n`);
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.option(fc.oneof(fc.record({ minAvailable: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`)) }), fc.record({ maxUnavailable: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`)) })), { nil: undefined }),
      fc.integer({ min: 0, max: 50 }),
      (desired, budget, lowest) => {
        const b = budget ? { name: 'pdb', ...budget } : undefined;
        const { floor } = availabilityFloor(desired, b);
        expect(floor).toBeGreaterThanOrEqual(1);
        if (!b) expect(floor).toBe(Math.max(1, desired - 1));
        const r = judgeDrain(workload({ budget: b }), { desired, lowestReady: Math.min(lowest, desired), drains: [], deadlineSeconds: 1, pending: [], readyAfter: desired });
        expect(r.verdict).toBe(Math.min(lowest, desired) < floor ? 'fail' : 'pass');
      },
    ), { seed, numRuns: 200 });
  });
});
