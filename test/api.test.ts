/**
 * The public API: what each entry point exports, that the jsii API compiles with jsii (so every
 * cdk8s language can use it), and that docs/API.md is what jsii-docgen makes of it today.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as api from '../src';
import * as audit from '../src/audit';

const { generate, API_MD } = require('../scripts/api-docs');

describe('entry points', () => {
  test('cdk8s-resilient exports the constructs, their value classes and enums, nothing of the planners', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ClaimRetention', 'HealthCheck', 'HelperInjection', 'ImageTools', 'InitKind', 'InitProcess', 'InvalidSetting', 'LifecycleHook',
      'ResilienceProfile', 'ResilienceValidation', 'ResilientConfigError', 'ResilientCronJob', 'ResilientDaemonSet', 'ResilientDeployment',
      'ResilientJob', 'ResilientStatefulSet', 'Rules', 'Severity', 'ShellTool', 'SpreadMode', 'Tolerations',
    ]);
  });

  test('cdk8s-resilient/audit exports the audit engine, its readers and its formatters', () => {
    expect(Object.keys(audit).sort()).toEqual([
      'APP_SHUTDOWN_ANNOTATION', 'Auditor', 'ManifestError', 'RULES', 'SEVERITY_ANNOTATION_PREFIX', 'SHUTDOWN_BUDGET_ANNOTATION',
      'SUPPRESS_ANNOTATION_PREFIX', 'auditInputs', 'auditObjects', 'countBySeverity', 'estimateHookSeconds', 'formatJson', 'formatSarif',
      'formatText', 'formatTimeline', 'isRuleId', 'parseManifests', 'parseShutdownBudget', 'readManifests', 'ruleById', 'shutdownTimelines', 'toSarif',
    ]);
  });

  test('enums carry the strings Kubernetes and the rules read, so manifests do not depend on the language', () => {
    expect({ ...api.Severity }).toEqual({ ERROR: 'error', WARNING: 'warning', OFF: 'off' });
    expect({ ...api.SpreadMode }).toEqual({ PREFERRED: 'preferred', REQUIRED: 'required' });
    expect({ ...api.ClaimRetention }).toEqual({ RETAIN: 'Retain', DELETE: 'Delete' });
    expect({ ...api.ShellTool }).toEqual({ SH: 'sh', SLEEP: 'sleep', CAT: 'cat' });
    expect({ ...api.InitKind }).toEqual({ DUMB_INIT: 'dumb-init', TINI: 'tini', SHARED_PROCESS_NAMESPACE: 'shared-process-namespace', NONE: 'none' });
  });
});

describe('jsii', () => {
  // jsii compiles a copy of the project (about 30 s alone, several times that with both cores busy).
  test('the API compiles with jsii, and docs/API.md is what jsii-docgen makes of it', () => {
    const { jsiiStatus, jsiiOutput, markdown } = generate();
    if (jsiiStatus !== 0) throw new Error(`jsii failed (exit ${jsiiStatus}): the public API is not jsii-compatible\n${jsiiOutput}`);
    expect(jsiiOutput).not.toMatch(/error JSII/);
    const committed = fs.readFileSync(API_MD, 'utf8');
    if (committed !== markdown) {
      throw new Error(`${path.relative(process.cwd(), API_MD)} is out of date: the JSDoc or the API changed. Fix: npm run docs:api`);
    }
  }, 600_000);
});
