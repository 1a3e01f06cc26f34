/**
 * The verdicts: pure functions from what a scenario measured to pass, fail or accepted, with the
 * numbers and the reasons. Nothing here talks to a cluster, so each rule is unit-tested.
 *
 * Availability fails when the ready count falls below the workload's floor (its
 * PodDisruptionBudget's allowance, or replicas - 1, and never zero; see availability.ts). A
 * single-replica workload whose manifest accepts one replica
 * (`resilient.cdk8s.io/suppress.replicas-too-few: <reason>`) gets `accepted` instead of `fail`
 * for availability only; blocked drains, Pending pods and lost claims still fail.
 */
import { availabilityFloor, zoneLossFloor } from './availability';
import { Numbers, ScenarioId, ScenarioResult, Verdict, Workload } from './types';

function result(w: Workload, scenario: ScenarioId, failures: string[], accepted: string[], numbers: Numbers, summary: string): ScenarioResult {
  const verdict: Verdict = failures.length > 0 ? 'fail' : accepted.length > 0 ? 'accepted' : 'pass';
  return { scenario, workload: `${w.kind}/${w.name}`, input: w.input, namespace: w.namespace, verdict, numbers, summary, reasons: [...failures, ...accepted] };
}

/** A scenario that does not apply to a workload, or could not run: the reason says which. */
export function skipped(w: Workload, scenario: ScenarioId, reason: string): ScenarioResult {
  return { scenario, workload: `${w.kind}/${w.name}`, input: w.input, namespace: w.namespace, verdict: 'skipped', numbers: {}, summary: '-', reasons: [reason] };
}

/** Sorts an availability shortfall into failures or (single replica accepted) acceptances. */
function judgeLowest(w: Workload, desired: number, lowest: number, what: string, failures: string[], accepted: string[]): { floor: number } {
  const { floor, basis } = availabilityFloor(desired, w.budget);
  if (lowest < floor) {
    const text = `${what}: ready fell to ${lowest} of ${desired} (floor ${floor}: ${basis})`;
    if (desired <= 1 && w.singleReplicaReason) accepted.push(`${text}; accepted: single replica (${w.singleReplicaReason})`);
    else failures.push(text);
  }
  return { floor };
}

function pendingText(pending: readonly string[]): string {
  const unique = [...new Set(pending)];
  return `${pending.length} pod(s) Pending: ${unique.slice(0, 2).join('; ')}${unique.length > 2 ? '; ...' : ''}`;
}

export interface StartMeasure {
  readonly desired: number;
  readonly ready: number;
  readonly seconds: number;
  /** The scheduler's message for each pod still Pending. */
  readonly pending: readonly string[];
}

/** Start: every replica scheduled and ready within the time simulate waits. */
export function judgeStart(w: Workload, m: StartMeasure): ScenarioResult {
  const failures: string[] = [];
  if (m.pending.length > 0) failures.push(pendingText(m.pending));
  if (m.ready < m.desired) failures.push(`only ${m.ready} of ${m.desired} ready after ${m.seconds} s`);
  return result(w, 'start', failures, [], { desired: m.desired, ready: m.ready, pending: m.pending.length, seconds: m.seconds }, `ready ${m.ready}/${m.desired} in ${m.seconds} s`);
}

export interface RollingUpdateMeasure {
  readonly desired: number;
  readonly lowestReady: number;
  /** Most pods beyond `desired` at once (the surge the rollout used). */
  readonly surge: number;
  readonly completed: boolean;
  readonly seconds: number;
  /** progressDeadlineSeconds (Deployments), if any. */
  readonly deadlineSeconds?: number;
  /** The Deployment controller reported ProgressDeadlineExceeded. */
  readonly deadlineExceeded: boolean;
  readonly pending: readonly string[];
}

/** Rolling update: ready never below the floor, and the rollout completes before its deadline. */
export function judgeRollingUpdate(w: Workload, m: RollingUpdateMeasure): ScenarioResult {
  const failures: string[] = [];
  const accepted: string[] = [];
  const { floor } = judgeLowest(w, m.desired, m.lowestReady, `during the rollout (strategy ${w.strategy ?? 'default'})`, failures, accepted);
  if (m.deadlineExceeded) failures.push(`progress deadline (${m.deadlineSeconds} s) exceeded`);
  else if (!m.completed) failures.push(`rollout did not complete within ${m.seconds} s`);
  else if (m.deadlineSeconds !== undefined && m.seconds > m.deadlineSeconds) failures.push(`completed after ${m.seconds} s, beyond progressDeadlineSeconds ${m.deadlineSeconds}`);
  if (m.pending.length > 0) failures.push(pendingText(m.pending));
  const deadline = m.deadlineSeconds !== undefined ? ` of ${m.deadlineSeconds} s` : '';
  return result(w, 'rolling-update', failures, accepted,
    { desired: m.desired, lowestReady: m.lowestReady, floor, surge: m.surge, completed: m.completed, seconds: m.seconds, progressDeadlineSeconds: m.deadlineSeconds ?? null },
    `lowest ready ${m.lowestReady}/${m.desired}, surge ${m.surge}, ${m.completed ? 'done' : 'not done'} in ${m.seconds} s${deadline}`);
}

