/**
 * `cdk8s-resilient simulate` against the project's control plane: one run holds the example app
 * (dist/, which must pass every scenario) and the must-fail fixtures (each must fail its scenario
 * for its reason), in two namespaces. One run instead of two: the node-level scenarios (drains, the
 * zone outage) would otherwise happen twice. Short simulated timings keep it to a few minutes;
 * the grace periods are capped at 2 s (the report notes it).
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { formatJson, formatText, simulate, ScenarioId, ScenarioResult, SimulationReport } from '../../src/simulate';
import { describeWithCluster, kubectl, kubectlOk, REPO_ROOT } from '../support/cluster';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const controlPlane = require('../../scripts/cluster/control-plane');

const MINUTE = 60_000;
const EXAMPLE = 'dist/';
const FIXTURES = path.join('test', 'cluster', 'fixtures', 'simulate-must-fail.yaml');

function find(report: SimulationReport, input: string, workload: string, scenario: ScenarioId): ScenarioResult {
  const r = report.results.find((x) => x.input === input && x.workload === workload && x.scenario === scenario);
  if (!r) throw new Error(`no ${scenario} result for ${workload} in ${input}; results:\n${formatText(report)}`);
  return r;
}

describeWithCluster('simulate', () => {
  let report: SimulationReport;

  beforeAll(async () => {
    const cwd = process.cwd();
    process.chdir(REPO_ROOT);
    try {
      report = await simulate({
        paths: [EXAMPLE, FIXTURES],
        kubeconfig: controlPlane.KUBECONFIG,
        timing: { startupSeconds: 2, jobSeconds: 6, maxGracePeriodSeconds: 2 },
        settings: { startTimeoutSeconds: 90, rolloutTimeoutSeconds: 180, drainTimeoutSeconds: 15, recoveryTimeoutSeconds: 60, zone: 'zone-a' },
      });
    } finally {
      process.chdir(cwd);
    }
    process.stdout.write(formatText(report));
  }, 10 * MINUTE);

  test('the example app passes every scenario (the single-replica database is accepted by its own annotation)', () => {
    const example = report.results.filter((r) => r.input === EXAMPLE);
    const notPassed = example.filter((r) => r.verdict !== 'pass');
    for (const r of notPassed) {
      expect(`${r.workload} ${r.scenario} ${r.verdict}`).toBe(`StatefulSet/db ${r.scenario} accepted`);
      expect(r.reasons.join(' ')).toMatch(/accepted: single replica \(single PostgreSQL primary/);
    }
    // Every scenario ran for the workloads it applies to.
    const ran = (workload: string) => example.filter((r) => r.workload === workload).map((r) => r.scenario).sort();
    expect(ran('Deployment/web')).toEqual(['node-drain', 'rolling-update', 'start', 'zone-outage']);
    expect(ran('StatefulSet/db')).toEqual(['node-drain', 'rolling-update', 'start', 'stateful-set', 'zone-outage']);
    expect(ran('DaemonSet/log-agent')).toEqual(['rolling-update', 'start']);
    expect(ran('Job/migrate-1-4-2')).toEqual(['job-eviction']);
    expect(ran('CronJob/nightly-report')).toEqual(['cron-job']);
  });

  test('the example: numbers behind the verdicts', () => {
    const web = find(report, EXAMPLE, 'Deployment/web', 'rolling-update').numbers;
    expect(web).toMatchObject({ desired: 3, lowestReady: 3, completed: true });
    expect(web.surge).toBeGreaterThanOrEqual(1);
    // The api Deployment runs at its autoscaler's minimum (2), not the default of 1.
    expect(find(report, EXAMPLE, 'Deployment/api', 'start').numbers).toMatchObject({ desired: 2, ready: 2 });
    const drain = find(report, EXAMPLE, 'Deployment/web', 'node-drain').numbers;
    expect(drain.lowestReady).toBeGreaterThanOrEqual(2);
    expect(drain).toMatchObject({ blockedDrains: 0, pending: 0, readyAfter: 3 });
    expect(find(report, EXAMPLE, 'Deployment/web', 'zone-outage').numbers).toMatchObject({ readyAfterRescheduling: 3, pending: 0 });
    expect(find(report, EXAMPLE, 'StatefulSet/db', 'stateful-set').numbers).toMatchObject({ claims: 1, claimsKept: 1, readyAfterReapply: 1 });
    expect(find(report, EXAMPLE, 'Job/migrate-1-4-2', 'job-eviction').numbers).toMatchObject({ evicted: true, failuresCounted: 0, completed: true });
    expect(find(report, EXAMPLE, 'CronJob/nightly-report', 'cron-job').numbers).toMatchObject({ completed: true });
  });

  test.each([
    ['Deployment/blocked-drain', 'node-drain', /drain of node-\S+ did not finish within 15 s \(\d+ eviction\(s\) refused: Cannot evict pod as it would violate the pod's disruption budget/],
    ['Deployment/single-replica', 'node-drain', /during the drains: ready fell to 0 of 1/],
    ['Deployment/recreate', 'rolling-update', /during the rollout \(strategy Recreate\): ready fell to 0 of 3/],
    ['Deployment/one-zone', 'zone-outage', /right after losing zone-a: ready 0 of 3 \(3 pod\(s\) were in zone-a/],
    ['Deployment/anti-affinity', 'start', /2 pod\(s\) Pending: .*didn't match pod anti-affinity rules/],
  ] as Array<[string, ScenarioId, RegExp]>)('%s fails %s for its reason', (workload, scenario, reason) => {
    const r = find(report, FIXTURES, workload, scenario);
    expect(r.verdict).toBe('fail');
    expect(r.reasons.join('\n')).toMatch(reason);
  });

  test('a must-fail fixture fails only where it should: each passes the start and the scenarios it is not built to fail', () => {
    expect(find(report, FIXTURES, 'Deployment/blocked-drain', 'rolling-update').verdict).toBe('pass');
    // The blocked drain never took a pod away.
    expect(find(report, FIXTURES, 'Deployment/blocked-drain', 'node-drain').numbers.lowestReady).toBe(2);
    expect(find(report, FIXTURES, 'Deployment/recreate', 'start').verdict).toBe('pass');
    expect(find(report, FIXTURES, 'Deployment/recreate', 'zone-outage').verdict).toBe('pass');
    expect(find(report, FIXTURES, 'Deployment/single-replica', 'rolling-update').verdict).toBe('pass');
    expect(find(report, FIXTURES, 'Deployment/one-zone', 'zone-outage').reasons.join('\n')).toMatch(/Pending: .*node affinity\/selector/);
    expect(report.passed).toBe(false);
  });

  test('JSON output carries every result with its numbers', () => {
    const parsed = JSON.parse(formatJson(report));
    expect(parsed.results).toHaveLength(report.results.length);
    expect(parsed.cluster.simulatedNodes).toBe(true);
    expect(parsed.results.find((r: any) => r.workload === 'Deployment/recreate' && r.scenario === 'rolling-update').numbers.lowestReady).toBe(0);
  });

  test('afterwards nothing is left: namespaces deleted, nodes uncordoned and Ready', () => {
    for (const input of report.inputs) expect(kubectl(['get', 'namespace', input.namespace]).status).not.toBe(0);
    const nodes = JSON.parse(kubectlOk(['get', 'nodes', '-o', 'json'])).items;
    for (const n of nodes) {
      expect(`${n.metadata.name} unschedulable=${n.spec.unschedulable === true} outage=${n.metadata.labels['simulate.resilient.cdk8s.io/outage'] ?? 'no'}`)
        .toBe(`${n.metadata.name} unschedulable=false outage=no`);
    }
  });

  test('SIGTERM in the middle of a run deletes its namespace and exits 143', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'cdk8s-resilient.js'), 'simulate', '--kubeconfig', controlPlane.KUBECONFIG, '--scenarios', 'start', '--startup-seconds', '60', EXAMPLE], { cwd: REPO_ROOT });
    let stderr = '';
    child.stderr.on('data', (c) => { stderr += c; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The namespace exists once the workloads are applied and the start wait begins.
    const deadline = Date.now() + MINUTE;
    while (!stderr.includes('start: waiting') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(stderr).toContain('start: waiting');
    const namespaces = () => JSON.parse(kubectlOk(['get', 'namespaces', '-l', 'app.kubernetes.io/managed-by=cdk8s-resilient-simulate', '-o', 'json'])).items
      .filter((n: any) => n.status.phase === 'Active').map((n: any) => n.metadata.name);
    const before = namespaces();
    expect(before.length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toMatch(/SIGTERM: cleaning up/);
    for (const ns of before) expect(kubectl(['get', 'namespace', ns, '-o', 'jsonpath={.status.phase}']).stdout).not.toBe('Active');
  }, 3 * MINUTE);
});
