/**
 * A read-only view over a set of plain Kubernetes objects: which objects run pods (and where their
 * pod spec sits), and which Services, PodDisruptionBudgets and HorizontalPodAutoscalers refer to
 * which workload. Built once per audit, namespace by namespace, with a label index so that
 * matching selectors to workloads stays close to linear in the number of objects.
 */
import { AuditInput, KubeObject, ObjectRef } from './types';

export type FieldPath = ReadonlyArray<string | number>;

/**
 * How a workload kind behaves:
 * - replicated: Deployment, StatefulSet, ReplicaSet (a replica count, PDBs, HPAs, spreading)
 * - daemon: DaemonSet (one pod per node)
 * - batch: Job, CronJob (run to completion)
 * - pod: a bare Pod
 */
export type WorkloadClass = 'replicated' | 'daemon' | 'batch' | 'pod';

export const WORKLOAD_CLASSES: Record<string, WorkloadClass> = {
  Deployment: 'replicated',
  StatefulSet: 'replicated',
  ReplicaSet: 'replicated',
  DaemonSet: 'daemon',
  Job: 'batch',
  CronJob: 'batch',
  Pod: 'pod',
};
export const WORKLOAD_KINDS = Object.keys(WORKLOAD_CLASSES);
export const REPLICATED_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet'];
export const LONG_RUNNING_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Pod'];
export const BATCH_KINDS = ['Job', 'CronJob'];

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: string[] }>;
}

export interface Workload {
  readonly inputIndex: number;
  readonly object: KubeObject;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly workloadClass: WorkloadClass;
  /** The pod spec (an empty object when the manifest has none). */
  readonly podSpec: Record<string, any>;
  readonly podSpecPath: FieldPath;
  readonly podLabels: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
  /** Services in the namespace whose selector matches this workload's pods. */
  readonly services: KubeObject[];
  /** PodDisruptionBudgets whose selector matches this workload's pods. */
  readonly disruptionBudgets: KubeObject[];
  /** HorizontalPodAutoscalers whose scaleTargetRef names this workload. */
  readonly autoscalers: KubeObject[];
}

export interface Namespace {
  readonly name: string;
  readonly workloads: Workload[];
  readonly services: KubeObject[];
  readonly disruptionBudgets: KubeObject[];
  readonly autoscalers: KubeObject[];
  /** Objects by `Kind/name`. */
  readonly byKindName: Map<string, KubeObject>;
}

export interface AuditModel {
  readonly inputs: ReadonlyArray<AuditInput>;
  readonly namespaces: Map<string, Namespace>;
  /** Workload view of each input, by input index (undefined for other kinds). */
  readonly workloadAt: ReadonlyArray<Workload | undefined>;
  /** Workloads whose pods a Service or PDB selects, keyed by that Service or PDB. */
  readonly selectedBy: Map<KubeObject, Workload[]>;
  /** The workload an HPA's scaleTargetRef names, keyed by the HPA. */
  readonly targetOf: Map<KubeObject, Workload | undefined>;
}

export function namespaceOf(object: KubeObject): string {
  return object.metadata?.namespace || 'default';
}

export function refOf(object: KubeObject): ObjectRef {
  return {
    ...(object.apiVersion ? { apiVersion: object.apiVersion } : {}),
    kind: String(object.kind ?? '(no kind)'),
    ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
    name: String(object.metadata?.name ?? '(no name)'),
  };
}

/** `Deployment shop/web`, or `Deployment web` without a namespace. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** `a, b, c and 4 more`: names for messages, bounded however many objects match. */
export function listNames<T>(items: readonly T[], name: (item: T) => string = String, max = 5): string {
  const shown = items.slice(0, max).map(name).join(', ');
  return items.length <= max ? shown : `${shown} and ${items.length - max} more`;
}

