/**
 * PodDisruptionBudget: limits how many pods voluntary disruptions (node drains, cluster
 * upgrades) may take at once, and must never make a drain impossible.
 */
import { requireSetting, requireWholeNumber } from './errors';

/** The PodDisruptionBudget a workload gets. */
export interface DisruptionBudgetProps {
  /**
   * Whether to create the PodDisruptionBudget at all. Without one, a node drain may evict every
   * pod of the workload at once: say why in a rule suppression (the pdb-missing rule asks).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Pods that may be down at once during voluntary disruptions: a number >= 1 or a percentage > 0.
   * @default 1
   */
  readonly maxUnavailable?: number | string;
  /**
   * Alternative to maxUnavailable: pods that must stay up. Must stay below the smallest replica
   * count, or no pod could ever be evicted.
   * @default - maxUnavailable is used
   */
  readonly minAvailable?: number | string;
}

export interface DisruptionBudgetSpec {
  readonly maxUnavailable?: number | string;
  readonly minAvailable?: number | string;
  readonly selector: { readonly matchLabels: Record<string, string> };
  /**
   * 'AlwaysAllow' (beta, on by default in 1.27): pods that are not Ready can always be evicted, so
   * a crash-looping replica never blocks a drain.
   */
  readonly unhealthyPodEvictionPolicy: 'AlwaysAllow';
}

/**
 * A PDB for a workload whose replica count never drops below `minReplicas`. Below 2 replicas
 * there is nothing to keep available, so none is made unless `evenForOneReplica` (StatefulSets,
 * where maxUnavailable 1 still states the intent and never blocks a drain).
 */
export function planDisruptionBudget(selector: Record<string, string>, minReplicas: number, props: DisruptionBudgetProps = {}, evenForOneReplica = false): DisruptionBudgetSpec | undefined {
  requireSetting(props.maxUnavailable === undefined || props.minAvailable === undefined, 'disruptionBudget', props,
    'sets both maxUnavailable and minAvailable (Kubernetes allows one)', 'keep only one of them');
  if (minReplicas < 2 && !evenForOneReplica) return undefined;
  const base = { selector: { matchLabels: { ...selector } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' as const };
  if (props.minAvailable !== undefined) {
    const kept = podsOf(props.minAvailable, minReplicas, 'disruptionBudget.minAvailable');
    requireSetting(kept < minReplicas, 'disruptionBudget.minAvailable', props.minAvailable,
      `keeps ${kept} of ${minReplicas} pods, so no pod could ever be evicted and every node drain would hang`,
      `use at most ${minReplicas - 1}, or maxUnavailable: 1`);
    return Object.assign(base, { minAvailable: props.minAvailable });
  }
  const maxUnavailable = props.maxUnavailable ?? 1;
  const allowed = podsOf(maxUnavailable, minReplicas, 'disruptionBudget.maxUnavailable');
  requireSetting(allowed >= 1, 'disruptionBudget.maxUnavailable', maxUnavailable,
    'allows no pod to be evicted, so every node drain would hang', 'use 1 or more (or a percentage above 0%)');
  return Object.assign(base, { maxUnavailable });
}

/** Pods a PDB value stands for; Kubernetes rounds percentages up. */
export function podsOf(value: number | string, replicas: number, field: string): number {
  if (typeof value === 'number') {
    requireWholeNumber(value, field, 0, 'use a whole number or a percentage like "25%"');
    return value;
  }
  const match = /^(\d+)%$/.exec(value);
  requireSetting(!!match, field, value, 'is neither a number nor a percentage', 'use a whole number or a percentage like "25%"');
  const percent = Number(match![1]);
  requireSetting(percent <= 100, field, value, 'is above 100%', 'use a percentage from 1% to 100%');
  return Math.ceil((percent * replicas) / 100);
}
