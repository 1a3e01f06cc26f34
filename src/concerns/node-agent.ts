/**
 * Node agents (DaemonSets): one pod per node, so availability means "every node keeps its agent"
 * rather than "enough replicas somewhere". A rollout replaces agents a few nodes at a time and
 * must never take them all down at once; taints decide which nodes an agent reaches at all.
 */
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { podsOf } from './disruption-budget';
import { describeValue, requireSetting, requireWholeNumber } from './errors';
import { wholeSeconds } from './shutdown';

/** How a DaemonSet replaces its agents on a release. */
export interface DaemonSetRolloutProps {
  /**
   * Nodes whose agent may be down at once during a rollout: a number or a percentage of nodes
   * (rounded up).
   * @default 1, or 0 when maxSurge is set
   */
  readonly maxUnavailable?: number | string;
  /**
   * Nodes that may run the new agent next to the old one before the old one stops. Surging
   * doubles the agent's resource use on those nodes and cannot work with host ports (the new pod
   * cannot bind them) or with files that only one agent at a time may hold.
   * @default 0
   */
  readonly maxSurge?: number | string;
  /** How long a new agent must stay Ready before the rollout moves on. @default 10 seconds */
  readonly minReady?: Duration;
  /** Old revisions kept for `kubectl rollout undo`. @default 5 */
  readonly revisionHistoryLimit?: number;
}

export interface DaemonSetRolloutPlan {
  readonly maxUnavailable: number | string;
  readonly maxSurge: number | string;
  readonly minReadySeconds: number;
  readonly revisionHistoryLimit: number;
}

export const DEFAULT_NODE_AGENT_MIN_READY = Duration.seconds(10);

/**
 * @param bindsHostPorts whether a container of the pod declares a hostPort: a surged pod could
 *   not start next to the old one on the same node.
 */
export function planDaemonSetRollout(props: DaemonSetRolloutProps, bindsHostPorts: boolean): DaemonSetRolloutPlan {
  const maxSurge = props.maxSurge ?? 0;
  const maxUnavailable = props.maxUnavailable ?? (props.maxSurge !== undefined && isNonZero(maxSurge, 'rollout.maxSurge') ? 0 : 1);
  const surge = isNonZero(maxSurge, 'rollout.maxSurge');
  const unavailable = isNonZero(maxUnavailable, 'rollout.maxUnavailable');
  requireSetting(surge || unavailable, 'rollout.maxUnavailable', maxUnavailable,
    'is 0 together with maxSurge 0, so the rollout could never replace an agent (Kubernetes rejects this)',
    'use maxUnavailable 1 (the default), or maxSurge 1 with maxUnavailable 0');
  requireSetting(!(surge && unavailable), 'rollout.maxSurge', maxSurge,
    `is set together with maxUnavailable ${describeValue(maxUnavailable)}: Kubernetes lets a DaemonSet rollout either surge or take agents down, not both`,
    'set maxUnavailable: 0 with maxSurge, or leave maxSurge at 0');
  requireSetting(!surge || !bindsHostPorts, 'rollout.maxSurge', maxSurge,
    'starts the new agent next to the old one on the same node, but the pod declares a hostPort the old pod still holds, so the new pod never starts and the rollout stalls',
    'use maxUnavailable 1 with maxSurge 0 (the default), or drop the hostPort');
  const minReadySeconds = wholeSeconds(props.minReady ?? DEFAULT_NODE_AGENT_MIN_READY, 'rollout.minReady');
  const revisionHistoryLimit = props.revisionHistoryLimit ?? 5;
  requireWholeNumber(revisionHistoryLimit, 'rollout.revisionHistoryLimit', 1, 'use 1 or more',
    'must be at least 1, or `kubectl rollout undo` has nothing to go back to');
  return { maxUnavailable, maxSurge, minReadySeconds, revisionHistoryLimit };
}

/** Checks the number-or-percentage format and tells whether it stands for more than zero nodes. */
function isNonZero(value: number | string, field: string): boolean {
  // Measured against 100 nodes, a percentage maps to itself: only 0 and "0%" give 0.
  return podsOf(value, 100, field) > 0;
}

// ---------------------------------------------------------------------------------------------
// Tolerations
// ---------------------------------------------------------------------------------------------

export type TaintEffectName = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

/** A toleration as plain Kubernetes data. */
export interface TolerationSpec {
  readonly key?: string;
  readonly operator: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: TaintEffectName;
  readonly tolerationSeconds?: number;
}

