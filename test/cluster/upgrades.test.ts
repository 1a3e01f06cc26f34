/**
 * Upgrades, as a pipeline runs them: synthesize release 1, apply it (server-side), let it roll
 * out; synthesize release 2 with what a release changes (image tag, env, resources, replicas,
 * probes, an added port, the profile), apply it over the first with the same field manager. The
 * API server must accept it, and the new release must roll out.
 */
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HealthCheck, ResilienceProfile, Rules, ResilientCronJob, ResilientDaemonSet, ResilientDeployment, ResilientJob, ResilientStatefulSet } from '../../src';
import {
  applyServerSide, createNamespace, deleteCreatedNamespaces, describeWithCluster, kubectl, kubectlOk, Manifest, podsIn, waitForAllRollouts, waitForRollouts,
} from '../support/cluster';

const MINUTE = 60_000;

afterAll(deleteCreatedNamespaces, 4 * MINUTE);

/** What differs between two releases of the same app. */
type Release = {
  tag: string; logLevel: string; cpuMillis: number; memoryMi: number; replicas: number;
  readinessPath: string; metricsPort: boolean; profile: 'development' | 'production';
};

const V1: Release = { tag: '1.0.0', logLevel: 'info', cpuMillis: 100, memoryMi: 128, replicas: 3, readinessPath: '/ready', metricsPort: false, profile: 'development' };
const V2: Release = { tag: '1.1.0', logLevel: 'debug', cpuMillis: 200, memoryMi: 256, replicas: 4, readinessPath: '/healthz/ready', metricsPort: true, profile: 'production' };

/** The app container of a release (service-like workloads: probes on the http port). */
function serviceContainer(r: Release) {
  return {
    image: `example/app:${r.tag}`,
    ports: [{ number: 8080, name: 'http' }, ...(r.metricsPort ? [{ number: 9090, name: 'metrics' }] : [])],
    envVariables: { LOG_LEVEL: kplus.EnvValue.fromValue(r.logLevel) },
    resources: {
      cpu: { request: kplus.Cpu.millis(r.cpuMillis), limit: kplus.Cpu.millis(r.cpuMillis * 4) },
      memory: { request: Size.mebibytes(r.memoryMi), limit: Size.mebibytes(r.memoryMi) },
    },
    probes: { readiness: HealthCheck.httpGet(r.readinessPath, { port: 'http' }) },
  };
}

/** The container of a batch release: no Service, a liveness probe that changes between releases. */
function batchContainer(r: Release) {
  return {
    ...serviceContainer(r),
    command: ['/app/run-batch'],
    probes: { liveness: HealthCheck.httpGet(r.readinessPath, { port: 'http' }) },
  };
}

/** Synthesizes one release of one construct under the release's profile. */
function synthRelease(r: Release, build: (chart: Chart, r: Release) => Construct): Manifest[] {
  const app = Testing.app();
  (r.profile === 'production' ? ResilienceProfile.production() : ResilienceProfile.development()).applyTo(app);
  const chart = new Chart(app, 'upgrade', { disableResourceNameHashes: true });
  const construct = build(chart, r);
  // The development profile drops PodDisruptionBudgets and reports it; said once here instead.
  if (r.profile === 'development') Rules.of(construct).suppress('pdb-missing', 'release 1 runs under the development profile');
  return Testing.synth(chart) as Manifest[];
}

const CONSTRUCTS: Record<string, (chart: Chart, r: Release) => Construct> = {
  ResilientDeployment: (chart, r) => new ResilientDeployment(chart, 'web', { name: 'web', replicas: r.replicas, container: serviceContainer(r) }),
  ResilientStatefulSet: (chart, r) => new ResilientStatefulSet(chart, 'store', {
    name: 'store',
    replicas: r.replicas,
    container: serviceContainer(r),
    volumeClaims: [{ name: 'data', size: Size.gibibytes(10), mountPath: '/data' }],
  }),
  ResilientDaemonSet: (chart, r) => new ResilientDaemonSet(chart, 'agent', { name: 'agent', container: serviceContainer(r) }),
  // The documented practice for Jobs: the release is in the name (a Job's template is immutable).
  ResilientJob: (chart, r) => new ResilientJob(chart, 'migrate', {
    name: `migrate-${r.tag.replace(/\./g, '-')}`,
    parallelism: r.replicas - 2,
    completions: r.replicas - 2,
    activeDeadline: Duration.minutes(30),
    container: batchContainer(r),
  }),
  ResilientCronJob: (chart, r) => new ResilientCronJob(chart, 'report', { name: 'report', schedule: '30 4 * * *', timeZone: 'Europe/Berlin', container: batchContainer(r) }),
};

