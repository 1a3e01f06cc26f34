/**
 * Profiles: where a platform team sets, once, the defaults every application chart inherits
 * (the drain pause of its ingress, priority classes, topology keys, default resources, what its
 * base images contain, rule severities).
 *
 * Precedence, highest first: construct props > the chart's profile > the app's profile > the
 * library's defaults. A profile can only weaken an error-level rule by naming it (or `all`) with
 * a reason; other settings that would weaken the output (one replica, no PDB) are still checked
 * by the rules at synth, so a profile cannot lower safety silently.
 */
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { requireSetting, requireWholeNumber, withConstructPath } from '../concerns/errors';
import { HelperInjection, ImageTools } from '../concerns/image-tools';
import { DEFAULT_INIT, InitProcess } from '../concerns/init-process';
import { NODE_TOPOLOGY_KEY, SpreadMode, ZONE_TOPOLOGY_KEY } from '../concerns/placement';
import { DEFAULT_RESOURCES } from '../concerns/resources';
import { DEFAULT_REPLICAS, MIN_RESILIENT_REPLICAS } from '../concerns/scaling';
import { DEFAULT_DRAIN_PAUSE, wholeSeconds } from '../concerns/shutdown';
import { checkPriorityClassName, checkTopologyKey } from '../concerns/kubernetes-values';
import { Rules } from '../rules/synth';
import { Severity } from '../rules/severity';

/** A rule's severity in a profile, with the reason. */
export interface RuleSeverity {
  /** The severity (Severity.OFF suppresses the rule). */
  readonly severity: Severity;
  /** Why: written into every synthesized object the profile covers. */
  readonly reason: string;
}

/** What a profile may set. Every field is optional; unset fields fall through to the next layer. */
export interface ProfileSettings {
  /**
   * The drain pause of the default preStop hook: how long your ingress/LBs take to stop sending traffic.
   * @default 5 seconds
   */
  readonly drainPause?: Duration;
  /** Priority class of every pod. @default the cluster's default priority */
  readonly priorityClassName?: string;
  /** Node label that names a node's zone. @default 'topology.kubernetes.io/zone' */
  readonly zoneTopologyKey?: string;
  /** Node label that names a node. @default 'kubernetes.io/hostname' */
  readonly nodeTopologyKey?: string;
  /** How strictly pods are spread. @default SpreadMode.PREFERRED */
  readonly spread?: SpreadMode;
  /** Default requests and limits for containers that set none (per field). @default cpu 250m/1000m, memory 256Mi/256Mi */
  readonly resources?: kplus.ContainerResources;
  /** PID 1 of main containers. @default InitProcess.sharedProcessNamespace() */
  readonly init?: InitProcess;
  /** What your base images contain. @default ImageTools.shell() plus the chosen init */
  readonly imageTools?: ImageTools;
  /** Your helper image, for images that lack a shell, sleep or init. @default none */
  readonly helpers?: HelperInjection;
  /** Default replica count of Deployments and StatefulSets. @default 2 */
  readonly replicas?: number;
  /** Fewest replicas (or HPA minReplicas) a Deployment may ask for. @default 2 */
  readonly minReplicas?: number;
  /** Whether Deployments and StatefulSets get a PodDisruptionBudget by default. @default true */
  readonly disruptionBudgets?: boolean;
  /** Rule severities: a rule id, or 'all', with a reason. @default every rule at its catalogue severity */
  readonly ruleSeverities?: { [ruleId: string]: RuleSeverity };
}

type SettingKey = Exclude<keyof ProfileSettings, 'ruleSeverities'>;

/** The library's own defaults: the bottom layer. */
export const LIBRARY_DEFAULTS: { readonly [K in SettingKey]: ProfileSettings[K] } = {
  drainPause: DEFAULT_DRAIN_PAUSE,
  priorityClassName: undefined,
  zoneTopologyKey: ZONE_TOPOLOGY_KEY,
  nodeTopologyKey: NODE_TOPOLOGY_KEY,
  spread: SpreadMode.PREFERRED,
  resources: undefined,
  init: DEFAULT_INIT,
  imageTools: undefined,
  helpers: undefined,
  replicas: DEFAULT_REPLICAS,
  minReplicas: MIN_RESILIENT_REPLICAS,
  disruptionBudgets: true,
};

