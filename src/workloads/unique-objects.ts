/**
 * Two objects of one kind with one name in one namespace are one object to Kubernetes: the second
 * apply replaces the first (or, across two charts, the two fight over it). Checked at synth over
 * the whole App, so workloads of different charts bound for the same namespace are compared too.
 * Objects with no namespace are taken to share one (the namespace `kubectl apply` is run against).
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { describeValue } from '../concerns/errors';
import { addLibraryValidation, PerSynth, trackSynths } from '../rules/synth-pass';
import { discardRenders } from '../rules/synth-renders';

/** Kinds that live outside namespaces (the common ones). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'StorageClass',
  'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService',
  'CSIDriver', 'CSINode', 'IngressClass', 'RuntimeClass', 'VolumeAttachment', 'CertificateSigningRequest',
]);

interface Index {
  readonly byKey: Map<string, ApiObject[]>;
  /** Whether any key has two objects: almost never, and then no construct needs to look further. */
  readonly anyDuplicate: boolean;
}

/** One index per App and synth: every construct of every pass of the synth reads the same one (rules/synth-pass.ts). */
const INDEXES = new PerSynth<IConstruct, Index>();

function keyOf(o: ApiObject): string {
  const namespace = CLUSTER_SCOPED.has(o.kind) ? '' : o.metadata.namespace ?? '';
  return JSON.stringify([o.apiGroup, o.kind, namespace, o.name]);
}

function indexOf(root: IConstruct): Index {
  return INDEXES.getOrCompute(root, root, () => {
    const byKey = new Map<string, ApiObject[]>();
    let anyDuplicate = false;
    for (const c of root.node.findAll()) {
      if (!ApiObject.isApiObject(c)) continue;
      const key = keyOf(c);
      const list = byKey.get(key);
      if (list) {
        list.push(c);
        anyDuplicate = true;
      } else {
        byKey.set(key, [c]);
      }
    }
    return { byKey, anyDuplicate };
  });
}

/** Registers the check on a Resilient* construct: each of its objects must be the only one of its kind, name and namespace. */
export function requireUniqueObjects(construct: IConstruct): void {
  trackSynths(construct);
  addLibraryValidation(construct, () => {
    const index = indexOf(construct.node.root);
    // One App-wide index per synth; with no duplicate in it, no construct walks its own objects.
    if (!index.anyDuplicate) return [];
    const errors: string[] = [];
    for (const c of construct.node.findAll()) {
      if (!ApiObject.isApiObject(c)) continue;
      const same = index.byKey.get(keyOf(c)) ?? [];
      if (same.length < 2 || same[0] === c) continue;
      const first = same[0];
      const namespace = CLUSTER_SCOPED.has(c.kind) ? '' : ` in namespace ${c.metadata.namespace ?? '(the default one)'}`;
      const otherChart = Chart.of(first) !== Chart.of(c) ? ` of chart ${Chart.of(first).node.path}` : '';
      errors.push(`name: ${describeValue(c.name)} is also the name of the ${first.kind} made by ${first.node.path}${otherChart}${namespace}, `
        + `and Kubernetes keeps one ${c.kind} per name${namespace ? ' and namespace' : ''}: one would replace the other. `
        + 'Fix: give one of the two its own name (the name prop, or service/headlessService/clientService name), or put the charts in different namespaces');
    }
    if (errors.length > 0) discardRenders(construct);
    return errors;
  });
}
