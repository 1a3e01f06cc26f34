/**
 * Writes the library's pod settings into a workload's final JSON, merging them with what is
 * already there: settings made through cdk8s-plus (props the construct passed on, or calls on the
 * escape hatch such as `deployment.scheduling.attract()`) and the user's JSON patches.
 *
 * - What the library only defaults (a default probe, the default drain pause, a profile's priority
 *   class) gives way to the user's setting.
 * - What both the props and the user set, with different values, is a conflict: synth fails and
 *   the message names both.
 * - Lists and objects that combine (affinity, topology spread, capabilities) are merged.
 *
 * The settings are applied after cdk8s maps the object to Kubernetes JSON (see final-patch.ts),
 * so they are written exactly as Kubernetes reads them. Placeholders for the affinity and the
 * spread constraints are put in *before* the user's JSON patches, so a patch on a sub-path such as
 * `/spec/template/spec/affinity/nodeAffinity` finds its parent.
 */
import { ApiObject, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describeValue, InvalidSetting } from '../concerns/errors';
import { checkPodSpec, ContainerList } from '../concerns/pod-spec-check';
import { PlacementPlan } from '../concerns/placement';
import { ProbeSpec } from '../concerns/probes';
import { LifecycleHandlerSpec } from '../concerns/shutdown';
import { continuesAppSynth } from '../rules/synth';
import { addFinalTransform } from './final-patch';

type Json = Record<string, any>;

/** What the library sets on one of its containers, and which of it the user asked for. */
export interface ContainerSettings {
  readonly name: string;
  /** How the props name it: 'container', 'sidecars[0]'. */
  readonly field: string;
  readonly probes?: { readonly readinessProbe: ProbeSpec; readonly livenessProbe: ProbeSpec; readonly startupProbe: ProbeSpec };
  /** Probes given in props (the others are defaults). */
  readonly explicitProbes: ReadonlySet<'readiness' | 'liveness' | 'startup'>;
  /**
   * Probes cdk8s-plus adds on its own (a TCP startup probe on every container with a port unless
   * given one), as it renders them. Found unchanged in the final JSON, the library's probe replaces
   * it; changed (a JSON patch, the escape hatch), it is the user's and is kept, or conflicts.
   */
  readonly cdk8sPlusDefaults: ReadonlyMap<'readiness' | 'liveness' | 'startup', Json>;
  readonly preStop?: LifecycleHandlerSpec;
  readonly preStopExplicit: boolean;
  readonly postStart?: LifecycleHandlerSpec;
  /** Capabilities the props add (Kubernetes names, without CAP_). */
  readonly capabilitiesAdd?: string[];
}

export interface PodSettings {
  /** JSON pointer of the pod spec, e.g. '/spec/template/spec'. */
  readonly podSpecPath: string;
  readonly containers: ContainerSettings[];
  /** How many init containers the props and the library added (the rest came through the escape hatch). */
  readonly initContainerFields: string[];
  readonly terminationGracePeriodSeconds: number;
  readonly shareProcessNamespace: boolean;
  readonly priorityClassName?: { readonly value: string; readonly fromProps: boolean };
  readonly placement?: PlacementPlan;
  readonly containerHardening: Json;
  readonly podSeccompProfile: Json;
}

/**
 * Problems found by the last rendering of each workload, with the synth they belong to. Every
 * rendering records them (the rules' chart audit renders every object at synth), so the
 * validation rarely needs a rendering of its own.
 */
const PROBLEMS = new WeakMap<ApiObject, { readonly synth: number; readonly problems: string[] }>();
/** Bumped when a chart starts a fresh validation (not one of App.synth()'s repeat passes). */
const SYNTH_OF = new WeakMap<Chart, number>();

/** Registers the merge on the workload's ApiObject, and the placeholders before user patches. */
export function applyPodSettings(workload: kplus.AbstractPod, settings: PodSettings): void {
  const apiObject = ApiObject.of(workload);
  const chart = Chart.of(workload);
  if (!SYNTH_OF.has(chart)) {
    SYNTH_OF.set(chart, 0);
    chart.node.addValidation({ validate: () => { if (!continuesAppSynth()) SYNTH_OF.set(chart, SYNTH_OF.get(chart)! + 1); return []; } });
  }
  if (settings.placement) addPlacementPlaceholders(workload);
  // cdk8s-plus always writes a grace period (30 s unless given one). Giving it the library's makes
  // any other value in the JSON the user's own, which is then reported rather than overwritten.
  (workload as unknown as { terminationGracePeriod: Duration }).terminationGracePeriod = Duration.seconds(settings.terminationGracePeriodSeconds);
  addFinalTransform(apiObject, (json) => {
    const conflicts: InvalidSetting[] = [];
    const spec = podSpecAt(json, settings.podSpecPath);
    mergePodSettings(spec, settings, conflicts);
    const claims = Array.isArray(json.spec?.volumeClaimTemplates) ? json.spec.volumeClaimTemplates.map((t: Json) => t?.metadata?.name) : [];
    const fieldOf = (list: ContainerList, index: number) => {
      if (list === 'containers') return settings.containers[index]?.field ?? `containers[${index}] (added through the cdk8s-plus escape hatch)`;
      return settings.initContainerFields[index] ?? `initContainers[${index}] (added through the cdk8s-plus escape hatch)`;
    };
    const problems = [...conflicts, ...checkPodSpec(spec, fieldOf, 'pod', claims)].map((p) => p.message);
    PROBLEMS.set(apiObject, { synth: SYNTH_OF.get(chart)!, problems });
    return json;
  });
}

