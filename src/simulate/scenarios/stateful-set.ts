/**
 * StatefulSet identity: scale to zero and back, then delete the StatefulSet and apply it again.
 * Each time the claims must be the same objects (same UIDs: the data survives) and, under
 * OrderedReady, pod N+1 must not be created before pod N was ready.
 */
import { KubeObject } from '../kube-client';
import { judgeStatefulSet, skipped } from '../verdict';
import { ScenarioResult, Workload } from '../types';
import { Context, desiredNow, pathOf, secondsSince } from './context';

/** The claims of a StatefulSet's pods, by name: `<template>-<set>-<ordinal>`. */
async function claims(ctx: Context, w: Workload, desired: number): Promise<Record<string, string>> {
  const templates: any[] = w.manifest.spec?.volumeClaimTemplates ?? [];
  const all: any[] = await ctx.client.list(`/api/v1/namespaces/${w.namespace}/persistentvolumeclaims`);
  const out: Record<string, string> = {};
  for (const t of templates) {
    for (let i = 0; i < desired; i++) {
      const name = `${t.metadata?.name}-${w.name}-${i}`;
      const c = all.find((x) => x.metadata.name === name && !x.metadata.deletionTimestamp);
      if (c) out[name] = c.metadata.uid;
    }
  }
  return out;
}

/** Pods created before their predecessor was first ready, from the monitor's own clock. */
function orderViolations(ctx: Context, w: Workload, since: number, desired: number): string[] {
  const times = [...ctx.monitor.times.values()].filter((t) => t.seenAt >= since);
  const byOrdinal = (i: number) => times.filter((t) => t.name === `${w.name}-${i}`).sort((a, b) => a.seenAt - b.seenAt)[0];
  const out: string[] = [];
  for (let i = 1; i < desired; i++) {
    const prev = byOrdinal(i - 1);
    const cur = byOrdinal(i);
    if (cur && (!prev || prev.readyAt === undefined || prev.readyAt > cur.seenAt)) out.push(`${cur.name} was created before ${w.name}-${i - 1} was ready`);
  }
  return out;
}

async function scaleTo(ctx: Context, w: Workload, replicas: number): Promise<void> {
  await ctx.client.mergePatch(pathOf(w), { spec: { replicas } });
}

async function waitPods(ctx: Context, w: Workload, count: number, ready: boolean): Promise<boolean> {
  return ctx.monitor.waitFor(() => (ready ? ctx.monitor.ready(w) >= count : ctx.monitor.podsOf(w).length === count), ctx.settings.rolloutTimeoutSeconds * 1000, 1000);
}

async function checkOne(ctx: Context, w: Workload): Promise<ScenarioResult> {
  const desired = await desiredNow(ctx, w);
  const start = Date.now();
  const before = await claims(ctx, w, desired);
  const ordered = (w.manifest.spec?.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
  ctx.log(`statefulset: ${w.namespace}/${w.name} scale 0 and back to ${desired}`);
  await scaleTo(ctx, w, 0);
  await waitPods(ctx, w, 0, false);
  const upAt = Date.now();
  await scaleTo(ctx, w, desired);
  await waitPods(ctx, w, desired, true);
  const readyAfterScale = ctx.monitor.ready(w);
  const afterScale = await claims(ctx, w, desired);
  const violations = ordered ? orderViolations(ctx, w, upAt, desired) : [];

  ctx.log(`statefulset: ${w.namespace}/${w.name} delete and re-apply`);
  await ctx.client.delete(pathOf(w), { propagationPolicy: 'Background' });
  await ctx.monitor.waitFor(async () => ctx.monitor.podsOf(w).length === 0 && !(await ctx.client.get(pathOf(w))), ctx.settings.rolloutTimeoutSeconds * 1000, 1000);
  const reapplyAt = Date.now();
  const manifest: KubeObject = { ...w.manifest, spec: { ...w.manifest.spec, replicas: desired } };
  await ctx.session.apply(manifest);
  await waitPods(ctx, w, desired, true);
  const readyAfterReapply = ctx.monitor.ready(w);
  const afterReapply = await claims(ctx, w, desired);
  if (ordered) violations.push(...orderViolations(ctx, w, reapplyAt, desired));
  return judgeStatefulSet(w, {
    desired, claimsBefore: before, claimsAfterScale: afterScale, claimsAfterReapply: afterReapply,
    orderViolations: violations, orderedReady: ordered, readyAfterScale, readyAfterReapply, seconds: secondsSince(start),
  });
}

export async function runStatefulSets(ctx: Context, workloads: readonly Workload[]): Promise<ScenarioResult[]> {
  const sets = workloads.filter((w) => w.kind === 'StatefulSet');
  return Promise.all(sets.map(async (w) => {
    if ((await desiredNow(ctx, w)) === 0) return skipped(w, 'stateful-set', 'replicas 0: nothing to keep');
    return checkOne(ctx, w);
  }));
}
