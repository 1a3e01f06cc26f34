/**
 * Audit results as text (grouped by object), JSON, and SARIF 2.1.0 for code scanning. Pure
 * functions of the result: the CLI only chooses one and prints it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { RULES } from './catalogue';
import { countBySeverity } from './engine';
import { describeRef } from './model';
import { Rule } from './rule';
import { STDIN } from './manifests';
import { Finding, SourceRef, SuppressedFinding } from './types';

export const TOOL_NAME = 'cdk8s-resilient';

export interface ReportInput {
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
  readonly objectCount: number;
}

function fieldLine(f: { source?: SourceRef; pathSegments: ReadonlyArray<string | number> }): number | undefined {
  if (!f.source) return undefined;
  return f.source.locate?.(f.pathSegments) ?? f.source.line;
}

function summaryLine(r: ReportInput): string {
  const counts = countBySeverity(r.findings);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(r.objectCount, 'object')} audited: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${r.suppressed.length} suppressed`;
}

/** Findings grouped by object, objects in input order. */
export function formatText(r: ReportInput): string {
  const groups = new Map<number, Finding[]>();
  for (const f of r.findings) {
    const list = groups.get(f.inputIndex);
    if (list) list.push(f);
    else groups.set(f.inputIndex, [f]);
  }
  const lines: string[] = [];
  for (const findings of groups.values()) {
    const first = findings[0];
    const where = first.source ? `${first.source.file}:${first.source.line}  ` : '';
    lines.push(`${where}${describeRef(first.object)}`);
    for (const f of findings) {
      const line = fieldLine(f);
      lines.push(`  ${f.severity.padEnd(7)} ${f.ruleId}  ${f.path || '(object)'}${line !== undefined ? ` (line ${line})` : ''}`);
      lines.push(`          ${f.message}`);
      lines.push(`          Fix: ${f.fix}`);
      if (f.severityReason) lines.push(`          Severity changed by annotation: ${f.severityReason}`);
    }
    lines.push('');
  }
  lines.push(summaryLine(r));
  return lines.join('\n') + '\n';
}

export function formatJson(r: ReportInput): string {
  const counts = countBySeverity(r.findings);
  const location = (f: Finding | SuppressedFinding) => (f.source ? { file: f.source.file, line: f.source.line, fieldLine: fieldLine(f) } : {});
  return JSON.stringify({
    tool: TOOL_NAME,
    version: packageVersion(),
    summary: { objects: r.objectCount, errors: counts.error, warnings: counts.warning, suppressed: r.suppressed.length },
    findings: r.findings.map((f) => ({
      ruleId: f.ruleId, severity: f.severity, object: f.object, path: f.path, message: f.message, fix: f.fix,
      ...location(f),
      ...(f.severityReason ? { severityReason: f.severityReason } : {}),
    })),
    suppressed: r.suppressed.map((f) => ({ ruleId: f.ruleId, object: f.object, path: f.path, message: f.message, reason: f.reason, ...location(f) })),
  }, null, 2) + '\n';
}

/** SARIF 2.1.0: the whole rule table as tool.driver.rules, findings (and suppressed ones) as results. */
export function toSarif(r: ReportInput, cwd = process.cwd()): Record<string, unknown> {
  const ruleIndex = new Map(RULES.map((rule, i) => [rule.id, i]));
  const result = (f: Finding | SuppressedFinding, suppression?: string) => ({
    ruleId: f.ruleId,
    ruleIndex: ruleIndex.get(f.ruleId),
    level: f.severity,
    message: { text: `${describeRef(f.object)}: ${f.message}. Fix: ${f.fix}` },
    locations: [{
      ...(f.source ? {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(f.source.file, cwd) },
          region: { startLine: fieldLine(f) ?? f.source.line },
        },
      } : {}),
      logicalLocations: [{ name: f.object.name, fullyQualifiedName: `${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name}/${f.path}`, kind: 'resource' }],
    }],
    partialFingerprints: { objectField: `${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name}/${f.path}` },
    ...(suppression !== undefined ? { suppressions: [{ kind: 'inSource', justification: suppression }] } : {}),
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: TOOL_NAME,
          version: packageVersion(),
          rules: RULES.map(sarifRule),
        },
      },
      results: [...r.findings.map((f) => result(f)), ...r.suppressed.map((f) => result(f, f.reason))],
    }],
  };
}

export function formatSarif(r: ReportInput, cwd = process.cwd()): string {
  return JSON.stringify(toSarif(r, cwd), null, 2) + '\n';
}

function sarifRule(rule: Rule) {
  return {
    id: rule.id,
    name: rule.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.reason },
    help: { text: `Fix: ${rule.fix}`, markdown: `**Why:** ${rule.reason}\n\n**Fix:** ${rule.fix}` },
    defaultConfiguration: { level: rule.severity },
    properties: { tags: ['kubernetes', 'resilience', rule.group] },
  };
}

function artifactUri(file: string, cwd: string): string {
  if (file === STDIN) return 'stdin';
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  if (relative && !relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).map(encodeURIComponent).join('/');
  return pathToFileURL(absolute).href;
}

let version: string | undefined;

/** This package's version, from the package.json above the compiled (or source) file. */
export function packageVersion(): string {
  if (version) return version;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    try {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8'));
      if (pkg.name === TOOL_NAME) return (version = String(pkg.version));
    } catch {
      // not here: keep looking upwards
    }
    if (path.dirname(dir) === dir) return (version = '0.0.0');
  }
}
