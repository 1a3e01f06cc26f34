/**
 * The rules at `cdk8s synth` time. Resilient* constructs call {@link attachResilienceRules}: when
 * the app validates, the chart's objects are rendered (ApiObject.toJson(), so final patches are
 * included) once per synth, audited together, and each construct reports the findings about its
 * own objects. The renderings are the ones cdk8s then writes (synth-renders.ts).
 * Errors fail the synth as `[construct path] rule-id: Kind name: message. Fix: ...` (cdk8s adds
 * the path); warnings go to stderr.
 *
 * {@link Rules} lets a user suppress a rule or change its severity for one construct and
 * everything below it, with a reason. The override is written onto each object below as an
 * annotation, so the synthesized manifest carries it and `cdk8s-resilient audit` honours it.
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { requireSetting, withConstructPath } from '../concerns/errors';
import { ALL_RULES, SEVERITY_ANNOTATION_PREFIX, severityAnnotationValue, SUPPRESS_ANNOTATION_PREFIX } from './annotations';
import { isRuleId, RULES } from './catalogue';
import { auditObjects, AuditResult } from './engine';
import { describeRef } from './model';
import { Severity } from './severity';
import { addLibraryValidation, PerSynth, trackSynths } from './synth-pass';
import { discardRenders, renderForAudit } from './synth-renders';
import { Finding, KubeObject, Severity as FindingSeverity } from './types';

const RULES_OF = Symbol.for('cdk8s-resilient.rules');
/** Apps in which some construct has a rule override: elsewhere there are no annotations to write. */
const APPS_WITH_OVERRIDES = new WeakSet<IConstruct>();

type Override = { readonly kind: 'suppress'; readonly reason: string } | { readonly kind: 'severity'; readonly severity: FindingSeverity; readonly reason: string };

/**
 * Rule overrides for a construct and everything below it. The nearest construct's override of a
 * rule wins.
 *
 *   Rules.of(db).suppress('replicas-too-few', 'single PostgreSQL primary; HA is the operator\'s job');
 *   Rules.of(chart).setSeverity('image-tag-mutable', Severity.WARNING, 'dev chart, images pinned by CI');
 */
export class Rules {
  /** The overrides of `scope` (an App, a Chart, a workload or any construct), made on first use. */
  public static of(scope: IConstruct): Rules {
    const holder = scope as IConstruct & { [RULES_OF]?: Rules };
    let rules = holder[RULES_OF];
    if (!rules) {
      rules = new Rules(scope);
      Object.defineProperty(holder, RULES_OF, { value: rules, enumerable: false });
      // Objects may be added after the override: annotate them when the app validates, which
      // `cdk8s synth`, App.synth() and Testing.synth() all do before rendering.
      addLibraryValidation(scope, () => { writeRuleAnnotations(scope); return []; });
    }
    return rules;
  }

  private readonly overrides = new Map<string, Override>();

  private constructor(private readonly scope: IConstruct) {}

  /**
   * Turns the rule off for this construct's objects. The reason is kept in the output.
   * @param ruleId a rule id from docs/rules.md
   * @param reason why the rule does not apply here
   */
  public suppress(ruleId: string, reason: string): Rules {
    this.check(ruleId, reason, 'suppress');
    this.overrides.set(ruleId, { kind: 'suppress', reason: reason.trim() });
    APPS_WITH_OVERRIDES.add(this.scope.node.root);
    return this;
  }

  /**
   * Reports the rule's findings on this construct's objects with another severity. `'all'`
   * re-rates every rule (a rule named on its own still wins). Severity.OFF suppresses the rule.
   * @param ruleId a rule id from docs/rules.md, or 'all'
   * @param reason why the rule's usual severity does not fit here
   */
  public setSeverity(ruleId: string, severity: Severity, reason: string): Rules {
    withConstructPath(this.scope, () => requireSetting(severity === 'error' || severity === 'warning' || severity === 'off', `Rules.setSeverity("${ruleId}").severity`, severity,
      'is not a severity', 'use Severity.ERROR, Severity.WARNING or Severity.OFF'));
    if (severity === Severity.OFF) return this.suppress(ruleId, reason);
    this.check(ruleId, reason, 'setSeverity', ruleId === ALL_RULES);
    this.overrides.set(ruleId, { kind: 'severity', severity: severity as FindingSeverity, reason: reason.trim() });
    APPS_WITH_OVERRIDES.add(this.scope.node.root);
    return this;
  }

  /**
   * The overrides set on this construct itself (not inherited ones).
   * @jsii ignore
   */
  public get entries(): ReadonlyMap<string, Override> {
    return this.overrides;
  }