/** Options of Tolerations.taint(). */
export interface TaintToleranceOptions {
  /** Tolerate only this value of the taint. @default any value */
  readonly value?: string;
  /** Tolerate only this effect. @default every effect */
  readonly effect?: kplus.TaintEffect;
  /** With NoExecute: stay this long on a node after the taint appears, then leave. @default stay */
  readonly evictAfter?: Duration;
}

export const CONTROL_PLANE_TAINT = 'node-role.kubernetes.io/control-plane';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

/**
 * Which node taints a node agent tolerates. Without any, it runs on every node that has no taint
 * (plus the node-condition taints the DaemonSet controller always tolerates for its pods).
 */
export class Tolerations {
  /**
   * Every taint, every effect (a single `operator: Exists`): the agent runs on each node,
   * control plane, dedicated pools and nodes being evicted included. For agents that must see
   * every node: log shippers, metrics exporters, CNI and storage plugins.
   */
  public static everywhere(): Tolerations {
    return new Tolerations('everywhere', [{ operator: 'Exists' }]);
  }

  /** Control-plane nodes (the `node-role.kubernetes.io/control-plane:NoSchedule` taint kubeadm sets). */
  public static controlPlane(): Tolerations {
    return new Tolerations('control-plane', [{ key: CONTROL_PLANE_TAINT, operator: 'Exists', effect: 'NoSchedule' }]);
  }

  /**
   * Stay on nodes that are not ready or unreachable, with no time limit. The DaemonSet controller
   * adds these to its pods anyway; the preset writes them into the manifest, where readers and
   * policy checks can see them.
   */
  public static notReadyAndUnreachable(): Tolerations {
    return new Tolerations('not-ready-and-unreachable', [
      { key: NOT_READY_TAINT, operator: 'Exists', effect: 'NoExecute' },
      { key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute' },
    ]);
  }

  /**
   * One taint of your own, e.g. a dedicated pool: `Tolerations.taint('dedicated', { value: 'gpu' })`.
   * @param key the taint's key, as the node shows it
   */
  public static taint(key: string, options: TaintToleranceOptions = {}): Tolerations {
    return new Tolerations(`taint ${key}`, [{
      key,
      operator: options.value === undefined ? 'Exists' : 'Equal',
      ...(options.value !== undefined ? { value: options.value } : {}),
      ...(options.effect ? { effect: options.effect } : {}),
    }], options.evictAfter);
  }

  private constructor(
    /** Which preset this is. */
    public readonly kind: string,
    private readonly specs: TolerationSpec[],
    private readonly evictAfter?: Duration,
  ) {}

  /**
   * The tolerations, checked. `field` names the setting in error messages.
   * @jsii ignore
   */
  public resolve(field: string): TolerationSpec[] {
    return this.specs.map((spec) => {
      if (spec.key !== undefined) {
        requireSetting(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(spec.key), `${field}.key`, spec.key,
          'is not a valid taint key (an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or ".")', 'use the key exactly as the node taint shows it, e.g. "dedicated" or "example.com/gpu"');
      }
      if (spec.value !== undefined) {
        requireSetting(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(spec.value) && spec.value.length <= 63, `${field}.value`, spec.value,
          'is not a valid taint value (up to 63 letters, digits, "-", "_" or ".")', 'use the value exactly as the node taint shows it');
      }
      if (this.evictAfter === undefined) return spec;
      requireSetting(spec.effect === 'NoExecute', `${field}.evictAfter`, this.evictAfter.toHumanString(),
        'only applies to the NoExecute effect (Kubernetes rejects tolerationSeconds otherwise)', 'add effect: TaintEffect.NO_EXECUTE, or remove evictAfter');
      return { ...spec, tolerationSeconds: wholeSeconds(this.evictAfter, `${field}.evictAfter`) };
    });
  }
}

/** Every preset's tolerations, duplicates removed; `everywhere()` makes the others redundant. */
export function planTolerations(presets: Tolerations[]): TolerationSpec[] {
  const all = presets.flatMap((preset, index) => preset.resolve(`tolerations[${index}]`));
  if (all.some((t) => t.key === undefined && t.operator === 'Exists' && t.effect === undefined)) return [{ operator: 'Exists' }];
  const seen = new Set<string>();
  return all.filter((t) => {
    const id = JSON.stringify([t.key, t.operator, t.value, t.effect, t.tolerationSeconds]);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
