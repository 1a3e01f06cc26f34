/**
 * `simulate`: applies manifests to a cluster whose nodes are simulated and observes, from the API
 * server, whether each workload stays available through a rolling update, node drains and a zone
 * outage, whether StatefulSets keep their claims and order, and whether Jobs survive an eviction.
 *
 * Layers: plan.ts, availability.ts, verdict.ts, report.ts and safety.ts are pure; kube-client.ts,
 * monitor.ts and session.ts talk to the API server; scenarios/ run one scenario each.
 */
import * as crypto from 'crypto';
import { InputReader } from '../rules/input/reader';
import { forgetLines } from '../rules/input/locate';
import { noteLocation } from '../rules/input/notes';
import { defaultKubeconfigPath, KubeconfigError, loadClusterAccess } from './kubeconfig';
import { ApiError, KubeClient, KubeObject, UnreachableError } from './kube-client';
import { PodMonitor } from './monitor';
import { namespaceFor, prepareObject, Timing, workloadsOf } from './plan';
import { checkCluster } from './safety';
import { Session } from './session';
import { Context, Settings } from './scenarios/context';
import { runDrains } from './scenarios/drain';
import { runJobs } from './scenarios/jobs';
import { runRollingUpdates } from './scenarios/rolling-update';
import { runStart } from './scenarios/start';
import { runStatefulSets } from './scenarios/stateful-set';
import { runZoneOutage } from './scenarios/zone-outage';
import { skipped } from './verdict';
import { SCENARIOS, ScenarioId, ScenarioResult, SimulationReport, Workload } from './types';

export * from './types';
export { formatJson, formatText } from './report';

/** The input or the cluster cannot be used: nothing was simulated (exit 2). */
export class SimulateSetupError extends Error {}

export interface SimulateOptions {
  /** Manifest files or directories; each becomes its own namespace. */
  readonly paths: readonly string[];
  /** @default $KUBECONFIG or ~/.kube/config */
  readonly kubeconfig?: string;
  /** @default the kubeconfig's current-context */
  readonly context?: string;
  /** Runs on a cluster whose nodes are not all simulated, if this names the context in use. */
  readonly allowRealCluster?: string;
  /** @default all */
  readonly scenarios?: readonly ScenarioId[];
  readonly timing?: Partial<Timing>;
  readonly settings?: Partial<Settings>;
  /** Progress messages. @default none */
  readonly log?: (message: string) => void;
  /** Clean up and exit on SIGINT/SIGTERM (the CLI sets it). @default false */
  readonly handleSignals?: boolean;
}

export const DEFAULT_TIMING: Timing = { startupSeconds: 5, jobSeconds: 10 };
export const DEFAULT_SETTINGS: Settings = { startTimeoutSeconds: 120, rolloutTimeoutSeconds: 300, drainTimeoutSeconds: 120, recoveryTimeoutSeconds: 120 };

/** Reads every PATH; each yields its objects (Namespaces dropped: simulate brings its own). */
function readInputs(paths: readonly string[], notes: string[]): Array<{ path: string; objects: KubeObject[] }> {
  try {
    return paths.map((path) => {
      const objects: KubeObject[] = [];
      for (const e of new InputReader([path]).events()) {
        if ('note' in e) notes.push(`${noteLocation(e.note)}: ${e.note.message}`);
        else if (e.object.kind === 'Namespace') notes.push(`${path}: Namespace/${e.object.metadata?.name} not applied (simulate works in namespaces it creates)`);
        else if (e.object.kind && e.object.metadata?.name) objects.push(e.object as unknown as KubeObject);
      }
      return { path, objects };
    });
  } finally {
    forgetLines();
  }
}

async function connect(options: SimulateOptions): Promise<{ client: KubeClient; version: string; nodes: any[] }> {
  const file = options.kubeconfig ?? defaultKubeconfigPath();
  let client: KubeClient;
  try {
    client = new KubeClient(loadClusterAccess(file, options.context));
  } catch (e) {
    if (e instanceof KubeconfigError || (e as NodeJS.ErrnoException).code === 'ENOENT') throw new SimulateSetupError((e as Error).message);
    throw e;
  }
  try {
    const version = (await client.call('GET', '/version')).body.gitVersion ?? 'unknown';
    const nodes = await client.list('/api/v1/nodes');
    return { client, version, nodes };
  } catch (e) {
    client.close();
    if (e instanceof UnreachableError || e instanceof ApiError) throw new SimulateSetupError(`cluster ${client.access.server} (context ${client.access.contextName}) cannot be used: ${(e as Error).message}`);
    throw e;
  }
}

