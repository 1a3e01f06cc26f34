/**
 * Runs the rule table over plain Kubernetes objects as they stream past. Each object is checked
 * at once by the rules for its kind that look at it alone, and then dropped; for the rules that
 * look across objects (a Service and the pods it selects, a workload and its budget) only a
 * compact view is kept (compact.ts), and those rules run once every object is in. Memory is then
 * bounded by the findings and the compact views, not by the input.
 */
import { readOverrides, RuleOverrides } from './annotations';
import { isRuleId, RULES } from './catalogue';
import { detach } from '../concerns/detached-text';
import { locateFindings } from './input/locate';
import { LinkBuilder } from './links';
import { CheckedFinding, CheckedObject, LocalChecker, settle } from './local-check';
import { toWorkload, Workload } from './model';
import { Assumptions, Rule } from './rule';
import { PodShutdown } from './shutdown-model';
import { timelineOf, WorkloadTimeline } from './timeline';
import { AuditInput, Finding, KubeObject, ObjectRef, Severity, SourceRef, SuppressedFinding } from './types';

export interface AuditOptions {
  /**
   * Per rule id: another severity, or 'off' to skip the rule. Applies to every object; a
   * suppression annotation on an object still wins.
   */
  readonly severity?: Readonly<Record<string, Severity | 'off'>>;
  /** The rules to run. @default the whole catalogue */
  readonly rules?: readonly Rule[];
  /** Figures the manifests do not state, given by the user. @default none: rules assume and say so */
  readonly assumptions?: Assumptions;
  /** Collect each workload's shutdown timeline (`audit --explain`). @default false */
  readonly timelines?: boolean;
  /** List every audited object in the result (JUnit output has a case per object). @default false */
  readonly listObjects?: boolean;
  /**
   * Cross-object rules read compact views of the objects. Turning it off keeps whole objects
   * (tests compare the two). @default true
   */
  readonly compactViews?: boolean;
}

export interface AuditResult {
  /** Findings in input order, then in rule-table order. */
  readonly findings: Finding[];
  readonly suppressed: SuppressedFinding[];
  /** Objects that were checked (documents with a kind, controller-owned objects excluded). */
  readonly objectCount: number;
  /** Each workload's shutdown timeline, in input order, when asked for. */
  readonly timelines?: WorkloadTimeline[];
  /** Every audited object, in input order, when asked for. */
  readonly objects?: Array<{ readonly ref: ObjectRef; readonly file: string; readonly inputIndex: number }>;
}

interface Pending {
  readonly object: KubeObject;
  readonly workload?: Workload;
  readonly inputIndex: number;
  readonly ref: ObjectRef;
  readonly source?: SourceRef;
}

/** An audit fed one object at a time; `finish()` runs the cross-object rules and returns the result. */
export class Auditor {
  private readonly checker: LocalChecker;
  private readonly cross = new Map<string, Rule[]>();
  private readonly ruleOrder = new Map<string, number>();
  private readonly ruleFix = new Map<string, string>();
  private readonly links = new LinkBuilder();
  private readonly pending: Pending[] = [];
  private readonly findings: Finding[] = [];
  private readonly suppressed: SuppressedFinding[] = [];
  private readonly timelineSeeds: Array<{ inputIndex: number; ref: ObjectRef; source?: SourceRef; shutdown: PodShutdown; workload: Workload | undefined }> = [];
  private readonly assumptions: Assumptions;
  private readonly objects: Array<{ ref: ObjectRef; file: string; inputIndex: number }> = [];
  private inputIndex = 0;
  private objectCount = 0;
  private finished = false;
  /**
   * Findings repeat the same texts and paths over and over (every workload whose container
   * "main" has no liveness probe): one copy of each, up to a bound, keeps 100,000 workloads'
   * findings in memory at a fraction of the size.
   */
  private readonly texts = new Map<string, string>();
  private readonly paths = new Map<string, ReadonlyArray<string | number>>();

  /** One copy of a text, detached from the document it may have been built from (see concerns/detached-text.ts). */
  private intern(text: string): string {
    const known = this.texts.get(text);
    if (known !== undefined) return known;
    const copy = detach(text);
    if (this.texts.size < 200_000) this.texts.set(copy, copy);
    return copy;
  }

  constructor(private readonly options: AuditOptions = {}) {
    for (const id of Object.keys(options.severity ?? {})) {
      if (!isRuleId(id)) throw new Error(`unknown rule id "${id}" (see docs/rules.md)`);
    }
    this.assumptions = options.assumptions ?? {};
    this.checker = new LocalChecker(options);
    const rules = options.rules ?? RULES;
    rules.forEach((rule, i) => {
      this.ruleOrder.set(rule.id, i);
      this.ruleFix.set(rule.id, rule.fix);
    });
    for (const rule of rules) {
      if (options.severity?.[rule.id] === 'off' || !rule.crossObject) continue;
      for (const kind of rule.kinds) {
        const list = this.cross.get(kind);
        if (list) list.push(rule);
        else this.cross.set(kind, [rule]);
      }
    }
  }

  /** Checks one object; returns its input index. */
  public add(object: KubeObject, source?: SourceRef): number {
    if (this.finished) throw new Error('the audit has finished');
    return this.accept(this.checker.check(object, this.inputIndex), source);
  }

