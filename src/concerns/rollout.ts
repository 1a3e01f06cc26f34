/**
 * Rollouts: new pods come up (and prove themselves for minReadySeconds) before old ones go, so a
 * release never lowers capacity and a bad release stops instead of replacing every pod.
 */
import { Duration } from 'cdk8s';
import { requireSetting, requireWholeNumber } from './errors';
import { podsOf } from './disruption-budget';
import { wholeSeconds } from './shutdown';

/** How a Deployment replaces its pods on a release. */
export interface RolloutProps {
  /** Extra pods during a rollout: a number >= 1 or a percentage (rounded up). @default '25%' */
  readonly maxSurge?: number | string;
  /** Pods below the desired count during a rollout. @default 0 */
  readonly maxUnavailable?: number | string;
  /** How long a new pod must stay Ready before it counts. @default 10 seconds */
  readonly minReady?: Duration;
  /** When a stuck rollout is reported as failed. @default 600 seconds */
  readonly progressDeadline?: Duration;
  /** Old ReplicaSets kept for `kubectl rollout undo`. @default 5 */
  readonly revisionHistoryLimit?: number;
}

export interface RolloutPlan {
  readonly maxSurge: number | string;
  readonly maxUnavailable: number | string;
  readonly minReadySeconds: number;
  readonly progressDeadlineSeconds: number;
  readonly revisionHistoryLimit: number;
}

export const DEFAULT_MIN_READY = Duration.seconds(10);
export const DEFAULT_PROGRESS_DEADLINE = Duration.seconds(600);

export function planRollout(props: RolloutProps, replicas: number): RolloutPlan {
  const maxSurge = props.maxSurge ?? '25%';
  const maxUnavailable = props.maxUnavailable ?? 0;
  const surge = podsOf(maxSurge, replicas, 'rollout.maxSurge');
  podsOf(maxUnavailable, replicas, 'rollout.maxUnavailable'); // validates the format
  requireSetting(surge >= 1, 'rollout.maxSurge', maxSurge,
    `adds no pod during a rollout, so old pods are stopped before new ones are ready (${replicas} replicas)`, 'use maxSurge 1 or "25%"');
  const minReadySeconds = wholeSeconds(props.minReady ?? DEFAULT_MIN_READY, 'rollout.minReady');
  const progressDeadlineSeconds = wholeSeconds(props.progressDeadline ?? DEFAULT_PROGRESS_DEADLINE, 'rollout.progressDeadline');
  requireSetting(progressDeadlineSeconds > minReadySeconds, 'rollout.progressDeadline', `${progressDeadlineSeconds}s`,
    `must be longer than minReady (${minReadySeconds}s), or Kubernetes rejects the Deployment`, `use more than ${minReadySeconds}s`);
  const revisionHistoryLimit = props.revisionHistoryLimit ?? 5;
  requireWholeNumber(revisionHistoryLimit, 'rollout.revisionHistoryLimit', 1, 'use 1 or more',
    'must be at least 1, or `kubectl rollout undo` has nothing to go back to');
  return { maxSurge, maxUnavailable, minReadySeconds, progressDeadlineSeconds, revisionHistoryLimit };
}
