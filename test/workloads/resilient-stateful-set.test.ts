import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ClaimRetention, HealthCheck, LifecycleHook, ResilientStatefulSet, ResilientStatefulSetProps, Rules } from '../../src';
import { expectValidKubernetes } from '../support/k8s-validate';
import { expectResilientInvariants, podLabelsOf, podSpecOf, matches } from '../support/properties';
import { KubeObject, newChart, only, synth, rejectionOf } from '../support/synth';

const base: ResilientStatefulSetProps = {
  container: { image: 'example/store:2.1.0', ports: [{ number: 7000, name: 'peer' }] },
  volumeClaims: [{ name: 'data', size: Size.gibibytes(10), mountPath: '/data' }],
};

function stateful(props: Partial<ResilientStatefulSetProps> = {}, id = 'store'): { objects: KubeObject[]; construct: ResilientStatefulSet } {
  const chart = newChart();
  const construct = new ResilientStatefulSet(chart, id, { ...base, ...props });
  // A single replica is flagged by the rules at synth; these tests state why it is fine here.
  if (props.replicas === 1) Rules.of(construct).suppress('replicas-too-few', 'single-instance test database');
  const objects = synth(chart);
  expectValidKubernetes(objects);
  return { objects, construct };
}

function errorOf(props: Partial<ResilientStatefulSetProps>): string {
  return rejectionOf(() => stateful(props));
}

describe('ResilientStatefulSet output', () => {
  test('defaults: one claim', () => {
    const { objects } = stateful();
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => o.kind).sort()).toEqual(['PodDisruptionBudget', 'Service', 'StatefulSet']);
    expectResilientInvariants(objects, () => 60);
  });

  test('quorum system: parallel start, peer discovery, canary partition, several claims and a sidecar mount', () => {
    const { objects } = stateful({
      replicas: 5,
      rollout: { podManagementPolicy: kplus.PodManagementPolicy.PARALLEL, partition: 4, minReady: Duration.seconds(30) },
      headlessService: { publishNotReadyAddresses: true },
      clientService: { ports: [7000] },
      sidecars: [{ name: 'backup', image: 'example/backup:1.0.0', command: ['/backup', '--watch', '/data'] }],
      volumeClaims: [
        { name: 'data', size: '50Gi', storageClassName: 'fast-ssd', mountPath: '/data', mounts: [{ container: 'backup', path: '/data', readOnly: true }] },
        { name: 'wal', size: Size.mebibytes(1536), accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD], mountPath: '/wal', subPath: 'wal' },
      ],
      claimRetention: { whenScaled: ClaimRetention.DELETE, reason: 'replicas re-sync from peers; orphaned volumes only cost money' },
      fsGroup: 2000,
      shutdown: { appShutdown: Duration.seconds(90) },
    }, 'quorum');
    expect(objects).toMatchSnapshot();
    expectResilientInvariants(objects, () => 90);
  });

  test('a database with a postgres fast shutdown', () => {
    const { objects } = stateful({
      replicas: 1,
      container: {
        image: 'postgres:16.4',
        ports: [{ number: 5432, name: 'postgres' }],
        probes: { readiness: HealthCheck.exec(['pg_isready', '-h', '127.0.0.1']), liveness: HealthCheck.tcp() },
      },
      volumeClaims: [{ name: 'data', size: Size.gibibytes(10), mountPath: '/var/lib/postgresql/data' }],
      shutdown: { preStop: LifecycleHook.postgres({ stopTimeout: Duration.seconds(45) }), appShutdown: Duration.seconds(10) },
    }, 'db');
    expect(objects).toMatchSnapshot();
    const pod = podSpecOf(only(objects, 'StatefulSet'));
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['/bin/sh', '-c', 'pg_ctl stop -D "$PGDATA" -m fast -w -t 45']);
    expect(pod.terminationGracePeriodSeconds).toBe(45 + 10 + 5);
  });
});

