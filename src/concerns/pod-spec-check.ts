/**
 * The API server's checks of a pod spec that a manifest can fail (Kubernetes 1.27), run on the
 * final JSON of a workload: what the construct's props produced, what the user added through the
 * cdk8s-plus escape hatch, and JSON patches. A pure function of plain JSON; the caller names the
 * fields in the user's terms.
 */
import { InvalidSetting } from './errors';
import {
  isDnsLabel, isDnsSubdomain, isEnvVarName, isPortName, isPortNumber, isQualifiedName, quantityValue,
} from './kubernetes-values';

export type ContainerList = 'containers' | 'initContainers';

/** How the caller names a container in messages, e.g. "container", "sidecars[0]", "initContainers[1]". */
export type ContainerField = (list: ContainerList, index: number) => string;

type Json = Record<string, any>;

/** Every problem found, in a stable order (containers first, then the pod). */
/**
 * @param claimNames volume claim templates of a StatefulSet, which containers mount like volumes
 */
export function checkPodSpec(spec: Json, fieldOf: ContainerField, podField = 'pod', claimNames: string[] = []): InvalidSetting[] {
  const problems: InvalidSetting[] = [];
  const fail = (field: string, value: unknown, problem: string, fix: string) => problems.push(new InvalidSetting(field, value, problem, fix));
  const names = new Map<string, string>();
  const volumeNames = new Set([...(Array.isArray(spec.volumes) ? spec.volumes : []).map((v: Json) => v?.name), ...claimNames]);
  for (const list of ['containers', 'initContainers'] as const) {
    const containers: Json[] = Array.isArray(spec[list]) ? spec[list] : [];
    // Host ports must differ across all containers, which run together; init containers run one at
    // a time, so the API server compares each one's host ports only with its own.
    const sharedHostPorts = new Map<string, string>();
    containers.forEach((c, index) => {
      const field = fieldOf(list, index);
      if (typeof c.name !== 'string' || !isDnsLabel(c.name)) {
        fail(`${field}.name`, c.name, 'is not a valid container name (at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit)', 'use a name such as "app" or "log-shipper"');
      } else if (names.has(c.name)) {
        fail(`${field}.name`, c.name, `is also the name of ${names.get(c.name)}, and the names of a pod's containers and init containers must differ`, 'give each container its own name');
      } else {
        names.set(c.name, field);
      }
      if (typeof c.image !== 'string' || c.image.trim().length === 0) {
        fail(`${field}.image`, c.image, 'is empty', 'give the image reference, e.g. "registry.example.com/team/app:1.4.2"');
      } else if (c.image !== c.image.trim() || /\s/.test(c.image)) {
        fail(`${field}.image`, c.image, 'contains white space', 'remove the spaces from the image reference');
      }
      checkPorts(c, field, fail, list === 'containers' ? sharedHostPorts : new Map());
      checkHandlerPorts(c, field, fail);
      for (const [i, e] of (Array.isArray(c.env) ? c.env : []).entries()) {
        if (typeof e?.name !== 'string' || !isEnvVarName(e.name)) {
          fail(`${field}.env[${i}].name`, e?.name, 'is not a valid environment variable name (letters, digits, "_", "-" and ".", not starting with a digit)', `use e.g. "${String(e?.name ?? 'MY_VAR').replace(/[^-._a-zA-Z0-9]+/g, '_').replace(/^(\d)/, '_$1') || 'MY_VAR'}"`);
        }
      }
      checkResources(c.resources, `${field}.resources`, fail);
      const mountPaths = new Set<string>();
      for (const [i, m] of (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).entries()) {
        if (mountPaths.has(m?.mountPath)) fail(`${field}.volumeMounts[${i}].mountPath`, m?.mountPath, 'is mounted twice in this container', 'mount each volume at its own path');
        mountPaths.add(m?.mountPath);
        if (!volumeNames.has(m?.name)) fail(`${field}.volumeMounts[${i}].name`, m?.name, 'names no volume of the pod', 'add the volume to the pod (volumes) or mount one that exists');
      }
    });
  }
  const seenVolumes = new Set<string>();
  for (const [i, v] of (Array.isArray(spec.volumes) ? spec.volumes : []).entries()) {
    if (typeof v?.name !== 'string' || !isDnsLabel(v.name)) fail(`${podField}.volumes[${i}].name`, v?.name, 'is not a valid volume name (at most 63 lower-case letters, digits and "-")', 'use a name such as "cache"');
    else if (seenVolumes.has(v.name)) fail(`${podField}.volumes[${i}].name`, v.name, 'is used by another volume of the pod', 'give each volume its own name');
    seenVolumes.add(v?.name);
  }
  if (spec.priorityClassName !== undefined && !(typeof spec.priorityClassName === 'string' && isDnsSubdomain(spec.priorityClassName))) {
    fail('priorityClassName', spec.priorityClassName, 'is not a valid PriorityClass name (lower-case letters, digits, "-" and ".")', 'use the name of a PriorityClass in the cluster');
  }
  if (spec.serviceAccountName !== undefined && !(typeof spec.serviceAccountName === 'string' && isDnsSubdomain(spec.serviceAccountName))) {
    fail('serviceAccount', spec.serviceAccountName, 'is not a valid ServiceAccount name', 'use the name of a ServiceAccount in the namespace');
  }
  const spreads = new Set<string>();
  for (const [i, t] of (Array.isArray(spec.topologySpreadConstraints) ? spec.topologySpreadConstraints : []).entries()) {
    const key = `${t?.topologyKey}/${t?.whenUnsatisfiable}`;
    if (typeof t?.topologyKey !== 'string' || !isQualifiedName(t.topologyKey)) {
      fail(`${podField}.topologySpreadConstraints[${i}].topologyKey`, t?.topologyKey, 'is not a valid topology key (a node label key)', 'use e.g. "topology.kubernetes.io/zone"');
    } else if (spreads.has(key)) {
      fail(`${podField}.topologySpreadConstraints[${i}]`, t.topologyKey, `repeats the topology key with whenUnsatisfiable ${t.whenUnsatisfiable}, which Kubernetes rejects`, 'keep one constraint per topology key');
    }
    spreads.add(key);
  }
  for (const term of affinityTerms(spec.affinity)) {
    if (typeof term.topologyKey !== 'string' || !isQualifiedName(term.topologyKey)) {
      fail(`${podField}.affinity.${term.where}.topologyKey`, term.topologyKey, 'is not a valid topology key (a node label key)', 'use e.g. "kubernetes.io/hostname"');
    }
  }
  return problems;
}

