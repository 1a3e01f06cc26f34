/**
 * Rules about how many pods keep running: replica counts, autoscalers and PodDisruptionBudgets.
 * Cross-object rules read the model's links (Service/PDB selectors, HPA targets), which the
 * engine builds once per namespace.
 */
import { podsOf } from '../concerns/disruption-budget';
import { MIN_RESILIENT_REPLICAS } from '../concerns/scaling';
import { describeRef, declaredReplicas, isObject, isPaused, LabelSelector, listNames, minimumPods, namespaceOf, REPLICATED_KINDS, refOf, Workload } from './model';
import { unseenPodsReason } from './links';
import { Rule } from './rule';
import { KubeObject, Violation } from './types';

const REPLICAS = 'Replicas and autoscaling';
const PDB = 'Disruption budgets';
/** Said by the rules that report selectors matching nothing. */
export const UNSEEN_PODS = 'Only pods the audit can see count: audit a namespace\'s manifests together. A selector is not reported when its pods may come from elsewhere: the object belongs to an operator (owner references, or an app.kubernetes.io/managed-by label naming an operator or controller), it matches the pod template of a custom resource, or one of its label values names a custom resource of the namespace (the pods of `Prometheus k8s` carry `prometheus: k8s`).';

function names(objects: KubeObject[]): string {
  return listNames(objects, (o) => String(o.metadata?.name));
}

export const replicasTooFew: Rule = {
  id: 'replicas-too-few',
  severity: 'error',
  group: REPLICAS,
  title: `Fewer than ${MIN_RESILIENT_REPLICAS} replicas and no autoscaler`,
  reason: 'With a single pod, every node drain, eviction, crash and rollout of a non-surging workload is an outage. spec.replicas defaults to 1 when left out.',
  fix: `Run at least ${MIN_RESILIENT_REPLICAS} replicas, or let a HorizontalPodAutoscaler with minReplicas >= ${MIN_RESILIENT_REPLICAS} manage the count. A workload that cannot run twice (a single-writer database) should say so with a suppression and its reason. (replicas: 0 is a deliberate pause and is not flagged.)`,
  kinds: REPLICATED_KINDS,
  crossObject: true,
  check: ({ workload: w }) => {
    if (w!.autoscalers.length > 0 || isPaused(w!)) return [];
    const written = w!.object.spec?.replicas;
    // A replica count of the wrong type is the field-type rule's finding, not "unset".
    if (written !== undefined && written !== null && typeof written !== 'number') return [];
    const replicas = declaredReplicas(w!);
    if (replicas >= MIN_RESILIENT_REPLICAS) return [];
    return [{
      path: ['spec', 'replicas'],
      message: `${typeof written === 'number' ? `replicas ${replicas}` : 'replicas is unset (Kubernetes runs 1)'}: one node drain or one crash leaves no pod serving`,
      fix: `set spec.replicas to ${MIN_RESILIENT_REPLICAS} or more, or add a HorizontalPodAutoscaler with minReplicas >= ${MIN_RESILIENT_REPLICAS}`,
    }];
  },
};

export const hpaReplicasConflict: Rule = {
  id: 'hpa-replicas-conflict',
  severity: 'warning',
  group: REPLICAS,
  title: 'A workload scaled by a HorizontalPodAutoscaler also sets spec.replicas, or has more than one autoscaler',
  reason: 'The HPA owns the replica count. A manifest that also sets spec.replicas overrides the HPA\'s choice whenever that value is applied (a changed value with client-side apply, every time with server-side apply and forced conflicts), for example scaling a busy service in during a peak. Two HPAs on one workload fight over the count.',
  fix: 'Remove spec.replicas from the workload and set the HPA\'s minReplicas instead; keep one HPA per workload. (replicas: 0 pauses the autoscaler on purpose and is not flagged.)',
  kinds: REPLICATED_KINDS,
  crossObject: true,
  check: ({ workload: w }) => {
    const out: Violation[] = [];
    if (w!.autoscalers.length > 1) {
      out.push({ path: ['metadata', 'name'], message: `${w!.autoscalers.length} HorizontalPodAutoscalers (${names(w!.autoscalers)}) scale this workload and fight over its replica count`, fix: 'keep one HorizontalPodAutoscaler per workload' });
    }
    if (w!.autoscalers.length > 0 && typeof w!.object.spec?.replicas === 'number' && !isPaused(w!)) {
      out.push({
        path: ['spec', 'replicas'],
        message: `replicas ${w!.object.spec.replicas} is set although HorizontalPodAutoscaler ${names(w!.autoscalers)} manages the count, so applying the manifest can override the autoscaler`,
        fix: 'remove spec.replicas and use the autoscaler\'s minReplicas',
      });
    }
    return out;
  },
};