export interface NodeDrain {
  readonly node: string;
  /** Every pod of this workload on the node was evicted and gone within the deadline. */
  readonly finished: boolean;
  readonly seconds: number;
  /** Evictions the API server refused (and simulate retried). */
  readonly refusals: number;
  /** The API server's last refusal, when the drain did not finish. */
  readonly blockedBy?: string;
}

export interface DrainMeasure {
  readonly desired: number;
  readonly lowestReady: number;
  readonly drains: readonly NodeDrain[];
  readonly deadlineSeconds: number;
  /** Pods left Pending after the drains (scheduler's messages). */
  readonly pending: readonly string[];
  /** Ready after the last drain, once rescheduling settled. */
  readonly readyAfter: number;
}

/** Node drain: every drain finishes in time, ready stays at or above the floor, nothing stays Pending. */
export function judgeDrain(w: Workload, m: DrainMeasure): ScenarioResult {
  const failures: string[] = [];
  const accepted: string[] = [];
  const { floor } = judgeLowest(w, m.desired, m.lowestReady, 'during the drains', failures, accepted);
  for (const d of m.drains.filter((x) => !x.finished)) {
    failures.push(`drain of ${d.node} did not finish within ${m.deadlineSeconds} s (${d.refusals} eviction(s) refused${d.blockedBy ? `: ${d.blockedBy}` : ''})`);
  }
  if (m.pending.length > 0) failures.push(`after the drains ${pendingText(m.pending)}`);
  const slowest = Math.max(0, ...m.drains.map((d) => d.seconds));
  const refusals = m.drains.reduce((n, d) => n + d.refusals, 0);
  return result(w, 'node-drain', failures, accepted,
    { desired: m.desired, lowestReady: m.lowestReady, floor, nodes: m.drains.length, blockedDrains: m.drains.filter((d) => !d.finished).length, refusals, slowestDrainSeconds: slowest, pending: m.pending.length, readyAfter: m.readyAfter },
    `lowest ready ${m.lowestReady}/${m.desired}, ${m.drains.length} node(s), ${m.drains.filter((d) => d.finished).length} drained, slowest ${slowest} s, ${refusals} refusal(s)`);
}

export interface ZoneOutageMeasure {
  readonly zone: string;
  readonly zones: number;
  readonly desired: number;
  /** Pods of this workload in the lost zone. */
  readonly podsInZone: number;
  readonly readyRightAfter: number;
  readonly readyAfter: number;
  readonly seconds: number;
  readonly pending: readonly string[];
}

/**
 * Zone outage: right after, no more than one zone's share is lost (and never all); after
 * rescheduling, every replica is ready again and none is Pending.
 */
export function judgeZoneOutage(w: Workload, m: ZoneOutageMeasure): ScenarioResult {
  const failures: string[] = [];
  const accepted: string[] = [];
  const floor = zoneLossFloor(m.desired, m.zones);
  if (m.readyRightAfter < floor) {
    const text = `right after losing ${m.zone}: ready ${m.readyRightAfter} of ${m.desired} (${m.podsInZone} pod(s) were in ${m.zone}; floor ${floor})`;
    if (m.desired <= 1 && w.singleReplicaReason) accepted.push(`${text}; accepted: single replica (${w.singleReplicaReason})`);
    else failures.push(text);
  }
  if (m.readyAfter < m.desired) failures.push(`after rescheduling: ready ${m.readyAfter} of ${m.desired} after ${m.seconds} s`);
  if (m.pending.length > 0) failures.push(pendingText(m.pending));
  return result(w, 'zone-outage', failures, accepted,
    { zone: m.zone, desired: m.desired, podsInZone: m.podsInZone, readyRightAfter: m.readyRightAfter, floor, readyAfterRescheduling: m.readyAfter, seconds: m.seconds, pending: m.pending.length },
    `${m.zone} lost: ready ${m.readyRightAfter}/${m.desired} right after, ${m.readyAfter}/${m.desired} after ${m.seconds} s`);
}

