/** Rules about where replicas run: spread over nodes, without rules that leave pods Pending. */
import { podsOf } from '../concerns/disruption-budget';
import { NODE_TOPOLOGY_KEY, ZONE_TOPOLOGY_KEY } from '../concerns/placement';
import { declaredReplicas, isObject, LabelSelector, maximumPods, REPLICATED_KINDS, selectorMatches, Workload } from './model';
import { Rule } from './rule';
import { Violation } from './types';

const GROUP = 'Placement';
const REGION_TOPOLOGY_KEY = 'topology.kubernetes.io/region';
/** Zones most cloud regions offer; a required one-pod-per-zone rule beyond this leaves pods Pending. */
export const ASSUMED_ZONES_PER_REGION = 3;

/** Pods the workload may run at once: the most replicas plus the rolling-update surge. */
export function peakPods(w: Workload): number {
  const base = Math.max(maximumPods(w), declaredReplicas(w));
  if (w.kind !== 'Deployment' || base === 0) return base;
  const strategy = w.object.spec?.strategy;
  if (strategy?.type === 'Recreate') return base;
  try {
    return base + podsOf(strategy?.rollingUpdate?.maxSurge ?? '25%', base, 'maxSurge');
  } catch {
    return base;
  }
}

interface AntiAffinityTerm {
  readonly term: Record<string, any>;
  readonly path: ReadonlyArray<string | number>;
  readonly required: boolean;
}

/** Pod anti-affinity terms (required and preferred) that repel the workload's own pods. */
function selfAntiAffinity(w: Workload): AntiAffinityTerm[] {
  const anti = w.podSpec.affinity?.podAntiAffinity;
  if (!isObject(anti)) return [];
  const base = [...w.podSpecPath, 'affinity', 'podAntiAffinity'];
  const out: AntiAffinityTerm[] = [];
  const required = anti.requiredDuringSchedulingIgnoredDuringExecution;
  if (Array.isArray(required)) {
    required.forEach((term, i) => {
      if (isObject(term) && selectsOwnPods(term.labelSelector, w)) out.push({ term, path: [...base, 'requiredDuringSchedulingIgnoredDuringExecution', i], required: true });
    });
  }
  const preferred = anti.preferredDuringSchedulingIgnoredDuringExecution;
  if (Array.isArray(preferred)) {
    preferred.forEach((entry, i) => {
      const term = entry?.podAffinityTerm;
      if (isObject(term) && selectsOwnPods(term.labelSelector, w)) out.push({ term, path: [...base, 'preferredDuringSchedulingIgnoredDuringExecution', i, 'podAffinityTerm'], required: false });
    });
  }
  return out;
}

function selectsOwnPods(selector: unknown, w: Workload): boolean {
  return isObject(selector) && selectorMatches(selector as LabelSelector, w.podLabels);
}

export const spreadMissing: Rule = {
  id: 'spread-missing',
  severity: 'warning',
  group: GROUP,
  title: 'Replicas are not spread across nodes',
  reason: 'Without a topology spread constraint or pod anti-affinity on the node key, the scheduler may put several replicas (or all) on one node, and a single node failure or drain takes them down together.',
  fix: `Add a topologySpreadConstraint with topologyKey ${NODE_TOPOLOGY_KEY}, maxSkew 1, whenUnsatisfiable ScheduleAnyway and a labelSelector matching the pods (and one on ${ZONE_TOPOLOGY_KEY}), or a preferred pod anti-affinity on ${NODE_TOPOLOGY_KEY}.`,
  kinds: REPLICATED_KINDS,
  crossObject: true,
  check: ({ workload: w }) => {
    if (maximumPods(w!) < 2) return [];
    const constraints = Array.isArray(w!.podSpec.topologySpreadConstraints) ? w!.podSpec.topologySpreadConstraints : [];
    const spreads = constraints.some((c: any) => isObject(c) && c.topologyKey === NODE_TOPOLOGY_KEY && selectsOwnPods(c.labelSelector, w!))
      || selfAntiAffinity(w!).some((t) => t.term.topologyKey === NODE_TOPOLOGY_KEY);
    return spreads ? [] : [{
      path: [...w!.podSpecPath, 'topologySpreadConstraints'],
      message: `nothing spreads the ${maximumPods(w!)} replicas over nodes (no topology spread constraint or pod anti-affinity on ${NODE_TOPOLOGY_KEY} that selects them), so one node can hold all of them`,
    }];
  },
};

export const antiAffinityUnsatisfiable: Rule = {
  id: 'anti-affinity-unsatisfiable',
  severity: 'error',
  group: GROUP,
  title: 'Required pod anti-affinity asks for more topology domains than exist',
  reason: `A required anti-affinity against the workload's own pods allows one pod per topology domain. On the region key a cluster has one domain; on the zone key most regions have ${ASSUMED_ZONES_PER_REGION}. Pods beyond that (including the extra pods of a rolling update) stay Pending forever, and a rollout with maxUnavailable 0 never finishes.`,
  fix: `Replace it with a topologySpreadConstraint (maxSkew 1; whenUnsatisfiable DoNotSchedule if it must be hard), which still places pods once every domain has one, or use preferredDuringSchedulingIgnoredDuringExecution.`,
  kinds: REPLICATED_KINDS,
  crossObject: true,
  check: ({ workload: w }) => {
    const peak = peakPods(w!);
    const out: Violation[] = [];
    for (const t of selfAntiAffinity(w!)) {
      if (!t.required) continue;
      const domains = t.term.topologyKey === REGION_TOPOLOGY_KEY ? 1 : t.term.topologyKey === ZONE_TOPOLOGY_KEY ? ASSUMED_ZONES_PER_REGION : undefined;
      if (domains === undefined || peak <= domains) continue;
      out.push({
        path: [...t.path, 'topologyKey'],
        message: `required anti-affinity on ${t.term.topologyKey} allows one pod per ${t.term.topologyKey === REGION_TOPOLOGY_KEY ? 'region (a cluster has one)' : `zone (assumed ${ASSUMED_ZONES_PER_REGION} per region)`}, but the workload runs up to ${peak} pods including the rollout surge: the rest stay Pending`,
      });
    }
    return out;
  },
};

export const antiAffinityRequired: Rule = {
  id: 'anti-affinity-required',
  severity: 'warning',
  group: GROUP,
  title: 'Required pod anti-affinity against the workload\'s own pods',
  reason: 'requiredDuringScheduling anti-affinity on the node key never lets two replicas share a node: once replicas plus the rolling-update surge outnumber the schedulable nodes (a node drained, a small node pool, a scale-out), new pods stay Pending and rollouts stall.',
  fix: `Use a topologySpreadConstraint on ${NODE_TOPOLOGY_KEY} with maxSkew 1 (ScheduleAnyway, or DoNotSchedule if it must be hard), or preferred anti-affinity.`,
  kinds: REPLICATED_KINDS,
  crossObject: true,
  check: ({ workload: w }) => {
    const peak = peakPods(w!);
    return selfAntiAffinity(w!)
      .filter((t) => t.required && t.term.topologyKey !== REGION_TOPOLOGY_KEY && t.term.topologyKey !== ZONE_TOPOLOGY_KEY)
      .map((t): Violation => ({
        path: t.path,
        message: `required anti-affinity on ${t.term.topologyKey} needs ${peak} distinct ${t.term.topologyKey === NODE_TOPOLOGY_KEY ? 'nodes' : 'domains'} at the peak of a rollout; with fewer, pods stay Pending`,
      }));
  },
};

export const PLACEMENT_RULES: Rule[] = [spreadMissing, antiAffinityUnsatisfiable, antiAffinityRequired];