/** Applies each input into a new namespace; returns the workloads. */
async function applyInputs(session: Session, monitor: PodMonitor, inputs: Array<{ path: string; objects: KubeObject[] }>, timing: Timing, notes: string[]): Promise<{ workloads: Workload[]; placed: SimulationReport['inputs'] }> {
  const workloads: Workload[] = [];
  const placed: Array<SimulationReport['inputs'][number]> = [];
  for (const [i, input] of inputs.entries()) {
    const namespace = namespaceFor(input.path, i + 1, session.runId);
    await session.createNamespace(namespace, input.path);
    await monitor.watchNamespace(namespace);
    const prepared: KubeObject[] = [];
    for (const o of input.objects) {
      const r = await session.resource(o.apiVersion ?? '', o.kind ?? '');
      if (r && !r.namespaced) {
        notes.push(`${input.path}: ${o.kind}/${o.metadata.name} not applied (cluster-scoped; simulate changes only its own namespaces)`);
        continue;
      }
      const { object, note } = prepareObject(o, namespace, timing);
      if (note) notes.push(`${input.path}: ${note}`);
      prepared.push(object);
    }
    const isWorkload = (o: KubeObject) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'].includes(o.kind ?? '');
    for (const o of [...prepared.filter((x) => !isWorkload(x)), ...prepared.filter(isWorkload)]) await session.apply(o);
    workloads.push(...workloadsOf(prepared, input.path, namespace));
    placed.push({ path: input.path, namespace, objects: prepared.length });
  }
  return { workloads, placed };
}

/** Runs the scenarios in order; node-level ones one after another, the others side by side. */
async function runScenarios(ctx: Context, workloads: Workload[], wanted: ReadonlySet<ScenarioId>, simulatedNodes: boolean): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const jobs = wanted.has('job-eviction') || wanted.has('cron-job') ? runJobs(ctx, workloads) : Promise.resolve([]);
  ctx.log('start: waiting for every workload to be ready');
  results.push(...await runStart(ctx, workloads));
  if (wanted.has('rolling-update')) {
    ctx.log('rolling update');
    results.push(...await runRollingUpdates(ctx, workloads));
  }
  results.push(...(await jobs).filter((r) => wanted.has(r.scenario)));
  if (wanted.has('node-drain')) results.push(...await runDrains(ctx, workloads));
  if (wanted.has('zone-outage')) {
    if (simulatedNodes) results.push(...await runZoneOutage(ctx, workloads));
    else results.push(...workloads.filter((w) => w.kind === 'Deployment' || w.kind === 'StatefulSet').map((w) => skipped(w, 'zone-outage', 'needs simulated nodes: a real kubelet reports its node Ready again at once')));
  }
  if (wanted.has('stateful-set')) results.push(...await runStatefulSets(ctx, workloads));
  return results;
}

export async function simulate(options: SimulateOptions): Promise<SimulationReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const notes: string[] = [];
  if (options.paths.length === 0) throw new SimulateSetupError('no PATH given');
  const inputs = readInputs(options.paths, notes);
  if (inputs.every((i) => i.objects.length === 0)) throw new SimulateSetupError(`no Kubernetes object found in ${options.paths.join(', ')}${notes.length ? ` (${notes.join('; ')})` : ''}`);
  const timing: Timing = { ...DEFAULT_TIMING, ...options.timing };
  const settings: Settings = { ...DEFAULT_SETTINGS, ...options.settings };
  const wanted = new Set<ScenarioId>(options.scenarios ?? SCENARIOS);

  const { client, version, nodes } = await connect(options);
  const safety = checkCluster(nodes, client.access.contextName, options.allowRealCluster);
  if (!safety.allowed) {
    client.close();
    throw new SimulateSetupError(`refusing to run: ${safety.reason}`);
  }
  const session = new Session(client, crypto.randomBytes(3).toString('hex'));
  const monitor = new PodMonitor(client);
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: cleaning up (namespaces ${session.namespaces.join(', ') || 'none'})`);
    void session.cleanUp(30).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  if (options.handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const ctx: Context = { client, session, monitor, settings, log };
  try {
    const { workloads, placed } = await applyInputs(session, monitor, inputs, timing, notes);
    const results = await runScenarios(ctx, workloads, wanted, safety.simulated);
    const order = (r: ScenarioResult) => `${options.paths.indexOf(r.input)}/${r.workload}/${SCENARIOS.indexOf(r.scenario)}`;
    results.sort((a, b) => order(a).localeCompare(order(b), undefined, { numeric: true }));
    return {
      cluster: { context: client.access.contextName, server: client.access.server, kubernetesVersion: version, nodes: nodes.length, simulatedNodes: safety.simulated },
      inputs: placed,
      settings: { ...timing, ...settings },
      results,
      notes,
      passed: results.every((r) => r.verdict !== 'fail'),
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    monitor.stop();
    const problems = await session.cleanUp();
    for (const p of problems) log(`cleanup: ${p}`);
    if (options.handleSignals) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    client.close();
  }
}
