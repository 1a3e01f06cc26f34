/**
 * Two objects of one kind with one name in one namespace are one object to Kubernetes: the second
 * apply replaces the first (or, across two charts, the two fight over it). Checked at synth over
 * the whole App, so workloads of different charts bound for the same namespace are compared too.
 * Objects with no namespace are taken to share one (the namespace `kubectl apply` is run against).
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { describeValue } from '../concerns/errors';
import { continuesAppSynth } from '../rules/synth';

/** Kinds that live outside namespaces (the common ones). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'StorageClass',
  'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService',
  'CSIDriver', 'CSINode', 'IngressClass', 'RuntimeClass', 'VolumeAttachment', 'CertificateSigningRequest',
]);

type Index = Map<string, ApiObject[]>;

/** One index per App and synth: every construct of the pass reads the same one. */
const INDEXES = new WeakMap<IConstruct, Index>();

function keyOf(o: ApiObject): string {
  const namespace = CLUSTER_SCOPED.has(o.kind) ? '' : o.metadata.namespace ?? '';
  return JSON.stringify([o.apiGroup, o.kind, namespace, o.name]);
}

function indexOf(root: IConstruct): Index {
  const cached = INDEXES.get(root);
  if (cached) return cached;
  const index: Index = new Map();
  for (const c of root.node.findAll()) {
    if (!ApiObject.isApiObject(c)) continue;
    const key = keyOf(c);
    const list = index.get(key);
    if (list) list.push(c);
    else index.set(key, [c]);
  }
  INDEXES.set(root, index);
  return index;
}

const RESET_REGISTERED = new WeakSet<Chart>();

/**
 * A fresh index for each synth, one for all of its passes: a chart's validation runs before the
 * constructs in it, and drops the index unless the pass continues an App.synth() (rules/synth.ts).
 */
function resetEachSynth(chart: Chart): void {
  if (RESET_REGISTERED.has(chart)) return;
  RESET_REGISTERED.add(chart);
  chart.node.addValidation({ validate: () => { if (!continuesAppSynth()) INDEXES.delete(chart.node.root); return []; } });
}

/** Registers the check on a Resilient* construct: each of its objects must be the only one of its kind, name and namespace. */
export function requireUniqueObjects(construct: IConstruct): void {
  resetEachSynth(Chart.of(construct));
  construct.node.addValidation({
    validate: () => {
      const index = indexOf(construct.node.root);
      const errors: string[] = [];
      for (const c of construct.node.findAll()) {
        if (!ApiObject.isApiObject(c)) continue;
        const same = index.get(keyOf(c)) ?? [];
        if (same.length < 2 || same[0] === c) continue;
        const first = same[0];
        const namespace = CLUSTER_SCOPED.has(c.kind) ? '' : ` in namespace ${c.metadata.namespace ?? '(the default one)'}`;
        const otherChart = Chart.of(first) !== Chart.of(c) ? ` of chart ${Chart.of(first).node.path}` : '';
        errors.push(`name: ${describeValue(c.name)} is also the name of the ${first.kind} made by ${first.node.path}${otherChart}${namespace}, `
          + `and Kubernetes keeps one ${c.kind} per name${namespace ? ' and namespace' : ''}: one would replace the other. `
          + 'Fix: give one of the two its own name (the name prop, or service/headlessService/clientService name), or put the charts in different namespaces');
      }
      return errors;
    },
  });
}
