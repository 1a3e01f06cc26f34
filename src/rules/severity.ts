/**
 * The severity a user gives a rule (Rules.setSeverity, a profile's ruleSeverities). The audit
 * engine's findings carry the plain strings 'error' and 'warning' (rules/types.ts); the values
 * here are those strings, so either reads the other.
 */
export enum Severity {
  /** Findings fail `cdk8s synth` and `cdk8s-resilient audit`. */
  ERROR = 'error',
  /** Findings are reported and do not fail anything. */
  WARNING = 'warning',
  /** The rule is suppressed: no findings (the reason is kept in the manifest). */
  OFF = 'off',
}