/**
 * @param hostPorts host ports already bound by containers that run beside this one, keyed as the
 * API server keys them (protocol, host IP, port), with the field that bound each
 */
function checkPorts(c: Json, field: string, fail: (field: string, value: unknown, problem: string, fix: string) => void, hostPorts: Map<string, string>): void {
  const portNames = new Set<string>();
  for (const [i, p] of (Array.isArray(c.ports) ? c.ports : []).entries()) {
    const at = `${field}.ports[${i}]`;
    if (!isPortNumber(p?.containerPort)) fail(`${at}.number`, p?.containerPort, 'is not a port number (a whole number from 1 to 65535)', 'use the port the app listens on, e.g. 8080');
    if (p?.hostPort !== undefined && p.hostPort !== 0 && !isPortNumber(p.hostPort)) {
      fail(`${at}.hostPort`, p.hostPort, 'is not a port number (a whole number from 1 to 65535)', 'use a port from 1 to 65535, or leave hostPort unset');
    } else if (p?.hostPort) {
      const key = `${p.protocol ?? 'TCP'}/${p.hostIP ?? ''}/${p.hostPort}`;
      const first = hostPorts.get(key);
      if (first !== undefined) {
        fail(`${at}.hostPort`, p.hostPort, `is also bound by ${first} (same protocol and host IP), and one node port can be bound once`, 'give each port its own hostPort, or leave hostPort unset on all but one');
      } else {
        hostPorts.set(key, `${at}.hostPort`);
      }
    }
    if (p?.name !== undefined) {
      if (typeof p.name !== 'string' || !isPortName(p.name)) {
        fail(`${at}.name`, p.name, 'is not a valid port name (1-15 lower-case letters, digits and "-", with at least one letter, no "--" and no "-" at either end)', `use e.g. "${String(p.name ?? 'http').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 15) || 'http'}"`);
      } else if (portNames.has(p.name)) {
        fail(`${at}.name`, p.name, 'is used by another port of this container', 'give each port its own name');
      }
      portNames.add(p.name);
    }
  }
}

