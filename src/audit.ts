/**
 * The audit engine, for TypeScript and JavaScript: `import { auditObjects } from 'cdk8s-resilient/audit'`.
 * It reads plain Kubernetes objects or manifest files and returns findings; the
 * `cdk8s-resilient audit` command and the cdk8s validation plugin are built on it. Other languages
 * run the command instead. Not part of the jsii API (nothing here is reachable from index.ts).
 */
export { Auditor, auditObjects, auditInputs, countBySeverity, shutdownTimelines } from './rules/engine';
export type { AuditOptions, AuditResult } from './rules/engine';
export { RULES, ruleById, isRuleId } from './rules/catalogue';
export type { Rule, Assumptions, RuleSubject } from './rules/rule';
export type { Severity as FindingSeverity, KubeObject, ObjectRef, SourceRef, AuditInput, Violation, Finding, SuppressedFinding } from './rules/types';
export { readManifests, parseManifests, ManifestError } from './rules/manifests';
export { formatText, formatJson, formatSarif, toSarif } from './rules/report';
export { formatTimeline } from './rules/timeline';
export type { WorkloadTimeline, ContainerTimeline, TimelineEvent } from './rules/timeline';
export { estimateHookSeconds, parseShutdownBudget } from './rules/shutdown-model';
export type { HookEstimate } from './rules/shutdown-model';
export { APP_SHUTDOWN_ANNOTATION, SUPPRESS_ANNOTATION_PREFIX, SEVERITY_ANNOTATION_PREFIX } from './rules/annotations';
export { SHUTDOWN_BUDGET_ANNOTATION } from './concerns/annotations';