  /**
   * Takes an object checked elsewhere (LocalChecker.check with the same options, e.g. in a worker
   * thread; undefined for an object it does not audit) as the next object of the input; returns
   * its input index.
   */
  public accept(checked: CheckedObject | undefined, source?: SourceRef): number {
    if (this.finished) throw new Error('the audit has finished');
    const inputIndex = this.inputIndex++;
    if (!checked) return inputIndex;
    this.objectCount++;
    const { kind, ref } = checked;
    if (this.options.listObjects) this.objects.push({ ref, file: source?.file ?? '', inputIndex });
    for (const f of checked.findings) this.record(f, ref, inputIndex, source);
    const link = checked.link;
    let workload: Workload | undefined;
    if (link && 'workload' in link) {
      workload = toWorkload(link.workload, inputIndex)!;
      this.links.addWorkload(workload);
      if (this.cross.has(kind)) this.pending.push({ object: workload.object, workload, inputIndex, ref, source });
    } else if (link && 'referrer' in link) {
      this.links.addReferrer(link.namespace, link.referrer);
      if (this.cross.has(kind)) this.pending.push({ object: link.referrer, inputIndex, ref, source });
    } else if (link && 'custom' in link) {
      this.links.addCustomResource(link.custom.namespace, link.custom.name, link.custom.kind, link.custom.podLabels);
    }
    if (this.options.timelines && checked.shutdown) this.timelineSeeds.push({ inputIndex, ref, source, shutdown: checked.shutdown, workload });
    return inputIndex;
  }

  /** Runs the cross-object rules, orders the findings and locates their lines. */
  public finish(): AuditResult {
    if (this.finished) throw new Error('the audit has finished');
    this.finished = true;
    const model = this.links.link();
    for (const p of this.pending) {
      const rules = this.cross.get(String(p.object.kind)) ?? [];
      let overrides: RuleOverrides | undefined;
      const subject = { object: p.object, inputIndex: p.inputIndex, workload: p.workload, model, assumptions: this.assumptions };
      for (const rule of rules) {
        const violations = rule.check(subject);
        if (violations.length === 0) continue;
        overrides ??= readOverrides(p.object, p.workload?.podAnnotations, isRuleId);
        for (const v of violations) this.record(settle(rule, v, overrides, this.options.severity?.[rule.id]), p.ref, p.inputIndex, p.source);
      }
    }
    this.pending.length = 0;
    this.texts.clear();
    this.paths.clear();
    sortByInput(this.findings, this.ruleOrder);
    sortByInput(this.suppressed, this.ruleOrder);
    locateFindings(this.findings);
    locateFindings(this.suppressed);
    const timelines = this.options.timelines
      ? this.timelineSeeds.map((s) => timelineOf(s.ref, s.source, s.shutdown, (s.workload?.services.length ?? 0) > 0))
      : undefined;
    return {
      findings: this.findings,
      suppressed: this.suppressed,
      objectCount: this.objectCount,
      ...(timelines ? { timelines } : {}),
      ...(this.options.listObjects ? { objects: this.objects } : {}),
    };
  }

  private record(c: CheckedFinding, ref: ObjectRef, inputIndex: number, source: SourceRef | undefined): void {
    const path = this.intern(c.path);
    let segments = this.paths.get(path);
    if (segments === undefined) {
      segments = c.pathSegments;
      if (this.paths.size < 200_000) this.paths.set(path, segments);
    }
    const finding: Finding & { reason?: string } = {
      ruleId: c.ruleId,
      severity: c.severity,
      object: ref,
      path,
      pathSegments: segments,
      message: this.intern(c.message),
      fix: c.fix === undefined ? this.ruleFix.get(c.ruleId)! : this.intern(c.fix),
      inputIndex,
    };
    if (source) (finding as { source?: SourceRef }).source = source;
    if (c.fieldLine !== undefined) finding.fieldLine = c.fieldLine;
    if (c.suppressedBy !== undefined) {
      finding.reason = c.suppressedBy;
      this.suppressed.push(finding as SuppressedFinding);
      return;
    }
    if (c.severityReason !== undefined) (finding as { severityReason?: string }).severityReason = c.severityReason;
    else if (c.assumption !== undefined) (finding as { assumption?: string }).assumption = c.assumption;
    this.findings.push(finding);
  }
}

/** Input order, then rule-table order, then the order the rule reported them; keys computed once. */
function sortByInput<T extends { inputIndex: number; ruleId: string }>(items: T[], ruleOrder: Map<string, number>): void {
  const keys = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) keys[i] = items[i].inputIndex * 1024 + (ruleOrder.get(items[i].ruleId) ?? 1023);
  const order = Array.from({ length: items.length }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
  const sorted = order.map((i) => items[i]);
  for (let i = 0; i < sorted.length; i++) items[i] = sorted[i];
}

/** Audits plain objects, e.g. ApiObject.toJson() results or parsed YAML documents. */
export function auditObjects(objects: readonly KubeObject[], options: AuditOptions = {}): AuditResult {
  const auditor = new Auditor(options);
  for (const object of objects) auditor.add(object);
  return auditor.finish();
}

/** Audits objects that carry their source file and line. */
export function auditInputs(inputs: Iterable<AuditInput>, options: AuditOptions = {}): AuditResult {
  const auditor = new Auditor(options);
  for (const { object, source } of inputs) auditor.add(object, source);
  return auditor.finish();
}

/** Each workload's shutdown timeline, with the Services of the same objects taken into account. */
export function shutdownTimelines(objects: readonly KubeObject[], options: AuditOptions = {}): WorkloadTimeline[] {
  return auditObjects(objects, { ...options, timelines: true }).timelines ?? [];
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
