/**
 * The part of an audit that looks at one object alone: the rules for its kind that need no other
 * object, the object's own exceptions (annotations) and the configured severities applied, and
 * the compact view the cross-object rules will read later (compact.ts). A function of the object
 * and the options only, with a result of plain data, so that it can run in a worker thread; the
 * engine (engine.ts) gives each result its place in the input and keeps what it needs.
 */
import { ALL_RULES, readOverrides, RuleOverrides } from './annotations';
import { isRuleId, RULES } from './catalogue';
import { detach } from '../concerns/detached-text';
import { compactReferrer, compactWorkloadObject, customResourcePodLabels, referrerView, workloadView } from './compact';
import { AuditModel, isCustomResource } from './links';
import { formatPath, isControlled, isObject, namespaceOf, refOf, toWorkload, Workload } from './model';
import { Assumptions, Rule } from './rule';
import { PodShutdown, podShutdown } from './shutdown-model';
import { KubeObject, ObjectRef, Severity, Violation } from './types';

/** What the local checks need of the audit's options (AuditOptions in engine.ts). */
export interface LocalCheckOptions {
  readonly severity?: Readonly<Record<string, Severity | 'off'>>;
  readonly rules?: readonly Rule[];
  readonly assumptions?: Assumptions;
  readonly timelines?: boolean;
  readonly compactViews?: boolean;
}

/** A finding on one object, with its severity and exceptions settled, before the object has a place in the input. */
export interface CheckedFinding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly path: string;
  readonly pathSegments: ReadonlyArray<string | number>;
  readonly message: string;
  /** undefined: the rule's general fix. */
  readonly fix?: string;
  /** Set when an annotation suppressed the finding. */
  readonly suppressedBy?: string;
  readonly severityReason?: string;
  readonly assumption?: string;
  /** The line of the field, when the thread that read the document found it (parallel.ts). */
  fieldLine?: number;
}

/** What the cross-object rules and the links keep of an object. */
export type CheckedLink =
  | { readonly workload: KubeObject }
  | { readonly referrer: KubeObject; readonly namespace: string }
  | { readonly custom: { readonly namespace: string; readonly name: string; readonly kind: string; readonly podLabels?: Record<string, string> } };

export interface CheckedObject {
  readonly kind: string;
  readonly ref: ObjectRef;
  /** In rule-table order, each rule's in the order it reported them. */
  readonly findings: CheckedFinding[];
  readonly link?: CheckedLink;
  /** The shutdown sequence, when timelines are asked for. */
  readonly shutdown?: PodShutdown;
}

const NO_LINKS: AuditModel = { namespaces: new Map(), selectedBy: new Map(), targetOf: new Map() };
const LINKED_KINDS = new Set(['Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']);

export class LocalChecker {
  /** The local rules per kind, those for every kind ('*') included. */
  private readonly byKind = new Map<string, Rule[]>();
  private readonly everyKind: Rule[] = [];
  private readonly local = new Map<string, Rule[]>();
  private readonly assumptions: Assumptions;

  /**
   * @param copyStrings copy the strings the views keep out of the document, so that it can be
   * freed; a worker thread need not, as posting the result copies everything. @default true
   */
  constructor(private readonly options: LocalCheckOptions = {}, private readonly copyStrings = true) {
    this.assumptions = options.assumptions ?? {};
    for (const rule of options.rules ?? RULES) {
      if (options.severity?.[rule.id] === 'off' || rule.crossObject) continue;
      for (const kind of rule.kinds) {
        if (kind === '*') { this.everyKind.push(rule); continue; }
        const list = this.local.get(kind);
        if (list) list.push(rule);
        else this.local.set(kind, [rule]);
      }
    }
  }

  private rulesFor(kind: string): Rule[] {
    let rules = this.byKind.get(kind);
    if (rules === undefined) {
      rules = [...(this.local.get(kind) ?? []), ...this.everyKind];
      if (this.byKind.size < 10_000) this.byKind.set(kind, rules);
    }
    return rules;
  }

  /** The local findings and the view of an object; undefined for what the audit does not check (no kind, owned by a controller). */
  public check(object: KubeObject, inputIndex = -1): CheckedObject | undefined {
    if (!isObject(object) || typeof object.kind !== 'string' || isControlled(object)) return undefined;
    const kind = object.kind;
    const workload = toWorkload(object, inputIndex);
    const ref = refOf(object);
    const findings: CheckedFinding[] = [];
    let overrides: RuleOverrides | undefined;
    // One subject for all the rules (it is read-only): an object per rule call was measurable.
    const subject = { object, inputIndex, workload, model: NO_LINKS, assumptions: this.assumptions };
    for (const rule of this.rulesFor(kind)) {
      const violations = rule.check(subject);
      if (violations.length === 0) continue;
      overrides ??= readOverrides(object, workload?.podAnnotations, isRuleId);
      for (const v of violations) findings.push(settle(rule, v, overrides, this.options.severity?.[rule.id]));
    }
    const shutdown = this.options.timelines && workload ? podShutdown(workload, this.assumptions) : undefined;
    return { kind, ref, findings, link: this.linkOf(object, workload), ...(shutdown ? { shutdown } : {}) };
  }

  private linkOf(object: KubeObject, workload: Workload | undefined): CheckedLink | undefined {
    const compact = this.options.compactViews !== false;
    if (workload) return { workload: !compact ? object : this.copyStrings ? compactWorkloadObject(object) : workloadView(object) };
    if (LINKED_KINDS.has(String(object.kind))) {
      return { referrer: !compact ? object : this.copyStrings ? compactReferrer(object) : referrerView(object), namespace: detach(namespaceOf(object)) };
    }
    if (isCustomResource(object)) {
      const podLabels = customResourcePodLabels(object);
      return { custom: { namespace: detach(namespaceOf(object)), name: detach(String(object.metadata?.name ?? '')), kind: detach(String(object.kind)), ...(podLabels ? { podLabels } : {}) } };
    }
    return undefined;
  }
}

/**
 * A violation as a finding: the configured severity, lowered to a warning when it rests on an
 * assumption, then the object's own annotations (a suppression, or another severity).
 */
export function settle(rule: Rule, v: Violation, overrides: RuleOverrides, configured: Severity | 'off' | undefined): CheckedFinding {
  let severity: Severity = configured && configured !== 'off' ? configured : rule.severity;
  // A finding that rests on an assumption is a warning: the manifest may well be right.
  if (v.assumption !== undefined && severity === 'error') severity = 'warning';
  const base = { ruleId: rule.id, severity, path: formatPath(v.path), pathSegments: v.path, message: v.message, ...(v.fix === undefined ? {} : { fix: v.fix }) };
  const reason = overrides.suppressed.get(rule.id);
  if (reason !== undefined) return { ...base, suppressedBy: reason };
  const changed = overrides.severity.get(rule.id) ?? overrides.severity.get(ALL_RULES);
  if (changed) return { ...base, severity: changed.severity, severityReason: changed.reason };
  if (v.assumption !== undefined) return { ...base, assumption: v.assumption };
  return base;
}
