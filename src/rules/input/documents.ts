/**
 * What one document of the input holds: its Kubernetes objects (each with where it sits in the
 * document), or a note saying why it is skipped (a Helm or Go template, invalid YAML or JSON, a
 * kustomization, a partial object). A pure function of the document's text, so that documents can
 * be read anywhere (a worker thread reads some of them, see pipeline.ts); the reader turns the
 * places into sources once the results are back in input order.
 */
import * as path from 'path';
import { get, isObject } from '../model';
import { KubeObject } from '../types';
import { jsYaml } from './lazy-modules';
import { FieldPath, jsonLineIndex, yamlLineIndex } from './lines';
import { InputNote, parserReason } from './notes';
import { hasActionAsMapping, isKustomization, isKustomizationFile, kustomizeHint, partialObjectReason, templateVerdict } from './recognise';
import { parseBlockYaml, Unsupported } from './yaml-fast';

export const STDIN = '-';

/** One document's text and where it starts in its source. */
export interface DocumentText {
  readonly text: string;
  readonly firstLine: number;
  /** Byte offset of the document in its source; -1 when it cannot be read again (a reassembled list). */
  readonly byteStart: number;
  /** Known to hold no white space but spaces, tabs and \n (bytes.ts). */
  readonly plainSpace?: boolean;
}

/** What reading a document depends on besides its text. */
export interface DocumentContext {
  readonly file: string;
  readonly json: boolean;
  /** The Helm chart whose templates/ holds the file, if any. */
  readonly chart: string | undefined;
  /** Whether the input holds a kustomization (partial objects may then be its patches). */
  readonly kustomized: boolean;
  /** Read YAML with js-yaml alone: the reference the fast reader is compared with. @default false */
  readonly jsYamlOnly?: boolean;
}

/** An object of a document, with its path in the document and its line when known at once. */
export interface DocumentObject {
  readonly object: KubeObject;
  readonly prefix: FieldPath;
  readonly known: number | undefined;
}

export type DocumentEvent = DocumentObject | { readonly note: InputNote };

export interface DocumentRead {
  readonly events: DocumentEvent[];
  /** Whether the document holds anything but white space and comments. */
  readonly content: boolean;
}

/** Notes after which the rest of the file is not read. */
export function endsFile(note: InputNote): boolean {
  return note.kind === 'helm-template' || note.kind === 'template' || note.kind === 'not-text' || note.kind === 'kustomization';
}

