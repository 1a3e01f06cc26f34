/**
 * Finds one container in a manifest file: multi-document YAML or JSON (a single object, an array,
 * or a `List`), workloads of kind Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or
 * Pod, selected by metadata.name (optionally `kind/name`).
 */
import * as fs from 'fs';
import * as YAML from 'yaml';
import { ContainerPort, DrillTarget, LifecycleHandler, Probe } from './types';

/** A problem with the input (file, workload, container): the CLI exits 2 with this message. */
export class DrillInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillInputError';
  }
}

type Obj = Record<string, any>;

const POD_SPEC_PATHS: Record<string, string[]> = {
  pod: ['spec'],
  deployment: ['spec', 'template', 'spec'],
  statefulset: ['spec', 'template', 'spec'],
  daemonset: ['spec', 'template', 'spec'],
  replicaset: ['spec', 'template', 'spec'],
  job: ['spec', 'template', 'spec'],
  cronjob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

export const DEFAULT_GRACE_SECONDS = 30;

/** Parses manifest text into a flat list of objects. Throws DrillInputError on syntax errors. */
export function parseManifest(text: string, file: string): Obj[] {
  const trimmed = text.trim();
  let docs: unknown[];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const parsed = JSON.parse(trimmed);
      docs = Array.isArray(parsed) ? parsed : [parsed];
    } catch (e) {
      throw new DrillInputError(`${file}: not valid JSON: ${(e as Error).message}`);
    }
  } else {
    const parsed = YAML.parseAllDocuments(text);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    docs = [];
    for (const doc of list) {
      if (doc.errors.length) {
        throw new DrillInputError(`${file}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
      }
      docs.push(doc.toJS());
    }
  }
  const out: Obj[] = [];
  const add = (d: unknown) => {
    if (!d || typeof d !== 'object') return;
    const o = d as Obj;
    if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) o.items.forEach(add);
    else out.push(o);
  };
  docs.forEach(add);
  return out;
}

function dig(o: Obj, keys: string[]): Obj | undefined {
  let cur: any = o;
  for (const k of keys) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = cur[k];
  }
  return cur && typeof cur === 'object' ? cur : undefined;
}

function describeWorkload(o: Obj): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind}/${ns}${o.metadata?.name}`;
}

/** Expands Kubernetes `$(VAR)` references from the container's own env; `$$(` stays literal. */
export function expandEnvReferences(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name) => {
    if (m === '$$') return '$';
    return name in env ? env[name] : m;
  });
}

function stringList(v: unknown, what: string, file: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new DrillInputError(`${file}: ${what} must be a list of strings`);
  return v.map((x) => String(x));
}

/**
 * Reads a manifest file (`-`: standard input) and returns the container to drill.
 * @param workload `name` or `kind/name` (kind matched case-insensitively)
 * @param container container name; the main container (see pickContainer) when undefined
 */
export function loadTarget(file: string, workload: string, container?: string): DrillTarget {
  const label = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new DrillInputError(`cannot read manifest ${label}: ${(e as Error).message}`);
  }
  return targetFromObjects(parseManifest(text, label), label, workload, container);
}

/** The annotation kubectl reads to pick a pod's container by default. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/**
 * Names and images of well-known sidecars: service-mesh proxies, database and auth proxies, log and
 * metrics shippers, secret agents. Matched on the container name or the image's repository name.
 */
const SIDECAR = new RegExp(
  '(^|[-_/])(' +
    [
      'sidecar', 'istio-proxy', 'envoy', 'linkerd-proxy', 'cloud-sql-proxy', 'cloudsql-proxy', 'alloydb-auth-proxy',
      'oauth2-proxy', 'vault-agent', 'consul-dataplane', 'fluent-bit', 'fluentbit', 'fluentd', 'filebeat', 'promtail',
      'otel-collector', 'opentelemetry-collector', 'datadog-agent', 'jaeger-agent', 'log-shipper', 'logshipper',
    ].join('|') +
    ')([-_:@]|$)',
);

/** Whether a container looks like a sidecar by its name or image. */
export function looksLikeSidecar(c: { name?: unknown; image?: unknown }): boolean {
  const name = typeof c.name === 'string' ? c.name : '';
  const image = typeof c.image === 'string' ? c.image.replace(/[:@].*$/, '').split('/').pop() ?? '' : '';
  return SIDECAR.test(name) || SIDECAR.test(image);
}

/**
 * The container to drill when none is named: the one kubectl would pick (the default-container
 * annotation), the only one, or the only one that does not look like a sidecar. Anything else is
 * ambiguous and the caller must name one.
 */