/** How the library defaults that are "nothing set" read in explainSettings. */
const UNSET_DEFAULTS: Partial<Record<SettingKey, string>> = {
  priorityClassName: '(cluster default)',
  resources: `cpu ${DEFAULT_RESOURCES.cpuRequestMillis}m/${DEFAULT_RESOURCES.cpuLimitMillis}m, memory ${DEFAULT_RESOURCES.memoryRequestMebibytes}Mi/${DEFAULT_RESOURCES.memoryLimitMebibytes}Mi`,
  imageTools: 'shell (sh, sleep, cat) + the chosen init',
  helpers: '(none)',
};

const PROFILE_OF = Symbol.for('cdk8s-resilient.profile');
/** Each Resilient* construct's resolver, kept on the construct (a weak table of one entry per workload costs every garbage collection). */
const RESOLVER_OF = Symbol('cdk8s-resilient.settings');

/**
 * Defaults for every Resilient* workload of an App or a Chart, set once by a platform team:
 * `ResilienceProfile.production().extend('acme', { drainPause: Duration.seconds(15) }).applyTo(app)`.
 */
export class ResilienceProfile {
  /** Strict: the library's defaults, and every error-level finding fails synth. */
  public static production(): ResilienceProfile {
    return new ResilienceProfile('production', {});
  }

  /**
   * For dev clusters and local work: one replica, no PodDisruptionBudget, and every finding
   * reported as a warning instead of failing synth.
   */
  public static development(): ResilienceProfile {
    return new ResilienceProfile('development', {
      replicas: 1,
      minReplicas: 1,
      disruptionBudgets: false,
      ruleSeverities: { all: { severity: Severity.WARNING, reason: 'development profile: findings are reported, not enforced' } },
    });
  }

  /** The profile attached to this exact scope (an App or a Chart), if any. */
  public static attachedTo(scope: IConstruct): ResilienceProfile | undefined {
    return (scope as IConstruct & { [PROFILE_OF]?: ResilienceProfile })[PROFILE_OF];
  }

  /**
   * Every Resilient* workload's effective settings below `scope`, with the layer each came from
   * (props, a chart's or the app's profile, or the library default): why a manifest looks the way
   * it does.
   */
  public static explain(scope: IConstruct): string {
    return explainSettings(scope);
  }

  private constructor(
    /** The profile's name, written into rule-override reasons. */
    public readonly name: string,
    /** What the profile sets. */
    public readonly settings: ProfileSettings,
  ) {}

  /**
   * Raises the first setting of this profile that cannot be used. Run by applyTo(), with the path
   * of the App or Chart (profiles are made outside any construct, where an error could not say
   * where the profile is used).
   */
  public check(): void {
    const name = this.name;
    const settings = this.settings;
    for (const [id, rule] of Object.entries(settings.ruleSeverities ?? {})) {
      requireSetting(typeof rule?.reason === 'string' && rule.reason.trim().length > 0, `profile "${name}".ruleSeverities.${id}.reason`, rule?.reason,
        'is empty: a profile that changes a rule must say why', 'give the reason, e.g. "staging clusters have one zone"');
      requireSetting(['error', 'warning', 'off'].includes(rule.severity), `profile "${name}".ruleSeverities.${id}.severity`, rule.severity,
        'is not a severity', 'use Severity.ERROR, Severity.WARNING or Severity.OFF');
    }
    if (settings.minReplicas !== undefined) requireWholeNumber(settings.minReplicas, `profile "${name}".minReplicas`, 1, 'use 1 or more');
    if (settings.replicas !== undefined) requireWholeNumber(settings.replicas, `profile "${name}".replicas`, 1, 'use 1 or more');
    if (settings.drainPause !== undefined) wholeSeconds(settings.drainPause, `profile "${name}".drainPause`);
    if (settings.priorityClassName !== undefined) checkPriorityClassName(settings.priorityClassName, `profile "${name}".priorityClassName`);
    if (settings.zoneTopologyKey !== undefined) checkTopologyKey(settings.zoneTopologyKey, `profile "${name}".zoneTopologyKey`);
    if (settings.nodeTopologyKey !== undefined) checkTopologyKey(settings.nodeTopologyKey, `profile "${name}".nodeTopologyKey`);
    requireSetting(settings.spread === undefined || settings.spread === 'preferred' || settings.spread === 'required', `profile "${name}".spread`, settings.spread,
      'is not a spread mode', 'use SpreadMode.PREFERRED or SpreadMode.REQUIRED');
    settings.helpers?.check(`profile "${name}".helpers`);
  }

