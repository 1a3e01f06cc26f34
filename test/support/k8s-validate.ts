/**
 * Strict Kubernetes 1.27 validation for tests, with nothing outside node_modules.
 *
 *   import { expectValidKubernetes } from '../support/k8s-validate';
 *   expectValidKubernetes(Testing.synth(chart));
 *
 * Two checks run on every object, and both must pass:
 *
 * 1. Types, required fields and enums: the kubernetes-models validator for the object's
 *    apiVersion/kind (e.g. kubernetes-models/apps/v1/Deployment).
 *    kubernetes-models is NOT strict on its own: its validators accept any unknown field
 *    (`spec.replicass`, `containers[0].bogus`), and v5 is generated from a much newer Kubernetes
 *    than 1.27 (it knows container `restartPolicy`, `lifecycle.stopSignal`, pod-level
 *    `resources`, ...). It ships precompiled validator code rather than JSON schemas, so there is
 *    nothing to recompile with `additionalProperties: false`.
 *
 * 2. No unknown fields, and no missing required fields, measured against Kubernetes 1.27: the
 *    field inventory comes from the 1.27 L1 module this project already uses
 *    (cdk8s-plus-27/lib/imports/k8s, see imports/README.md). Its generated `toJson_<Type>`
 *    functions list every JSON field name of every 1.27 type and which type each field holds, and
 *    its declarations mark which fields are optional; walking an object against them finds any
 *    field 1.27 does not define and any it requires. Fields whose values are free-form
 *    (int-or-string, quantities, maps of strings, RawExtension-style JSON) are leaves and are not
 *    descended into.
 *
 * A top-level `status` is reported as unknown: it belongs to the API server, not to a manifest.
 * An apiVersion/kind that is not a Kubernetes 1.27 type, or that kubernetes-models has no model
 * for, fails.
 *
 * kubernetes-models 5 is ESM-only and its package "exports" only an `import` condition, which
 * jest's CommonJS runtime can neither resolve nor evaluate. The model files are therefore loaded
 * by absolute path through Node's own loader (require(esm), Node >= 20.19), outside jest's module
 * registry. Everything is loaded lazily and cached: the inventory per test file, the kubernetes-
 * models modules once per worker process.
 */
import * as fs from 'fs';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import NodeModule = require('module');

/** How a field's value is shaped in the 1.27 inventory, and whether 1.27 requires it. */
export type FieldShape = (
  | { readonly shape: 'leaf' }
  | { readonly shape: 'object' | 'array' | 'map'; readonly type: string }
) & { readonly required: boolean };

interface Inventory {
  /** type name (e.g. "Container") -> JSON field name -> shape */
  readonly types: Map<string, Map<string, FieldShape>>;
  /** "apps/v1 Deployment" -> props type name (e.g. "KubeDeploymentProps") */
  readonly roots: Map<string, string>;
}

let inventory: Inventory | undefined;

