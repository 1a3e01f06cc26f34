/**
 * Kubernetes is the judge: dist/ and every snapshot's manifests are applied for real (server-side
 * apply, stored, not only dry-run) into namespaces that enforce Pod Security `restricted`, and
 * their workloads must then roll out on the simulated nodes: Deployments, StatefulSets and
 * DaemonSets available, Jobs (and a run of each CronJob) completed by the real Job controller.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  applyServerSide, createNamespace, deleteCreatedNamespaces, describeWithCluster, kubectlOk, Manifest, PodSecurityLevel, podsIn, readManifestFile, REPO_ROOT, waitForAllRollouts,
} from '../support/cluster';
import { readSnapshotManifests } from '../support/snapshot-manifests';
import { LEVELS, podSecurityWarnings, POD_SECURITY_EXCEPTIONS, splitByLevel } from './pod-security';

const MINUTE = 60_000;

afterAll(deleteCreatedNamespaces, 4 * MINUTE);

/** Priority classes the manifests name that a cluster would define (the built-in system-* exist). */
function ensurePriorityClasses(objects: Manifest[]): void {
  const names = new Set<string>();
  for (const o of objects) {
    const text = JSON.stringify(o);
    for (const m of text.matchAll(/"priorityClassName":"([^"]+)"/g)) if (!m[1].startsWith('system-')) names.add(m[1]);
  }
  const classes = [...names].map((name) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value: 1000, description: 'defined by the cluster tests' }));
  if (classes.length) kubectlOk(['apply', '--server-side', '--field-manager=cdk8s-resilient-tests', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: classes }));
}

type Placed = { label: string; namespace: string; objects: Manifest[] };

/**
 * Applies one set of manifests: each part into a new namespace at the level it needs. Asserts the
 * API server took everything without a Pod Security warning, and returns where each part went.
 */
function applySet(label: string, objects: Manifest[]): Placed[] {
  const placed: Placed[] = [];
  for (const [level, part] of splitByLevel(objects)) {
    const namespace = createNamespace(level === 'restricted' ? 'ps-restricted' : `ps-${level}`, level);
    const result = applyServerSide(part, namespace);
    expect({ label, namespace, warnings: podSecurityWarnings(result.warnings) }).toEqual({ label, namespace, warnings: [] });
    placed.push({ label: `${label} [${level}]`, namespace, objects: part });
  }
  return placed;
}

/** Starts one Job from each CronJob, as `kubectl create job --from` does, and returns them. */
function runCronJobsOnce(placed: Placed[]): Placed[] {
  return placed.flatMap((p) => p.objects.filter((o) => o.kind === 'CronJob').map((cron) => {
    const name = `${cron.metadata.name}-now`.slice(0, 52);
    kubectlOk(['create', 'job', name, `--from=cronjob/${cron.metadata.name}`, '-n', p.namespace]);
    return { label: `${p.label} CronJob/${cron.metadata.name} run`, namespace: p.namespace, objects: [{ apiVersion: 'batch/v1', kind: 'Job', metadata: { name } }] };
  }));
}

/** Waits for every placed set's workloads, which roll out at the same time. */
function expectRolloutsComplete(placed: Placed[]): void {
  waitForAllRollouts(placed, 4 * MINUTE);
}

describeWithCluster('dist/ on a real API server', () => {
  const files = fs.readdirSync(path.join(REPO_ROOT, 'dist')).filter((f) => /\.ya?ml$/.test(f));
  const objects = files.flatMap((f) => readManifestFile(path.join(REPO_ROOT, 'dist', f)));
  let placed: Placed[] = [];

  test('is accepted by server-side apply, restricted except where the example documents more', () => {
    expect(objects.length).toBeGreaterThan(10);
    ensurePriorityClasses(objects);
    placed = applySet('dist/', objects);
    expect(placed.map((p) => p.label).sort()).toEqual(['dist/ [privileged]', 'dist/ [restricted]']);
  }, 2 * MINUTE);

  test('rolls out: Deployments, the StatefulSet and the DaemonSet available, the Job and a CronJob run complete', () => {
    expect(placed.length).toBeGreaterThan(0);
    const runs = runCronJobsOnce(placed);
    expect(runs).toHaveLength(1);
    expectRolloutsComplete([...placed, ...runs]);
    // The log agent runs on each of the six nodes, the web and API pods span all three zones.
    const agent = placed.find((p) => p.label.includes('privileged'))!;
    expect(new Set(podsIn(agent.namespace, 'app.kubernetes.io/name=log-agent').map((p) => p.spec.nodeName)).size).toBe(6);
    const main = placed.find((p) => p.label.includes('restricted'))!;
    const zones = JSON.parse(kubectlOk(['get', 'nodes', '-o', 'json'])).items.reduce((m: Record<string, string>, n: any) => ({ ...m, [n.metadata.name]: n.metadata.labels['topology.kubernetes.io/zone'] }), {});
    const webZones = new Set(podsIn(main.namespace, 'app.kubernetes.io/name=web').map((p) => zones[p.spec.nodeName]));
    expect(webZones.size).toBe(3);
  }, 5 * MINUTE);
});

describeWithCluster('every snapshot on a real API server', () => {
  const snapshots = readSnapshotManifests(path.join(REPO_ROOT, 'test'));
  let placed: Placed[] = [];

  test('each snapshot is accepted by server-side apply into its own namespaces', () => {
    expect(snapshots.length).toBeGreaterThanOrEqual(19);
    ensurePriorityClasses(snapshots.flatMap((s) => s.objects));
    placed = snapshots.flatMap((s) => applySet(`${s.file}: ${s.name}`, s.objects));
  }, 4 * MINUTE);

  test('every snapshot rolls out', () => {
    expect(placed.length).toBeGreaterThanOrEqual(snapshots.length);
    expectRolloutsComplete([...placed, ...runCronJobsOnce(placed)]);
  }, 6 * MINUTE);
});

describeWithCluster('Pod Security levels of the workloads that need more than restricted', () => {
  const sources = [
    ...readManifestFile(path.join(REPO_ROOT, 'dist', 'shop.k8s.yaml')),
    ...readSnapshotManifests(path.join(REPO_ROOT, 'test')).flatMap((s) => s.objects),
  ];

  test.each(POD_SECURITY_EXCEPTIONS.map((e) => [e.ref, e]))('%s: its documented level is the least that admits it', (_ref, exception) => {
    const workload = sources.find((o) => `${o.kind}/${o.metadata.name}` === exception.ref);
    expect(workload).toBeDefined();
    const warningsAt = (level: PodSecurityLevel) => podSecurityWarnings(applyServerSide([workload!], createNamespace(`level-${level}`, level), { dryRun: true }).warnings);
    const documented = LEVELS.indexOf(exception.level);
    for (const level of LEVELS.slice(0, documented)) expect({ level, refused: warningsAt(level).length > 0 }).toEqual({ level, refused: true });
    expect(warningsAt(exception.level)).toEqual([]);
  }, 2 * MINUTE);
});
