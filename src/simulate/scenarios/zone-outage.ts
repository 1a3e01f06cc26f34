/**
 * Zone outage: every node of one zone goes NotReady at once (the project's kwok stages keep a node
 * labelled as down NotReady; the node lifecycle controller taints it, so nothing new lands there).
 * Ready right after counts the pods outside the zone. Then their pods are deleted, standing in
 * for the taint manager's eviction once the pods' tolerationSeconds (300 s by default) run out,
 * and the controllers reschedule them; ready after rescheduling is measured. The zone comes back
 * at the end.
 */
import { isActive, isServing } from '../availability';
import { sleep } from '../monitor';
import { judgeZoneOutage, skipped } from '../verdict';
import { ScenarioResult, Workload } from '../types';
import { Context, desiredNow, ownedByDaemonSet, replicated, secondsSince, waitForReady } from './context';

const ZONE_LABEL = 'topology.kubernetes.io/zone';
const TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/** The zone holding most of the workloads' active pods (ties: the first by name). */
export function busiestZone(podNodes: readonly string[], zoneOf: ReadonlyMap<string, string>): string | undefined {
  const counts = new Map<string, number>();
  for (const n of podNodes) {
    const z = zoneOf.get(n);
    if (z) counts.set(z, (counts.get(z) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/**
 * The pods that stayed on the lost nodes (DaemonSets') were marked NotReady by the node lifecycle
 * controller; when the nodes return, their kubelets would report them Ready again. kwok does not
 * (its stages start pods, they do not re-probe them), so simulate does it for its own pods.
 */
async function reportReadyAgain(ctx: Context, nodes: readonly string[]): Promise<void> {
  const now = new Date().toISOString();
  for (const ns of ctx.session.namespaces) {
    for (const p of ctx.monitor.podsIn(ns).filter((x) => nodes.includes(x.spec?.nodeName) && isActive(x) && x.status?.phase === 'Running' && !isServing(x))) {
      await ctx.client.strategicPatch(`/api/v1/namespaces/${ns}/pods/${p.metadata.name}/status`, {
        status: { conditions: ['Ready', 'ContainersReady'].map((type) => ({ type, status: 'True', lastTransitionTime: now })) },
      }).catch(() => undefined);
    }
  }
}

export async function runZoneOutage(ctx: Context, workloads: readonly Workload[]): Promise<ScenarioResult[]> {
  const subjects = replicated(workloads);
  if (subjects.length === 0) return [];
  const nodes: any[] = await ctx.client.list('/api/v1/nodes');
  const zoneOf = new Map<string, string>(nodes.filter((n) => n.metadata.labels?.[ZONE_LABEL]).map((n) => [n.metadata.name, n.metadata.labels[ZONE_LABEL]]));
  const zones = new Set(zoneOf.values());
  const podNodes = subjects.flatMap((w) => ctx.monitor.podsOf(w).filter(isActive).map((p) => p.spec?.nodeName)).filter(Boolean);
  const zone = ctx.settings.zone ?? busiestZone(podNodes, zoneOf);
  if (!zone || zones.size < 2 || ![...zones].includes(zone)) {
    const why = !zone ? `no node carries ${ZONE_LABEL}` : zones.size < 2 ? `only one zone (${[...zones].join('')}): losing it loses everything` : `no node in zone ${zone}`;
    return subjects.map((w) => skipped(w, 'zone-outage', why));
  }
  const down = [...zoneOf].filter(([, z]) => z === zone).map(([n]) => n);
  const desired = new Map<Workload, number>();
  for (const w of subjects) desired.set(w, await desiredNow(ctx, w));
  const target = new Map(subjects.map((w) => [w, Math.min(desired.get(w)!, ctx.monitor.ready(w))]));
  const inZone = (p: any) => down.includes(p.spec?.nodeName);
  const podsInZone = new Map(subjects.map((w) => [w, ctx.monitor.podsOf(w).filter((p) => isActive(p) && inZone(p)).length]));
  ctx.log(`zone outage: ${zone} (${down.join(', ')})`);
  const start = Date.now();
  const results: ScenarioResult[] = [];
  try {
    for (const n of down) await ctx.session.setDown(n, true);
    // Pods on a lost node serve no one from this moment, whatever their status still says.
    const rightAfter = new Map(subjects.map((w) => [w, ctx.monitor.podsOf(w).filter((p) => isServing(p) && !inZone(p)).length]));
    // Wait for the taints, so the replacements cannot land in the lost zone.
    const tainted = async () => {
      const now: any[] = await ctx.client.list('/api/v1/nodes');
      return now.filter((n) => down.includes(n.metadata.name)).every((n) => (n.spec?.taints ?? []).some((t: any) => TAINTS.includes(t.key) && t.effect === 'NoSchedule'));
    };
    if (!await ctx.monitor.waitFor(tainted, 60000, 1000)) {
      return subjects.map((w) => skipped(w, 'zone-outage', `the nodes of ${zone} were not tainted NotReady within 60 s: does this cluster's kwok keep a node labelled simulate.resilient.cdk8s.io/outage NotReady? (docs/simulate.md)`));
    }
    for (const ns of ctx.session.namespaces) {
      for (const p of ctx.monitor.podsIn(ns).filter((x) => inZone(x) && isActive(x) && !ownedByDaemonSet(x))) {
        await ctx.client.delete(`/api/v1/namespaces/${ns}/pods/${p.metadata.name}`);
      }
    }
    await waitForReady(ctx, target, ctx.settings.recoveryTimeoutSeconds);
    await sleep(500);
    const seconds = secondsSince(start);
    for (const w of subjects) {
      results.push(judgeZoneOutage(w, {
        zone, zones: zones.size, desired: desired.get(w)!, podsInZone: podsInZone.get(w)!,
        readyRightAfter: rightAfter.get(w)!, readyAfter: ctx.monitor.ready(w), seconds, pending: ctx.monitor.pending(w),
      }));
    }
  } finally {
    for (const n of down) await ctx.session.setDown(n, false);
    await reportReadyAgain(ctx, down);
    // The next scenario needs the zone schedulable again: wait until its taints are gone.
    await ctx.monitor.waitFor(async () => {
      const now: any[] = await ctx.client.list('/api/v1/nodes');
      return now.filter((n) => down.includes(n.metadata.name)).every((n) => !(n.spec?.taints ?? []).some((t: any) => TAINTS.includes(t.key)));
    }, 60000, 1000);
  }
  return results;
}
