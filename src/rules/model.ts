/**
 * A read-only view over plain Kubernetes objects: which objects run pods and where their pod spec
 * sits, and the helpers rules share. How objects refer to each other (Services, budgets and
 * autoscalers to workloads) is in links.ts.
 */
import { detach } from '../concerns/detached-text';
import { KubeObject, ObjectRef } from './types';

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

export function namespaceOf(object: KubeObject): string {
  return object.metadata?.namespace || 'default';
}

export function refOf(object: KubeObject): ObjectRef {
  // Built field by field: this runs once per object of the input.
  // Copies, not slices of the parsed document (see concerns/detached-text.ts): refs outlive documents.
  const copy = (v: unknown) => detach(String(v));
  const ref: { apiVersion?: string; kind: string; namespace?: string; name: string } = { kind: copy(object.kind ?? '(no kind)'), name: copy(object.metadata?.name ?? '(no name)') };
  if (object.apiVersion) ref.apiVersion = copy(object.apiVersion);
  if (object.metadata?.namespace) ref.namespace = copy(object.metadata.namespace);
  // Keys in the order reports have always shown them.
  return ref.apiVersion !== undefined
    ? (ref.namespace !== undefined ? { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name } : { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name })
    : (ref.namespace !== undefined ? { kind: ref.kind, namespace: ref.namespace, name: ref.name } : { kind: ref.kind, name: ref.name });
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

/**
 * Objects a controller made (the ReplicaSets of a Deployment, the Pods of a ReplicaSet, as in
 * `kubectl get all -o yaml`): their owner is audited instead.
 */
export function isControlled(object: KubeObject): boolean {
  const owners = object.metadata?.ownerReferences;
  return Array.isArray(owners) && owners.some((o) => isObject(o) && o.controller === true);
}

/** The workload view of an object that runs pods; undefined for other kinds. */
export function toWorkload(object: KubeObject, inputIndex: number): Workload | undefined {
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

/** The ports a container declares with a valid number (others are the field-type rule's concern). */
export function declaredPorts(container: Record<string, any>): DeclaredPortOf[] {
  const ports = container.ports;
  if (!Array.isArray(ports)) return [];
  const out: DeclaredPortOf[] = [];
  for (const p of ports) {
    if (!isObject(p) || !isPortNumber(p.containerPort)) continue;
    out.push({ number: p.containerPort, ...(typeof p.name === 'string' && p.name !== '' ? { name: p.name } : {}) });
  }
  return out;
}

export function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** An IANA service name, as Kubernetes requires of port names: 1-15 of [a-z0-9-], a letter, no -- or edge -. */
export function isPortName(value: string): boolean {
  return /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(value) && /[a-z]/.test(value) && !value.includes('--');
}

/** spec.replicas as written, or the Kubernetes default of 1 (also when it is not a number: the field-type rule reports that). */
export function declaredReplicas(w: Workload): number {
  const replicas = w.object.spec?.replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

/** `replicas: 0`: the workload is deliberately paused (scaled to zero), so rules about its pod count do not apply. */
export function isPaused(w: Workload): boolean {
  return w.object.spec?.replicas === 0;
}

/** The fewest pods the workload runs: the HPA's minimum when one scales it. */
export function minimumPods(w: Workload): number {
  if (w.autoscalers.length > 0) return w.autoscalers.reduce((min, h) => Math.min(min, numberOr(h.spec?.minReplicas, 1)), Infinity);
  return declaredReplicas(w);
}

/** The most pods the workload runs outside a rollout: the HPA's maximum when one scales it. */
export function maximumPods(w: Workload): number {
  if (w.autoscalers.length > 0) return w.autoscalers.reduce((max, h) => Math.max(max, numberOr(h.spec?.maxReplicas, 1)), -Infinity);
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
