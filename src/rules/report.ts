/**
 * Audit results as text (grouped by object, with colour on request), JSON, and SARIF 2.1.0 for
 * code scanning; JUnit XML is in junit.ts. Pure functions of the result: the CLI only chooses
 * one and prints it.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import { RULES } from './catalogue';
import { countBySeverity } from './engine';
import { formatNote, InputNote, isInputError } from './input/notes';
import { STDIN } from './input/reader';
import { describeRef } from './model';
import { packageVersion, ruleDocUrl, TOOL_NAME } from './package-info';
import { Rule } from './rule';
import { Finding, SourceRef, SuppressedFinding } from './types';

export { packageVersion, ruleDocUrl, TOOL_NAME };

export interface ReportInput {
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
  readonly objectCount: number;
  /** Input the audit skipped, and why. */
  readonly notes?: readonly InputNote[];
}

export function fieldLine(f: { source?: SourceRef; fieldLine?: number; pathSegments: ReadonlyArray<string | number> }): number | undefined {
  if (!f.source) return undefined;
  return f.fieldLine ?? f.source.locate?.(f.pathSegments) ?? f.source.line;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLine(r: ReportInput): string {
  const counts = countBySeverity(r.findings);
  const notes = r.notes ?? [];
  const skipped = notes.length > 0 ? `; ${plural(notes.length, 'input')} skipped${notes.some(isInputError) ? ` (${notes.filter(isInputError).length} unreadable or invalid)` : ''}` : '';
  return `${plural(r.objectCount, 'object')} audited: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${r.suppressed.length} suppressed${skipped}`;
}

/** ANSI styles for text output; all identity without colour. */
export interface Palette {
  readonly error: (s: string) => string;
  readonly warning: (s: string) => string;
  readonly location: (s: string) => string;
  readonly rule: (s: string) => string;
  readonly dim: (s: string) => string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
export const COLOURS: Palette = { error: ansi(31, 39), warning: ansi(33, 39), location: ansi(36, 39), rule: ansi(1, 22), dim: ansi(2, 22) };
export const PLAIN: Palette = { error: (s) => s, warning: (s) => s, location: (s) => s, rule: (s) => s, dim: (s) => s };

/** Findings grouped by object, objects in input order; each with its rule's documentation. */
export function formatText(r: ReportInput, palette: Palette = PLAIN): string {
  return [...textChunks(r, palette)].join('');
}

/** The text report in pieces (one per object), so a large report is never one string. */
export function* textChunks(r: ReportInput, palette: Palette = PLAIN): Generator<string> {
  let lines: string[] = [];
  let group: number | undefined;
  for (const f of r.findings) {
    if (f.inputIndex !== group) {
      if (group !== undefined) {
        lines.push('');
        yield lines.join('\n') + '\n';
        lines = [];
      }
      group = f.inputIndex;
      const where = f.source ? `${palette.location(`${f.source.file}:${f.source.line}`)}  ` : '';
      lines.push(`${where}${describeRef(f.object)}`);
    }
    const line = fieldLine(f);
    const level = f.severity === 'error' ? palette.error(f.severity.padEnd(7)) : palette.warning(f.severity.padEnd(7));
    lines.push(`  ${level} ${palette.rule(f.ruleId)}  ${f.path || '(object)'}${line !== undefined ? ` (line ${line})` : ''}`);
    lines.push(`          ${f.message}`);
    lines.push(`          Fix: ${f.fix}`);
    if (f.assumption) lines.push(`          Assumed: ${f.assumption} (a warning until the manifest or the configuration file states it)`);
    if (f.severityReason) lines.push(`          Severity changed by annotation: ${f.severityReason}`);
    lines.push(palette.dim(`          Docs: ${ruleDocUrl(f.ruleId)}`));
  }
  if (group !== undefined) lines.push('');
  lines.push(summaryLine(r));
  yield lines.join('\n') + '\n';
}

/** JSON.stringify of a skeleton whose placeholder string is replaced by streamed, indented items. */
function streamed(skeleton: unknown, placeholder: string, items: Iterable<unknown>, indent: string): Generator<string> {
  return streamedText(skeleton, placeholder, mapped(items, (item) => JSON.stringify(item, null, 2).replace(/\n/g, `\n${indent}  `)), indent);
}

/** The same with each item already written as indented JSON. */
function* streamedText(skeleton: unknown, placeholder: string, items: Iterable<string>, indent: string): Generator<string> {
  const text = JSON.stringify(skeleton, null, 2);
  const at = text.indexOf(JSON.stringify(placeholder));
  yield text.slice(0, at) + '[';
  let first = true;
  for (const item of items) {
    yield `${first ? '' : ','}\n${indent}  ${item}`;
    first = false;
  }
  yield `${first ? '' : `\n${indent}`}]${text.slice(at + JSON.stringify(placeholder).length)}\n`;
}

function* mapped<T, U>(items: Iterable<T>, f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}

/** Notes on skipped input, one per line, for stderr. */
export function formatNotes(notes: readonly InputNote[], palette: Palette = PLAIN): string {
  return notes.map((n) => (isInputError(n)
    ? `${TOOL_NAME} audit: ${palette.error('error')}: ${formatNote(n)} (skipped)\n`
    : `${TOOL_NAME} audit: ${palette.warning('note')}: ${formatNote(n)}\n`)).join('');
}

function noteJson(n: InputNote) {
  return {
    kind: n.kind, file: n.file, ...(n.line !== undefined ? { line: n.line } : {}), ...(n.column !== undefined ? { column: n.column } : {}),
    message: n.message, ...(n.hint ? { hint: n.hint } : {}), error: isInputError(n),
  };
}

export function formatJson(r: ReportInput): string {
  return [...jsonChunks(r)].join('');
}

const FINDINGS = '\u0000findings';

/** The JSON report in pieces: findings are written one by one. */
export function jsonChunks(r: ReportInput): Generator<string> {
  const counts = countBySeverity(r.findings);
  const notes = r.notes ?? [];
  const location = (f: SuppressedFinding) => (f.source ? { file: f.source.file, line: f.source.line, fieldLine: fieldLine(f) } : {});
  const skeleton = {
    tool: TOOL_NAME,
    version: packageVersion(),
    summary: { objects: r.objectCount, errors: counts.error, warnings: counts.warning, suppressed: r.suppressed.length, skipped: notes.length, invalid: notes.filter(isInputError).length },
    findings: FINDINGS,
    suppressed: r.suppressed.map((f) => ({ ruleId: f.ruleId, object: f.object, path: f.path, message: f.message, reason: f.reason, ...location(f) })),
    skipped: notes.map(noteJson),
  };
  return streamedText(skeleton, FINDINGS, mapped(r.findings, findingJsonWriter()), '  ');
}

/**
 * Writes findings of the JSON report, each as JSON.stringify(item, null, 2) indented by four
 * spaces writes it (genericFindingJson): field by field, in the generic writer's key order,
 * without building the item (most of a large report's time went to the items and the generic
 * JSON.stringify). Findings of one object follow each other and share its ref, whose JSON is
 * kept from the last finding.
 */
export function findingJsonWriter(): (f: Finding) => string {
  let lastRef: unknown;
  let lastRefJson: string | undefined;
  return (f) => {
    const ref = f.object;
    if (ref !== lastRef || lastRefJson === undefined) {
      lastRef = ref;
      lastRefJson = flatObjectJson(ref, '\n        ', '\n      ');
    }
    const source = f.source;
    const body = scalarField('ruleId', f.ruleId) + scalarField('severity', f.severity)
      + (ref === undefined ? '' : lastRefJson === undefined ? NOT_SCALAR : `,\n      "object": ${lastRefJson}`)
      + scalarField('path', f.path) + scalarField('message', f.message) + scalarField('fix', f.fix)
      + (source ? scalarField('file', source.file) + scalarField('line', source.line) + scalarField('fieldLine', fieldLine(f)) : '')
      + (f.assumption ? scalarField('assumption', f.assumption) : '')
      + (f.severityReason ? scalarField('severityReason', f.severityReason) : '')
      + scalarField('docs', ruleDocUrl(f.ruleId));
    // A value this writer does not take (not a string, number or boolean): the generic writer.
    if (body.includes(NOT_SCALAR)) return genericFindingJson(f);
    return body === '' ? '{}' : `{${body.slice(1)}\n    }`;
  };
}

/** Marks a value left to the generic writer: JSON.stringify escapes NUL, so none is in its output. */
const NOT_SCALAR = '\u0000';

/** `,\n      "key": value` for a string, number or boolean; '' for undefined (left out, as JSON.stringify does). */
function scalarField(key: string, value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return NOT_SCALAR;
  return `,\n      "${key}": ${JSON.stringify(value)}`;
}

/** The generic writer that findingJson must equal. */
export function genericFindingJson(f: Finding): string {
  const item = {
    ruleId: f.ruleId, severity: f.severity, object: f.object, path: f.path, message: f.message, fix: f.fix,
    ...(f.source ? { file: f.source.file, line: f.source.line, fieldLine: fieldLine(f) } : {}),
    ...(f.assumption ? { assumption: f.assumption } : {}),
    ...(f.severityReason ? { severityReason: f.severityReason } : {}),
    docs: ruleDocUrl(f.ruleId),
  };
  return JSON.stringify(item, null, 2).replace(/\n/g, '\n    ');
}

/** JSON of an object of strings and numbers, one key per line; undefined for anything else. */
function flatObjectJson(value: unknown, indent: string, closing: string): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  let out = '';
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
    out += `${out === '' ? '' : ','}${indent}${JSON.stringify(key)}: ${JSON.stringify(v)}`;
  }
  return out === '' ? '{}' : `{${out}${closing}}`;
}

