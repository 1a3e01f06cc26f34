/** What one entry of the rule table looks like. */
import { AuditModel } from './links';
import { Workload } from './model';
import { KubeObject, Severity, Violation } from './types';

/**
 * Figures the manifests do not state, which some rules need. A figure given here (in the
 * configuration file) counts as stated: findings that rest on it keep their rule's severity.
 */
export interface Assumptions {
  /** Seconds an app needs after SIGTERM to finish its work and exit. @default 20, assumed */
  readonly appShutdownSeconds?: number;
}

/** What a check is given: one object, its workload view when it runs pods, and the whole model. */
export interface RuleSubject {
  readonly object: KubeObject;
  readonly inputIndex: number;
  /** Set when the object is a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod). */
  readonly workload?: Workload;
  /**
   * Links between objects: complete for cross-object rules; empty (no links) for the others,
   * which run while the input streams past.
   */
  readonly model: AuditModel;
  readonly assumptions: Assumptions;
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
  /**
   * True when the check reads links to other objects (Services, budgets and autoscalers of a
   * workload, or the workloads a Service selects). Such checks run once every object has been
   * read, on compact views that keep only the fields listed in compact.ts; the others run on
   * each whole object as it is read.
   */
  readonly crossObject?: boolean;
  /** A pure function of the subject: the occurrences of the problem, or none. */
  readonly check: (subject: RuleSubject) => Violation[];
}
