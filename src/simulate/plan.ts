/**
 * From the input's objects to what simulate applies and runs: each PATH becomes one namespace;
 * workloads get their budget, autoscaler and timing. Pure: no cluster here.
 */
import { SUPPRESS_ANNOTATION_PREFIX } from '../rules/annotations';
import { matchesSelector } from './availability';
import type { KubeObject } from './kube-client';
import { DisruptionBudget, Workload, WorkloadKind } from './types';

/** Annotation names the project's kwok stages read (scripts/cluster/stages.js). */
export const TIMING_ANNOTATIONS = {
  readyDelay: 'pod-ready.stage.kwok.x-k8s.io/delay',
  completeDelay: 'pod-complete.stage.kwok.x-k8s.io/delay',
  stopAt: 'simulate.resilient.cdk8s.io/stop-at',
} as const;

/** Simulated timing, in seconds. */
export interface Timing {
  /** How long a pod takes from scheduled to Ready. */
  readonly startupSeconds: number;
  /** How long a Job's pod runs before it succeeds. */
  readonly jobSeconds: number;
  /** Cap on terminationGracePeriodSeconds (undefined: the manifests' own). */
  readonly maxGracePeriodSeconds?: number;
}

const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];
const REPLICAS_RULE = 'replicas-too-few';

/** The pod template of a workload manifest (CronJob: its Job template's). */
export function podTemplateOf(o: KubeObject): any {
  return o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template : o.spec?.template;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v));
}

/**
 * The object as simulate applies it: in `namespace`, and for workloads with the timing
 * annotations on the pod template and, when asked, the grace period capped. Returns the object
 * and a note when the grace period was lowered.
 */
export function prepareObject(o: KubeObject, namespace: string, timing: Timing): { object: KubeObject; note?: string } {
  const object = clone(o);
  object.metadata = { ...object.metadata, namespace };
  delete object.metadata.resourceVersion;
  delete object.metadata.uid;
  if (!WORKLOAD_KINDS.includes(object.kind as WorkloadKind)) return { object };
  const template = podTemplateOf(object);
  if (!template) return { object };
  template.metadata = template.metadata ?? {};
  template.metadata.annotations = {
    ...(template.metadata.annotations ?? {}),
    [TIMING_ANNOTATIONS.readyDelay]: `${timing.startupSeconds}s`,
    [TIMING_ANNOTATIONS.stopAt]: 'grace-end',
    ...(object.kind === 'Job' || object.kind === 'CronJob' ? { [TIMING_ANNOTATIONS.completeDelay]: `${timing.jobSeconds}s` } : {}),
  };
  const grace = template.spec?.terminationGracePeriodSeconds ?? 30;
  if (timing.maxGracePeriodSeconds !== undefined && grace > timing.maxGracePeriodSeconds) {
    template.spec = { ...template.spec, terminationGracePeriodSeconds: timing.maxGracePeriodSeconds };
    return { object, note: `${object.kind}/${object.metadata.name}: terminationGracePeriodSeconds ${grace} lowered to ${timing.maxGracePeriodSeconds} (--max-grace-period)` };
  }
  return { object };
}

function budgetFor(template: any, objects: readonly KubeObject[]): DisruptionBudget | undefined {
  const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && matchesSelector(template?.metadata?.labels, o.spec?.selector));
  if (!pdb) return undefined;
  return { name: pdb.metadata.name, minAvailable: pdb.spec?.minAvailable, maxUnavailable: pdb.spec?.maxUnavailable };
}

/** The workloads among `objects` (already prepared for `namespace`), with what their verdicts need. */
export function workloadsOf(objects: readonly KubeObject[], input: string, namespace: string): Workload[] {
  return objects.filter((o) => WORKLOAD_KINDS.includes(o.kind as WorkloadKind)).map((o) => {
    const kind = o.kind as WorkloadKind;
    const template = podTemplateOf(o);
    const hpa = objects.find((h) => h.kind === 'HorizontalPodAutoscaler' && h.spec?.scaleTargetRef?.kind === kind && h.spec?.scaleTargetRef?.name === o.metadata.name);
    const selector = kind === 'Job' ? { matchLabels: { 'batch.kubernetes.io/job-name': o.metadata.name } } : kind === 'CronJob' ? undefined : o.spec?.selector;
    const suppress = o.metadata.annotations?.[`${SUPPRESS_ANNOTATION_PREFIX}${REPLICAS_RULE}`];
    return {
      kind,
      name: o.metadata.name,
      namespace,
      input,
      selector,
      replicas: typeof o.spec?.replicas === 'number' ? o.spec.replicas : undefined,
      autoscalerMinReplicas: hpa ? (hpa.spec?.minReplicas ?? 1) : undefined,
      budget: kind === 'Job' || kind === 'CronJob' ? undefined : budgetFor(template, objects),
      singleReplicaReason: typeof suppress === 'string' && suppress.trim() ? suppress.trim() : undefined,
      strategy: kind === 'Deployment' ? (o.spec?.strategy?.type ?? 'RollingUpdate') : kind === 'StatefulSet' || kind === 'DaemonSet' ? (o.spec?.updateStrategy?.type ?? 'RollingUpdate') : undefined,
      progressDeadlineSeconds: kind === 'Deployment' ? (o.spec?.progressDeadlineSeconds ?? 600) : undefined,
      manifest: o,
    };
  });
}

/** The replicas a workload should run now: spec.replicas as the server holds it, raised to an autoscaler's minimum. */
export function desiredReplicas(w: Workload, live: KubeObject | undefined): number {
  if (w.kind === 'DaemonSet') return live?.status?.desiredNumberScheduled ?? 0;
  const replicas = live?.spec?.replicas ?? w.replicas ?? 1;
  return Math.max(replicas, w.autoscalerMinReplicas ?? 0);
}

/** A unique, valid namespace name for one input: "simulate-<input>-<run id>". */
export function namespaceFor(input: string, index: number, runId: string): string {
  const last = input.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? '';
  const base = last.replace(/\.(ya?ml|json)$/i, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase().replace(/^-+|-+$/g, '').slice(0, 30).replace(/-+$/, '') || 'input';
  return `simulate-${base}-${index}-${runId}`.slice(0, 63).replace(/-+$/, '');
}
