/** Rules about every pod template: resources, images, and selectors that find the pods. */
import { UNSEEN_PODS } from './availability-rules';
import { unseenPodsReason } from './links';
import { containersOf, isObject, LabelSelector, namespaceOf, selectorMatches, WORKLOAD_KINDS } from './model';
import { Rule } from './rule';
import { Violation } from './types';

const RESOURCES = 'Resources and images';
const SELECTORS = 'Selectors';

export const resourceRequestsMissing: Rule = {
  id: 'resource-requests-missing',
  severity: 'error',
  group: RESOURCES,
  title: 'A container has no CPU or memory request',
  reason: 'Requests are what the scheduler reserves. Without them pods are packed onto nodes that cannot run them under load, a pod with no requests at all is the first evicted under node pressure (BestEffort), and a HorizontalPodAutoscaler cannot compute utilisation. A limit without a request counts as the request.',
  fix: 'Set resources.requests.cpu and resources.requests.memory on every container, init containers included, from measured use.',
  kinds: WORKLOAD_KINDS,
  check: ({ workload: w }) => {
    const out: Violation[] = [];
    for (const c of containersOf(w!, true)) {
      const r = c.container.resources ?? {};
      const missing = ['cpu', 'memory'].filter((k) => r.requests?.[k] === undefined && r.limits?.[k] === undefined);
      if (missing.length === 0) continue;
      out.push({ path: [...c.path, 'resources', 'requests'], message: `${c.init ? 'init ' : ''}container "${c.name}" requests no ${missing.join(' and no ')}` });
    }
    return out;
  },
};

export const memoryLimitMissing: Rule = {
  id: 'memory-limit-missing',
  severity: 'warning',
  group: RESOURCES,
  title: 'A container has no memory limit',
  reason: 'A container without a memory limit can use the node\'s memory until the kernel or the kubelet kills something, often another workload\'s pods. A memory limit equal to the request also keeps the pod out of the first wave of evictions under memory pressure. (CPU limits are not required: they throttle, they do not protect other pods.)',
  fix: 'Set resources.limits.memory, ideally equal to resources.requests.memory.',
  kinds: WORKLOAD_KINDS,
  check: ({ workload: w }) => containersOf(w!, true)
    .filter((c) => c.container.resources?.limits?.memory === undefined)
    .map((c): Violation => ({ path: [...c.path, 'resources', 'limits', 'memory'], message: `${c.init ? 'init ' : ''}container "${c.name}" has no memory limit` })),
};

/** The tag of an image reference, '' when it has none; undefined when it is pinned by digest. */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > lastSlash ? image.slice(colon + 1) : '';
}

export const imageTagMutable: Rule = {
  id: 'image-tag-mutable',
  severity: 'error',
  group: RESOURCES,
  title: 'An image has no tag or uses `latest`',
  reason: 'A missing or `latest` tag resolves to whatever was pushed last: nodes pulling at different times run different code, a rollback redeploys the broken version, and a restart can upgrade a pod nobody meant to upgrade.',
  fix: 'Pin a version tag (`my-app:1.4.2`) or a digest (`my-app@sha256:...`).',
  kinds: WORKLOAD_KINDS,
  check: ({ workload: w }) => {
    const out: Violation[] = [];
    for (const c of containersOf(w!, true)) {
      const image = c.container.image;
      if (typeof image !== 'string') continue;
      const tag = imageTag(image);
      if (tag === '' || tag === 'latest') {
        out.push({ path: [...c.path, 'image'], message: `${c.init ? 'init ' : ''}container "${c.name}" runs "${image}", ${tag === '' ? 'which has no tag (Kubernetes pulls latest)' : 'tagged latest'}` });
      }
    }
    return out;
  },
};

export const selectorMismatch: Rule = {
  id: 'selector-mismatch',
  severity: 'error',
  group: SELECTORS,
  title: 'A workload\'s selector does not match its own pod template labels',
  reason: 'A controller manages the pods its selector matches. If the template\'s labels do not match, the API server rejects the workload (apps/v1), or the controller keeps creating pods it then does not count; an empty selector would claim every pod of the namespace.',
  fix: 'Make spec.selector.matchLabels a subset of spec.template.metadata.labels, using labels that never change (e.g. app.kubernetes.io/name and app.kubernetes.io/instance).',
  kinds: ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Job'],
  check: ({ object, workload: w }) => {
    // A Job's selector is generated unless manualSelector is set.
    if (object.kind === 'Job' && object.spec?.manualSelector !== true) return [];
    const selector = object.spec?.selector;
    if (!isObject(selector)) return [{ path: ['spec', 'selector'], message: 'spec.selector is unset' }];
    if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
      return [{ path: ['spec', 'selector'], message: 'spec.selector is empty, so it would match every pod of the namespace' }];
    }
    if (selectorMatches(selector as LabelSelector, w!.podLabels)) return [];
    return [{ path: ['spec', 'selector'], message: `spec.selector ${JSON.stringify(selector)} does not match the pod template labels ${JSON.stringify(w!.podLabels)}` }];
  },
};

export const serviceSelectsNothing: Rule = {
  id: 'service-selects-nothing',
  severity: 'warning',
  group: SELECTORS,
  title: 'A Service selects the pods of no workload',
  reason: `A Service whose selector matches no pod has no endpoints: every request to it fails. Usually its labels drifted from the workload's. ${UNSEEN_PODS}`,
  fix: 'Make spec.selector match the pod template labels of the workload behind it.',
  kinds: ['Service'],
  crossObject: true,
  check: ({ object, model }) => {
    const selector = object.spec?.selector;
    if (!isObject(selector) || Object.keys(selector).length === 0) return [];
    if ((model.selectedBy.get(object) ?? []).length > 0) return [];
    if (unseenPodsReason(object, { matchLabels: selector as Record<string, string> }, model.namespaces.get(namespaceOf(object)))) return [];
    return [{ path: ['spec', 'selector'], message: `the selector ${JSON.stringify(selector)} matches the pods of no workload in namespace ${namespaceOf(object)}, so the Service has no endpoints` }];
  },
};

export const POD_RULES: Rule[] = [resourceRequestsMissing, memoryLimitMissing, imageTagMutable, selectorMismatch, serviceSelectsNothing];
