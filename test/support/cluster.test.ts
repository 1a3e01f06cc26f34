/** The pure parts of the cluster support: when a rollout counts as done, how versions compare. */
import { clusterPrerequisite, rolloutPending } from './cluster';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require('../../scripts/cluster/build');

const deployment = (status: object, replicas = 3, generation = 2) => ({ kind: 'Deployment', metadata: { name: 'web', generation }, spec: { replicas }, status: { observedGeneration: generation, ...status } });

describe('rolloutPending', () => {
  test('a Deployment is done only when every replica is updated and available and no old one is left', () => {
    expect(rolloutPending(deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 }))).toBe('');
    expect(rolloutPending(deployment({ replicas: 4, updatedReplicas: 3, availableReplicas: 3 }))).toBe('1 old replicas still present');
    expect(rolloutPending(deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 2 }))).toBe('2/3 available');
    expect(rolloutPending(deployment({ replicas: 3, updatedReplicas: 1, availableReplicas: 3 }))).toBe('1/3 updated');
    expect(rolloutPending({ ...deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), status: { observedGeneration: 1 } })).toBe('controller has not seen the latest generation');
  });

  test('a StatefulSet with a partition is done when the replicas above it are updated', () => {
    const sts = { kind: 'StatefulSet', metadata: { name: 'db', generation: 1 }, spec: { replicas: 5, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 4 } } } };
    expect(rolloutPending({ ...sts, status: { observedGeneration: 1, availableReplicas: 5, updatedReplicas: 1 } })).toBe('');
    expect(rolloutPending({ ...sts, status: { observedGeneration: 1, availableReplicas: 5, updatedReplicas: 0 } })).toBe('0/1 updated');
  });

  test('a DaemonSet with no node to run on is never done; a failed Job is an error, not a wait', () => {
    expect(rolloutPending({ kind: 'DaemonSet', metadata: { name: 'a', generation: 1 }, spec: {}, status: { observedGeneration: 1, desiredNumberScheduled: 0 } })).toBe('no node selected for its pods');
    const job = (conditions: object[]) => ({ kind: 'Job', metadata: { name: 'j' }, spec: {}, status: { conditions } });
    expect(rolloutPending(job([{ type: 'Complete', status: 'True' }]))).toBe('');
    expect(rolloutPending(job([{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'retries used up' }]))).toMatch(/^FAILED: BackoffLimitExceeded/);
  });
});

describe('cluster prerequisites', () => {
  test('Go versions compare numerically, and the version pins are read from go.mod', () => {
    expect(build.compareVersions('1.26.8', '1.26.0')).toBeGreaterThan(0);
    expect(build.compareVersions('1.9', '1.26')).toBeLessThan(0);
    const line = build.describeLine('1.37');
    expect([line.kubernetes, line.etcd, line.kwok]).toEqual(['v1.37.2', 'v3.7.0', 'v0.8.0']);
    expect(build.describeLine('1.27').kubernetes).toBe('v1.27.16');
  });

  test('CI=true means the cluster tests must run; an unknown Kubernetes line is refused with the fix', () => {
    expect(clusterPrerequisite({ CI: 'true' }).mustRun).toBe(true);
    expect(clusterPrerequisite({}).mustRun).toBe(false);
    expect(() => build.chosenLine({ CLUSTER_KUBERNETES: '1.30' })).toThrow(/Fix: use one of 1\.37, 1\.27/);
  });
});
