/**
 * A cdk8s validation plugin: the resilience rules for any cdk8s or cdk8s-plus app, run by
 * `cdk8s synth` on the synthesized manifests. In cdk8s.yaml:
 *
 *   validations:
 *     - package: ./node_modules/cdk8s-resilient   # a local path loads the installed package
 *       version: 0.1.0                            # must be exact; ranges are refused
 *       class: ResilienceValidation
 *       properties:                               # optional
 *         rules: { image-tag-mutable: warning, spread-missing: off }
 *         failOnWarnings: false
 *
 * cdk8s-cli loads `package`, instantiates `class` with `properties` and calls `validate(context)`;
 * the report lists one violation per rule (and severity), with the offending objects and fields.
 * The types below mirror cdk8s-cli's `Validation` contract (cdk8s-cli/lib/plugins/validation.d.ts)
 * structurally, so this package needs no runtime dependency on cdk8s-cli.
 */
import { isRuleId, ruleById } from './rules/catalogue';
import { auditInputs, countBySeverity } from './rules/engine';
import type * as manifests from './rules/manifests';
import { Finding, Severity } from './rules/types';

/** @jsii ignore */
export interface ValidationViolatingResourceLike {
  readonly resourceName: string;
  readonly locations: readonly string[];
  readonly manifestPath: string;
}

/** @jsii ignore */
export interface ValidationViolationLike {
  readonly ruleName: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly violatingResources: readonly ValidationViolatingResourceLike[];
}

/**
 * What the plugin uses of cdk8s-cli's ValidationContext.
 * @jsii ignore
 */
export interface ValidationContextLike {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: ValidationViolationLike): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
}

/** @jsii ignore */
export interface ResilienceValidationProps {
  /** Per rule id: another severity, or 'off'. @default every rule at its catalogue severity */
  readonly rules?: Readonly<Record<string, Severity | 'off'>>;
  /** Fail the synth on warnings too. @default false */
  readonly failOnWarnings?: boolean;
}

/**
 * The resilience rules as a cdk8s-cli validation plugin (cdk8s-cli loads it from npm, whatever the
 * app's language).
 * @jsii ignore
 */
export class ResilienceValidation {
  private readonly severity: Record<string, Severity | 'off'>;
  private readonly failOnWarnings: boolean;

  constructor(props: ResilienceValidationProps = {}) {
    this.severity = { ...(props.rules ?? {}) };
    for (const [id, level] of Object.entries(this.severity)) {
      if (!isRuleId(id)) throw new Error(`ResilienceValidation: unknown rule id "${id}" in properties.rules (see docs/rules.md)`);
      if (level !== 'error' && level !== 'warning' && level !== 'off') throw new Error(`ResilienceValidation: properties.rules.${id} is "${level}"; use error, warning or off`);
    }
    this.failOnWarnings = props.failOnWarnings === true;
  }

  public async validate(context: ValidationContextLike): Promise<void> {
    // Loaded here, not at the top: every app that imports the library would otherwise load the
    // manifest reader (and js-yaml) at start-up, though only `cdk8s synth`'s validation step reads files.
    const { readManifests } = require('./rules/manifests') as typeof manifests;
    const result = auditInputs(readManifests(context.manifests), { severity: this.severity });
    const groups = new Map<string, Finding[]>();
    for (const f of result.findings) {
      const key = `${f.ruleId} (${f.severity})`;
      const list = groups.get(key);
      if (list) list.push(f);
      else groups.set(key, [f]);
    }
    for (const [ruleName, findings] of groups) {
      const rule = ruleById(findings[0].ruleId)!;
      context.report.addViolation({
        ruleName,
        recommendation: `${rule.title}. ${rule.reason}`,
        fix: rule.fix,
        violatingResources: findings.map((f) => ({
          resourceName: f.object.name,
          manifestPath: f.source?.file ?? '',
          locations: [`${f.path || f.object.kind}: ${f.message}${f.source ? ` (line ${f.source.locate?.(f.pathSegments) ?? f.source.line})` : ''}`],
        })),
      });
    }
    const counts = countBySeverity(result.findings);
    const failed = counts.error > 0 || (this.failOnWarnings && counts.warning > 0);
    context.report.submit(failed ? 'failure' : 'success', {
      objects: String(result.objectCount),
      errors: String(counts.error),
      warnings: String(counts.warning),
      suppressed: String(result.suppressed.length),
    });
  }
}
