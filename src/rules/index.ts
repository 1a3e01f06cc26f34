/** Public API of the resilience rules. */
export * from './types';
export * from './rule';
export { RULES, ruleById, isRuleId } from './catalogue';
export { Auditor, auditObjects, auditInputs, countBySeverity, shutdownTimelines } from './engine';
export type { AuditOptions, AuditResult } from './engine';
export { APP_SHUTDOWN_ANNOTATION, SUPPRESS_ANNOTATION_PREFIX, SEVERITY_ANNOTATION_PREFIX } from './annotations';
export { readManifests, parseManifests, ManifestError } from './manifests';
export { formatText, formatJson, formatSarif, toSarif } from './report';
export { formatTimeline } from './timeline';
export type { WorkloadTimeline, ContainerTimeline, TimelineEvent } from './timeline';
export { estimateHookSeconds, parseShutdownBudget } from './shutdown-model';
export type { HookEstimate } from './shutdown-model';
export { Rules, attachResilienceRules } from './synth';
