/**
 * Runs the rule table over a set of plain Kubernetes objects. The model (workloads and what
 * selects them, per namespace) is built once; each object is then checked by the rules for its
 * kind only, so an audit is close to linear in the number of objects.
 */
import { ALL_RULES, readOverrides } from './annotations';
import { isRuleId, RULES } from './catalogue';
import { AuditModel, buildModel, formatPath, isControlled, isObject, refOf } from './model';
import { Rule } from './rule';
import { AuditInput, Finding, KubeObject, Severity, SuppressedFinding } from './types';

export interface AuditOptions {
  /**
   * Per rule id: another severity, or 'off' to skip the rule. Applies to every object; a
   * suppression annotation on an object still wins.
   */
  readonly severity?: Readonly<Record<string, Severity | 'off'>>;
  /** The rules to run. @default the whole catalogue */
  readonly rules?: readonly Rule[];
}

export interface AuditResult {
  /** Findings in input order, then in rule-table order. */
  readonly findings: Finding[];
  readonly suppressed: SuppressedFinding[];
  /** Objects that were checked (documents with a kind, controller-owned objects excluded). */
  readonly objectCount: number;
  readonly model: AuditModel;
}

/** Audits plain objects, e.g. ApiObject.toJson() results or parsed YAML documents. */
export function auditObjects(objects: readonly KubeObject[], options: AuditOptions = {}): AuditResult {
  return auditInputs(objects.map((object) => ({ object })), options);
}

/** Audits objects that carry their source file and line. */
export function auditInputs(inputs: readonly AuditInput[], options: AuditOptions = {}): AuditResult {
  const rules = options.rules ?? RULES;
  for (const id of Object.keys(options.severity ?? {})) {
    if (!isRuleId(id)) throw new Error(`unknown rule id "${id}" (see docs/rules.md)`);
  }
  const byKind = new Map<string, Rule[]>();
  const forAll: Rule[] = [];
  for (const rule of rules) {
    if (options.severity?.[rule.id] === 'off') continue;
    for (const kind of rule.kinds) {
      if (kind === '*') forAll.push(rule);
      else byKind.set(kind, [...(byKind.get(kind) ?? []), rule]);
    }
  }

  const model = buildModel(inputs);
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  let objectCount = 0;
  inputs.forEach(({ object, source }, inputIndex) => {
    if (!isObject(object) || typeof object.kind !== 'string' || isControlled(object)) return;
    objectCount++;
    const workload = model.workloadAt[inputIndex];
    const applicable = [...(byKind.get(object.kind) ?? []), ...forAll];
    if (applicable.length === 0) return;
    const overrides = readOverrides(object, workload?.podAnnotations, isRuleId);
    const ref = refOf(object);
    for (const rule of applicable) {
      for (const violation of rule.check({ object, inputIndex, workload, model })) {
        const base = {
          ruleId: rule.id,
          object: ref,
          path: formatPath(violation.path),
          pathSegments: violation.path,
          message: violation.message,
          fix: violation.fix ?? rule.fix,
          inputIndex,
          ...(source ? { source } : {}),
        };
        const reason = overrides.suppressed.get(rule.id);
        const configured = options.severity?.[rule.id];
        const defaultSeverity: Severity = configured && configured !== 'off' ? configured : rule.severity;
        if (reason !== undefined) {
          suppressed.push({ ...base, severity: defaultSeverity, reason });
          continue;
        }
        const changed = overrides.severity.get(rule.id) ?? overrides.severity.get(ALL_RULES);
        findings.push(changed
          ? { ...base, severity: changed.severity, severityReason: changed.reason }
          : { ...base, severity: defaultSeverity });
      }
    }
  });
  return { findings, suppressed, objectCount, model };
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