export function pickContainer(containers: Obj[], annotations: Record<string, unknown> | undefined, where: string): { container: Obj; why?: string } {
  const names = containers.map((c) => String(c.name));
  const annotated = annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (typeof annotated === 'string') {
    const c = containers.find((x) => x.name === annotated);
    if (!c) {
      throw new DrillInputError(`${where}: ${DEFAULT_CONTAINER_ANNOTATION} names '${annotated}', which is not a container (containers: ${names.join(', ')})`);
    }
    return containers.length > 1 ? { container: c, why: `container ${annotated} picked by the ${DEFAULT_CONTAINER_ANNOTATION} annotation` } : { container: c };
  }
  if (containers.length === 1) return { container: containers[0] };
  const main = containers.filter((c) => !looksLikeSidecar(c));
  if (main.length === 1) {
    const others = containers.filter((c) => c !== main[0]).map((c) => String(c.name));
    return { container: main[0], why: `container ${main[0].name} picked as the main one: ${others.join(', ')} ${others.length === 1 ? 'looks like a sidecar' : 'look like sidecars'}` };
  }
  throw new DrillInputError(
    `${where} has ${containers.length} containers (${names.join(', ')}) and which one is the main one is not clear` +
      `${main.length ? '' : ' (all look like sidecars)'}: pass --container NAME, or set the ${DEFAULT_CONTAINER_ANNOTATION} annotation on the pod template`,
  );
}

export function targetFromObjects(objects: Obj[], file: string, workload: string, container?: string): DrillTarget {
  const slash = workload.indexOf('/');
  const wantKind = slash > 0 ? workload.slice(0, slash).toLowerCase() : undefined;
  const wantName = slash > 0 ? workload.slice(slash + 1) : workload;
  const workloads = objects.filter((o) => typeof o.kind === 'string' && POD_SPEC_PATHS[o.kind.toLowerCase()]);
  const matches = workloads.filter(
    (o) => o.metadata?.name === wantName && (!wantKind || o.kind.toLowerCase() === wantKind),
  );
  if (matches.length === 0) {
    const known = workloads.map(describeWorkload);
    throw new DrillInputError(
      `${file}: no workload named '${workload}' (kinds read: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod); ` +
        (known.length ? `workloads in the file: ${known.join(', ')}` : 'the file holds no workloads'),
    );
  }
  if (matches.length > 1) {
    throw new DrillInputError(
      `${file}: '${workload}' names ${matches.length} workloads (${matches.map(describeWorkload).join(', ')}); ` +
        `pass --workload KIND/NAME`,
    );
  }
  const w = matches[0];
  const specPath = POD_SPEC_PATHS[w.kind.toLowerCase()];
  const podSpec = dig(w, specPath);
  const podMeta = specPath.length > 1 ? dig(w, [...specPath.slice(0, -1), 'metadata']) : w.metadata;
  const containers: Obj[] = Array.isArray(podSpec?.containers) ? podSpec!.containers : [];
  if (containers.length === 0) {
    throw new DrillInputError(`${file}: ${describeWorkload(w)} has no containers in its pod spec`);
  }
  const notes: string[] = [];
  let c: Obj | undefined;
  if (container === undefined) {
    const picked = pickContainer(containers, podMeta?.annotations, `${file}: ${describeWorkload(w)}`);
    c = picked.container;
    if (picked.why) notes.push(picked.why);
  } else c = containers.find((x) => x.name === container);
  if (!c) {
    throw new DrillInputError(
      `${file}: ${describeWorkload(w)} has no container named '${container}' (containers: ${containers
        .map((x) => x.name)
        .join(', ')})`,
    );
  }
  const env: Record<string, string> = {};
  for (const e of Array.isArray(c.env) ? c.env : []) {
    if (!e || typeof e.name !== 'string') continue;
    if (e.valueFrom !== undefined) {
      notes.push(`env ${e.name} comes from ${Object.keys(e.valueFrom).join('/')}; not set in the drill`);
      continue;
    }
    env[e.name] = expandEnvReferences(String(e.value ?? ''), env);
  }
  if (Array.isArray(c.envFrom) && c.envFrom.length) notes.push('envFrom (ConfigMap/Secret) is not read; those variables are not set');
  const expand = (list?: string[]) => list?.map((s) => expandEnvReferences(s, env));
  const ports: ContainerPort[] = (Array.isArray(c.ports) ? c.ports : [])
    .filter((p: Obj) => typeof p?.containerPort === 'number')
    .map((p: Obj) => ({ name: p.name, containerPort: p.containerPort }));
  const readiness = c.readinessProbe
    ? { field: 'readinessProbe' as const, probe: c.readinessProbe as Probe }
    : c.startupProbe
      ? { field: 'startupProbe' as const, probe: c.startupProbe as Probe }
      : undefined;
  const grace = podSpec?.terminationGracePeriodSeconds;
  return {
    source: `${file}: ${describeWorkload(w)}, container ${c.name}`,
    kind: w.kind,
    name: w.metadata.name,
    container: String(c.name),
    image: typeof c.image === 'string' ? c.image : undefined,
    command: expand(stringList(c.command, 'command', file)),
    args: expand(stringList(c.args, 'args', file)),
    env,
    workingDir: typeof c.workingDir === 'string' ? c.workingDir : undefined,
    ports,
    preStop: (c.lifecycle?.preStop as LifecycleHandler | undefined) ?? undefined,
    terminationGracePeriodSeconds: typeof grace === 'number' ? grace : undefined,
    readiness,
    shareProcessNamespace: podSpec?.shareProcessNamespace === true,
    notes,
  };
}

/** Resolves a probe or hook port (number, numeric string or named container port). */
export function resolvePort(port: number | string, ports: ContainerPort[]): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return ports.find((p) => p.name === port)?.containerPort;
}
