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
  out.push('- as `npx cdk8s-resilient audit PATH...` for any manifest (text, `--format json`, `--format sarif`;');
  out.push('  exit 1 on errors, 2 on unreadable input; `--explain` prints each workload\'s shutdown timeline).');
  out.push('');
  out.push('Rules read plain Kubernetes objects and look across the objects of one namespace (Services,');
  out.push('PodDisruptionBudgets and HorizontalPodAutoscalers are matched to the workloads they select), so');
  out.push('audit a namespace\'s manifests together. Objects owned by a controller (ownerReferences with');
  out.push('`controller: true`) are skipped: their owner is audited.');
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
  out.push("Rules.of(chart).setSeverity('image-tag-mutable', 'warning', 'dev overlay, CI pins digests');");
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
  out.push('  figure of `resilient.cdk8s.io/shutdown-budget`, else 20 s (the library\'s default for stateless services).');
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
      out.push(`**${r.severity}** · ${r.title}. Checks: ${r.kinds.includes('*') ? 'every object' : r.kinds.join(', ')}.`);
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
