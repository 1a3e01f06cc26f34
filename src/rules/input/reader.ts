/**
 * Reads everything an audit is given, one document at a time: files, directories and stdin, YAML
 * streams, JSON values, arrays and lists. Yields each Kubernetes object with its source, and a
 * note for everything it skips (a file it cannot read, a document it cannot parse, a Helm
 * template, a kustomize patch, YAML without a Kubernetes object). One bad file never stops the
 * others.
 */
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { get, isObject } from '../model';
import { KubeObject, SourceRef } from '../types';
import { ByteSource, fileSource, jsonDocuments, open, RawDocument, stdinSource, textSource, yamlDocuments } from './bytes';
import { describeFsError, listFiles } from './files';
import { parseBlockYaml, Unsupported } from './yaml-fast';
import { bufferStore, DocumentPlace, fileStore, Rereadable, sourceAt, spooled } from './locate';
import { InputNote, isInputError, parserReason } from './notes';
import {
  hasActionAsMapping, helmChartOf, isKustomization, kustomizeHint, kustomizeInputs, notKubernetesNote, partialObjectReason, templateVerdict,
} from './recognise';

export const STDIN = '-';

type Kustomized = Map<string, { use: string; dir: string }>;

export interface ReadOptions {
  /** The text of stdin, instead of reading file descriptor 0 (for tests and embedding). */
  readonly stdinText?: string;
  /** Paths the configuration ignores. */
  readonly ignored?: (file: string) => boolean;
}

export type InputEvent =
  | { readonly object: KubeObject; readonly source: SourceRef }
  | { readonly note: InputNote };

/** How much of the input could be read: an audit that read nothing fails as bad input. */
export interface ReadStats {
  /** Files (and stdin) opened and read, whatever they held. */
  filesRead: number;
  /** Files that could not be opened or read, or were not text. */
  filesUnreadable: number;
  /** Files that gave an object, or were recognised (empty, a template, a patch...): not only errors. */
  filesUsable: number;
}

export class InputReader {
  public readonly stats: ReadStats = { filesRead: 0, filesUnreadable: 0, filesUsable: 0 };
  private readonly stores: Rereadable[] = [];
  private readonly chartCache = new Map<string, string | undefined>();

  constructor(private readonly paths: readonly string[], private readonly options: ReadOptions = {}) {}

  /** Objects and notes in input order, all at once (for small inputs; the audit uses read()). */
  public events(): InputEvent[] {
    const all: InputEvent[] = [];
    this.read((event) => all.push(event));
    return all;
  }

  /** Hands each object and note to `visit`, in input order, as it is read. */
  public read(visit: (event: InputEvent) => void): void {
    // Every path is listed first, so that a kustomization anywhere in the input marks its patches.
    const lists = this.paths.map((p) => (p === STDIN ? undefined : listFiles([p], this.options.ignored)));
    const kustomize = kustomizeInputs(lists.flatMap((l) => l?.directories ?? []), lists.flatMap((l) => l?.files ?? []));
    for (const listed of lists) {
      if (!listed) {
        this.readStdin(visit);
        continue;
      }
      for (const note of listed.notes) {
        if (note.kind === 'unreadable') this.stats.filesUnreadable++;
        visit({ note });
      }
      for (const file of listed.files) this.readFile(file, kustomize, visit);
    }
  }

  /** Lets go of spooled stdin and open files; source lines are unknown afterwards. */
  public dispose(): void {
    for (const store of this.stores) store.dispose();
    this.stores.length = 0;
  }

  private readStdin(visit: (event: InputEvent) => void): void {
    if (this.options.stdinText !== undefined) {
      const bytes = Buffer.from(this.options.stdinText, 'utf8');
      const store = bufferStore(bytes);
      this.readSource(STDIN, textSource(this.options.stdinText), store, new Map() as Kustomized, visit);
      return;
    }
    const { source, store } = spooled(stdinSource());
    this.stores.push(store);
    this.readSource(STDIN, source, store, new Map(), visit);
  }

