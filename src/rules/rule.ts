/** What one entry of the rule table looks like. */
import { AuditModel, Workload } from './model';
import { KubeObject, Severity, Violation } from './types';

/** What a check is given: one object, its workload view when it runs pods, and the whole model. */
export interface RuleSubject {
  readonly object: KubeObject;
  readonly inputIndex: number;
  /** Set when the object is a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod). */
  readonly workload?: Workload;
  readonly model: AuditModel;
}

export interface Rule {
  /** Stable id: used in output, in suppressions and in docs/rules.md. Never reused for another rule. */
  readonly id: string;
  readonly severity: Severity;
  /** Heading the rule is listed under in the docs. */
  readonly group: string;
  /** One line: what the rule flags. */
  readonly title: string;
  /** Why it matters: what goes wrong in the cluster. */
  readonly reason: string;
  /** The general fix (findings may give a more precise one). */
  readonly fix: string;
  /** Object kinds the check is called for. */
  readonly kinds: readonly string[];
  /** A pure function of the subject: the occurrences of the problem, or none. */
  readonly check: (subject: RuleSubject) => Violation[];
}