describe('ResilientStatefulSet properties', () => {
  test('claims are retained on delete and on scale-down unless the user opts in', () => {
    const sts = only(stateful().objects, 'StatefulSet');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    const optIn = only(stateful({ claimRetention: { whenDeleted: ClaimRetention.DELETE, reason: 'scratch cache' } }).objects, 'StatefulSet');
    expect(optIn.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Retain' });
    const scaled = only(stateful({ replicas: 3, claimRetention: { whenScaled: ClaimRetention.DELETE, reason: 'replicas re-sync from peers' } }).objects, 'StatefulSet');
    expect(scaled.metadata.annotations!['resilient.cdk8s.io/suppress.statefulset-pvc-deleted-on-scale-down']).toBe('replicas re-sync from peers');
  });

  test('the governing Service is headless, named in spec.serviceName and selects exactly the pods', () => {
    const { objects } = stateful();
    const sts = only(objects, 'StatefulSet');
    const headless = only(objects, 'Service');
    expect(headless.spec.clusterIP).toBe('None');
    expect(sts.spec.serviceName).toBe(headless.metadata.name);
    expect(headless.spec.selector).toEqual(sts.spec.selector.matchLabels);
    expect(matches(headless.spec.selector, podLabelsOf(sts))).toBe(true);
    expect(headless.spec.ports).toEqual([{ name: 'peer', port: 7000, targetPort: 7000 }]);
    expect(headless.spec.publishNotReadyAddresses).toBeUndefined();
  });

  test('every claim is mounted, with its sub-path, where it was asked for', () => {
    const { objects } = stateful({
      sidecars: [{ name: 'backup', image: 'example/backup:1.0.0' }],
      volumeClaims: [
        { name: 'data', size: '1Gi', mountPath: '/data', subPath: 'db', mounts: [{ container: 'backup', path: '/backup-source', readOnly: true }] },
      ],
    });
    const sts = only(objects, 'StatefulSet');
    const pod = podSpecOf(sts);
    const claimNames = sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name);
    for (const claim of claimNames) {
      expect(pod.containers.some((c: any) => (c.volumeMounts ?? []).some((m: any) => m.name === claim))).toBe(true);
    }
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'data', mountPath: '/data', subPath: 'db' }]);
    expect(pod.containers[1].volumeMounts).toEqual([{ name: 'data', mountPath: '/backup-source', readOnly: true }]);
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' });
  });

  test('claim templates are the same in every release: no version label in an immutable field', () => {
    // volumeClaimTemplates cannot change after creation; the API server refuses the next release
    // if they do (test/cluster/upgrades.test.ts applies both to a real one).
    const release = (image: string) => only(stateful({ container: { ...base.container, image } }).objects, 'StatefulSet');
    const [v1, v2] = [release('example/store:2.1.0'), release('example/store:2.2.0')];
    expect(v1.metadata.labels!['app.kubernetes.io/version']).toBe('2.1.0');
    expect(v2.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('2.2.0');
    expect(v2.spec.volumeClaimTemplates).toEqual(v1.spec.volumeClaimTemplates);
    expect(v1.spec.volumeClaimTemplates[0].metadata.labels).toEqual({
      'app.kubernetes.io/name': 'store', 'app.kubernetes.io/instance': 'test-store', 'app.kubernetes.io/managed-by': 'cdk8s',
    });
  });

  test('claim mounts are added next to ordinary volume mounts', () => {
    const chart = newChart();
    const scratch = kplus.Volume.fromEmptyDir(chart, 'scratch', 'scratch');
    new ResilientStatefulSet(chart, 'store', { ...base, container: { ...base.container, volumeMounts: [{ volume: scratch, path: '/scratch' }] } });
    const mounts = podSpecOf(only(synth(chart), 'StatefulSet')).containers[0].volumeMounts;
    expect(mounts.map((m: any) => [m.name, m.mountPath])).toEqual([['scratch', '/scratch'], ['data', '/data']]);
  });

  test('ordered, safe updates and fast restarts of large volumes', () => {
    const sts = only(stateful().objects, 'StatefulSet');
    expect(sts.spec.podManagementPolicy).toBe('OrderedReady');
    expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    expect(sts.spec.minReadySeconds).toBe(10);
    expect(podSpecOf(sts).securityContext).toMatchObject({ fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch' });
  });

  test('stateful shutdown budget is longer than a stateless one', () => {
    const { construct } = stateful();
    expect(construct.terminationGracePeriodSeconds).toBe(5 + 60 + 5);
  });

  test('a PDB of maxUnavailable 1 even for one replica, which never blocks a drain', () => {
    const pdb = only(stateful({ replicas: 1 }).objects, 'PodDisruptionBudget');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
  });

  test('spreads over zones and nodes without rollout-revision keys', () => {
    const pod = podSpecOf(only(stateful().objects, 'StatefulSet'));
    expect(pod.topologySpreadConstraints).toHaveLength(2);
    expect(pod.topologySpreadConstraints[0].matchLabelKeys).toBeUndefined();
  });
});

describe('ResilientStatefulSet rejects unsafe input', () => {
  const cases: Array<[string, Partial<ResilientStatefulSetProps>, string]> = [
    ['a size that is not a quantity', { volumeClaims: [{ name: 'data', size: '10 GB', mountPath: '/data' }] },
      '[test/store] volumeClaims[0].size: "10 GB" is not a positive Kubernetes quantity. Fix: use e.g. Size.gibibytes(10) or "10Gi"'],
    ['a zero size', { volumeClaims: [{ name: 'data', size: '0Gi', mountPath: '/data' }] },
      '[test/store] volumeClaims[0].size: "0Gi" is not a positive Kubernetes quantity'],
    ['duplicate claim names', { volumeClaims: [{ name: 'data', size: '1Gi', mountPath: '/a' }, { name: 'data', size: '1Gi', mountPath: '/b' }] },
      '[test/store] volumeClaims[1].name: "data" is used by another claim. Fix: give each claim its own name'],
    ['an invalid claim name', { volumeClaims: [{ name: 'Data_1', size: '1Gi', mountPath: '/a' }] },
      '[test/store] volumeClaims[0].name: "Data_1" is not a valid claim name'],
    ['a claim mounted nowhere', { volumeClaims: [{ name: 'data', size: '1Gi' }] },
      '[test/store] volumeClaims[0].mountPath: (unset) leaves claim "data" mounted nowhere, so its storage would be provisioned and never used. Fix: set mountPath (main container) or mounts'],
    ['a mount in a container that does not exist', { volumeClaims: [{ name: 'data', size: '1Gi', mounts: [{ container: 'backup', path: '/data' }] }] },
      '[test/store] volumeClaims[0].mounts[0].container: "backup" names no container of this pod (containers: main). Fix: use the name of a container in the pod'],
    ['a relative mount path', { volumeClaims: [{ name: 'data', size: '1Gi', mountPath: 'data' }] },
      '[test/store] volumeClaims[0].mounts[0].path: "data" must be an absolute path. Fix: use "/data"'],
    ['a sub-path escaping the volume', { volumeClaims: [{ name: 'data', size: '1Gi', mountPath: '/data', subPath: '../etc' }] },
      '[test/store] volumeClaims[0].mounts[0].subPath: "../etc" must be a relative path without ".."'],
    ['two claims on one path', { volumeClaims: [{ name: 'a', size: '1Gi', mountPath: '/data' }, { name: 'b', size: '1Gi', mountPath: '/data' }] },
      '[test/store] volumeClaims[1].mounts[0].path: "/data" is already a mount point in container main. Fix: mount each claim at its own path'],
    ['empty access modes', { volumeClaims: [{ name: 'data', size: '1Gi', mountPath: '/data', accessModes: [] }] },
      '[test/store] volumeClaims[0].accessModes: [] is empty'],
    ['a partition above the replicas', { replicas: 2, rollout: { partition: 3 } },
      '[test/store] rollout.partition: 3 is above the replica count (2), so no pod would ever be updated. Fix: use at most 2'],
    ['zero replicas', { replicas: 0 },
      '[test/store] replicas: 0 is below 1'],
    ['no port for the headless Service', { container: { image: 'example/store:2.1.0', probes: { readiness: HealthCheck.exec(['/ready']), liveness: HealthCheck.exec(['/alive'], { failureThreshold: 10 }) } } },
      '[test/store] container.ports: (unset) are needed for the governing headless Service. Fix: declare the port the app listens on'],
    ['Delete without a reason', { claimRetention: { whenScaled: ClaimRetention.DELETE } },
      '[test/store] claimRetention.reason: (unset) is missing: Delete removes the data of the claims, so the decision needs a stated reason. Fix: add reason: "..." (it is written into the manifest), or keep the default Retain'],
    ['a PDB that blocks drains', { replicas: 3, disruptionBudget: { minAvailable: 3 } },
      '[test/store] disruptionBudget.minAvailable: 3 keeps 3 of 3 pods, so no pod could ever be evicted and every node drain would hang'],
    ['grace period too short for the stateful budget', { shutdown: { terminationGracePeriod: Duration.seconds(30) } },
      '[test/store] shutdown.terminationGracePeriod: "30s" is shorter than preStop (5s) + appShutdown (60s) = 65s'],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    expect(errorOf(props)).toContain(message);
  });

  test('a claim mounted over an ordinary volume mount', () => {
    const chart = newChart();
    const scratch = kplus.Volume.fromEmptyDir(chart, 'scratch', 'scratch');
    expect(() => new ResilientStatefulSet(chart, 'store', { ...base, container: { ...base.container, volumeMounts: [{ volume: scratch, path: '/data' }] } }))
      .toThrow('[test/store] volumeClaims.data.mountPath: "/data" is already used by a volume mount of container main. Fix: mount the claim at another path');
  });
});
