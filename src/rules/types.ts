/**
 * The shapes shared by the rule table, the engine and its outputs. Rules read plain Kubernetes
 * objects (parsed YAML or JSON, or ApiObject.toJson()), never cdk8s constructs, so the same table
 * checks synthesized charts, the cdk8s validation plugin and `cdk8s-resilient audit`.
 */

export type Severity = 'error' | 'warning';

/** A Kubernetes object as plain data. Only `kind` and `metadata.name` are relied upon. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: any;
}

/** Which object a finding is about. */
export interface ObjectRef {
  readonly apiVersion?: string;
  readonly kind: string;
  /** As written in the manifest; undefined when the manifest leaves it to `kubectl -n`. */
  readonly namespace?: string;
  readonly name: string;
}

/** Where an object came from, when it was read from a file. */
export interface SourceRef {
  /** File path as given (or `-` for stdin). */
  readonly file: string;
  /** 1-based line where the object starts. */
  readonly line: number;
  /** 1-based line of a field inside the object, or of its nearest existing parent. */
  locate?(path: ReadonlyArray<string | number>): number | undefined;
}

/** One object to audit, with its origin when known. */
export interface AuditInput {
  readonly object: KubeObject;
  readonly source?: SourceRef;
}

/** What a rule's check reports; the engine adds the rule id, severity and the object. */
export interface Violation {
  /** Field path inside the object, e.g. ['spec', 'template', 'spec', 'containers', 0, 'readinessProbe']. */
  readonly path: ReadonlyArray<string | number>;
  /** What is wrong, with the values involved. */
  readonly message: string;
  /** How to fix this occurrence. @default the rule's general fix */
  readonly fix?: string;
  /**
   * A figure the finding rests on that the manifest does not state (e.g. "an app shutdown of 20s,
   * assumed"). Such a finding is reported as a warning even when its rule is an error, because
   * the manifest may be right; stating the figure (an annotation, or the configuration file)
   * makes it a plain finding again.
   */
  readonly assumption?: string;
}

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly object: ObjectRef;
  /** JSON path of the field, e.g. `spec.template.spec.containers[0].readinessProbe`. */
  readonly path: string;
  readonly pathSegments: ReadonlyArray<string | number>;
  readonly message: string;
  readonly fix: string;
  /** Index of the object in the engine's input. */
  readonly inputIndex: number;
  readonly source?: SourceRef;
  /** Set when an annotation changed the rule's severity for this object. */
  readonly severityReason?: string;
  /** What the finding assumes that the manifest does not state; set when that lowered it to a warning. */
  readonly assumption?: string;
  /** 1-based line of the field (or its nearest existing parent), once the audit has located it. */
  fieldLine?: number;
}

/** A finding that an annotation suppressed, kept for reports (SARIF shows it as suppressed). */
export interface SuppressedFinding extends Omit<Finding, 'severityReason' | 'assumption'> {
  readonly reason: string;
}