function k8s127Inventory(): Inventory {
  if (inventory) return inventory;
  const file = require.resolve('cdk8s-plus-27/lib/imports/k8s');
  const source = fs.readFileSync(file, 'utf-8');
  const optional = optionalProps(file.replace(/\.js$/, '.d.ts'));

  const types = new Map<string, Map<string, FieldShape>>();
  const fnRe = /^function toJson_(\w+)\(obj\) \{\n[\s\S]*?^ {4}const result = \{\n([\s\S]*?)^ {4}\};/gm;
  for (const m of source.matchAll(fnRe)) {
    const fields = new Map<string, FieldShape>();
    for (const line of m[2].split('\n')) {
      if (!line.trim()) continue;
      const entry = /^\s+'([^']+)': (.*),$/.exec(line);
      const tsName = entry && /\bobj\.(\w+)/.exec(entry[2]);
      const isOptional = tsName && optional.get(m[1])?.get(tsName[1]);
      if (!entry || !tsName || isOptional === undefined) throw new Error(`k8s-validate: cannot read toJson_${m[1]} line: ${line.trim()}`);
      fields.set(entry[1], { ...shapeOf(entry[2], m[1]), required: !isOptional });
    }
    types.set(m[1], fields);
  }

  const roots = new Map<string, string>();
  const gvkRe = /^(Kube\w+)\.GVK = \{\n\s+apiVersion: '([^']+)',\n\s+kind: '([^']+)',/gm;
  for (const m of source.matchAll(gvkRe)) {
    const props = `${m[1]}Props`;
    if (types.has(props)) roots.set(`${m[2]} ${m[3]}`, props);
  }
  if (types.size < 300 || roots.size < 100) {
    throw new Error(`k8s-validate: read only ${types.size} types / ${roots.size} kinds from ${file}; has its generated format changed?`);
  }
  inventory = { types, roots };
  return inventory;
}

/**
 * Reads which properties of each generated interface are optional (`readonly foo?: ...`) from the
 * declarations. Required ones are exactly the fields 1.27 lists as required (`npm run import --
 * --check` compares optionality with a fresh import of the 1.27 definitions).
 */
function optionalProps(dts: string): Map<string, Map<string, boolean>> {
  const out = new Map<string, Map<string, boolean>>();
  let current: Map<string, boolean> | undefined;
  for (const line of fs.readFileSync(dts, 'utf-8').split('\n')) {
    const start = /^export interface (\w+) \{/.exec(line);
    if (start) {
      current = new Map();
      out.set(start[1], current);
    } else if (line.startsWith('}')) {
      current = undefined;
    } else if (current) {
      const prop = /^ {4}readonly (\w+)(\??):/.exec(line);
      if (prop) current.set(prop[1], prop[2] === '?');
    }
  }
  return out;
}

type Shape = { shape: 'leaf' } | { shape: 'object' | 'array' | 'map'; type: string };

/** Classifies a generated toJson value expression; anything unexpected throws rather than passing silently. */
function shapeOf(expr: string, owner: string): Shape {
  if (!expr.includes('toJson_')) return { shape: 'leaf' };
  let m = /^toJson_(\w+)\(obj\.\w+\)$/.exec(expr);
  if (m) return { shape: 'object', type: m[1] };
  m = /^obj\.\w+\?\.map\(y => toJson_(\w+)\(y\)\)$/.exec(expr);
  if (m) return { shape: 'array', type: m[1] };
  m = /^\(\(obj\.\w+\) === undefined\) \? undefined : \(Object\.entries\(obj\.\w+\)\.reduce\(.*\[i\[0\]\]: toJson_(\w+)\(i\[1\]\) \}\), \{\}\)\)$/.exec(expr);
  if (m) return { shape: 'map', type: m[1] };
  throw new Error(`k8s-validate: unrecognised field expression in toJson_${owner}: ${expr}`);
}

/** Field shapes of a 1.27 kind (top level, without apiVersion/kind), or undefined if 1.27 has no such kind. */
export function kubernetes127Fields(apiVersion: string, kind: string): ReadonlyMap<string, FieldShape> | undefined {
  const inv = k8s127Inventory();
  const root = inv.roots.get(`${apiVersion} ${kind}`);
  return root ? inv.types.get(root) : undefined;
}

/** Field shapes of a named 1.27 type such as "Container" or "PodSpec". */
export function kubernetes127Type(name: string): ReadonlyMap<string, FieldShape> | undefined {
  return k8s127Inventory().types.get(name);
}

// ---------------------------------------------------------------------------------------------
// kubernetes-models
// ---------------------------------------------------------------------------------------------

interface ModelClass {
  new (data: unknown): { validate(): void };
  readonly apiVersion: string;
  readonly kind: string;
}

interface ModelError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

const models = new Map<string, ModelClass | null>();
let modelsDir: string | undefined;
let nativeRequire: ((id: string) => any) | undefined;

/**
 * kubernetes-models lays out its models exactly like apiVersions: `v1/Service.js`,
 * `apps/v1/Deployment.js`, `networking.k8s.io/v1/NetworkPolicy.js`, `autoscaling/v2/...`.
 */