/** SARIF 2.1.0: the whole rule table as tool.driver.rules, findings (and suppressed ones) as results, skipped input as notifications. */
export function toSarif(r: ReportInput, cwd = process.cwd()): Record<string, unknown> {
  const { skeleton, results } = sarifParts(r, cwd);
  const run = (skeleton.runs as Array<Record<string, unknown>>)[0];
  return { ...skeleton, runs: [{ ...run, results: [...results] }] };
}

const RESULTS = '\u0000results';

/** The SARIF log in pieces: results are written one by one. */
export function sarifChunks(r: ReportInput, cwd = process.cwd()): Generator<string> {
  const { skeleton, results } = sarifParts(r, cwd);
  return streamed(skeleton, RESULTS, results, '      ');
}

function sarifParts(r: ReportInput, cwd: string): { skeleton: Record<string, unknown>; results: Iterable<unknown> } {
  const ruleIndex = new Map(RULES.map((rule, i) => [rule.id, i]));
  const result = (f: Finding | SuppressedFinding, suppression?: string) => ({
    ruleId: f.ruleId,
    ruleIndex: ruleIndex.get(f.ruleId),
    level: f.severity,
    message: { text: `${describeRef(f.object)}: ${f.message}${'assumption' in f && f.assumption ? ` (assumed: ${f.assumption})` : ''}. Fix: ${f.fix}` },
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
    ...('assumption' in f && f.assumption ? { properties: { assumption: f.assumption } } : {}),
    ...(suppression !== undefined ? { suppressions: [{ kind: 'inSource', justification: suppression }] } : {}),
  });
  const notes = r.notes ?? [];
  function* results() {
    for (const f of r.findings) yield result(f);
    for (const f of r.suppressed) yield result(f, f.reason);
  }
  const skeleton = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: TOOL_NAME,
          version: packageVersion(),
          informationUri: ruleDocUrl(),
          rules: RULES.map(sarifRule),
        },
      },
      invocations: [{
        executionSuccessful: true,
        toolExecutionNotifications: notes.map((n) => ({
          level: isInputError(n) ? 'error' : 'note',
          message: { text: `${n.message}${n.hint ? `. ${n.hint}` : ''}` },
          descriptor: { id: n.kind },
          locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(n.file, cwd) }, ...(n.line !== undefined ? { region: { startLine: n.line, ...(n.column !== undefined ? { startColumn: n.column } : {}) } } : {}) } }],
        })),
      }],
      results: RESULTS,
    }],
  };
  return { skeleton, results: results() };
}

export function formatSarif(r: ReportInput, cwd = process.cwd()): string {
  return [...sarifChunks(r, cwd)].join('');
}

function sarifRule(rule: Rule) {
  return {
    id: rule.id,
    name: rule.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.reason },
    helpUri: ruleDocUrl(rule.id),
    help: { text: `${rule.reason}\n\nFix: ${rule.fix}\n\nDocs: ${ruleDocUrl(rule.id)}`, markdown: `**Why:** ${rule.reason}\n\n**Fix:** ${rule.fix}\n\n[Documentation](${ruleDocUrl(rule.id)})` },
    defaultConfiguration: { level: rule.severity, enabled: true },
    properties: { tags: ['kubernetes', 'resilience', rule.group], group: rule.group, kinds: rule.kinds, crossObject: rule.crossObject === true },
  };
}

export function artifactUri(file: string, cwd: string): string {
  if (file === STDIN) return 'stdin';
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  if (relative && !relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).map(encodeURIComponent).join('/');
  return pathToFileURL(absolute).href;
}
