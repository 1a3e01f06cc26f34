/**
 * Annotations the rules read. Overrides live on the object they apply to, so a manifest carries
 * its own exceptions (and their reasons) wherever it is audited:
 *
 *   resilient.cdk8s.io/suppress.<rule-id>: "<reason>"
 *   resilient.cdk8s.io/severity.<rule-id>: "warning: <reason>"   (or "error: <reason>")
 *
 * They are read from the object's metadata and, for workloads, from the pod template's metadata.
 */
import { isObject } from './model';
import { KubeObject, Severity } from './types';

export const ANNOTATION_PREFIX = 'resilient.cdk8s.io/';
export const SUPPRESS_ANNOTATION_PREFIX = `${ANNOTATION_PREFIX}suppress.`;
export const SEVERITY_ANNOTATION_PREFIX = `${ANNOTATION_PREFIX}severity.`;
/**
 * `resilient.cdk8s.io/severity.all: "warning: <reason>"` re-rates every rule at once (the
 * development profile uses it); a rule named on its own wins over it.
 */
export const ALL_RULES = 'all';

/**
 * Seconds the app needs after SIGTERM to finish its work and exit, on the pod template (or the
 * workload). The grace-period rule and `audit --explain` use it; without it they fall back to the
 * `app shutdown` figure of the library's shutdown-budget annotation, then to 20 seconds.
 */
export const APP_SHUTDOWN_ANNOTATION = `${ANNOTATION_PREFIX}app-shutdown-seconds`;

export interface RuleOverrides {
  readonly suppressed: Map<string, string>;
  readonly severity: Map<string, { severity: Severity; reason: string }>;
  /** Override annotations that are not honoured, and why. */
  readonly invalid: Array<{ key: string; problem: string; fix: string }>;
}

const NO_OVERRIDES: RuleOverrides = { suppressed: new Map(), severity: new Map(), invalid: [] };

/** Reads override annotations from the object and its pod template; `knownRule` guards against typos. */
export function readOverrides(object: KubeObject, podAnnotations: Record<string, string> | undefined, knownRule: (id: string) => boolean): RuleOverrides {
  const own = object.metadata?.annotations;
  if (!hasOverride(own) && !hasOverride(podAnnotations)) return NO_OVERRIDES;
  const result: RuleOverrides = { suppressed: new Map(), severity: new Map(), invalid: [] };
  // The object's own annotations win over the pod template's.
  for (const annotations of [podAnnotations, own]) {
    if (!isObject(annotations)) continue;
    for (const [key, raw] of Object.entries(annotations)) {
      if (!key.startsWith(ANNOTATION_PREFIX)) continue;
      const value = String(raw ?? '').trim();
      if (key.startsWith(SUPPRESS_ANNOTATION_PREFIX)) {
        const id = key.slice(SUPPRESS_ANNOTATION_PREFIX.length);
        if (!knownRule(id)) result.invalid.push({ key, problem: `names no rule ("${id}")`, fix: 'use a rule id from docs/rules.md' });
        else if (!value) result.invalid.push({ key, problem: 'gives no reason, so it is not honoured', fix: 'write why the rule does not apply as the annotation value' });
        else result.suppressed.set(id, value);
      } else if (key.startsWith(SEVERITY_ANNOTATION_PREFIX)) {
        const id = key.slice(SEVERITY_ANNOTATION_PREFIX.length);
        const parsed = parseSeverityValue(value);
        if (!knownRule(id) && id !== ALL_RULES) result.invalid.push({ key, problem: `names no rule ("${id}")`, fix: 'use a rule id from docs/rules.md' });
        else if (!parsed) result.invalid.push({ key, problem: `has the value ${JSON.stringify(value)}, not "warning: <reason>" or "error: <reason>", so it is not honoured`, fix: 'write e.g. "warning: single-node dev cluster"' });
        else result.severity.set(id, parsed);
      }
    }
  }
  return result;
}

export function severityAnnotationValue(severity: Severity, reason: string): string {
  return `${severity}: ${reason}`;
}

function parseSeverityValue(value: string): { severity: Severity; reason: string } | undefined {
  const match = /^(error|warning)\s*:\s*(\S[\s\S]*)$/.exec(value);
  return match ? { severity: match[1] as Severity, reason: match[2].trim() } : undefined;
}

function hasOverride(annotations: unknown): boolean {
  if (!isObject(annotations)) return false;
  for (const key in annotations) if (key.startsWith(SUPPRESS_ANNOTATION_PREFIX) || key.startsWith(SEVERITY_ANNOTATION_PREFIX)) return true;
  return false;
}