  /**
   * A new profile: this one's settings with `overrides` on top (rule severities are merged).
   * @param name the new profile's name
   */
  public extend(name: string, overrides: ProfileSettings): ResilienceProfile {
    return new ResilienceProfile(name, {
      ...this.settings,
      ...overrides,
      ruleSeverities: { ...this.settings.ruleSeverities, ...overrides.ruleSeverities },
    });
  }

  /**
   * Makes this the profile of an App or a Chart. Call it before adding workloads: the Resilient*
   * constructs read their defaults when they are created.
   */
  public applyTo(scope: IConstruct): ResilienceProfile {
    withConstructPath(scope, () => {
      this.check();
      requireSetting(ResilienceProfile.attachedTo(scope) === undefined, 'profile', this.name,
        `cannot be applied: profile "${ResilienceProfile.attachedTo(scope)?.name}" is already applied here`, 'apply one profile per App or Chart (derive one with extend())');
      const existing = scope.node.findAll().filter((c) => resolverOf(c) !== undefined);
      requireSetting(existing.length === 0, 'profile', this.name,
        `is applied after workloads were created (${existing.map((c) => c.node.path).join(', ')}), which would not see it`, 'apply the profile right after creating the App or Chart');
    });
    Object.defineProperty(scope, PROFILE_OF, { value: this, enumerable: false });
    const rules = Rules.of(scope);
    for (const [id, rule] of Object.entries(this.settings.ruleSeverities ?? {})) {
      const reason = `${rule.reason} (profile ${this.name})`;
      if (rule.severity === Severity.OFF) rules.suppress(id, reason);
      else rules.setSeverity(id, rule.severity, reason);
    }
    return this;
  }
}

export interface EffectiveSetting {
  readonly setting: string;
  readonly value: string;
  /** 'props', 'chart profile "x"', 'app profile "y"' or 'library default'. */
  readonly source: string;
}

/**
 * Looks settings up through the layers for one construct and records where each came from, so
 * `explainSettings` can show why a manifest looks the way it does.
 */
export class SettingsResolver {
  public static of(scope: IConstruct): SettingsResolver {
    let resolver = resolverOf(scope);
    if (!resolver) {
      resolver = new SettingsResolver(scope);
      Object.defineProperty(scope, RESOLVER_OF, { value: resolver, enumerable: false });
    }
    return resolver;
  }


  private readonly layers: Array<{ source: string; settings: ProfileSettings }>;
  /** Each setting's value and source; described for reading only when explainSettings asks (most synths never do). */
  private readonly records = new Map<string, { readonly value: unknown; readonly described?: string; readonly source: string }>();

  private constructor(public readonly scope: IConstruct) {
    // Nearest scope first: a chart's profile before the app's.
    this.layers = [];
    const scopes = scope.node.scopes;
    for (let i = scopes.length - 1; i >= 0; i--) {
      const profile = ResilienceProfile.attachedTo(scopes[i]);
      if (!profile) continue;
      const where = i === 0 ? 'app' : 'chart';
      this.layers.push({ source: `${where} profile "${profile.name}"`, settings: profile.settings });
    }
  }