/**
 * The validation a Resilient* construct registers for its pod: conflicts between the library's
 * settings and the user's, and whatever in the final pod spec (escape-hatch additions and JSON
 * patches included) the API server would reject.
 */
export function podSettingsValidation(workload: kplus.AbstractPod): { validate: () => string[] } {
  const apiObject = ApiObject.of(workload);
  const chart = Chart.of(workload);
  return {
    validate: () => {
      if (PROBLEMS.get(apiObject)?.synth !== SYNTH_OF.get(chart)) apiObject.toJson();
      return PROBLEMS.get(apiObject)!.problems;
    },
  };
}

function mergePodSettings(spec: Json, settings: PodSettings, conflicts: InvalidSetting[]): void {
  const conflict = (field: string, ours: unknown, theirs: unknown, where: string) => conflicts.push(new InvalidSetting(field, ours,
    `conflicts with ${where}: ${describeValue(theirs)}, set on the cdk8s-plus workload (through its API or a JSON patch)`,
    `set it in one place: remove one of the two settings`));
  const containers: Json[] = Array.isArray(spec.containers) ? spec.containers : [];
  for (const ours of settings.containers) {
    const c = containers.find((x) => x?.name === ours.name);
    if (!c) continue;
    if (ours.probes) {
      for (const kind of ['readiness', 'liveness', 'startup'] as const) {
        const key = `${kind}Probe` as const;
        const plusDefault = ours.cdk8sPlusDefaults.get(kind);
        if (c[key] === undefined || (plusDefault !== undefined && sameJson(c[key], plusDefault))) c[key] = ours.probes[key];
        else if (ours.explicitProbes.has(kind)) conflict(`${ours.field}.probes.${kind}`, summary(ours.probes[key]), summary(c[key]), `the container's ${key}`);
      }
    }
    const lifecycle: Json = { ...(c.lifecycle ?? {}) };
    if (ours.postStart) {
      if (lifecycle.postStart === undefined) lifecycle.postStart = ours.postStart;
      else conflict(`${ours.field}.postStart`, summary(ours.postStart), summary(lifecycle.postStart), 'the container\'s lifecycle.postStart');
    }
    if (ours.preStop) {
      if (lifecycle.preStop === undefined) lifecycle.preStop = ours.preStop;
      else if (ours.preStopExplicit) conflict(`${ours.field === 'container' ? 'shutdown' : ours.field}.preStop`, summary(ours.preStop), summary(lifecycle.preStop), 'the container\'s lifecycle.preStop');
    }
    if (Object.keys(lifecycle).length > 0) {
      // Rebuilt in the order the library writes it (postStart, then preStop).
      delete c.lifecycle;
      c.lifecycle = { ...(lifecycle.postStart ? { postStart: lifecycle.postStart } : {}), ...(lifecycle.preStop ? { preStop: lifecycle.preStop } : {}), ...lifecycle };
    }
    harden(c, settings.containerHardening, ours.capabilitiesAdd);
  }
  for (const c of Array.isArray(spec.initContainers) ? spec.initContainers : []) harden(c, settings.containerHardening, undefined);
  // Containers added through the escape hatch get the same hardening (their own additions kept).
  for (const c of containers) if (!settings.containers.some((x) => x.name === c?.name)) harden(c, settings.containerHardening, undefined);

  // cdk8s-plus renders the grace period the pod was given: the library's (see applyPodSettings).
  setOnce(spec, 'terminationGracePeriodSeconds', settings.terminationGracePeriodSeconds,
    (theirs) => conflict('shutdown.terminationGracePeriod', `${settings.terminationGracePeriodSeconds}s`, theirs, 'terminationGracePeriodSeconds'));
  spec.securityContext = spec.securityContext ?? {};
  if (spec.securityContext.seccompProfile === undefined) spec.securityContext.seccompProfile = { ...settings.podSeccompProfile };
  if (settings.shareProcessNamespace) {
    setOnce(spec, 'shareProcessNamespace', true, (theirs) => conflict('init', 'sharedProcessNamespace()', theirs, 'shareProcessNamespace'));
  }
  if (settings.priorityClassName) {
    const { value, fromProps } = settings.priorityClassName;
    if (spec.priorityClassName === undefined) spec.priorityClassName = value;
    else if (fromProps && spec.priorityClassName !== value) conflict('priorityClassName', value, spec.priorityClassName, 'priorityClassName');
  }
  if (settings.placement) mergePlacement(spec, settings.placement);
}

