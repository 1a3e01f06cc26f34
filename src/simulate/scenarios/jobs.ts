/**
 * Jobs: a running pod of each Job is evicted (as a drain would); the Job must not count it
 * against backoffLimit (a podFailurePolicy rule that ignores DisruptionTarget) and must still
 * complete. Each CronJob is triggered once, as `kubectl create job --from=cronjob/NAME` does, and
 * the Job it makes must complete.
 */
import { isActive } from '../availability';
import { judgeCronJob, judgeJobEviction } from '../verdict';
import { ScenarioResult, Workload } from '../types';
import { Context, live, secondsSince } from './context';

/** "Complete", "Failed: reason: message", or undefined while running. */
export function jobOutcome(job: any): string | undefined {
  const conditions: any[] = job?.status?.conditions ?? [];
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed) return `Failed: ${failed.reason}: ${failed.message ?? ''}`.trim();
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return 'Complete';
  return undefined;
}

async function evictOne(ctx: Context, w: Workload): Promise<ScenarioResult> {
  const start = Date.now();
  const limit = ctx.settings.rolloutTimeoutSeconds * 1000;
  let evicted = false;
  const running = () => ctx.monitor.podsOf(w).find((p) => isActive(p) && p.status?.phase === 'Running');
  if (await ctx.monitor.waitFor(async () => running() !== undefined || jobOutcome(await live(ctx, w)) !== undefined, limit, 1000)) {
    const pod = running();
    if (pod) {
      ctx.log(`job eviction: ${w.namespace}/${pod.metadata.name}`);
      evicted = (await ctx.client.evict(w.namespace, pod.metadata.name)).outcome === 'evicted';
    }
  }
  let job: any;
  await ctx.monitor.waitFor(async () => {
    job = await live(ctx, w);
    return jobOutcome(job) !== undefined;
  }, limit, 1000);
  const outcome = jobOutcome(job);
  return judgeJobEviction(w, {
    evicted,
    completed: outcome === 'Complete',
    failed: outcome?.startsWith('Failed') ? outcome.slice('Failed: '.length) : undefined,
    failuresCounted: job?.status?.failed ?? 0,
    backoffLimit: job?.spec?.backoffLimit ?? 6,
    seconds: secondsSince(start),
  });
}

async function triggerOne(ctx: Context, w: Workload): Promise<ScenarioResult> {
  const start = Date.now();
  const cron = await live(ctx, w);
  const name = `${w.name}-simulated`.slice(0, 52);
  const template = cron?.spec?.jobTemplate ?? w.manifest.spec?.jobTemplate ?? {};
  ctx.log(`cron job: ${w.namespace}/${name}`);
  await ctx.client.call('POST', `/apis/batch/v1/namespaces/${w.namespace}/jobs`, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: w.namespace,
      labels: template.metadata?.labels,
      annotations: { ...(template.metadata?.annotations ?? {}), 'cronjob.kubernetes.io/instantiate': 'manual' },
      ownerReferences: cron ? [{ apiVersion: 'batch/v1', kind: 'CronJob', name: w.name, uid: cron.metadata.uid, controller: true }] : undefined,
    },
    spec: template.spec,
  });
  let job: any;
  await ctx.monitor.waitFor(async () => {
    job = await ctx.client.get(`/apis/batch/v1/namespaces/${w.namespace}/jobs/${name}`);
    return jobOutcome(job) !== undefined;
  }, ctx.settings.rolloutTimeoutSeconds * 1000, 1000);
  const outcome = jobOutcome(job);
  return judgeCronJob(w, { job: name, completed: outcome === 'Complete', failed: outcome?.startsWith('Failed') ? outcome.slice('Failed: '.length) : undefined, seconds: secondsSince(start) });
}

export async function runJobs(ctx: Context, workloads: readonly Workload[]): Promise<ScenarioResult[]> {
  return Promise.all([
    ...workloads.filter((w) => w.kind === 'Job').map((w) => evictOne(ctx, w)),
    ...workloads.filter((w) => w.kind === 'CronJob').map((w) => triggerOne(ctx, w)),
  ]);
}