export const hpaMinReplicasTooLow: Rule = {
  id: 'hpa-min-replicas-too-low',
  severity: 'error',
  group: REPLICAS,
  title: `A HorizontalPodAutoscaler may scale in below ${MIN_RESILIENT_REPLICAS} pods`,
  reason: 'At night or on a quiet weekend the HPA scales down to minReplicas (1 when left out); a single pod then turns the next node drain or crash into an outage.',
  fix: `Set spec.minReplicas to ${MIN_RESILIENT_REPLICAS} or more.`,
  kinds: ['HorizontalPodAutoscaler'],
  check: ({ object }) => {
    const min = object.spec?.minReplicas;
    if (min !== undefined && min !== null && typeof min !== 'number') return [];
    const value = typeof min === 'number' ? min : 1;
    if (value >= MIN_RESILIENT_REPLICAS) return [];
    return [{
      path: ['spec', 'minReplicas'],
      message: `${typeof min === 'number' ? `minReplicas ${min}` : 'minReplicas is unset (Kubernetes uses 1)'}: the autoscaler may leave a single pod, which one drain or crash takes down`,
    }];
  },
};

export const pdbMissing: Rule = {
  id: 'pdb-missing',
  severity: 'error',
  group: PDB,
  title: 'A workload with several replicas has no PodDisruptionBudget',
  reason: 'Node drains (cluster upgrades, autoscaler scale-down, maintenance) evict pods through the eviction API, which only holds back when a PodDisruptionBudget says so. Without one, draining nodes one after another can evict every replica before the replacements are ready.',
  fix: 'Add a PodDisruptionBudget selecting the workload\'s pods with maxUnavailable: 1 (and unhealthyPodEvictionPolicy: AlwaysAllow).',
  kinds: REPLICATED_KINDS,
  crossObject: true,
  check: ({ workload: w }) => {
    if (w!.disruptionBudgets.length > 0 || minimumPods(w!) < MIN_RESILIENT_REPLICAS) return [];
    return [{ path: ['metadata', 'name'], message: `no PodDisruptionBudget in namespace ${w!.namespace} selects the pods of this workload, so drains may evict all of them at once` }];
  },
};

export const pdbOverlap: Rule = {
  id: 'pdb-overlap',
  severity: 'error',
  group: PDB,
  title: 'The pods of a workload are selected by more than one PodDisruptionBudget',
  reason: 'The eviction API refuses to evict a pod that more than one PodDisruptionBudget covers, so every node drain that meets one of these pods hangs until someone deletes the pod by hand.',
  fix: 'Keep exactly one PodDisruptionBudget per workload: narrow the selectors so they do not overlap.',
  kinds: REPLICATED_KINDS,
  crossObject: true,
  check: ({ workload: w }) => (w!.disruptionBudgets.length > 1
    ? [{ path: ['spec', 'template', 'metadata', 'labels'], message: `PodDisruptionBudgets ${names(w!.disruptionBudgets)} all select this workload's pods, and the eviction API refuses to evict such pods` }]
    : []),
};

/** The workloads a budget protects (Jobs run to completion and are not counted). */
function budgetWorkloads(object: KubeObject, selectedBy: Map<KubeObject, Workload[]>): Workload[] {
  return (selectedBy.get(object) ?? []).filter((w) => w.workloadClass !== 'batch');
}

export const pdbSelectsNothing: Rule = {
  id: 'pdb-selects-nothing',
  severity: 'warning',
  group: PDB,
  title: 'A PodDisruptionBudget selects the pods of no workload',
  reason: `A budget whose selector matches no pod protects nothing; usually its labels drifted from the workload's, which is then unprotected. ${UNSEEN_PODS}`,
  fix: 'Make spec.selector match the pod template labels of the workload it is meant to protect, or delete the budget.',
  kinds: ['PodDisruptionBudget'],
  crossObject: true,
  check: ({ object, model }) => {
    if ((model.selectedBy.get(object) ?? []).length > 0 || !isObject(object.spec?.selector)) return [];
    if (unseenPodsReason(object, object.spec.selector as LabelSelector, model.namespaces.get(namespaceOf(object)))) return [];
    return [{ path: ['spec', 'selector'], message: `the selector matches the pods of no workload in namespace ${namespaceOf(object)}` }];
  },
};

export const pdbSpansWorkloads: Rule = {
  id: 'pdb-spans-workloads',
  severity: 'warning',
  group: PDB,
  title: 'A PodDisruptionBudget selects the pods of more than one workload',
  reason: 'The budget is shared: a drain may take all of one workload\'s allowed disruptions (or all its pods) while the other workload stays untouched, and each workload\'s own budget is no longer stated anywhere.',
  fix: 'Give each workload its own PodDisruptionBudget with a selector that matches only its pods (e.g. app.kubernetes.io/name and app.kubernetes.io/instance).',
  kinds: ['PodDisruptionBudget'],
  crossObject: true,
  check: ({ object, model }) => {
    const selected = budgetWorkloads(object, model.selectedBy);
    return selected.length > 1
      ? [{ path: ['spec', 'selector'], message: `the selector matches the pods of ${selected.length} workloads: ${listNames(selected, (w) => describeRef(refOf(w.object)))}` }]
      : [];
  },
};

