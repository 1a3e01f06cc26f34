/** What simulate applies and how it reads the input: pure parts, no cluster. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isServing, matchesSelector, scaled, unschedulableReason, zoneLossFloor } from '../../src/simulate/availability';
import { loadClusterAccess, KubeconfigError } from '../../src/simulate/kubeconfig';
import { desiredReplicas, namespaceFor, prepareObject, TIMING_ANNOTATIONS, workloadsOf } from '../../src/simulate/plan';
import { formatText } from '../../src/simulate/report';
import { checkCluster } from '../../src/simulate/safety';
import { busiestZone } from '../../src/simulate/scenarios/zone-outage';
import { rolloutState } from '../../src/simulate/scenarios/rolling-update';
import { SimulationReport } from '../../src/simulate/types';

const deployment = (over: any = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'prod', annotations: {} as Record<string, string> },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 40, containers: [{ name: 'main', image: 'x' }] } }, ...over },
});

describe('plan', () => {
  test('objects move into simulate\'s namespace; pod templates get the timing annotations', () => {
    const { object, note } = prepareObject(deployment(), 'simulate-x', { startupSeconds: 3, jobSeconds: 9 });
    expect(object.metadata.namespace).toBe('simulate-x');
    expect(object.spec.template.metadata.annotations).toEqual({ [TIMING_ANNOTATIONS.readyDelay]: '3s', [TIMING_ANNOTATIONS.stopAt]: 'grace-end' });
    expect(object.spec.template.spec.terminationGracePeriodSeconds).toBe(40);
    expect(note).toBeUndefined();
  });

  test('a grace period above --max-grace-period is lowered, and said so', () => {
    const { object, note } = prepareObject(deployment(), 'ns', { startupSeconds: 1, jobSeconds: 1, maxGracePeriodSeconds: 5 });
    expect(object.spec.template.spec.terminationGracePeriodSeconds).toBe(5);
    expect(note).toBe('Deployment/web: terminationGracePeriodSeconds 40 lowered to 5 (--max-grace-period)');
  });

  test('CronJob pods get the Job run time; the input object is not modified', () => {
    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'n' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [] } } } } } };
    const { object } = prepareObject(cron, 'ns', { startupSeconds: 1, jobSeconds: 7 });
    expect(object.spec.jobTemplate.spec.template.metadata.annotations[TIMING_ANNOTATIONS.completeDelay]).toBe('7s');
    expect((cron.spec.jobTemplate.spec.template as any).metadata).toBeUndefined();
  });

  test('workloads carry their budget, autoscaler minimum and accepted single replica', () => {
    const d = deployment({ replicas: undefined });
    d.metadata.annotations['resilient.cdk8s.io/suppress.replicas-too-few'] = 'primary only';
    const objects = [d,
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web-pdb' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } },
      { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { minReplicas: 2, scaleTargetRef: { kind: 'Deployment', name: 'web' } } }];
    const [w] = workloadsOf(objects, 'in.yaml', 'ns');
    expect(w).toMatchObject({ kind: 'Deployment', replicas: undefined, autoscalerMinReplicas: 2, budget: { name: 'web-pdb', maxUnavailable: 1 }, singleReplicaReason: 'primary only', progressDeadlineSeconds: 600 });
    expect(desiredReplicas(w, { metadata: { name: 'web' }, spec: { replicas: 1 } })).toBe(2);
    expect(desiredReplicas(w, { metadata: { name: 'web' }, spec: { replicas: 4 } })).toBe(4);
  });

  test('namespace names are valid, unique per input and run', () => {
    expect(namespaceFor('dist/', 1, 'abc123')).toBe('simulate-dist-1-abc123');
    expect(namespaceFor('test/cluster/fixtures/Must_Fail.yaml', 2, 'abc123')).toBe('simulate-must-fail-2-abc123');
    const long = namespaceFor(`${'x'.repeat(80)}.yaml`, 1, 'abc123');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});

describe('availability helpers', () => {
  test('percentages round up as the disruption controller does', () => {
    expect(scaled('25%', 3)).toBe(1);
    expect(scaled(2, 10)).toBe(2);
    expect(() => scaled('lots', 3)).toThrow(/neither a number nor a percentage/);
  });

  test('zone loss floor: one zone\'s share, never zero', () => {
    expect(zoneLossFloor(3, 3)).toBe(2);
    expect(zoneLossFloor(6, 3)).toBe(4);
    expect(zoneLossFloor(1, 3)).toBe(1);
  });

  test('selectors, serving pods and the scheduler\'s reason', () => {
    expect(matchesSelector({ app: 'web', tier: 'a' }, { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] })).toBe(true);
    expect(matchesSelector({ app: 'web' }, { matchExpressions: [{ key: 'tier', operator: 'Exists' }] })).toBe(false);
    expect(matchesSelector({ app: 'web' }, {})).toBe(false);
    const ready = { metadata: {}, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
    expect(isServing(ready)).toBe(true);
    expect(isServing({ ...ready, metadata: { deletionTimestamp: 'now' } })).toBe(false);
    expect(unschedulableReason({ metadata: {}, spec: {}, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', message: '0/6 nodes' }] } })).toBe('0/6 nodes');
    expect(unschedulableReason({ metadata: {}, spec: { nodeName: 'n' }, status: { phase: 'Pending' } })).toBeUndefined();
  });

  test('rollout state: done, rolling, deadline', () => {
    const dep = (status: any) => ({ kind: 'Deployment', metadata: { generation: 2 }, status: { observedGeneration: 2, ...status } });
    expect(rolloutState(dep({ updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), 3)).toBe('done');
    expect(rolloutState(dep({ updatedReplicas: 2, replicas: 4, availableReplicas: 3 }), 3)).toBe('rolling');
    expect(rolloutState(dep({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }), 3)).toBe('deadline');
    expect(rolloutState({ kind: 'Deployment', metadata: { generation: 3 }, status: { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 } }, 3)).toBe('rolling');
  });

  test('the outage takes the zone holding most pods', () => {
    const zones = new Map([['a1', 'zone-a'], ['b1', 'zone-b'], ['b2', 'zone-b']]);
    expect(busiestZone(['a1', 'b1', 'b2'], zones)).toBe('zone-b');
    expect(busiestZone(['a1', 'b1'], zones)).toBe('zone-a');
  });
});

describe('safety', () => {
  const kwok = (name: string) => ({ metadata: { name, annotations: { 'kwok.x-k8s.io/node': 'fake' } } });
  const real = (name: string) => ({ metadata: { name, annotations: {} } });

  test('all simulated: allowed', () => {
    expect(checkCluster([kwok('a'), kwok('b')], 'ctx')).toMatchObject({ allowed: true, simulated: true });
  });

  test('one real node: refused, naming the flag and the context', () => {
    const d = checkCluster([kwok('a'), real('prod-1')], 'prod');
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/1 of 2 nodes are not simulated \(prod-1\).*--allow-real-cluster=prod/);
  });

  test('--allow-real-cluster must name the context in use', () => {
    expect(checkCluster([real('n')], 'prod', 'staging')).toMatchObject({ allowed: false });
    expect(checkCluster([real('n')], 'prod', 'staging').reason).toMatch(/names "staging", but the kubeconfig's context is "prod"/);
    expect(checkCluster([real('n')], 'prod', 'prod')).toMatchObject({ allowed: true, simulated: false });
    expect(checkCluster([], 'prod', 'prod').allowed).toBe(false);
  });
});

describe('kubeconfig', () => {
  const write = (text: string) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-')), 'config');
    fs.writeFileSync(file, text);
    return file;
  };

  test('reads server, CA, token and client certificate of the current context', () => {
    const file = write(`apiVersion: v1
kind: Config
current-context: dev
contexts: [{ name: dev, context: { cluster: c, user: u } }]
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:6443", certificate-authority-data: ${Buffer.from('CA').toString('base64')} } }]
users: [{ name: u, user: { token: t0k, client-certificate-data: ${Buffer.from('CERT').toString('base64')}, client-key-data: ${Buffer.from('KEY').toString('base64')} } }]
`);
    expect(loadClusterAccess(file)).toMatchObject({ contextName: 'dev', server: 'https://127.0.0.1:6443', ca: 'CA', token: 't0k', cert: 'CERT', key: 'KEY', insecureSkipTlsVerify: false });
  });

  test('a missing context or an exec plugin is a clear error', () => {
    const file = write('apiVersion: v1\nkind: Config\ncontexts: []\n');
    expect(() => loadClusterAccess(file, 'prod')).toThrow(KubeconfigError);
    expect(() => loadClusterAccess(file, 'prod')).toThrow(/no context named "prod"/);
    const exec = write(`current-context: x
contexts: [{ name: x, context: { cluster: c, user: u } }]
clusters: [{ name: c, cluster: { server: "https://h" } }]
users: [{ name: u, user: { exec: { command: aws } } }]
`);
    expect(() => loadClusterAccess(exec)).toThrow(/exec plugin/);
  });
});

describe('text report', () => {
  test('a table with one row per workload and the reasons below', () => {
    const report: SimulationReport = {
      cluster: { context: 'c', server: 's', kubernetesVersion: 'v1.37.2', nodes: 6, simulatedNodes: true },
      inputs: [{ path: 'dist/', namespace: 'simulate-dist-1-x', objects: 3 }],
      settings: {},
      results: [
        { scenario: 'start', workload: 'Deployment/web', input: 'dist/', namespace: 'n', verdict: 'pass', numbers: { ready: 3, desired: 3 }, summary: 'ready 3/3 in 5 s', reasons: [] },
        { scenario: 'node-drain', workload: 'Deployment/web', input: 'dist/', namespace: 'n', verdict: 'fail', numbers: { lowestReady: 0, desired: 3, blockedDrains: 0 }, summary: 'drained', reasons: ['ready fell to 0'] },
      ],
      notes: ['a note'],
      passed: false,
      seconds: 12,
    };
    const text = formatText(report);
    expect(text).toContain('WORKLOAD        START     ROLLING UPDATE  NODE DRAIN  ZONE OUTAGE  STATEFULSET  JOB');
    expect(text).toContain('Deployment/web  pass 3/3  -               FAIL 0/3    -            -            -');
    expect(text).toContain('FAIL     dist/ Deployment/web node-drain: ready fell to 0');
    expect(text).toContain('  Deployment/web  start       ready 3/3 in 5 s\n  Deployment/web  node-drain  drained');
    expect(text).toContain('note: a note');
    expect(text.trimEnd().split('\n').pop()).toBe('FAILED: 1 passed, 1 failed, 0 accepted, 0 skipped');
  });
});