  private check(ruleId: string, reason: string, method: string, allRules = false): void {
    withConstructPath(this.scope, () => {
      requireSetting(allRules || isRuleId(ruleId), `Rules.${method}`, ruleId, 'is not a rule id', `use one of the ids in docs/rules.md, e.g. "${RULES[0].id}"`);
      requireSetting(typeof reason === 'string' && reason.trim().length > 0, `Rules.${method}("${ruleId}").reason`, reason,
        'is empty: an exception must say why the rule does not apply here', 'give the reason, e.g. "single-writer database; a standby is managed outside this chart"');
    });
  }
}

/** The overrides that apply to a construct: its own and its ancestors', the nearest winning. */
export function effectiveOverrides(construct: IConstruct): Map<string, Override> {
  const result = new Map<string, Override>();
  const scopes = construct.node.scopes;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const rules = (scopes[i] as IConstruct & { [RULES_OF]?: Rules })[RULES_OF];
    if (!rules) continue;
    for (const [id, override] of rules.entries) if (!result.has(id)) result.set(id, override);
  }
  return result;
}

/** Writes the overrides in effect onto every ApiObject under `scope` as annotations. */
export function writeRuleAnnotations(scope: IConstruct): void {
  if (!APPS_WITH_OVERRIDES.has(scope.node.root)) return;
  for (const c of scope.node.findAll()) {
    if (!ApiObject.isApiObject(c)) continue;
    for (const [id, override] of effectiveOverrides(c)) {
      if (override.kind === 'suppress') c.metadata.addAnnotation(`${SUPPRESS_ANNOTATION_PREFIX}${id}`, override.reason);
      else c.metadata.addAnnotation(`${SEVERITY_ANNOTATION_PREFIX}${id}`, severityAnnotationValue(override.severity, override.reason));
    }
  }
}

interface ChartAudit {
  readonly result: AuditResult;
  /** Positions in result.findings of each object's findings, so a construct looks up only its own objects. */
  readonly findingsOf: Map<ApiObject, number[]>;
  /** Each construct's errors from this audit, once it has reported them (its warnings are printed then). */
  readonly reported: WeakMap<IConstruct, string[]>;
}

/**
 * One audit per chart and synth, shared by every construct of the chart and by every validation
 * pass of the synth (synth-pass.ts): an app of K charts is validated K + 1 times by App.synth().
 */
const AUDITS = new PerSynth<Chart, ChartAudit>();

function auditChart(chart: Chart): ChartAudit {
  return AUDITS.getOrCompute(chart, chart, () => {
    writeRuleAnnotations(chart);
    const apiObjects = chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart);
    // The renderings are the ones cdk8s writes (synth-renders.ts). The audit keeps no object past
    // this call, so compact copies for its cross-object rules would only cost time.
    const result = auditObjects(renderForAudit(chart, apiObjects) as KubeObject[], { compactViews: false });
    const findingsOf = new Map<ApiObject, number[]>();
    result.findings.forEach((finding, index) => {
      const object = apiObjects[finding.inputIndex];
      const list = findingsOf.get(object);
      if (list) list.push(index);
      else findingsOf.set(object, [index]);
    });
    return { result, findingsOf, reported: new WeakMap<IConstruct, string[]>() };
  });
}

/** Audits the chart of `scope` for the current synth, unless that is done (and so renders its objects once). */
export function auditChartOf(scope: IConstruct): void {
  auditChart(Chart.of(scope));
}

/** Registers the resilience rules on a construct: findings about its objects are reported at synth. */
export function attachResilienceRules(construct: IConstruct): void {
  trackSynths(construct);
  addLibraryValidation(construct, () => {
    const { result, findingsOf, reported } = auditChart(Chart.of(construct));
    // A clean chart (the usual case) has nothing for any construct: no walk of this one's objects.
    if (result.findings.length === 0) return [];
    // A later pass of the same synth has the same findings: report the same errors, and do not
    // print the warnings once more per chart of the app.
    const known = reported.get(construct);
    if (known) return known;
    // The findings about objects at or below this construct, in the audit's order. Looking them
    // up per object keeps a chart of N workloads with findings linear rather than N x findings.
    const mine: number[] = [];
    for (const c of construct.node.findAll()) {
      const indices = ApiObject.isApiObject(c) ? findingsOf.get(c) : undefined;
      if (indices) for (const index of indices) mine.push(index);
    }
    mine.sort((a, b) => a - b);
    const errors: string[] = [];
    for (const index of mine) {
      const finding = result.findings[index];
      const line = formatSynthFinding(finding);
      if (finding.severity === 'error') errors.push(line);
      else process.stderr.write(`[${construct.node.path}] warning ${line}\n`);
    }
    reported.set(construct, errors);
    if (errors.length > 0) discardRenders(construct);
    return errors;
  });
}

/** `rule-id: Kind name: message. Fix: ...` */
export function formatSynthFinding(finding: Finding): string {
  const lowered = finding.severityReason ? ` (severity changed: ${finding.severityReason})` : '';
  return `${finding.ruleId}: ${describeRef(finding.object)}: ${finding.message}. Fix: ${finding.fix}${lowered}`;
}
