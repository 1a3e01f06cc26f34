/**
 * The rule table: every resilience rule in one list, in the order the docs show them. The engine,
 * `cdk8s synth` validations, the validation plugin, the audit command, SARIF's rule list and
 * docs/rules.md all read this table and nothing else.
 */
import { readOverrides, SEVERITY_ANNOTATION_PREFIX, SUPPRESS_ANNOTATION_PREFIX } from './annotations';
import { AVAILABILITY_RULES } from './availability-rules';
import { KIND_RULES } from './kind-rules';
import { PLACEMENT_RULES } from './placement-rules';
import { POD_RULES } from './pod-rules';
import { PROBE_RULES } from './probe-rules';
import { Rule } from './rule';
import { SHUTDOWN_RULES } from './shutdown-rules';
import { TYPE_RULES } from './type-rules';

export const ruleOverrideInvalid: Rule = {
  id: 'rule-override-invalid',
  severity: 'error',
  group: 'Rule overrides',
  title: 'A suppression or severity annotation has no reason, a bad value or an unknown rule id',
  reason: `Every exception must say why it is safe, so the next reader can judge whether it still holds. An override without a reason, with a value other than "warning: <reason>" / "error: <reason>", or naming a rule that does not exist is not honoured, and this rule says so instead of letting it fail silently.`,
  fix: `Write the reason as the value: ${SUPPRESS_ANNOTATION_PREFIX}<rule-id>: "<reason>", or ${SEVERITY_ANNOTATION_PREFIX}<rule-id>: "warning: <reason>", with a rule id from this catalogue.`,
  kinds: ['*'],
  check: ({ object, workload }) => readOverrides(object, workload?.podAnnotations, isRuleId).invalid.map((o) => ({
    path: [...(workload && workload.podAnnotations[o.key] !== undefined && object.metadata?.annotations?.[o.key] === undefined
      ? [...workload.podSpecPath.slice(0, -1), 'metadata'] : ['metadata']), 'annotations', o.key],
    message: `annotation ${o.key} ${o.problem}`,
    fix: o.fix,
  })),
};

export const RULES: readonly Rule[] = [
  ...SHUTDOWN_RULES,
  ...PROBE_RULES,
  ...AVAILABILITY_RULES,
  ...PLACEMENT_RULES,
  ...KIND_RULES,
  ...POD_RULES,
  ...TYPE_RULES,
  ruleOverrideInvalid,
];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));
if (BY_ID.size !== RULES.length) throw new Error('cdk8s-resilient: two rules share an id');

export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}

export function isRuleId(id: string): boolean {
  return BY_ID.has(id);
}
