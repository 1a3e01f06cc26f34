/**
 * How objects refer to each other, per namespace: which workloads' pods each Service and
 * PodDisruptionBudget selects, and which workload each HorizontalPodAutoscaler scales. Built
 * incrementally while objects stream past (the engine adds compact views, see compact.ts), then
 * linked once at the end with a label index, so matching stays close to linear in the number of
 * objects.
 */
import { isObject, LabelSelector, namespaceOf, selectorMatches, toWorkload, Workload } from './model';
import { KubeObject } from './types';

export interface Namespace {
  readonly name: string;
  readonly workloads: Workload[];
  readonly services: KubeObject[];
  readonly disruptionBudgets: KubeObject[];
  readonly autoscalers: KubeObject[];
  /** Services by name. */
  readonly servicesByName: Map<string, KubeObject>;
  /**
   * Pod labels of objects that make pods the rules do not model (custom resources with a pod
   * template, such as an Argo Rollout), and names of custom resources whose operator may run pods.
   */
  readonly otherPods: Array<Record<string, string>>;
  readonly customResources: Set<string>;
}

export interface AuditModel {
  readonly namespaces: Map<string, Namespace>;
  /** Workloads whose pods a Service or PDB selects, keyed by that Service or PDB. */
  readonly selectedBy: Map<KubeObject, Workload[]>;
  /** The workload an HPA's scaleTargetRef names, keyed by the HPA. */
  readonly targetOf: Map<KubeObject, Workload | undefined>;
}

/** API groups served by Kubernetes itself; anything else is a custom resource. */
const BUILT_IN_GROUPS = new Set([
  'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io',
  'certificates.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'flowcontrol.apiserver.k8s.io', 'internal.apiserver.k8s.io',
  'networking.k8s.io', 'node.k8s.io', 'rbac.authorization.k8s.io', 'resource.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io', 'storagemigration.k8s.io',
]);

export function isCustomResource(object: KubeObject): boolean {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return false;
  const group = apiVersion.slice(0, slash);
  return group.includes('.') && !BUILT_IN_GROUPS.has(group);
}

export class LinkBuilder {
  public readonly namespaces = new Map<string, Namespace>();

  public space(name: string): Namespace {
    let ns = this.namespaces.get(name);
    if (!ns) {
      ns = { name, workloads: [], services: [], disruptionBudgets: [], autoscalers: [], servicesByName: new Map(), otherPods: [], customResources: new Set() };
      this.namespaces.set(name, ns);
    }
    return ns;
  }

  public addWorkload(w: Workload): void {
    this.space(w.namespace).workloads.push(w);
  }

  /** Services, budgets and autoscalers (compact views); other kinds are ignored. */
  public addReferrer(namespace: string, object: KubeObject): void {
    const ns = this.space(namespace);
    if (object.kind === 'Service') {
      ns.services.push(object);
      const name = String(object.metadata?.name ?? '');
      if (!ns.servicesByName.has(name)) ns.servicesByName.set(name, object);
    } else if (object.kind === 'PodDisruptionBudget') ns.disruptionBudgets.push(object);
    else if (object.kind === 'HorizontalPodAutoscaler') ns.autoscalers.push(object);
  }

  /** A custom resource: its name, and its pod labels when it carries a pod template. */
  public addCustomResource(namespace: string, name: string, kind: string, podLabels: Record<string, string> | undefined): void {
    const ns = this.space(namespace);
    ns.customResources.add(name);
    ns.customResources.add(kind.toLowerCase());
    if (podLabels && Object.keys(podLabels).length > 0) ns.otherPods.push(podLabels);
  }

