/**
 * Start: after the apply, every replicated workload (and DaemonSet) reaches its replicas, ready.
 * A workload scaled by a HorizontalPodAutoscaler waits for the autoscaler's minimum.
 */
import { judgeStart } from '../verdict';
import { ScenarioResult, Workload } from '../types';
import { Context, desiredNow, secondsSince, settled } from './context';

export async function runStart(ctx: Context, workloads: readonly Workload[]): Promise<ScenarioResult[]> {
  const start = Date.now();
  const subjects = workloads.filter((w) => w.kind === 'Deployment' || w.kind === 'StatefulSet' || w.kind === 'DaemonSet');
  const desired = new Map<Workload, number>();
  await ctx.monitor.waitFor(async () => {
    for (const w of subjects) desired.set(w, await desiredNow(ctx, w));
    // A workload whose missing pods the scheduler has refused will not get better by waiting.
    return subjects.every((w) => (desired.get(w) ?? 0) > 0 && ctx.monitor.active(w) >= desired.get(w)! && settled(ctx, w, desired.get(w)!));
  }, ctx.settings.startTimeoutSeconds * 1000, 1000);
  const seconds = secondsSince(start);
  return subjects.map((w) => judgeStart(w, { desired: desired.get(w) ?? 0, ready: ctx.monitor.ready(w), seconds, pending: ctx.monitor.pending(w) }));
}
