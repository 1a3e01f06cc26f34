/**
 * Compact views of the objects that cross-object rules look at, so an audit of 100,000 workloads
 * keeps kilobytes per workload instead of the whole parsed object. A view keeps exactly what the
 * cross-object rules (`crossObject: true` in the table) and the links read:
 *
 * - every object: apiVersion, kind, name, namespace, labels, owner references and the
 *   `resilient.cdk8s.io/` annotations (exceptions, severities);
 * - workloads: spec.replicas, spec.selector, spec.serviceName, spec.strategy; the pod template's
 *   labels and `resilient.cdk8s.io/` annotations; the pod's topology spread constraints and
 *   affinity; each container's name and ports, and whether it has a readiness probe, a liveness
 *   probe and a preStop hook (an object stands in for any object);
 * - Services: selector, ports, clusterIP; budgets and autoscalers: their spec.
 *
 * A test runs every cross-object rule on whole objects and on these views and expects the same
 * findings: a rule that starts reading another field must add it here.
 */
import { detach } from '../concerns/detached-text';
import { ANNOTATION_PREFIX } from './annotations';
import { get, isObject, toWorkload, Workload } from './model';
import { KubeObject } from './types';

const OBJECT_MARK = Object.freeze({});

/** A deep copy of plain data with every string detached (iterative: no recursion over the input). */
export function detachDeep<T>(value: T): T {
  if (typeof value === 'string') return detach(value) as T;
  if (value === null || typeof value !== 'object') return value;
  const root: any = Array.isArray(value) ? new Array(value.length) : {};
  const stack: Array<[any, any]> = [[value, root]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    for (const key of Object.keys(from)) {
      const v = from[key];
      if (typeof v === 'string') to[key] = detach(v);
      else if (v !== null && typeof v === 'object' && v !== OBJECT_MARK) {
        const copy: any = Array.isArray(v) ? new Array(v.length) : {};
        to[key] = copy;
        stack.push([v, copy]);
      } else to[key] = v;
    }
  }
  return root as T;
}

/** How a view takes a field of the document: as it is, or detached (detachDeep). */
type Take = <T>(value: T) => T;
const asIs: Take = (value) => value;

function resilientAnnotations(annotations: unknown, take: Take): Record<string, string> | undefined {
  if (!isObject(annotations)) return undefined;
  let out: Record<string, string> | undefined;
  for (const key of Object.keys(annotations)) {
    if (key.startsWith(ANNOTATION_PREFIX)) (out ??= {})[key] = take(annotations[key]);
  }
  return out;
}

function compactMetadata(metadata: unknown, take: Take): Record<string, unknown> | undefined {
  if (!isObject(metadata)) return undefined;
  const out: Record<string, unknown> = { name: take(metadata.name) };
  if (metadata.namespace !== undefined) out.namespace = take(metadata.namespace);
  if (metadata.labels !== undefined) out.labels = take(metadata.labels);
  if (metadata.ownerReferences !== undefined) out.ownerReferences = take(metadata.ownerReferences);
  const annotations = resilientAnnotations(metadata.annotations, take);
  if (annotations) out.annotations = annotations;
  return out;
}

/** An object stays an object (any object), anything else stays as it is. */
function presence(value: unknown, take: Take): unknown {
  return isObject(value) ? OBJECT_MARK : take(value);
}

function compactContainer(container: unknown, take: Take): unknown {
  if (!isObject(container)) return take(container);
  const lifecycle = container.lifecycle;
  return {
    name: take(container.name),
    ports: take(container.ports),
    readinessProbe: presence(container.readinessProbe, take),
    livenessProbe: presence(container.livenessProbe, take),
    lifecycle: isObject(lifecycle) ? { preStop: presence(lifecycle.preStop, take) } : take(lifecycle),
  };
}

function compactPodSpec(podSpec: unknown, take: Take): unknown {
  if (!isObject(podSpec)) return take(podSpec);
  return {
    topologySpreadConstraints: take(podSpec.topologySpreadConstraints),
    affinity: take(podSpec.affinity),
    containers: Array.isArray(podSpec.containers) ? podSpec.containers.map((c) => compactContainer(c, take)) : take(podSpec.containers),
  };
}

function compactTemplate(template: unknown, take: Take): unknown {
  if (!isObject(template)) return take(template);
  const metadata = isObject(template.metadata)
    ? { labels: take(template.metadata.labels), annotations: resilientAnnotations(template.metadata.annotations, take) }
    : take(template.metadata);
  return { metadata, spec: compactPodSpec(template.spec, take) };
}

/**
 * The view of a workload object for cross-object rules, sharing no string with the parsed document.
 * The view's own objects are new; the fields it keeps from the document are detached as they are
 * taken, in one pass (a view built first and then copied whole was 2 % of an audit's time).
 */
export function compactWorkloadObject(object: KubeObject): KubeObject {
  return workloadViewOf(object, detachDeep);
}

/** The same, sharing strings with the document (for a worker thread: posting a message copies them). */
export function workloadView(object: KubeObject): KubeObject {
  return workloadViewOf(object, asIs);
}

function workloadViewOf(object: KubeObject, take: Take): KubeObject {
  const base = { apiVersion: take(object.apiVersion), kind: take(object.kind), metadata: compactMetadata(object.metadata, take) };
  const spec = object.spec;
  if (object.kind === 'Pod') return { ...base, spec: compactPodSpec(spec, take) };
  if (!isObject(spec)) return { ...base, spec: take(spec) };
  if (object.kind === 'CronJob') {
    const template = get(object, ['spec', 'jobTemplate', 'spec', 'template']);
    return { ...base, spec: { jobTemplate: { spec: { template: compactTemplate(template, take) } } } };
  }
  return {
    ...base,
    spec: { replicas: take(spec.replicas), selector: take(spec.selector), serviceName: take(spec.serviceName), strategy: take(spec.strategy), template: compactTemplate(spec.template, take) },
  };
}

/** A compact workload view with empty links, for the link builder. */
export function compactWorkload(object: KubeObject, inputIndex: number): Workload | undefined {
  return toWorkload(compactWorkloadObject(object), inputIndex);
}

/** The view of a Service, PodDisruptionBudget or HorizontalPodAutoscaler, sharing no string with the parsed document. */
export function compactReferrer(object: KubeObject): KubeObject {
  return referrerViewOf(object, detachDeep);
}

/** The same, sharing strings with the document (for a worker thread). */
export function referrerView(object: KubeObject): KubeObject {
  return referrerViewOf(object, asIs);
}

function referrerViewOf(object: KubeObject, take: Take): KubeObject {
  const base = { apiVersion: take(object.apiVersion), kind: take(object.kind), metadata: compactMetadata(object.metadata, take) };
  const spec = object.spec;
  if (object.kind === 'Service' && isObject(spec)) {
    return { ...base, spec: { selector: take(spec.selector), ports: take(spec.ports), clusterIP: take(spec.clusterIP) } };
  }
  return { ...base, spec: take(spec) };
}

/** The pod labels of a custom resource that carries a pod template, if it does. */
export function customResourcePodLabels(object: KubeObject): Record<string, string> | undefined {
  const labels = get(object, ['spec', 'template', 'metadata', 'labels']) ?? get(object, ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels']);
  if (!isObject(labels)) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels)) out[key] = detach(String(labels[key]));
  return out;
}
