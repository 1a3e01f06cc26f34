/**
 * Recognising input that is not a manifest yet: Helm chart templates, other Go templates,
 * kustomizations and the patches they apply, partial objects, and YAML that holds no Kubernetes
 * object. Each is skipped with a note that says what it is and how to audit what it becomes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isObject, WORKLOAD_KINDS } from '../model';
import { KubeObject } from '../types';
import { jsYaml } from './lazy-modules';
import { InputNote } from './notes';

/** Helm's built-in objects and the template functions only charts use. */
const HELM_ACTION = /\{\{-?[^}]*?(?:\.Values\b|\.Release\b|\.Chart\b|\.Capabilities\b|\.Files\b|\.Template\b|\binclude\s|\btoYaml\b|\bnindent\b|\btpl\s|\brequired\s|\blookup\s)/;
const ACTION = /\{\{[\s\S]*?\}\}/;

export interface TemplateVerdict {
  readonly kind: 'helm-template' | 'template';
  readonly message: string;
  readonly hint: string;
}

/** The chart directory (holding Chart.yaml) whose templates/ the file is in, if any. */
export function helmChartOf(file: string, cache: Map<string, string | undefined>): string | undefined {
  const parts = path.resolve(file).split(path.sep);
  const at = parts.lastIndexOf('templates');
  if (at <= 0) return undefined;
  const chart = parts.slice(0, at).join(path.sep) || path.sep;
  if (!cache.has(chart)) cache.set(chart, fs.existsSync(path.join(chart, 'Chart.yaml')) ? chart : undefined);
  return cache.get(chart);
}

/**
 * Whether a document is a template rather than YAML to be read as it is. Go template actions are
 * also found inside strings of real manifests (alert descriptions of a PrometheusRule,
 * Alertmanager templates in a Secret): those documents parse as YAML and are not templates unless
 * they use Helm's objects or sit in a chart's templates/ directory.
 */
export function templateVerdict(text: string, chart: string | undefined, parses: () => boolean): TemplateVerdict | undefined {
  if (!text.includes('{{') || !ACTION.test(text)) return undefined;
  const helm = HELM_ACTION.exec(text);
  const render = `helm template RELEASE ${chart ? shownPath(chart) : 'CHART_DIR'} | cdk8s-resilient audit -`;
  if (helm || chart) {
    const uses = helm ? ` (uses ${helm[0].replace(/^\{\{-?\s*/, '').trim().slice(0, 40)})` : '';
    return {
      kind: 'helm-template',
      message: `Helm template${chart ? ` of the chart in ${shownPath(chart)}` : ''}${uses}: not a manifest until Helm renders it`,
      hint: `Audit the rendered manifests: ${render}`,
    };
  }
  if (!parses()) {
    return { kind: 'template', message: 'Go template (`{{ ... }}` outside strings): not YAML until it is rendered', hint: `Render it first (for a Helm chart: ${render})` };
  }
  return undefined;
}

/** A file or directory as notes show it: relative to the working directory when inside it, else as found. */
function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' ? '.' : relative.startsWith('..') ? file : relative;
}

/** True when a parsed value carries a `{{ }}` action read as a flow mapping (`replicas: {{ .x }}`). */
export function hasActionAsMapping(value: unknown): boolean {
  const stack: unknown[] = [value];
  let visited = 0;
  while (stack.length > 0 && visited++ < 100_000) {
    const v = stack.pop();
    if (Array.isArray(v)) { for (const item of v) stack.push(item); continue; }
    if (!isObject(v)) continue;
    for (const key of Object.keys(v)) {
      if (key === '[object Object]') return true;
      stack.push(v[key]);
    }
  }
  return false;
}

const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** A file kustomize reads as a kustomization by its name, whether or not it states apiVersion and kind (both are optional there). */
export function isKustomizationFile(file: string): boolean {
  return KUSTOMIZATION_FILES.has(path.basename(file));
}

export function isKustomization(file: string, object: KubeObject | undefined): boolean {
  if (isKustomizationFile(file)) return true;
  return !!object && typeof object.apiVersion === 'string' && object.apiVersion.startsWith('kustomize.config.k8s.io/');
}

/**
 * Files that kustomizations use as patches or generator inputs, with the reason, found by reading
 * every kustomization in the directories walked (and beside each file named).
 */
