/**
 * Replicas and autoscaling. Two replicas is the least that survives one drain or one crash; an
 * autoscaled workload leaves spec.replicas to the HorizontalPodAutoscaler, or every apply would
 * reset the count the HPA chose.
 */
import { requireSetting, requireWholeNumber } from './errors';

/** A HorizontalPodAutoscaler for the workload. */
export interface AutoscalingProps {
  /** @default 2 */
  readonly minReplicas?: number;
  /** Must be above minReplicas. */
  readonly maxReplicas: number;
  /** Average CPU use, in percent of the request, that the HPA aims for. @default 70 */
  readonly targetCpuUtilizationPercent?: number;
  /** Average memory use, in percent of the request. @default - not used */
  readonly targetMemoryUtilizationPercent?: number;
}

export interface ScalingPlan {
  /** spec.replicas, or undefined when an HPA owns it. */
  readonly replicas?: number;
  /** The fewest pods the workload ever runs (the PDB is sized against it). */
  readonly minReplicas: number;
  readonly autoscaler?: HorizontalPodAutoscalerSpecPart;
}

export interface HorizontalPodAutoscalerSpecPart {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly metrics: Array<Record<string, unknown>>;
}

export const DEFAULT_REPLICAS = 2;
export const MIN_RESILIENT_REPLICAS = 2;

export function planScaling(replicas: number | undefined, autoscaling: AutoscalingProps | undefined, minimumAllowed = MIN_RESILIENT_REPLICAS): ScalingPlan {
  if (autoscaling) {
    requireSetting(replicas === undefined, 'replicas', replicas,
      'is set together with autoscaling; the HPA owns the replica count and each apply would reset it', 'remove replicas and use autoscaling.minReplicas');
    const minReplicas = autoscaling.minReplicas ?? DEFAULT_REPLICAS;
    requireWholeNumber(minReplicas, 'autoscaling.minReplicas', minimumAllowed, `use ${minimumAllowed} or more`,
      `is below ${minimumAllowed}: scaling in to one pod means a single drain or crash takes the service down`);
    requireWholeNumber(autoscaling.maxReplicas, 'autoscaling.maxReplicas', minReplicas + 1, `use at least ${minReplicas + 1}`,
      `must be above minReplicas (${minReplicas}), or the HPA can never scale`);
    const metrics: Array<Record<string, unknown>> = [];
    const cpu = autoscaling.targetCpuUtilizationPercent ?? 70;
    for (const [name, value] of [['cpu', cpu], ['memory', autoscaling.targetMemoryUtilizationPercent]] as const) {
      if (value === undefined) continue;
      requireWholeNumber(value, `autoscaling.target${name === 'cpu' ? 'Cpu' : 'Memory'}UtilizationPercent`, 1, 'use a percentage from 1 to 100, e.g. 70',
        'must be a percentage from 1 to 100', 100);
      metrics.push({ type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization: value } } });
    }
    return { replicas: undefined, minReplicas, autoscaler: { minReplicas, maxReplicas: autoscaling.maxReplicas, metrics } };
  }
  const count = replicas ?? DEFAULT_REPLICAS;
  requireWholeNumber(count, 'replicas', minimumAllowed, `use ${minimumAllowed} or more replicas`,
    `is below ${minimumAllowed}: one node drain or one crash would leave no pod serving`);
  return { replicas: count, minReplicas: count };
}
