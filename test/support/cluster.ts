/**
 * The real Kubernetes cluster the tests under test/cluster/ run against (started by jest's global
 * setup through scripts/cluster/control-plane.js), and what those tests do with it: namespaces at
 * a Pod Security level, server-side apply with kubectl, waiting for rollouts.
 *
 * Whether the cluster tests run is decided in one place, `clusterPrerequisite()`: they need a Go
 * toolchain to build the control plane. Without one they are skipped with one line saying why,
 * except under CI=true, where a missing prerequisite is a failure.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

// Plain JavaScript shared with `npm run cluster`; no types of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const controlPlane = require('../../scripts/cluster/control-plane');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require('../../scripts/cluster/build');

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [field: string]: any };

/** Set by the global setup when the cluster tests are skipped: the one-line reason. */
const SKIP_ENV = 'CDK8S_RESILIENT_CLUSTER_SKIP';

/**
 * Whether this machine can run the cluster tests: `{ run: true }`, or `{ run: false, reason }`.
 * Under CI=true there is no skipping: the caller turns a missing prerequisite into a failure.
 */
export function clusterPrerequisite(env: NodeJS.ProcessEnv = process.env): { run: boolean; reason: string; mustRun: boolean } {
  const mustRun = env.CI === 'true' || env.CI === '1';
  if (controlPlane.readState()) return { run: true, reason: '', mustRun };
  const provided = build.canProvide(build.chosenLine(env));
  return { run: provided.ok, reason: provided.reason, mustRun };
}

/** The reason the cluster tests are skipped in this run, or undefined when they run. */
export function clusterSkipReason(): string | undefined {
  return process.env[SKIP_ENV] || undefined;
}

/** `describe`, or `describe.skip` when the global setup decided the cluster tests are skipped. */
export function describeWithCluster(name: string, fn: () => void): void {
  (clusterSkipReason() ? describe.skip : describe)(name, fn);
}

/** For the global setup: records the skip so every worker sees it. */
export function markSkipped(reason: string): void {
  process.env[SKIP_ENV] = reason;
}

function state(): { kubeconfig: string; kubectl: string; versions: { kubernetes: string } } {
  const s = controlPlane.readState();
  if (!s) throw new Error('no cluster: .cluster/state.json is missing (the global setup starts one; or run `npm run cluster -- up`)');
  return s;
}

/** The Kubernetes version of the running cluster ("v1.37.2"). */
export function clusterVersion(): string {
  return state().versions.kubernetes;
}

export type KubectlResult = { status: number; stdout: string; stderr: string };

/** Runs the cluster's kubectl with its kubeconfig; never throws (look at `status`). */
export function kubectl(args: string[], input?: string): KubectlResult {
  const s = state();
  const res = spawnSync(s.kubectl, ['--kubeconfig', s.kubeconfig, ...args], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw res.error;
  return { status: res.status ?? 1, stdout: res.stdout, stderr: res.stderr };
}

/** Like kubectl, but throws with kubectl's own message unless it succeeds. */
export function kubectlOk(args: string[], input?: string): string {
  const res = kubectl(args, input);
  if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${res.stderr.trim() || res.stdout.trim()}`);
  return res.stdout;
}

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/**
 * A new namespace whose Pod Security level is `level` for enforce, warn and audit (warn makes the
 * API server report a workload whose pods the level would refuse, at apply time). Waits until the
 * namespace's `default` ServiceAccount exists, as pods need it.
 */
export function createNamespace(prefix: string, level: PodSecurityLevel): string {
  const name = `${prefix}-${crypto.randomBytes(3).toString('hex')}`.toLowerCase();
  createdNamespaces.push(name);
  const labels = Object.fromEntries(['enforce', 'warn', 'audit'].map((mode) => [`pod-security.kubernetes.io/${mode}`, level]));
  kubectlOk(['apply', '--server-side', '--field-manager=cdk8s-resilient-tests', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }));
  waitUntil(`ServiceAccount default in ${name}`, () => kubectl(['get', 'serviceaccount', 'default', '-n', name]).status === 0, 30_000);
  return name;
}

const createdNamespaces: string[] = [];

/**
 * Deletes the namespaces this test file created and waits until they are gone, so a cluster
 * reused by the next run (or the next file) starts clean: no pods holding host ports, no load.
 */
export function deleteCreatedNamespaces(): void {
  const names = createdNamespaces.splice(0);
  if (names.length) kubectlOk(['delete', 'namespace', ...names, '--wait=true', '--timeout=180s']);
}

/** What one server-side apply returned. */
export type ApplyResult = { stdout: string; warnings: string[] };

/**
 * Server-side apply of `objects` into `namespace`, as a pipeline would run it (`kubectl apply
 * --server-side`, one field manager). Throws with the API server's message when it refuses any
 * object. `dryRun` asks the server to validate and admit without storing.
 */
export function applyServerSide(objects: Manifest[], namespace: string, options: { dryRun?: boolean; fieldManager?: string } = {}): ApplyResult {
  const args = ['apply', '--server-side', `--field-manager=${options.fieldManager ?? 'cdk8s-resilient'}`, '-n', namespace, '-f', '-'];
  if (options.dryRun) args.push('--dry-run=server');
  const res = kubectl(args, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  if (res.status !== 0) throw new Error(`the API server refused the manifests (namespace ${namespace}):\n${res.stderr.trim()}`);
  const warnings = res.stderr.split('\n').filter((l) => l.startsWith('Warning:'));
  return { stdout: res.stdout, warnings };
}

/** Blocks for `ms` without spinning the CPU (the tests are synchronous around kubectl). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Polls `check` until true; throws naming `what` after `timeoutMs` (plus `explain()` if given). */
export function waitUntil(what: string, check: () => boolean, timeoutMs: number, explain?: () => string): void {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${explain ? `\n${explain()}` : ''}`);
    pause(500);
  }
}