/** The image every container named `main` of the workload's current pods runs. */
function imagesOfPods(namespace: string, selector: string): string[] {
  return [...new Set(podsIn(namespace, selector).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0].image))];
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];
const workloadOf = (objects: Manifest[]) => objects.find((o) => WORKLOAD_KINDS.includes(o.kind))!;

/**
 * All five constructs upgrade side by side, each in its own namespace: the controllers work on
 * them at the same time, so the waits overlap instead of adding up.
 */
describeWithCluster('upgrade from release 1 to release 2', () => {
  const names = Object.keys(CONSTRUCTS);
  let releases: Record<string, { v1: Manifest[]; v2: Manifest[] }> = {};
  const namespaces: Record<string, string> = {};
  beforeAll(() => {
    releases = Object.fromEntries(names.map((n) => [n, { v1: synthRelease(V1, CONSTRUCTS[n]), v2: synthRelease(V2, CONSTRUCTS[n]) }]));
  });

  test.each(names)('%s: release 1 is accepted', (construct) => {
    namespaces[construct] = createNamespace(`upgrade-${construct.replace('Resilient', '').toLowerCase()}`, 'restricted');
    expect(applyServerSide(releases[construct].v1, namespaces[construct]).warnings).toEqual([]);
  }, MINUTE);

  test('release 1 of every construct rolls out', () => {
    waitForAllRollouts(names.map((n) => ({ namespace: namespaces[n], objects: releases[n].v1 })), 3 * MINUTE);
  }, 4 * MINUTE);

  test.each(names)('%s: release 2 (image, env, resources, replicas, probes, a port, production profile) is accepted over release 1', (construct) => {
    expect(namespaces[construct]).toBeDefined();
    const { v1, v2 } = releases[construct];
    // The releases do differ in each of those (a test of nothing would pass here too).
    const [a, b] = [v1, v2].map((objects) => JSON.stringify(workloadOf(objects)));
    for (const changed of ['example/app:1.1.0', '"LOG_LEVEL","value":"debug"', '"cpu":"200m"', '/healthz/ready', '"containerPort":9090']) {
      expect({ changed, inRelease2: b.includes(changed), inRelease1: a.includes(changed) }).toEqual({ changed, inRelease2: true, inRelease1: false });
    }
    expect(applyServerSide(v2, namespaces[construct]).warnings).toEqual([]);
  }, MINUTE);

  test('release 2 of every construct rolls out', () => {
    waitForAllRollouts(names.map((n) => ({ namespace: namespaces[n], objects: releases[n].v2 })), 4 * MINUTE);
  }, 5 * MINUTE);

  test.each(names)('%s: release 2 is what runs', (construct) => {
    const namespace = namespaces[construct];
    const workload = workloadOf(releases[construct].v2);
    const selector = `app.kubernetes.io/instance=${workload.metadata.labels?.['app.kubernetes.io/instance'] ?? workload.metadata.name}`;
    if (workload.kind === 'CronJob') {
      // The stored CronJob carries release 2's template, and a run of it completes.
      const stored = JSON.parse(kubectlOk(['get', 'cronjob', workload.metadata.name, '-n', namespace, '-o', 'json']));
      expect(stored.spec.jobTemplate.spec.template.spec.containers[0].image).toBe('example/app:1.1.0');
      kubectlOk(['create', 'job', 'report-now', '--from=cronjob/report', '-n', namespace]);
      waitForRollouts([{ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'report-now' } }], namespace, 2 * MINUTE);
      return;
    }
    expect(imagesOfPods(namespace, selector)).toEqual(['example/app:1.1.0']);
    if (workload.kind === 'Job') return; // a new Job (the release is in its name) that completed
    const running = podsIn(namespace, selector).filter((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
    expect(running).toHaveLength(workload.kind === 'DaemonSet' ? 6 : V2.replicas);
  }, 3 * MINUTE);
});

describeWithCluster('a Job keeps its pod template', () => {
  test('applying a changed template under the same Job name is refused, which is why the release goes in the name', () => {
    const namespace = createNamespace('upgrade-job-same-name', 'restricted');
    const sameName = (r: Release) => synthRelease(r, (chart, rr) => new ResilientJob(chart, 'migrate', { name: 'migrate', container: batchContainer(rr) }));
    applyServerSide(sameName(V1), namespace);
    expect(() => applyServerSide(sameName(V2), namespace)).toThrow(/field is immutable/);
    expect(kubectl(['get', 'job', 'migrate', '-n', namespace]).status).toBe(0);
  }, 2 * MINUTE);
});
