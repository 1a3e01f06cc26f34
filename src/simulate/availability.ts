/**
 * Pure arithmetic of availability: how many pods of a workload must stay ready through a
 * disruption, the PodDisruptionBudget's way of counting, and selector matching.
 */
import { DisruptionBudget, LabelSelector } from './types';

/** An IntOrString value scaled against `total` (percentages rounded up, as the disruption controller does). */
export function scaled(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value.trim());
  if (m) return Math.ceil((Number(m[1]) * total) / 100);
  const n = Number(value);
  if (Number.isInteger(n)) return n;
  throw new Error(`"${value}" is neither a number nor a percentage`);
}

/** The fewest ready pods a budget allows of `desired`, or undefined without a budget. */
export function budgetFloor(budget: DisruptionBudget | undefined, desired: number): number | undefined {
  if (!budget) return undefined;
  if (budget.minAvailable !== undefined) return scaled(budget.minAvailable, desired);
  if (budget.maxUnavailable !== undefined) return desired - scaled(budget.maxUnavailable, desired);
  return undefined;
}

/**
 * The fewest ready pods a workload may have during a planned disruption: what its budget allows
 * (or `desired - 1` without one), and never zero. Returns the number and what it rests on.
 */
export function availabilityFloor(desired: number, budget?: DisruptionBudget): { floor: number; basis: string } {
  const fromBudget = budgetFloor(budget, desired);
  if (fromBudget !== undefined) {
    const floor = Math.max(1, fromBudget);
    return { floor, basis: fromBudget >= 1 ? `PodDisruptionBudget ${budget!.name}` : 'never zero' };
  }
  return { floor: Math.max(1, desired - 1), basis: desired - 1 >= 1 ? 'replicas - 1' : 'never zero' };
}

/**
 * The fewest ready pods expected right after losing one of `zones` zones: a workload spread
 * evenly loses at most one zone's share, ceil(desired / zones); never zero.
 */
export function zoneLossFloor(desired: number, zones: number): number {
  return Math.max(1, desired - Math.ceil(desired / Math.max(1, zones)));
}

/** Whether `labels` satisfy a label selector (matchLabels and matchExpressions). */
export function matchesSelector(labels: Record<string, string> | undefined, selector: LabelSelector | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(l[e.key]))) return false;
    if (e.operator === 'NotIn' && has && values.includes(l[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length > 0;
}

/** A pod that serves: Ready, running, and not on its way out (terminating pods leave Service endpoints). */
export function isServing(pod: any): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  if (pod.status?.phase !== 'Running') return false;
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** A pod that still counts as a replica: not finished and not terminating. */
export function isActive(pod: any): boolean {
  const phase = pod.status?.phase;
  return !pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/** Why a pod is Pending unscheduled (the scheduler's message), or undefined. */
export function unschedulableReason(pod: any): string | undefined {
  if (pod.spec?.nodeName || !isActive(pod)) return undefined;
  const c = (pod.status?.conditions ?? []).find((x: any) => x.type === 'PodScheduled' && x.status === 'False');
  return c ? String(c.message ?? c.reason ?? 'unschedulable') : 'not scheduled yet';
}