  /** Links every Service, budget and autoscaler to the workloads it refers to. */
  public link(): AuditModel {
    const selectedBy = new Map<KubeObject, Workload[]>();
    const targetOf = new Map<KubeObject, Workload | undefined>();
    for (const ns of this.namespaces.values()) {
      const index = new LabelIndex(ns.workloads);
      for (const service of ns.services) {
        const selector = service.spec?.selector;
        // A Service without a selector has its endpoints managed by hand: it selects no pods.
        const matched = isObject(selector) && Object.keys(selector).length > 0 ? index.match({ matchLabels: selector as Record<string, string> }) : [];
        selectedBy.set(service, matched);
        for (const w of matched) if (w.workloadClass !== 'batch') w.services.push(service);
      }
      for (const pdb of ns.disruptionBudgets) {
        const selector = pdb.spec?.selector;
        // policy/v1: a null selector selects no pods, an empty one selects every pod of the namespace.
        const matched = isObject(selector) ? index.match(selector as LabelSelector) : [];
        selectedBy.set(pdb, matched);
        for (const w of matched) if (w.workloadClass !== 'batch') w.disruptionBudgets.push(pdb);
      }
      // Looked up by kind/name: a scan per HPA would make 10,000 autoscaled workloads quadratic.
      const byKindName = new Map<string, Workload>();
      for (const w of ns.workloads) if (!byKindName.has(`${w.kind}/${w.name}`)) byKindName.set(`${w.kind}/${w.name}`, w);
      for (const hpa of ns.autoscalers) {
        const ref = hpa.spec?.scaleTargetRef;
        const target = isObject(ref) ? byKindName.get(`${ref.kind}/${ref.name}`) : undefined;
        targetOf.set(hpa, target);
        target?.autoscalers.push(hpa);
      }
    }
    return { namespaces: this.namespaces, selectedBy, targetOf };
  }
}

/**
 * Why a Service's or budget's selector may match pods the audit cannot see, so that matching
 * nothing is no evidence of a mistake: it belongs to an operator (owner references, or a
 * managed-by label naming an operator or controller), it matches pods of a custom resource's pod
 * template, or one of its label values names a custom resource of the namespace (the pods of
 * `Prometheus k8s` carry `prometheus: k8s`).
 */
export function unseenPodsReason(object: KubeObject, selector: LabelSelector, ns: Namespace | undefined): string | undefined {
  const owners = object.metadata?.ownerReferences;
  if (Array.isArray(owners) && owners.length > 0) return 'it is owned by another object';
  const managedBy = object.metadata?.labels?.['app.kubernetes.io/managed-by'];
  if (typeof managedBy === 'string' && /operator|controller/i.test(managedBy)) return `it is managed by ${managedBy}`;
  if (!ns) return undefined;
  if (ns.otherPods.some((labels) => selectorMatches(selector, labels))) return 'it matches the pod template of a custom resource';
  const values = [...Object.values(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).flatMap((e) => e.values ?? [])];
  const named = values.find((v) => ns.customResources.has(String(v)) || ns.customResources.has(String(v).toLowerCase()));
  return named !== undefined ? `its selector names "${named}", a custom resource whose operator may run the pods` : undefined;
}

/**
 * Workloads by pod label, so a selector is checked only against the workloads that carry the
 * rarest of its labels instead of against every workload of the namespace.
 */
class LabelIndex {
  /** Label key, then value: no `key=value` string is built (and hashed) per label and lookup. */
  private readonly byLabel = new Map<string, Map<string, Workload[]>>();

  constructor(private readonly workloads: Workload[]) {
    for (const w of workloads) {
      const labels = w.podLabels;
      for (const key of Object.keys(labels)) {
        let values = this.byLabel.get(key);
        if (values === undefined) {
          values = new Map();
          this.byLabel.set(key, values);
        }
        const value = labels[key];
        const list = values.get(value);
        if (list) list.push(w);
        else values.set(value, [w]);
      }
    }
  }

  public match(selector: LabelSelector): Workload[] {
    const matchLabels = isObject(selector.matchLabels) ? selector.matchLabels : {};
    let candidates = this.workloads;
    for (const key of Object.keys(matchLabels)) {
      const list = this.byLabel.get(key)?.get(String(matchLabels[key])) ?? NONE;
      if (list.length < candidates.length) candidates = list;
    }
    return candidates.filter((w) => selectorMatches(selector, w.podLabels));
  }
}

const NONE: Workload[] = [];

/** Links whole objects at once (for tests and callers holding every object): each object's workload view, linked. */
export function linkObjects(objects: readonly KubeObject[]): { model: AuditModel; workloadAt: Array<Workload | undefined> } {
  const builder = new LinkBuilder();
  const workloadAt = objects.map((object, i) => {
    if (!isObject(object) || typeof object.kind !== 'string') return undefined;
    const w = toWorkload(object, i);
    if (w) builder.addWorkload(w);
    else builder.addReferrer(namespaceOf(object), object);
    return w;
  });
  return { model: builder.link(), workloadAt };
}