  private readFile(file: string, kustomize: Kustomized, visit: (event: InputEvent) => void): void {
    const input = kustomize.get(path.resolve(file));
    if (input) {
      this.stats.filesRead++;
      this.stats.filesUsable++;
      visit({ note: { kind: 'kustomize-input', file, message: `${input.use}, not a manifest on its own`, hint: kustomizeHint(input.dir) } });
      return;
    }
    let source: ByteSource;
    try {
      source = fileSource(file);
    } catch (e) {
      this.stats.filesUnreadable++;
      visit({ note: { kind: 'unreadable', file, message: `cannot be read: ${describeFsError(e)}` } });
      return;
    }
    const store = fileStore(file);
    this.stores.push(store);
    this.readSource(file, source, store, kustomize, visit);
  }

  private readSource(file: string, source: ByteSource, store: Rereadable, kustomize: Kustomized, visit: (event: InputEvent) => void): void {
    try {
      let opening;
      try {
        opening = open(source);
      } catch (e) {
        this.stats.filesUnreadable++;
        visit({ note: { kind: 'unreadable', file, message: `cannot be read: ${describeFsError(e)}` } });
        return;
      }
      if (opening.notText) {
        this.stats.filesUnreadable++;
        visit({ note: { kind: 'not-text', file, message: opening.notText } });
        return;
      }
      this.stats.filesRead++;
      if (opening.blank) {
        this.stats.filesUsable++;
        visit({ note: { kind: 'empty', file, message: 'is empty' } });
        return;
      }
      const json = /\.json$/i.test(file) || ((opening.firstChar === '{' || opening.firstChar === '[') && !/\.ya?ml$/i.test(file));
      const documents = json ? jsonDocuments(source, opening) : yamlDocuments(source, opening);
      const chart = file === STDIN ? undefined : helmChartOf(file, this.chartCache);
      let objects = 0;
      let notes = 0;
      let content = false;
      let usable = false;
      for (const raw of documents) {
        const events = this.readDocument(file, raw, json, chart, store, kustomize);
        for (const event of events) {
          if ('object' in event) objects++;
          else notes++;
          if (!usable && ('object' in event || !isInputError(event.note))) { usable = true; this.stats.filesUsable++; }
          visit(event);
          if ('note' in event && (event.note.kind === 'helm-template' || event.note.kind === 'template' || event.note.kind === 'not-text' || event.note.kind === 'kustomization')) return;
        }
        content ||= events.length > 0 || ('text' in raw && /^\s*[^\s#]/m.test(raw.text));
      }
      if (objects === 0 && notes === 0) {
        this.stats.filesUsable++;
        visit({ note: content ? notKubernetesNote(file, this.chartCache) : { kind: 'empty', file, message: 'holds no document (only comments or whitespace)' } });
      }
    } finally {
      source.close();
    }
  }

  private readDocument(file: string, raw: RawDocument, json: boolean, chart: string | undefined, store: Rereadable, kustomize: Kustomized): InputEvent[] {
    if ('notText' in raw) return [{ note: { kind: 'not-text', file, line: raw.firstLine, message: `from line ${raw.firstLine} on, the file ${raw.notText}` } }];
    const { text, firstLine } = raw;
    let value: unknown;
    let error: { line?: number; column?: number; reason: string } | undefined;
    const parse = () => {
      if (json) {
        try { value = JSON.parse(text); } catch (e) { error = jsonError(e as Error, text, firstLine); }
      } else {
        try {
          value = parseYaml(text);
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
    const place = new DocumentPlace(store, raw.byteStart, raw.byteEnd, firstLine, json);
    const events: InputEvent[] = [];
    for (const { object, prefix } of objectsOf(value)) {
      if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') continue;
      const known = prefix.length === 0 ? (json ? firstLine : firstContentLine(text, firstLine)) : undefined;
      const source = sourceAt(file, place, prefix, known);
      if (isKustomization(file, object)) {
        return [{ note: { kind: 'kustomization', file, line: source.line, message: 'kustomization: the input of kustomize build, not a manifest', hint: kustomizeHint(file === STDIN ? undefined : path.dirname(file)) } }];
      }
      const partial = partialObjectReason(object, podSpecOf(object));
      if (partial) {
        const near = kustomize.size > 0 ? ' (a kustomize patch?)' : '';
        events.push({ note: { kind: 'partial-object', file, line: source.line, message: `${partial}: a partial object${near} that cannot be applied as it is`, hint: kustomizeHint() } });
        continue;
      }
      events.push({ object, source });
    }
    return events;
  }
}

/** The fast block-YAML reader, or js-yaml (core schema) for what it declines; js-yaml's errors. */
function parseYaml(text: string): unknown {
  try {
    return parseBlockYaml(text);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    return jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
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