/** Why a workload has not finished rolling out, or '' when it has (Job: completed). */
export function rolloutPending(obj: any): string {
  const spec = obj.spec ?? {};
  const status = obj.status ?? {};
  const kind = obj.kind;
  const observed = (status.observedGeneration ?? 0) >= (obj.metadata.generation ?? 1);
  if (kind === 'Job') {
    const conditions: any[] = status.conditions ?? [];
    const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
    if (failed) return `FAILED: ${failed.reason}: ${failed.message}`;
    return conditions.some((c) => c.type === 'Complete' && c.status === 'True') ? '' : `${status.succeeded ?? 0} succeeded, ${status.active ?? 0} active`;
  }
  if (!observed) return 'controller has not seen the latest generation';
  if (kind === 'Deployment') {
    const want = spec.replicas ?? 1;
    if ((status.updatedReplicas ?? 0) < want) return `${status.updatedReplicas ?? 0}/${want} updated`;
    if ((status.replicas ?? 0) > want) return `${status.replicas - want} old replicas still present`;
    if ((status.availableReplicas ?? 0) < want) return `${status.availableReplicas ?? 0}/${want} available`;
    return '';
  }
  if (kind === 'StatefulSet') {
    const want = spec.replicas ?? 1;
    const strategy = spec.updateStrategy ?? {};
    const partition = strategy.rollingUpdate?.partition ?? 0;
    if ((status.availableReplicas ?? 0) < want) return `${status.availableReplicas ?? 0}/${want} available`;
    if (strategy.type === 'OnDelete') return '';
    if ((status.updatedReplicas ?? 0) < want - partition) return `${status.updatedReplicas ?? 0}/${want - partition} updated`;
    return '';
  }
  if (kind === 'DaemonSet') {
    const want = status.desiredNumberScheduled ?? 0;
    if (want === 0) return 'no node selected for its pods';
    if ((status.updatedNumberScheduled ?? 0) < want) return `${status.updatedNumberScheduled ?? 0}/${want} updated`;
    if ((status.numberAvailable ?? 0) < want) return `${status.numberAvailable ?? 0}/${want} available`;
    return '';
  }
  return '';
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];

/** Manifests and the namespace they were applied to. */
export type Placement = { namespace: string; objects: Manifest[] };

/**
 * Waits until every Deployment, StatefulSet and DaemonSet of every placement is available with its
 * latest template and every Job has completed: one deadline for all (they roll out at the same
 * time). On timeout the error lists what is pending and those namespaces' warning events (the
 * controllers' and admission's own words).
 */
export function waitForAllRollouts(placements: Placement[], timeoutMs: number): void {
  const wanted = placements.flatMap((p) => p.objects.filter((o) => WORKLOAD_KINDS.includes(o.kind)).map((o) => `${p.namespace}/${o.kind}/${o.metadata.name}`));
  if (wanted.length === 0) return;
  let pending: string[] = [];
  waitUntil(`${wanted.length} rollouts`, () => {
    const items: any[] = JSON.parse(kubectlOk(['get', 'deployments,statefulsets,daemonsets,jobs', '--all-namespaces', '-o', 'json'])).items;
    const byRef = new Map(items.map((i) => [`${i.metadata.namespace}/${i.kind}/${i.metadata.name}`, i]));
    pending = wanted.map((ref) => {
      const obj = byRef.get(ref);
      const why = obj ? rolloutPending(obj) : 'not found';
      if (why.startsWith('FAILED')) throw new Error(`${ref}: ${why}`);
      return why ? `${ref}: ${why}` : '';
    }).filter(Boolean);
    return pending.length === 0;
  }, timeoutMs, () => {
    const namespaces = [...new Set(pending.map((p) => p.split('/')[0]))];
    const events = namespaces.map((ns) => kubectl(['get', 'events', '-n', ns, '--field-selector', 'type=Warning', '-o', 'custom-columns=NAMESPACE:.metadata.namespace,OBJECT:.involvedObject.name,REASON:.reason,MESSAGE:.message', '--no-headers']).stdout.trim()).filter(Boolean);
    return `pending:\n  ${pending.join('\n  ')}\nwarning events:\n${events.join('\n') || '(none)'}`;
  });
}

/** waitForAllRollouts for one namespace. */
export function waitForRollouts(objects: Manifest[], namespace: string, timeoutMs = 120_000): void {
  waitForAllRollouts([{ namespace, objects }], timeoutMs);
}

/** The pods of `namespace` as JSON objects. */
export function podsIn(namespace: string, selector?: string): any[] {
  const args = ['get', 'pods', '-n', namespace, '-o', 'json'];
  if (selector) args.push('-l', selector);
  return JSON.parse(kubectlOk(args)).items;
}

/** Objects of a manifest list (YAML file with several documents) as plain objects. */
export function readManifestFile(file: string): Manifest[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const YAML = require('yaml');
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d: any) => d.toJSON()).filter(Boolean);
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