/** Sets a scalar unless the same value is there; a different one is reported. */
function setOnce(spec: Json, key: string, value: unknown, onConflict: (theirs: unknown) => void): void {
  if (spec[key] === undefined || spec[key] === value) spec[key] = value;
  else onConflict(spec[key]);
}

/**
 * Capabilities: ALL dropped, the user's additions kept. cdk8s-plus writes capabilities as CAP_X;
 * Kubernetes (and the restricted Pod Security Standard, which allows adding only NET_BIND_SERVICE)
 * names them without the prefix.
 */
function harden(c: Json, hardening: Json, adds: string[] | undefined): void {
  if (!c || typeof c !== 'object') return;
  const sc: Json = (c.securityContext = c.securityContext ?? {});
  const existing: Json = sc.capabilities ?? {};
  const add = [...new Set([...(adds ?? []), ...(Array.isArray(existing.add) ? existing.add : [])].map((cap) => String(cap).replace(/^CAP_/, '')))];
  const drop = [...new Set([...(hardening.capabilities?.drop ?? []), ...(Array.isArray(existing.drop) ? existing.drop : [])])];
  const others = Object.fromEntries(Object.entries(existing).filter(([k]) => k !== 'add' && k !== 'drop'));
  sc.capabilities = { drop, ...(add.length > 0 ? { add } : {}), ...others };
  if (sc.seccompProfile === undefined) sc.seccompProfile = { ...hardening.seccompProfile };
}

/**
 * The library's spreading next to the user's: spread constraints on topology keys the user
 * already constrains are left out (the user's choice stands, and Kubernetes rejects two
 * constraints on one key); the preferred anti-affinity term joins whatever affinity is there.
 * Both keys are written last, where the library has always put them.
 */
function mergePlacement(spec: Json, placement: PlacementPlan): void {
  const theirs: Json[] = Array.isArray(spec.topologySpreadConstraints) ? spec.topologySpreadConstraints : [];
  const taken = new Set(theirs.map((t) => t?.topologyKey));
  const constraints = [...theirs, ...placement.topologySpreadConstraints.filter((t) => !taken.has(t.topologyKey))];
  const affinity: Json = spec.affinity ?? {};
  delete spec.topologySpreadConstraints;
  delete spec.affinity;
  spec.topologySpreadConstraints = constraints;
  const ours = placement.affinity.podAntiAffinity as Json;
  const anti: Json = { ...(affinity.podAntiAffinity ?? {}) };
  const preferred: Json[] = [...(anti.preferredDuringSchedulingIgnoredDuringExecution ?? [])];
  for (const term of ours.preferredDuringSchedulingIgnoredDuringExecution as Json[]) {
    if (!preferred.some((p) => JSON.stringify(p) === JSON.stringify(term))) preferred.push(term);
  }
  spec.affinity = {
    ...Object.fromEntries(Object.entries(affinity).filter(([k]) => k !== 'podAntiAffinity')),
    podAntiAffinity: { ...anti, preferredDuringSchedulingIgnoredDuringExecution: preferred },
  };
  // The library's own output keeps its familiar shape when nothing else is there.
  if (Object.keys(affinity).length === 0) spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred } };
}

/**
 * Empty affinity and spread lists in the pod spec cdk8s-plus renders, before the user's JSON
 * patches run: a patch that adds below them then has a parent. cdk8s-plus offers no public hook
 * between its rendering and the patches, so its pod spec method is wrapped on this one object.
 */
function addPlacementPlaceholders(workload: kplus.AbstractPod): void {
  const target = workload as unknown as { _toPodSpec?: () => Json };
  const render = target._toPodSpec;
  if (typeof render !== 'function') return;
  target._toPodSpec = function placeholders(this: unknown) {
    const spec = render.call(workload);
    return { ...spec, affinity: spec.affinity ?? {}, topologySpreadConstraints: spec.topologySpreadConstraints ?? [] };
  };
}

function podSpecAt(json: Json, pointer: string): Json {
  let at: Json = json;
  for (const key of pointer.split('/').filter(Boolean)) at = at?.[key];
  return at ?? {};
}

function summary(value: unknown): unknown {
  if (value && typeof value === 'object') {
    const handler = Object.keys(value).find((k) => ['httpGet', 'tcpSocket', 'exec', 'grpc', 'sleep'].includes(k));
    if (handler) return { [handler]: (value as Json)[handler] };
  }
  return value;
}

/** Deep equality of plain JSON values, key order ignored. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as Json);
  const kb = Object.keys(b as Json);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Json)[k], (b as Json)[k]));
}
