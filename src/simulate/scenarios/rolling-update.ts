/**
 * Rolling update: the pod template changes (an annotation, as `kubectl rollout restart` does);
 * the controllers roll the pods while the monitor records the lowest ready count and the most
 * pods at once. Every workload rolls at the same time: they do not touch each other's pods.
 */
import { judgeRollingUpdate, skipped } from '../verdict';
import { ScenarioResult, Workload } from '../types';
import { Context, desiredNow, live, pathOf, secondsSince } from './context';

const RESTART_ANNOTATION = 'simulate.resilient.cdk8s.io/restarted-at';

/** Whether the controller finished rolling `obj` out to `desired` pods; or 'deadline' when it gave up. */
export function rolloutState(obj: any, desired: number): 'done' | 'rolling' | 'deadline' {
  const s = obj?.status ?? {};
  if ((s.observedGeneration ?? 0) < (obj?.metadata?.generation ?? 1)) return 'rolling';
  if (obj.kind === 'Deployment') {
    const progressing = (s.conditions ?? []).find((c: any) => c.type === 'Progressing');
    if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') return 'deadline';
    const done = (s.updatedReplicas ?? 0) === desired && (s.replicas ?? 0) === desired && (s.availableReplicas ?? 0) === desired;
    return done ? 'done' : 'rolling';
  }
  if (obj.kind === 'StatefulSet') {
    const done = s.updateRevision === s.currentRevision && (s.readyReplicas ?? 0) === desired && (s.updatedReplicas ?? 0) === desired;
    return done ? 'done' : 'rolling';
  }
  const done = (s.updatedNumberScheduled ?? 0) === desired && (s.numberAvailable ?? 0) === desired;
  return done ? 'done' : 'rolling';
}

async function rollOne(ctx: Context, w: Workload): Promise<ScenarioResult> {
  if (w.kind === 'StatefulSet' && w.strategy === 'OnDelete') return skipped(w, 'rolling-update', 'updateStrategy OnDelete: pods change only when deleted');
  const desired = await desiredNow(ctx, w);
  const window = ctx.monitor.openWindow([w]);
  const start = Date.now();
  await ctx.client.strategicPatch(pathOf(w), { spec: { template: { metadata: { annotations: { [RESTART_ANNOTATION]: new Date().toISOString() } } } } });
  let state: 'done' | 'rolling' | 'deadline' = 'rolling';
  await ctx.monitor.waitFor(async () => {
    state = rolloutState(await live(ctx, w), desired);
    return state !== 'rolling';
  }, ctx.settings.rolloutTimeoutSeconds * 1000, 1000);
  const seconds = secondsSince(start);
  window.observe();
  window.close();
  const final = state as 'done' | 'rolling' | 'deadline';
  return judgeRollingUpdate(w, {
    desired,
    lowestReady: window.lowest.get(w) ?? 0,
    surge: Math.max(0, (window.highestActive.get(w) ?? 0) - desired),
    completed: final === 'done',
    seconds,
    deadlineSeconds: w.progressDeadlineSeconds,
    deadlineExceeded: final === 'deadline',
    pending: final === 'done' ? [] : ctx.monitor.pending(w),
  });
}

export async function runRollingUpdates(ctx: Context, workloads: readonly Workload[]): Promise<ScenarioResult[]> {
  const subjects = workloads.filter((w) => w.kind === 'Deployment' || w.kind === 'StatefulSet' || w.kind === 'DaemonSet');
  return Promise.all(subjects.map((w) => rollOne(ctx, w)));
}