/** Builds the view. Objects without a kind are kept as inputs but belong to no namespace. */
export function buildModel(inputs: ReadonlyArray<AuditInput>): AuditModel {
  const namespaces = new Map<string, Namespace>();
  const workloadAt: Array<Workload | undefined> = new Array(inputs.length);
  const space = (name: string): Namespace => {
    let ns = namespaces.get(name);
    if (!ns) {
      ns = { name, workloads: [], services: [], disruptionBudgets: [], autoscalers: [], byKindName: new Map() };
      namespaces.set(name, ns);
    }
    return ns;
  };
  inputs.forEach(({ object }, inputIndex) => {
    if (!isObject(object) || typeof object.kind !== 'string' || isControlled(object)) return;
    const ns = space(namespaceOf(object));
    ns.byKindName.set(`${object.kind}/${object.metadata?.name ?? ''}`, object);
    const workload = toWorkload(object, inputIndex);
    if (workload) {
      workloadAt[inputIndex] = workload;
      ns.workloads.push(workload);
    } else if (object.kind === 'Service') {
      ns.services.push(object);
    } else if (object.kind === 'PodDisruptionBudget') {
      ns.disruptionBudgets.push(object);
    } else if (object.kind === 'HorizontalPodAutoscaler') {
      ns.autoscalers.push(object);
    }
  });

  const selectedBy = new Map<KubeObject, Workload[]>();
  const targetOf = new Map<KubeObject, Workload | undefined>();
  for (const ns of namespaces.values()) {
    const index = new LabelIndex(ns.workloads.filter((w) => w.workloadClass !== 'batch'));
    for (const service of ns.services) {
      const selector = service.spec?.selector;
      // A Service without a selector has its endpoints managed by hand: it selects no pods.
      const matched = isObject(selector) && Object.keys(selector).length > 0 ? index.match({ matchLabels: selector as Record<string, string> }) : [];
      selectedBy.set(service, matched);
      for (const w of matched) w.services.push(service);
    }
    for (const pdb of ns.disruptionBudgets) {
      const selector = pdb.spec?.selector;
      // policy/v1: a null selector selects no pods, an empty one selects every pod of the namespace.
      const matched = isObject(selector) ? index.match(selector as LabelSelector) : [];
      selectedBy.set(pdb, matched);
      for (const w of matched) w.disruptionBudgets.push(pdb);
    }
    // Looked up by kind/name: a scan per HPA would make 10,000 autoscaled workloads quadratic.
    const workloadByKindName = new Map<string, Workload>();
    for (const w of ns.workloads) if (!workloadByKindName.has(`${w.kind}/${w.name}`)) workloadByKindName.set(`${w.kind}/${w.name}`, w);
    for (const hpa of ns.autoscalers) {
      const ref = hpa.spec?.scaleTargetRef;
      const target = isObject(ref) ? workloadByKindName.get(`${ref.kind}/${ref.name}`) : undefined;
      targetOf.set(hpa, target);
      target?.autoscalers.push(hpa);
    }
  }
  return { inputs, namespaces, workloadAt, selectedBy, targetOf };
}

/**
 * Objects a controller made (the ReplicaSets of a Deployment, the Pods of a ReplicaSet, as in
 * `kubectl get all -o yaml`): their owner is audited instead.
 */
export function isControlled(object: KubeObject): boolean {
  const owners = object.metadata?.ownerReferences;
  return Array.isArray(owners) && owners.some((o) => isObject(o) && o.controller === true);
}

