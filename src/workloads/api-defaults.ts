/**
 * Values cdk8s-plus writes into every manifest that carry no decision: each is what the API server
 * does when the field is left out (Kubernetes 1.27), or an empty list. The library leaves them out
 * of the pod specs and Services it makes, which is about 5 % of a typical workload's YAML: less to
 * write, to read in review and to parse in `cdk8s-resilient audit`.
 *
 * They are dropped from cdk8s-plus's rendering, before the user's JSON patches run, so a value a
 * patch sets on purpose is kept; values the props set (a container's `privileged`, the pod's
 * `fsGroupChangePolicy`) are kept too. Values that are defaults but say something the library
 * decided (probes, rollout settings, imagePullPolicy, the PDB policy, `automountServiceAccountToken`,
 * Service type) and required fields (a Job rule's `onPodConditions: []`) stay.
 */
import * as kplus from 'cdk8s-plus-27';

type Json = Record<string, any>;

/** What the props set themselves, and so must stay even when it equals the default. */
export interface PodDefaultsKept {
  /** The props set the pod's `securityContext.fsGroupChangePolicy`. */
  readonly fsGroupChangePolicy: boolean;
  /** Containers (by name) the library made without a `privileged` setting in their props. */
  readonly unsetPrivilegedOf: ReadonlySet<string>;
}

/**
 * Drops, from a pod spec in cdk8s-plus's props form (before the L1 mapping and the user's JSON
 * patches), the values that equal the API server's defaults:
 * - `dnsPolicy: ClusterFirst`: the API server sets ClusterFirst when it is left out;
 * - `hostNetwork: false`, `setHostnameAsFQDN: false`: false when left out;
 * - `restartPolicy: Always`: the API server sets Always (the only value a Deployment, StatefulSet
 *   or DaemonSet accepts; Jobs keep their Never or OnFailure);
 * - `securityContext.fsGroupChangePolicy: Always`: "if not specified, Always is used" (1.27 API);
 * - a container's `securityContext.privileged: false`: false when left out.
 */
export function dropPodSpecDefaults(spec: Json, kept: PodDefaultsKept): void {
  if (spec.dnsPolicy === 'ClusterFirst') delete spec.dnsPolicy;
  if (spec.hostNetwork === false) delete spec.hostNetwork;
  if (spec.setHostnameAsFqdn === false) delete spec.setHostnameAsFqdn;
  if (spec.restartPolicy === 'Always') delete spec.restartPolicy;
  if (!kept.fsGroupChangePolicy && spec.securityContext?.fsGroupChangePolicy === 'Always') delete spec.securityContext.fsGroupChangePolicy;
  for (const list of [spec.containers, spec.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (c?.securityContext?.privileged === false && kept.unsetPrivilegedOf.has(c.name)) delete c.securityContext.privileged;
    }
  }
}

/** Drops the empty `externalIPs` list cdk8s-plus writes into every Service. */
export function dropServiceDefaults(service: kplus.Service): void {
  const target = service as unknown as { _toKube?: () => Json };
  const render = target._toKube;
  if (typeof render !== 'function') return;
  target._toKube = function withoutEmptyLists(this: unknown) {
    const spec = render.call(service);
    if (Array.isArray(spec.externalIPs) && spec.externalIPs.length === 0) delete spec.externalIPs;
    return spec;
  };
}
