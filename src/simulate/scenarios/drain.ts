/**
 * Node drain, as `kubectl drain --ignore-daemonsets` does it, one node at a time: cordon, evict
 * every pod through the Eviction API (a PodDisruptionBudget's refusal is retried every second
 * until the drain's deadline), wait until the evicted pods are gone, wait for the replacements
 * to be ready, uncordon. A budget that never allows an eviction ends that node's drain at the
 * deadline: reported as blocked, never a hang.
 */
import { isActive, matchesSelector } from '../availability';
import { sleep } from '../monitor';
import { DrainMeasure, judgeDrain, NodeDrain } from '../verdict';
import { ScenarioResult, Workload } from '../types';
import { Context, desiredNow, ownedByDaemonSet, replicated, waitForReady } from './context';

const RETRY_MS = 1000;

interface Eviction {
  readonly pod: any;
  done: boolean;
  refusals: number;
  lastRefusal?: string;
  goneAt?: number;
}

/** Pods simulate would evict from `node`: its own, active, not a DaemonSet's. */
function podsToEvict(ctx: Context, node: string): any[] {
  return ctx.session.namespaces.flatMap((ns) => ctx.monitor.podsIn(ns)).filter((p) => p.spec?.nodeName === node && isActive(p) && !ownedByDaemonSet(p));
}

/** Evicts one pod, retrying refusals until `deadline`, then waits until it is gone (recording when). */
async function evictUntil(ctx: Context, e: Eviction, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const { outcome, message } = await ctx.client.evict(e.pod.metadata.namespace, e.pod.metadata.name);
    if (outcome !== 'refused') {
      e.done = true;
      break;
    }
    e.refusals += 1;
    e.lastRefusal = message;
    await sleep(Math.min(RETRY_MS, Math.max(0, deadline - Date.now())));
  }
  if (!e.done) return;
  const uid = e.pod.metadata.uid;
  const gone = () => !ctx.monitor.podsIn(e.pod.metadata.namespace).some((p) => p.metadata.uid === uid);
  if (await ctx.monitor.waitFor(gone, Math.max(0, deadline - Date.now()), 500)) e.goneAt = Date.now();
}

/** Drains one node; returns what happened to each pod. */
async function drainNode(ctx: Context, node: string): Promise<{ evictions: Eviction[]; start: number }> {
  const start = Date.now();
  const deadline = start + ctx.settings.drainTimeoutSeconds * 1000;
  await ctx.session.cordon(node, true);
  const evictions: Eviction[] = podsToEvict(ctx, node).map((pod) => ({ pod, done: false, refusals: 0 }));
  await Promise.all(evictions.map((e) => evictUntil(ctx, e, deadline)));
  return { evictions, start };
}

export async function runDrains(ctx: Context, workloads: readonly Workload[]): Promise<ScenarioResult[]> {
  const subjects = replicated(workloads);
  const desired = new Map<Workload, number>();
  for (const w of subjects) desired.set(w, await desiredNow(ctx, w));
  const target = new Map(subjects.map((w) => [w, Math.min(desired.get(w)!, ctx.monitor.ready(w))]));
  const nodes = [...new Set(subjects.flatMap((w) => ctx.monitor.podsOf(w).filter(isActive).map((p) => p.spec?.nodeName)).filter(Boolean))].sort() as string[];
  const drains = new Map<Workload, NodeDrain[]>(subjects.map((w) => [w, []]));
  const window = ctx.monitor.openWindow(subjects);
  try {
    for (const node of nodes) {
      ctx.log(`node drain: ${node}`);
      const { evictions, start } = await drainNode(ctx, node);
      for (const w of subjects) {
        const mine = evictions.filter((e) => w.namespace === e.pod.metadata.namespace && matchesSelector(e.pod.metadata?.labels, w.selector));
        if (mine.length === 0) continue;
        const finished = mine.every((e) => e.goneAt !== undefined);
        const last = Math.max(...mine.map((e) => e.goneAt ?? Date.now()));
        const blocked = mine.find((e) => !e.done)?.lastRefusal;
        drains.get(w)!.push({ node, finished, seconds: Math.round((last - start) / 1000), refusals: mine.reduce((n, e) => n + e.refusals, 0), blockedBy: finished ? undefined : blocked ?? 'evicted pods still terminating' });
      }
      await waitForReady(ctx, target, ctx.settings.recoveryTimeoutSeconds);
      await ctx.session.cordon(node, false);
    }
  } finally {
    window.close();
  }
  return subjects.map((w) => {
    const m: DrainMeasure = {
      desired: desired.get(w)!,
      lowestReady: window.lowest.get(w) ?? 0,
      drains: drains.get(w)!,
      deadlineSeconds: ctx.settings.drainTimeoutSeconds,
      pending: ctx.monitor.pending(w),
      readyAfter: ctx.monitor.ready(w),
    };
    return judgeDrain(w, m);
  });
}