function toWorkload(object: KubeObject, inputIndex: number): Workload | undefined {
  const kind = object.kind as string;
  const workloadClass = WORKLOAD_CLASSES[kind];
  if (!workloadClass) return undefined;
  let templatePath: FieldPath;
  if (kind === 'Pod') templatePath = [];
  else if (kind === 'CronJob') templatePath = ['spec', 'jobTemplate', 'spec', 'template'];
  else templatePath = ['spec', 'template'];
  const template = kind === 'Pod' ? object : get(object, templatePath);
  const podSpecPath = [...templatePath, 'spec'];
  const podSpec = get(object, podSpecPath);
  return {
    inputIndex,
    object,
    kind,
    name: String(object.metadata?.name ?? ''),
    namespace: namespaceOf(object),
    workloadClass,
    podSpec: isObject(podSpec) ? podSpec : {},
    podSpecPath,
    podLabels: stringMap(template?.metadata?.labels),
    podAnnotations: stringMap(template?.metadata?.annotations),
    services: [],
    disruptionBudgets: [],
    autoscalers: [],
  };
}

/**
 * Workloads by pod label, so a selector is checked only against the workloads that carry the
 * rarest of its labels instead of against every workload of the namespace.
 */
class LabelIndex {
  private readonly byLabel = new Map<string, Workload[]>();

  constructor(private readonly workloads: Workload[]) {
    for (const w of workloads) {
      for (const [key, value] of Object.entries(w.podLabels)) {
        const k = `${key}=${value}`;
        const list = this.byLabel.get(k);
        if (list) list.push(w);
        else this.byLabel.set(k, [w]);
      }
    }
  }

  public match(selector: LabelSelector): Workload[] {
    const pairs = Object.entries(selector.matchLabels ?? {});
    let candidates = this.workloads;
    for (const [key, value] of pairs) {
      const list = this.byLabel.get(`${key}=${value}`) ?? [];
      if (list.length < candidates.length) candidates = list;
    }
    return candidates.filter((w) => selectorMatches(selector, w.podLabels));
  }
}

/** Kubernetes label selector semantics; an empty selector matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== String(value)) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = (e.values ?? []).map(String);
    switch (e.operator) {
      case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

export interface ContainerAt {
  readonly container: Record<string, any>;
  readonly name: string;
  readonly index: number;
  readonly init: boolean;
  readonly path: FieldPath;
}

/** The pod's containers, optionally with its init containers. */
export function containersOf(w: Workload, withInit = false): ContainerAt[] {
  const result: ContainerAt[] = [];
  const lists: Array<['containers' | 'initContainers', boolean]> = withInit ? [['initContainers', true], ['containers', false]] : [['containers', false]];
  for (const [field, init] of lists) {
    const list = w.podSpec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((container, index) => {
      if (!isObject(container)) return;
      result.push({ container, name: String(container.name ?? `#${index}`), index, init, path: [...w.podSpecPath, field, index] });
    });
  }
  return result;
}

export interface DeclaredPortOf {
  readonly number: number;
  readonly name?: string;
}

export function declaredPorts(container: Record<string, any>): DeclaredPortOf[] {
  const ports = container.ports;
  if (!Array.isArray(ports)) return [];
  return ports.filter(isObject).map((p) => ({ number: Number(p.containerPort), ...(p.name ? { name: String(p.name) } : {}) }));
}

/** spec.replicas as written, or the Kubernetes default of 1. */
export function declaredReplicas(w: Workload): number {
  const replicas = w.object.spec?.replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

/** The fewest pods the workload runs: the HPA's minimum when one scales it. */
export function minimumPods(w: Workload): number {
  if (w.autoscalers.length > 0) return Math.min(...w.autoscalers.map((h) => numberOr(h.spec?.minReplicas, 1)));
  return declaredReplicas(w);
}

/** The most pods the workload runs outside a rollout: the HPA's maximum when one scales it. */
export function maximumPods(w: Workload): number {
  if (w.autoscalers.length > 0) return Math.max(...w.autoscalers.map((h) => numberOr(h.spec?.maxReplicas, 1)));
  return declaredReplicas(w);
}

export function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function get(object: unknown, path: FieldPath): any {
  let current: any = object;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = current[key];
  }
  return current;
}

export function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) result[k] = String(v);
  return result;
}

/** `spec.template.spec.containers[0].ports` */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
