/**
 * Placement: replicas spread over nodes and zones so that one node drain or one zone outage
 * takes out as few of them as possible.
 *
 * The default only *prefers* spreading (ScheduleAnyway + preferred anti-affinity): a hard rule
 * leaves pods Pending when replicas outnumber nodes or zones, or when a rolling update surges.
 * `required` uses topology spread with DoNotSchedule and maxSkew 1, which still lets replicas
 * share a node once every node has one, instead of required anti-affinity, which never does.
 */
export const ZONE_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';
export const NODE_TOPOLOGY_KEY = 'kubernetes.io/hostname';

/** How strictly pods are spread over nodes and zones. */
export enum SpreadMode {
  /** Spread when possible (ScheduleAnyway + preferred anti-affinity): never blocks scheduling. */
  PREFERRED = 'preferred',
  /**
   * Keep the skew between nodes and zones at 1 (DoNotSchedule): a pod stays Pending rather than
   * break it.
   */
  REQUIRED = 'required',
}

export interface PlacementProps {
  /**
   * PREFERRED never blocks scheduling. REQUIRED keeps the skew between nodes and zones at 1
   * and leaves a pod Pending rather than break it.
   * @default SpreadMode.PREFERRED
   */
  readonly spread?: SpreadMode;
  /** @default 'topology.kubernetes.io/zone' */
  readonly zoneTopologyKey?: string;
  /** @default 'kubernetes.io/hostname' */
  readonly nodeTopologyKey?: string;
}

export interface PlacementPlan {
  readonly topologySpreadConstraints: Array<Record<string, unknown>>;
  readonly affinity: Record<string, unknown>;
}

/**
 * @param revisionLabelKey the label that differs between the old and new pods of a rollout
 *   (`pod-template-hash` for Deployments), so spreading is computed per revision and a surge
 *   is not skewed by the pods about to go away.
 */
export function planPlacement(selector: Record<string, string>, props: PlacementProps = {}, revisionLabelKey?: string): PlacementPlan {
  const mode = props.spread ?? 'preferred';
  const whenUnsatisfiable = mode === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway';
  const constraint = (topologyKey: string) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: { matchLabels: { ...selector } },
    ...(revisionLabelKey ? { matchLabelKeys: [revisionLabelKey] } : {}),
  });
  const nodeKey = props.nodeTopologyKey ?? NODE_TOPOLOGY_KEY;
  return {
    topologySpreadConstraints: [constraint(props.zoneTopologyKey ?? ZONE_TOPOLOGY_KEY), constraint(nodeKey)],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100,
          podAffinityTerm: { topologyKey: nodeKey, labelSelector: { matchLabels: { ...selector } } },
        }],
      },
    },
  };
}