/**
 * A probe or hook that connects (httpGet, tcpSocket) needs a port. The usual way to lose it: a
 * JSON patch under the pod template with `port: 8080` or `port: "http"`, which cdk8s passes
 * through the typed props mapping, where a port is an IntOrString object and a plain value is
 * dropped without a word.
 */
function checkHandlerPorts(c: Json, field: string, fail: (field: string, value: unknown, problem: string, fix: string) => void): void {
  const handlers: Array<[string, Json | undefined]> = [
    ...['readinessProbe', 'livenessProbe', 'startupProbe'].map((k): [string, Json | undefined] => [k, c[k]]),
    ...['postStart', 'preStop'].map((k): [string, Json | undefined] => [`lifecycle.${k}`, c.lifecycle?.[k]]),
  ];
  for (const [where, handler] of handlers) {
    for (const kind of ['httpGet', 'tcpSocket']) {
      const action = handler?.[kind];
      if (action === undefined || action === null || (action.port !== undefined && action.port !== null && action.port !== '')) continue;
      fail(`${field}.${where}.${kind}.port`, action.port, 'is missing, so the kubelet has nowhere to connect and the API server refuses the pod',
        'give the port; in a JSON patch write it as { value: 8080 } or { value: "http" } (cdk8s drops a plain number or name there), or set the probe or hook through the construct\'s props');
    }
  }
}

function checkResources(resources: Json | undefined, field: string, fail: (field: string, value: unknown, problem: string, fix: string) => void): void {
  const values: Record<'requests' | 'limits', Record<string, number>> = { requests: {}, limits: {} };
  for (const kind of ['requests', 'limits'] as const) {
    for (const [name, raw] of Object.entries((resources?.[kind] ?? {}) as Record<string, unknown>)) {
      const amount = typeof raw === 'string' || typeof raw === 'number' ? quantityValue(raw) : undefined;
      const label = `${field}.${resourceLabel(name)}.${kind === 'requests' ? 'request' : 'limit'}`;
      if (amount === undefined) fail(label, raw, 'is not a Kubernetes quantity', 'use e.g. "250m" for CPU or "256Mi" for memory');
      else if (amount < 0) fail(label, raw, 'is negative', 'use zero or more');
      else values[kind][name] = amount;
    }
  }
  for (const [name, request] of Object.entries(values.requests)) {
    const limit = values.limits[name];
    if (limit !== undefined && request > limit) {
      fail(`${field}.${resourceLabel(name)}.request`, resources!.requests[name], `is above the limit (${resources!.limits[name]})`, 'raise the limit or lower the request');
    }
  }
}

function resourceLabel(name: string): string {
  return name === 'ephemeral-storage' ? 'ephemeralStorage' : name;
}

function affinityTerms(affinity: Json | undefined): Array<{ where: string; topologyKey: unknown }> {
  const out: Array<{ where: string; topologyKey: unknown }> = [];
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = affinity?.[kind];
    (Array.isArray(a?.requiredDuringSchedulingIgnoredDuringExecution) ? a.requiredDuringSchedulingIgnoredDuringExecution : [])
      .forEach((t: Json, i: number) => out.push({ where: `${kind}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`, topologyKey: t?.topologyKey }));
    (Array.isArray(a?.preferredDuringSchedulingIgnoredDuringExecution) ? a.preferredDuringSchedulingIgnoredDuringExecution : [])
      .forEach((t: Json, i: number) => out.push({ where: `${kind}.preferredDuringSchedulingIgnoredDuringExecution[${i}].podAffinityTerm`, topologyKey: t?.podAffinityTerm?.topologyKey }));
  }
  return out;
}