  /** The value from props, else the nearest profile that sets it, else the library default. */
  public pick<K extends SettingKey>(key: K, fromProps: ProfileSettings[K] | undefined, label: string = key): ProfileSettings[K] {
    if (fromProps !== undefined) return this.note(label, fromProps, 'props');
    for (const layer of this.layers) {
      const value = layer.settings[key];
      if (value !== undefined) return this.note(label, value as ProfileSettings[K], layer.source);
    }
    const value = LIBRARY_DEFAULTS[key];
    this.records.set(label, { value, described: value === undefined ? UNSET_DEFAULTS[key] ?? '(none)' : undefined, source: 'library default' });
    return value;
  }

  /** The value the profiles (or the library) give, ignoring props and recording nothing. */
  public fromProfiles<K extends SettingKey>(key: K): ProfileSettings[K] {
    for (const layer of this.layers) {
      const value = layer.settings[key];
      if (value !== undefined) return value as ProfileSettings[K];
    }
    return LIBRARY_DEFAULTS[key];
  }

  /** Records a setting decided by the construct itself (not part of profiles). */
  public note<T>(setting: string, value: T, source: string): T {
    this.records.set(setting, { value, source });
    return value;
  }

  public get effective(): EffectiveSetting[] {
    return [...this.records].map(([setting, r]) => ({ setting, value: r.described ?? describe(r.value), source: r.source }));
  }
}

/** The resolver a Resilient* construct made at `scope`, if any. */
function resolverOf(scope: IConstruct): SettingsResolver | undefined {
  return (scope as IConstruct & { [RESOLVER_OF]?: SettingsResolver })[RESOLVER_OF];
}

/** A PDB unless the props say `enabled: false`, or the props say nothing and the profiles turn PDBs off. */
export function wantsDisruptionBudget(settings: SettingsResolver, fromProps: { readonly enabled?: boolean } | undefined): boolean {
  if (fromProps?.enabled === false) return settings.note('disruptionBudget', false, 'props');
  if (fromProps !== undefined) return settings.note('disruptionBudget', true, 'props');
  return settings.pick('disruptionBudgets', undefined, 'disruptionBudget') !== false;
}

/** Every Resilient* workload's effective settings below `scope`, with the layer each came from. */
export function explainSettings(scope: IConstruct): string {
  const lines: string[] = [];
  for (const c of [scope, ...scope.node.findAll()]) {
    const resolver = resolverOf(c);
    if (!resolver || resolver.effective.length === 0) continue;
    lines.push(`${c.node.path} (${c.constructor.name})`);
    const width = Math.max(...resolver.effective.map((e) => e.setting.length));
    const valueWidth = Math.max(...resolver.effective.map((e) => e.value.length));
    for (const e of resolver.effective) lines.push(`  ${e.setting.padEnd(width)}  ${e.value.padEnd(valueWidth)}  ${e.source}`);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

function describe(value: unknown): string {
  if (value === undefined) return '(none)';
  if (value instanceof Duration) return `${value.toSeconds()}s`;
  if (value instanceof InitProcess) return value.binaryPath ? `${value.kind} (${value.binaryPath})` : value.kind;
  if (value instanceof ImageTools) return value.description;
  if (value instanceof HelperInjection) return `helpers from ${value.props.image}`;
  if (typeof value === 'object' && value !== null && ('cpu' in value || 'memory' in value)) return describeResources(value as kplus.ContainerResources);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function describeResources(r: kplus.ContainerResources): string {
  const cpu = `cpu ${r.cpu?.request?.amount ?? `${DEFAULT_RESOURCES.cpuRequestMillis}m`}/${r.cpu?.limit?.amount ?? `${DEFAULT_RESOURCES.cpuLimitMillis}m`}`;
  const memory = `memory ${r.memory?.request?.toMebibytes() ?? DEFAULT_RESOURCES.memoryRequestMebibytes}Mi/${r.memory?.limit?.toMebibytes() ?? DEFAULT_RESOURCES.memoryLimitMebibytes}Mi`;
  return `${cpu}, ${memory}`;
}