export const pdbBlocksEviction: Rule = {
  id: 'pdb-blocks-eviction',
  severity: 'error',
  group: PDB,
  title: 'A PodDisruptionBudget allows no pod to be evicted',
  reason: 'maxUnavailable 0, or a minAvailable that keeps every pod (minAvailable equal to the replica count, or 100%), means no voluntary eviction can ever succeed: every node drain and cluster upgrade hangs on these pods until someone intervenes.',
  fix: 'Use maxUnavailable: 1 (or a percentage above 0%), or a minAvailable below the smallest replica count.',
  kinds: ['PodDisruptionBudget'],
  crossObject: true,
  check: ({ object, model }) => {
    const spec = isObject(object.spec) ? object.spec : {};
    const all = budgetWorkloads(object, model.selectedBy);
    // Workloads scaled to zero on purpose have no pod to evict.
    const selected = all.filter((w) => !isPaused(w));
    if (all.length > 0 && selected.length === 0) return [];
    // DaemonSets run one pod per node: their count is unknown here.
    const countable = selected.length > 0 && selected.every((w) => w.workloadClass === 'replicated' || w.workloadClass === 'pod');
    const pods = countable ? selected.reduce((n, w) => n + (w.workloadClass === 'pod' ? 1 : minimumPods(w)), 0) : undefined;
    const count = (value: number | string) => {
      try {
        return podsOf(value, pods ?? 100, 'budget');
      } catch {
        return undefined;
      }
    };
    if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
      const allowed = typeof spec.maxUnavailable === 'string' && /^0+%$/.test(spec.maxUnavailable) ? 0 : count(spec.maxUnavailable);
      if (allowed === 0) {
        return [{ path: ['spec', 'maxUnavailable'], message: `maxUnavailable ${JSON.stringify(spec.maxUnavailable)} lets no pod be evicted, so every node drain hangs`, fix: 'use maxUnavailable: 1' }];
      }
      return [];
    }
    if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
      const min = spec.minAvailable;
      if (typeof min === 'string' && /^100%$/.test(min)) {
        return [{ path: ['spec', 'minAvailable'], message: 'minAvailable "100%" keeps every pod, so no pod can be evicted and every node drain hangs', fix: 'use maxUnavailable: 1 instead' }];
      }
      if (pods === undefined) return [];
      const kept = count(min);
      if (kept !== undefined && kept >= pods) {
        return [{
          path: ['spec', 'minAvailable'],
          message: `minAvailable ${JSON.stringify(min)} keeps ${kept} of the ${pods} pod(s) that ${listNames(selected, (w) => w.name)} ${selected.length === 1 ? 'runs' : 'run'} at the fewest, so no pod can be evicted and every node drain hangs`,
          fix: pods > 1 ? `use minAvailable: ${pods - 1} or maxUnavailable: 1` : 'use maxUnavailable: 1',
        }];
      }
    }
    return [];
  },
};

export const pdbUnhealthyPodsBlockDrain: Rule = {
  id: 'pdb-unhealthy-pods-block-drain',
  severity: 'warning',
  group: PDB,
  title: 'A PodDisruptionBudget does not let drains evict pods that are not ready',
  reason: 'With the default unhealthyPodEvictionPolicy (IfHealthyBudget), a pod that is crash-looping or stuck unready can only be evicted while the budget has room; when the workload is already degraded, drains hang on exactly the pods that serve nothing.',
  fix: 'Set spec.unhealthyPodEvictionPolicy: AlwaysAllow (beta and on by default in Kubernetes 1.27).',
  kinds: ['PodDisruptionBudget'],
  check: ({ object }) => (object.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow'
    ? []
    : [{ path: ['spec', 'unhealthyPodEvictionPolicy'], message: `unhealthyPodEvictionPolicy is ${object.spec?.unhealthyPodEvictionPolicy ? JSON.stringify(object.spec.unhealthyPodEvictionPolicy) : 'unset (IfHealthyBudget)'}, so pods that are not ready can block a drain` }]),
};

export const AVAILABILITY_RULES: Rule[] = [
  replicasTooFew, hpaReplicasConflict, hpaMinReplicasTooLow,
  pdbMissing, pdbOverlap, pdbSelectsNothing, pdbSpansWorkloads, pdbBlocksEviction, pdbUnhealthyPodsBlockDrain,
];