function modelFor(apiVersion: string, kind: string): ModelClass | null {
  const key = `${apiVersion} ${kind}`;
  const cached = models.get(key);
  if (cached !== undefined) return cached;
  if (!/^[a-z0-9.-]+(\/[a-z0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    models.set(key, null);
    return null;
  }
  modelsDir ??= path.dirname(require.resolve('kubernetes-models/package.json'));
  const file = path.join(modelsDir, ...apiVersion.split('/'), `${kind}.js`);
  let model: ModelClass | null = null;
  if (fs.existsSync(file)) {
    if (!nativeRequire) {
      // A module object created from Node's own Module class resolves and loads through Node,
      // not through jest's sandboxed require (which cannot load ES modules synchronously).
      const host = new NodeModule(__filename);
      host.filename = __filename;
      host.paths = (NodeModule as any)._nodeModulePaths(__dirname);
      nativeRequire = (id: string) => host.require(id);
    }
    let exported: Record<string, unknown>;
    try {
      exported = nativeRequire(file);
    } catch (e: any) {
      if (e && (e.code === 'ERR_REQUIRE_ESM' || e instanceof SyntaxError || /Cannot use import statement/.test(String(e.message)))) {
        throw new Error(
          `k8s-validate: kubernetes-models is ESM-only; loading it synchronously needs Node >= 20.19 (require(esm)), this is ${process.version}`,
        );
      }
      throw e;
    }
    const candidate = exported[kind] as ModelClass | undefined;
    if (candidate && candidate.apiVersion === apiVersion && candidate.kind === kind) model = candidate;
  }
  models.set(key, model);
  return model;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

type PathSeg = string | number;

function formatPath(segs: readonly PathSeg[]): string {
  let out = '';
  for (const s of segs) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out || '(root)';
}

function pointerSegs(pointer: string): PathSeg[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reports every key that the 1.27 type (and, recursively, its nested types) does not define, and
 * every field 1.27 requires that is absent. (kubernetes-models checks required fields too, but
 * against its newer Kubernetes, which relaxed some, e.g. StatefulSet spec.serviceName.)
 */
function checkFields(value: Record<string, unknown>, typeName: string, label: string, at: PathSeg[], out: string[]): void {
  const fields = kubernetes127Type(typeName);
  if (!fields) return;
  // Kube*Props types stand for whole API objects (top level, or embedded like a StatefulSet's
  // volumeClaimTemplates): they may also carry apiVersion and kind, which the props leave out.
  const isApiObject = /^Kube\w+Props$/.test(typeName);
  for (const [key, shape] of fields) {
    if (shape.required && value[key] === undefined) out.push(`${formatPath([...at, key])}: required field is missing`);
  }
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    if (isApiObject && (key === 'apiVersion' || key === 'kind')) continue;
    const here = [...at, key];
    const shape = fields.get(key);
    if (!shape) {
      out.push(`${formatPath(here)}: unknown field (Kubernetes 1.27 ${label} has no such field)`);
      continue;
    }
    if (shape.shape === 'leaf') continue;
    const childLabel = /^Kube\w+Props$/.test(shape.type) ? shape.type.replace(/^Kube|Props$/g, '') : shape.type;
    if (shape.shape === 'object' && isPlainObject(child)) {
      checkFields(child, shape.type, childLabel, here, out);
    } else if (shape.shape === 'array' && Array.isArray(child)) {
      child.forEach((item, i) => isPlainObject(item) && checkFields(item, shape.type, childLabel, [...here, i], out));
    } else if (shape.shape === 'map' && isPlainObject(child)) {
      for (const [k, item] of Object.entries(child)) {
        if (isPlainObject(item)) checkFields(item, shape.type, childLabel, [...here, k], out);
      }
    }
  }
}

function modelErrors(err: any): string[] {
  const errors: ModelError[] | undefined = err && Array.isArray(err.errors) ? err.errors : undefined;
  if (!errors) return [`(root): ${err && err.message ? err.message : String(err)}`];
  // int-or-string and quantity are `oneOf` in kubernetes-models: a wrong value yields one type
  // error per branch plus the oneOf error; fold those into one "must be string or integer".
  const oneOfAt = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const typeAt = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const lines: string[] = [];
  const add = (line: string) => !lines.includes(line) && lines.push(line);
  for (const e of errors) {
    const segs = pointerSegs(e.instancePath);
    if (e.keyword === 'oneOf') {
      const branches = errors.filter((t) => t.keyword === 'type' && t.instancePath === e.instancePath).map((t) => String(t.params.type));
      add(`${formatPath(segs)}: ${branches.length ? `must be ${branches.join(' or ')}` : e.message}`);
    } else if (e.keyword === 'type' && oneOfAt.has(e.instancePath)) {
      continue;
    } else if (e.keyword === 'format' && typeAt.has(e.instancePath)) {
      continue; // "must be integer" already says it; "must match format int32" adds nothing
    } else if (e.keyword === 'required') {
      add(`${formatPath([...segs, String(e.params.missingProperty)])}: required field is missing`);
    } else if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues)) {
      add(`${formatPath(segs)}: must be one of ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`);
    } else {
      add(`${formatPath(segs)}: ${e.message ?? e.keyword}`);
    }
  }
  return lines;
}

function identify(obj: any, index: number): string {
  const kind = obj && typeof obj.kind === 'string' ? obj.kind : '(no kind)';
  const name = obj && obj.metadata && typeof obj.metadata.name === 'string' ? obj.metadata.name : '(unnamed)';
  const apiVersion = obj && typeof obj.apiVersion === 'string' ? obj.apiVersion : '(no apiVersion)';
  return `${kind}/${name} (${apiVersion}, objects[${index}])`;
}

/**
 * Validates each object strictly against Kubernetes 1.27 and returns one line per problem,
 * each starting with "Kind/name (apiVersion, objects[i]): path: ...". Empty means valid.
 */
export function validateKubernetes(objects: readonly unknown[]): string[] {
  if (!Array.isArray(objects)) throw new TypeError('validateKubernetes expects an array of Kubernetes objects');
  const problems: string[] = [];
  objects.forEach((obj: any, index) => {
    const who = identify(obj, index);
    if (!isPlainObject(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      problems.push(`${who}: not a Kubernetes object (needs string apiVersion and kind)`);
      return;
    }
    const fields127 = kubernetes127Fields(obj.apiVersion, obj.kind);
    if (!fields127) {
      problems.push(`${who}: unknown kind: Kubernetes 1.27 has no ${obj.kind} in ${obj.apiVersion}`);
      return;
    }
    const Model = modelFor(obj.apiVersion, obj.kind);
    if (!Model) {
      problems.push(`${who}: unknown kind: kubernetes-models has no model for ${obj.apiVersion} ${obj.kind}`);
      return;
    }

    const found: string[] = [];
    try {
      new Model(obj).validate();
    } catch (err) {
      found.push(...modelErrors(err));
    }
    checkFields(obj, kubernetes127RootType(obj.apiVersion, obj.kind), obj.kind, [], found);
    // by field path, so the report reads top-down whichever check found the problem
    const unique = [...new Set(found)].sort((a, b) => a.split(': ')[0].localeCompare(b.split(': ')[0]));
    for (const f of unique) problems.push(`${who}: ${f}`);
  });
  return problems;
}

function kubernetes127RootType(apiVersion: string, kind: string): string {
  return k8s127Inventory().roots.get(`${apiVersion} ${kind}`)!;
}

/**
 * Fails (throws) unless every object is a valid Kubernetes 1.27 object with no unknown fields.
 * The message lists each offending object as Kind/name and each problem by field path.
 */
export function expectValidKubernetes(objects: any[]): void {
  const problems = validateKubernetes(objects);
  if (problems.length > 0) {
    const err = new Error(`expected valid Kubernetes 1.27 objects, found ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    // point the stack at the caller's expectation, not at this helper
    Error.captureStackTrace?.(err, expectValidKubernetes);
    throw err;
  }
}
