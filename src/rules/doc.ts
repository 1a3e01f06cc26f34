/**
 * docs/rules.md, rendered from the rule table. `npm run docs:rules` writes it; a test fails when
 * the file in the repository differs from what the table renders.
 */
import { APP_SHUTDOWN_ANNOTATION, SEVERITY_ANNOTATION_PREFIX, SUPPRESS_ANNOTATION_PREFIX } from './annotations';
import { RULES } from './catalogue';
import { Rule } from './rule';

export function renderRulesMarkdown(rules: readonly Rule[] = RULES): string {
  const out: string[] = [];
  out.push('<!-- Generated from src/rules/catalogue.ts by `npm run docs:rules`. Do not edit by hand. -->');
  out.push('');
  out.push('# Resilience rules');
  out.push('');
  out.push('The same rule table runs in three places:');
  out.push('');
  out.push('- at `cdk8s synth`, for the objects of every Resilient* construct: an error fails the synth with');
  out.push('  `[construct path] rule-id: Kind name: message. Fix: ...`, a warning is printed;');
  out.push('- as a cdk8s validation plugin (`ResilienceValidation`) for any cdk8s or cdk8s-plus app;');
  out.push('- as `npx cdk8s-resilient audit PATH...` for any manifest (text, `--format json`, `sarif` or `junit`;');
  out.push('  a configuration file, exit codes and what is skipped: [audit.md](audit.md)).');
  out.push('');
  out.push('Rules read plain Kubernetes objects. Rules marked *across objects* below also look at the other');
  out.push('objects of the namespace (Services, PodDisruptionBudgets and HorizontalPodAutoscalers are matched');
  out.push('to the workloads they select), so audit a namespace\'s manifests together. Objects owned by a');
  out.push('controller (ownerReferences with `controller: true`) are skipped: their owner is audited.');
  out.push('');
  out.push('## Findings that rest on an assumption');
  out.push('');
  out.push('Some findings need a figure the manifest does not state: how long the app takes to shut down, how');
  out.push('long an HTTP preStop hook takes. Such a finding says what it assumed and is reported as a');
  out.push('**warning**, even when its rule is an error, because the manifest may well be right. It becomes an');
  out.push('error again when the figure is stated: by the pod annotation');
  out.push(`\`${APP_SHUTDOWN_ANNOTATION}: "<seconds>"\`, by the \`resilient.cdk8s.io/shutdown-budget\` annotation the`);
  out.push('library writes, or by `assumptions.appShutdownSeconds` in the audit\'s configuration file.');
  out.push('Placeholders such as `${PORT}` are named by `field-type-invalid` as warnings: the manifest is not');
  out.push('final yet.');
  out.push('');
  out.push('## Exceptions');
  out.push('');
  out.push('An exception lives on the object it concerns, with its reason, so it travels with the manifest:');
  out.push('');
  out.push('```yaml');
  out.push('metadata:');
  out.push('  annotations:');
  out.push(`    ${SUPPRESS_ANNOTATION_PREFIX}replicas-too-few: "single PostgreSQL primary; a standby is managed elsewhere"`);
  out.push(`    ${SEVERITY_ANNOTATION_PREFIX}image-tag-mutable: "warning: dev overlay, CI pins digests"`);
  out.push('```');
  out.push('');
  out.push('Annotations on a workload\'s pod template count too. In a cdk8s app, `Rules.of(construct)` writes');
  out.push('them onto every object below the construct:');
  out.push('');
  out.push('```ts');
  out.push("Rules.of(db).suppress('replicas-too-few', 'single PostgreSQL primary; a standby is managed elsewhere');");
  out.push("Rules.of(chart).setSeverity('image-tag-mutable', Severity.WARNING, 'dev overlay, CI pins digests');");
  out.push('```');
  out.push('');
  out.push('An exception without a reason is not honoured and is itself reported (`rule-override-invalid`).');
  out.push('');
  out.push('## Shutdown estimates');
  out.push('');
  out.push('Manifests do not say how long a preStop hook or the app\'s shutdown takes. The rules estimate:');
  out.push('');
  out.push('- preStop: the `sleep N` calls of an exec hook (sleeps inside shell loops wait for the app to exit');
  out.push('  and count as app shutdown); an httpGet hook counts 5 s; for the main container, the `preStop` figure');
  out.push('  of the library\'s `resilient.cdk8s.io/shutdown-budget` annotation when it is larger;');
  out.push(`- app shutdown: the pod annotation \`${APP_SHUTDOWN_ANNOTATION}: "<seconds>"\`, else the \`app shutdown\``);
  out.push('  figure of `resilient.cdk8s.io/shutdown-budget`, else `assumptions.appShutdownSeconds` of the');
  out.push('  configuration file, else 20 s (the library\'s default for stateless services), assumed.');
  out.push('');
  out.push('Every finding states which figure it used.');
  out.push('');
  out.push('## Rule table');
  out.push('');
  out.push('| id | severity | flags |');
  out.push('|---|---|---|');
  for (const r of rules) out.push(`| [\`${r.id}\`](#${r.id}) | ${r.severity} | ${escapeCell(r.title)} |`);
  const groups: string[] = [];
  for (const r of rules) if (!groups.includes(r.group)) groups.push(r.group);
  for (const group of groups) {
    out.push('');
    out.push(`## ${group}`);
    for (const r of rules.filter((x) => x.group === group)) {
      out.push('');
      out.push(`### ${r.id}`);
      out.push('');
      out.push(`**${r.severity}** · ${r.title}. Checks: ${r.kinds.includes('*') ? 'every object' : r.kinds.join(', ')}${r.crossObject ? ', across objects' : ''}.`);
      out.push('');
      out.push(`Why: ${r.reason}`);
      out.push('');
      out.push(`Fix: ${r.fix}`);
    }
  }
  return out.join('\n') + '\n';
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