export function kustomizeInputs(directories: readonly string[], files: readonly string[]): Map<string, { use: string; dir: string }> {
  const inputs = new Map<string, { use: string; dir: string }>();
  const seen = new Set<string>();
  const candidates = [...directories, ...files.map((f) => path.dirname(f))];
  for (const dir of candidates) {
    for (const name of KUSTOMIZATION_FILES) {
      const file = path.join(dir, name);
      const key = path.resolve(file);
      if (seen.has(key)) continue;
      seen.add(key);
      let doc: unknown;
      try {
        doc = jsYaml().load(fs.readFileSync(file, 'utf8'), { schema: jsYaml().CORE_SCHEMA });
      } catch {
        continue;
      }
      if (!isObject(doc)) continue;
      const where = shownPath(file);
      const add = (ref: unknown, what: string) => {
        if (typeof ref !== 'string' || ref.includes('\n') || /^[a-z]+:\/\//.test(ref)) return;
        const target = path.resolve(dir, ref.replace(/^[^=]+=/, ''));
        if (!inputs.has(target)) inputs.set(target, { use: `${what} in ${where}`, dir });
      };
      for (const ref of arrayOf(doc.patchesStrategicMerge)) add(ref, 'a kustomize patch (patchesStrategicMerge)');
      for (const entry of arrayOf(doc.patches)) add(isObject(entry) ? entry.path : entry, 'a kustomize patch (patches)');
      for (const entry of arrayOf(doc.patchesJson6902)) add(isObject(entry) ? entry.path : undefined, 'a kustomize JSON patch (patchesJson6902)');
      for (const entry of arrayOf(doc.replacements)) add(isObject(entry) ? entry.path : undefined, 'a kustomize replacement');
      for (const generator of [...arrayOf(doc.configMapGenerator), ...arrayOf(doc.secretGenerator)]) {
        if (!isObject(generator)) continue;
        for (const ref of [...arrayOf(generator.files), ...arrayOf(generator.envs), generator.env]) add(ref, 'a kustomize generator input');
      }
    }
  }
  return inputs;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Why an object cannot be audited as it is, when it is a fragment: a workload without containers
 * or with a container that names no image (what a kustomize strategic-merge patch looks like),
 * a PodDisruptionBudget without a selector, an autoscaler without a target, or any object that
 * carries strategic-merge directives.
 */
export function partialObjectReason(object: KubeObject, podSpec: Record<string, any> | undefined): string | undefined {
  const kind = String(object.kind);
  if (WORKLOAD_KINDS.includes(kind)) {
    const containers = podSpec?.containers;
    if (!Array.isArray(containers) || containers.length === 0) return `${kind} without containers in its pod template`;
    const imageless = containers.find((c) => isObject(c) && (c.image === undefined || c.image === null));
    if (imageless) return `${kind} whose container "${String(imageless.name ?? '?')}" has no image`;
  }
  if (kind === 'PodDisruptionBudget' && !isObject(object.spec?.selector)) return 'PodDisruptionBudget without spec.selector';
  if (kind === 'HorizontalPodAutoscaler' && !isObject(object.spec?.scaleTargetRef)) return 'HorizontalPodAutoscaler without spec.scaleTargetRef';
  if (hasPatchDirective(object)) return `${kind} with strategic-merge patch directives ($patch)`;
  return undefined;
}

function hasPatchDirective(object: KubeObject): boolean {
  const spec = object.spec;
  if (!isObject(spec)) return false;
  if ('$patch' in spec) return true;
  const template = spec.template;
  return isObject(template) && isObject(template.spec) && ('$patch' in template.spec || Object.keys(template.spec).some((k) => k.startsWith('$setElementOrder')));
}

/** How to audit what a kustomization in `dir` builds. */
export function kustomizeHint(dir = 'DIR'): string {
  return `Audit what kustomize builds: kustomize build ${dir === 'DIR' ? dir : shownPath(dir)} | cdk8s-resilient audit -`;
}

/** The note for a file that holds no Kubernetes object. */
export function notKubernetesNote(file: string, chartCache: Map<string, string | undefined>): InputNote {
  const name = path.basename(file);
  const dir = path.dirname(file);
  if (name === 'Chart.yaml' || name === 'Chart.lock') return { kind: 'not-kubernetes', file, message: 'Helm chart metadata, not a manifest', hint: `Audit the rendered chart: helm template RELEASE ${dir} | cdk8s-resilient audit -` };
  if (/^values.*\.ya?ml$/.test(name) && fs.existsSync(path.join(dir, 'Chart.yaml'))) {
    chartCache.set(dir, dir);
    return { kind: 'not-kubernetes', file, message: 'Helm values, not a manifest', hint: `Audit the rendered chart: helm template RELEASE ${dir} | cdk8s-resilient audit -` };
  }
  return { kind: 'not-kubernetes', file, message: 'no Kubernetes object (no document has both apiVersion and kind)' };
}
