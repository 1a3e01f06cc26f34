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
 * Reads a manifest file and returns the container to drill.
 * @param workload `name` or `kind/name` (kind matched case-insensitively)
 * @param container container name; the first container when undefined
 */
export function loadTarget(file: string, workload: string, container?: string): DrillTarget {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new DrillInputError(`cannot read manifest ${file}: ${(e as Error).message}`);
  }
  return targetFromObjects(parseManifest(text, file), file, workload, container);
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
  const podSpec = dig(w, POD_SPEC_PATHS[w.kind.toLowerCase()]);
  const containers: Obj[] = Array.isArray(podSpec?.containers) ? podSpec!.containers : [];
  if (containers.length === 0) {
    throw new DrillInputError(`${file}: ${describeWorkload(w)} has no containers in its pod spec`);
  }
  const c = container === undefined ? containers[0] : containers.find((x) => x.name === container);
  if (!c) {
    throw new DrillInputError(
      `${file}: ${describeWorkload(w)} has no container named '${container}' (containers: ${containers
        .map((x) => x.name)
        .join(', ')})`,
    );
  }
  const notes: string[] = [];
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
