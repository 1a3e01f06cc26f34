/** Writes a planned PodDisruptionBudget as a Kubernetes object. */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { DisruptionBudgetSpec } from '../concerns/disruption-budget';

export function createDisruptionBudget(scope: Construct, name: string, labels: Record<string, string>, spec: DisruptionBudgetSpec): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
    metadata: { name, labels },
    spec: {
      selector: { matchLabels: spec.selector.matchLabels },
      unhealthyPodEvictionPolicy: spec.unhealthyPodEvictionPolicy,
      ...(spec.maxUnavailable !== undefined ? { maxUnavailable: intOrString(spec.maxUnavailable) } : {}),
      ...(spec.minAvailable !== undefined ? { minAvailable: intOrString(spec.minAvailable) } : {}),
    },
  });
}

export function intOrString(value: number | string): k8s.IntOrString {
  return typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);
}
