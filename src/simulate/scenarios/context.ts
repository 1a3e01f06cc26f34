/** What every scenario works with, and the small steps they share. */
import { isActive, isServing, unschedulableReason } from '../availability';
import type { KubeClient, KubeObject } from '../kube-client';
import { desiredReplicas } from '../plan';
import type { PodMonitor } from '../monitor';
import type { Session } from '../session';
import type { Workload } from '../types';

/** Limits and choices of one run (seconds). */
export interface Settings {
  readonly startTimeoutSeconds: number;
  readonly rolloutTimeoutSeconds: number;
  /** How long one node's drain may take before it counts as blocked. */
  readonly drainTimeoutSeconds: number;
  /** How long to wait for pods to be rescheduled and ready after a drain or outage. */
  readonly recoveryTimeoutSeconds: number;
  /** The zone the outage takes down (default: the one holding most of the input's pods). */
  readonly zone?: string;
}

export interface Context {
  readonly client: KubeClient;
  readonly session: Session;
  readonly monitor: PodMonitor;
  readonly settings: Settings;
  readonly log: (message: string) => void;
}

const API: Record<string, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', Job: 'jobs', CronJob: 'cronjobs' };

/** The REST path of a workload. */
export function pathOf(w: Workload): string {
  const group = w.kind === 'Job' || w.kind === 'CronJob' ? 'batch/v1' : 'apps/v1';
  return `/apis/${group}/namespaces/${w.namespace}/${API[w.kind]}/${w.name}`;
}

export async function live(ctx: Context, w: Workload): Promise<KubeObject | undefined> {
  return ctx.client.get(pathOf(w));
}

/** Replicas the workload should run now (autoscaler minimum and DaemonSet node count included). */
export async function desiredNow(ctx: Context, w: Workload): Promise<number> {
  return desiredReplicas(w, await live(ctx, w));
}

/** Whole seconds since `start` (Date.now() milliseconds). */
export function secondsSince(start: number): number {
  return Math.round((Date.now() - start) / 1000);
}

/**
 * Whether a workload has settled: `target` pods ready, or every pod still missing is one the
 * scheduler has declared unschedulable (waiting longer changes nothing until the nodes change).
 */
export function settled(ctx: Context, w: Workload, target: number): boolean {
  if (ctx.monitor.ready(w) >= target) return true;
  const waiting = ctx.monitor.podsOf(w).filter((p) => isActive(p) && !isServing(p));
  return waiting.length > 0 && waiting.every((p) => unschedulableReason(p) !== undefined && unschedulableReason(p) !== 'not scheduled yet');
}

/** Waits until every workload has settled at `targets` ready pods; false on timeout. */
export function waitForReady(ctx: Context, targets: ReadonlyMap<Workload, number>, timeoutSeconds: number): Promise<boolean> {
  return ctx.monitor.waitFor(() => [...targets].every(([w, n]) => settled(ctx, w, n)), timeoutSeconds * 1000, 1000);
}

/** Workloads whose pods keep a replica count (the availability scenarios apply to them). */
export function replicated(workloads: readonly Workload[]): Workload[] {
  return workloads.filter((w) => w.kind === 'Deployment' || w.kind === 'StatefulSet');
}

/** Whether a pod belongs to a DaemonSet (drains and outages leave those alone, as kubectl drain does). */
export function ownedByDaemonSet(pod: any): boolean {
  return (pod.metadata?.ownerReferences ?? []).some((o: any) => o.kind === 'DaemonSet');
}
