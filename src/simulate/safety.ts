/**
 * Whether simulate may run against a cluster. It drains, cordons and takes down nodes, so by
 * default every node must be simulated: kwok marks the nodes it plays with the annotation
 * `kwok.x-k8s.io/node: fake` (kwok's own convention; the project's cluster registers its nodes
 * so). Any other cluster needs `--allow-real-cluster=<context>` naming the kubeconfig context in
 * use, so a pipeline pointed at the wrong kubeconfig stops here.
 */

export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

export function isSimulatedNode(node: any): boolean {
  return node?.metadata?.annotations?.[KWOK_NODE_ANNOTATION] === 'fake';
}

export interface SafetyDecision {
  readonly allowed: boolean;
  /** Every node is a kwok node. */
  readonly simulated: boolean;
  /** Why it refuses, or what the user allowed. */
  readonly reason: string;
}

/** Decides from the nodes, the context in use and the --allow-real-cluster value (if any). */
export function checkCluster(nodes: readonly any[], contextName: string, allowRealCluster?: string): SafetyDecision {
  const real = nodes.filter((n) => !isSimulatedNode(n)).map((n) => n.metadata?.name ?? '?');
  if (nodes.length === 0) return { allowed: false, simulated: false, reason: 'the cluster has no nodes' };
  if (real.length === 0) return { allowed: true, simulated: true, reason: `all ${nodes.length} nodes are simulated (${KWOK_NODE_ANNOTATION}: fake)` };
  const list = `${real.slice(0, 3).join(', ')}${real.length > 3 ? ` and ${real.length - 3} more` : ''}`;
  if (allowRealCluster === undefined) {
    return { allowed: false, simulated: false, reason: `${real.length} of ${nodes.length} nodes are not simulated (${list}); simulate drains, cordons and takes down nodes, so it runs only where every node is a kwok node. To run anyway, pass --allow-real-cluster=${contextName}` };
  }
  if (allowRealCluster !== contextName) {
    return { allowed: false, simulated: false, reason: `--allow-real-cluster names "${allowRealCluster}", but the kubeconfig's context is "${contextName}"; nothing was changed` };
  }
  return { allowed: true, simulated: false, reason: `${real.length} of ${nodes.length} nodes are not simulated; allowed by --allow-real-cluster=${contextName}` };
}