export interface StatefulSetMeasure {
  readonly desired: number;
  /** Claim name to UID, before anything changed. */
  readonly claimsBefore: Readonly<Record<string, string>>;
  readonly claimsAfterScale: Readonly<Record<string, string>>;
  readonly claimsAfterReapply: Readonly<Record<string, string>>;
  /** Pods that were created before their predecessor was Ready (OrderedReady only). */
  readonly orderViolations: readonly string[];
  readonly orderedReady: boolean;
  readonly readyAfterScale: number;
  readonly readyAfterReapply: number;
  readonly seconds: number;
}

function claimChanges(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): string[] {
  return Object.entries(before).filter(([name, uid]) => after[name] !== uid).map(([name]) => (after[name] ? `${name} was replaced by a new claim` : `${name} is gone`));
}

/** StatefulSet: scale down/up and delete/re-apply keep every claim (same UID) and the pod order. */
export function judgeStatefulSet(w: Workload, m: StatefulSetMeasure): ScenarioResult {
  const failures: string[] = [];
  for (const c of claimChanges(m.claimsBefore, m.claimsAfterScale)) failures.push(`after scale down and up: ${c}`);
  for (const c of claimChanges(m.claimsBefore, m.claimsAfterReapply)) failures.push(`after delete and re-apply: ${c}`);
  for (const v of m.orderViolations) failures.push(`out of order: ${v}`);
  if (m.readyAfterScale < m.desired) failures.push(`after scale up: ready ${m.readyAfterScale} of ${m.desired}`);
  if (m.readyAfterReapply < m.desired) failures.push(`after re-apply: ready ${m.readyAfterReapply} of ${m.desired}`);
  const claims = Object.keys(m.claimsBefore).length;
  const kept = claims - new Set([...claimChanges(m.claimsBefore, m.claimsAfterScale), ...claimChanges(m.claimsBefore, m.claimsAfterReapply)].map((c) => c.split(' ')[0])).size;
  return result(w, 'stateful-set', failures, [],
    { desired: m.desired, claims, claimsKept: kept, orderedReady: m.orderedReady, orderViolations: m.orderViolations.length, readyAfterScale: m.readyAfterScale, readyAfterReapply: m.readyAfterReapply, seconds: m.seconds },
    `${kept}/${claims} claim(s) kept, ${m.orderedReady ? (m.orderViolations.length ? 'order broken' : 'in order') : 'parallel'}, ready ${m.readyAfterReapply}/${m.desired} in ${m.seconds} s`);
}

export interface JobEvictionMeasure {
  /** A running pod of the Job was evicted. */
  readonly evicted: boolean;
  readonly completed: boolean;
  /** The Job's Failed condition (reason: message), if it failed. */
  readonly failed?: string;
  /** status.failed after the eviction: pods counted against backoffLimit. */
  readonly failuresCounted: number;
  readonly backoffLimit: number;
  readonly seconds: number;
}

/** Job: an evicted pod is not counted against backoffLimit, and the Job still completes. */
export function judgeJobEviction(w: Workload, m: JobEvictionMeasure): ScenarioResult {
  const failures: string[] = [];
  if (!m.evicted) failures.push('no running pod to evict (the Job finished or never started)');
  if (m.failuresCounted > 0) failures.push(`the evicted pod counted as ${m.failuresCounted} failure(s) of backoffLimit ${m.backoffLimit} (no podFailurePolicy rule ignores DisruptionTarget)`);
  if (m.failed) failures.push(`the Job failed: ${m.failed}`);
  else if (!m.completed) failures.push(`did not complete within ${m.seconds} s`);
  return result(w, 'job-eviction', failures, [],
    { evicted: m.evicted, failuresCounted: m.failuresCounted, backoffLimit: m.backoffLimit, completed: m.completed, seconds: m.seconds },
    `evicted ${m.evicted ? 1 : 0}, counted ${m.failuresCounted}/${m.backoffLimit}, ${m.completed ? 'completed' : 'not completed'} in ${m.seconds} s`);
}

export interface CronJobMeasure {
  readonly job: string;
  readonly completed: boolean;
  readonly failed?: string;
  readonly seconds: number;
}

/** CronJob: one run triggered by hand (as `kubectl create job --from=cronjob/...`) completes. */
export function judgeCronJob(w: Workload, m: CronJobMeasure): ScenarioResult {
  const failures: string[] = [];
  if (m.failed) failures.push(`the triggered Job ${m.job} failed: ${m.failed}`);
  else if (!m.completed) failures.push(`the triggered Job ${m.job} did not complete within ${m.seconds} s`);
  return result(w, 'cron-job', failures, [], { job: m.job, completed: m.completed, seconds: m.seconds }, `${m.job} ${m.completed ? 'completed' : 'not completed'} in ${m.seconds} s`);
}