export function readDocument(doc: DocumentText, context: DocumentContext): DocumentRead {
  const events = documentEvents(doc, context);
  return { events, content: events.length > 0 || /^\s*[^\s#]/m.test(doc.text) };
}

/** The note that ends a kustomization: it is kustomize's input, not a manifest. */
function kustomizationNote(file: string, line: number): DocumentEvent[] {
  return [{ note: { kind: 'kustomization', file, line, message: 'kustomization: the input of kustomize build, not a manifest', hint: kustomizeHint(file === STDIN ? undefined : path.dirname(file)) } }];
}

function documentEvents(doc: DocumentText, context: DocumentContext): DocumentEvent[] {
  const { file, json, chart } = context;
  const { text, firstLine } = doc;
  let value: unknown;
  let error: { line?: number; column?: number; reason: string } | undefined;
  const parse = () => {
    if (json) {
      try { value = JSON.parse(text); } catch (e) { error = jsonError(e as Error, text, firstLine); }
    } else {
      try {
        value = context.jsYamlOnly ? jsYaml().load(text, { schema: jsYaml().CORE_SCHEMA }) : parseYaml(text, doc.plainSpace === true);
      } catch (e) {
        error = e instanceof RangeError ? { line: firstLine, reason: 'nested too deeply to read' } : yamlError(e, firstLine);
      }
    }
    return error === undefined;
  };
  let parsed = false;
  if (!json) {
    const template = templateVerdict(text, chart, () => { parsed = true; return parse() && !hasActionAsMapping(value); });
    if (template) return [{ note: { kind: template.kind, file, line: firstContentLine(text, firstLine), message: template.message, hint: template.hint } }];
  }
  if (!parsed) parse();
  if (error) return [{ note: { kind: 'invalid', file, line: error.line, column: error.column, message: `invalid ${json ? 'JSON' : 'YAML'}: ${error.reason}` } }];
  if (value === null || value === undefined) return [];
  // kustomization.yaml often leaves out apiVersion and kind, which kustomize does not require.
  if (typeof value === 'object' && !Array.isArray(value) && isKustomizationFile(file)) return kustomizationNote(file, json ? firstLine : firstContentLine(text, firstLine));
  const events: DocumentEvent[] = [];
  // The line of an object inside a list, for a note: from the text, as a report would find it.
  const lineOf = (prefix: FieldPath, known: number | undefined) => known
    ?? (doc.byteStart >= 0 ? (json ? jsonLineIndex(text, firstLine) : yamlLineIndex(text, firstLine)).locate(prefix) : undefined)
    ?? firstLine;
  for (const { object, prefix } of objectsOf(value)) {
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') continue;
    const known = prefix.length === 0 ? (json ? firstLine : firstContentLine(text, firstLine)) : undefined;
    if (isKustomization(file, object)) {
      return kustomizationNote(file, lineOf(prefix, known));
    }
    const partial = partialObjectReason(object, podSpecOf(object));
    if (partial) {
      const near = context.kustomized ? ' (a kustomize patch?)' : '';
      events.push({ note: { kind: 'partial-object', file, line: lineOf(prefix, known), message: `${partial}: a partial object${near} that cannot be applied as it is`, hint: kustomizeHint() } });
      continue;
    }
    events.push({ object, prefix, known });
  }
  return events;
}

/** The fast block-YAML reader, or js-yaml (core schema) for what it declines; js-yaml's errors. */
function parseYaml(text: string, plainSpace: boolean): unknown {
  try {
    return parseBlockYaml(text, plainSpace);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    return jsYaml().load(text, { schema: jsYaml().CORE_SCHEMA });
  }
}

/** The line of the first thing in a document that is not blank or a comment. */
function firstContentLine(text: string, firstLine: number): number {
  let line = firstLine;
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    const row = text.slice(start, end < 0 ? undefined : end).trim();
    if (row !== '' && !row.startsWith('#')) return line;
    if (end < 0) return firstLine;
    start = end + 1;
    line++;
  }
}

function yamlError(e: unknown, firstLine: number): { line?: number; column?: number; reason: string } {
  const mark = (e as { mark?: { line: number; column: number } }).mark;
  const reason = (e as { reason?: string }).reason ?? (e as Error).message;
  return { line: mark ? firstLine + mark.line : firstLine, column: mark ? mark.column + 1 : undefined, reason: parserReason(reason) };
}

function jsonError(e: Error, text: string, firstLine: number): { line?: number; column?: number; reason: string } {
  // Node's messages quote the input around the problem; the reason keeps only the words before it.
  const reason = parserReason(e.message.replace(/ in JSON at position \d+.*$/s, '').replace(/, (?:\.\.\.)?".*$/s, '').replace(/ \(line \d+ column \d+\)$/, ''));
  const at = /position (\d+)/.exec(e.message);
  if (at) {
    const offset = Number(at[1]);
    let line = firstLine;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) { line++; lineStart = i + 1; }
    return { line, column: offset - lineStart + 1, reason };
  }
  // No position in the message: YAML is a superset of JSON and its parser reports one.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LineCounter, parseDocument } = require('yaml') as typeof import('yaml');
  const pos = parseDocument(text, { lineCounter: new LineCounter() }).errors[0]?.linePos?.[0];
  return { line: pos ? firstLine + pos.line - 1 : firstLine, column: pos?.col, reason };
}

/** Objects in a parsed document: the value itself, the items of an array or of a `kind: List`. */
export function* objectsOf(value: unknown): Generator<{ object: KubeObject; prefix: Array<string | number> }> {
  const stack: Array<{ value: unknown; prefix: Array<string | number> }> = [{ value, prefix: [] }];
  while (stack.length > 0) {
    const { value: v, prefix } = stack.pop()!;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], prefix: [...prefix, i] });
    } else if (isObject(v)) {
      if (typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) {
        for (let i = v.items.length - 1; i >= 0; i--) stack.push({ value: v.items[i], prefix: [...prefix, 'items', i] });
      } else {
        yield { object: v as KubeObject, prefix };
      }
    }
  }
}

/** The pod spec of a workload object, wherever its kind keeps it. */
export function podSpecOf(object: KubeObject): Record<string, any> | undefined {
  switch (object.kind) {
    case 'Pod': return isObject(object.spec) ? object.spec : undefined;
    case 'CronJob': return get(object, ['spec', 'jobTemplate', 'spec', 'template', 'spec']);
    default: return get(object, ['spec', 'template', 'spec']);
  }
}
