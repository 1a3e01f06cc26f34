/**
 * Reads manifests for an audit: files, directories (recursively: *.yaml, *.yml, *.json) and stdin;
 * multi-document YAML, JSON objects and arrays, and `kind: List`. Every object keeps its file and
 * line, and can locate the line of any field for reports. Parse errors carry file and line.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument } from 'yaml';
import { isObject } from './model';
import { AuditInput, KubeObject, SourceRef } from './types';

/** Input that cannot be read or parsed. */
export class ManifestError extends Error {
  constructor(public readonly file: string, public readonly line: number | undefined, public readonly column: number | undefined, public readonly problem: string) {
    super(`${file}${line !== undefined ? `:${line}${column !== undefined ? `:${column}` : ''}` : ''}: ${problem}`);
    this.name = 'ManifestError';
  }
}

export const STDIN = '-';
const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Reads every path (`-` is stdin) into audit inputs, in the order given; directories sorted by name. */
export function readManifests(paths: readonly string[], readStdin: () => string = () => fs.readFileSync(0, 'utf8')): AuditInput[] {
  const inputs: AuditInput[] = [];
  for (const p of paths) {
    if (p === STDIN) {
      inputs.push(...parseManifests(readStdin(), STDIN));
      continue;
    }
    for (const file of manifestFiles(p)) {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw new ManifestError(file, undefined, undefined, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      inputs.push(...parseManifests(text, file));
    }
  }
  return inputs;
}

/** The manifest files under a path: the path itself if it is a file. */
export function manifestFiles(p: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch (e) {
    throw new ManifestError(p, undefined, undefined, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!stat.isDirectory()) return [p];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (MANIFEST_FILE.test(entry.name)) files.push(full);
    }
  };
  walk(p);
  return files;
}

/** Parses one file's text: JSON when the file says so or the text starts with `{` or `[`, else YAML. */
export function parseManifests(text: string, file: string): AuditInput[] {
  const firstChar = /\S/.exec(text)?.[0];
  const json = /\.json$/i.test(file) || ((firstChar === '{' || firstChar === '[') && !/\.ya?ml$/i.test(file));
  return json ? parseJson(text, file) : parseYaml(text, file);
}

/**
 * YAML is read in two speeds. The values come from js-yaml (core schema: no dates or other
 * surprises), one document at a time, which is several times faster than a parse that keeps
 * positions. Positions are only needed for objects with findings, so each document is parsed
 * again by \`yaml\`, with line numbers, the first time a report asks for one of its lines. Any
 * document js-yaml refuses is parsed by \`yaml\` to get the exact message and position.
 */
function parseYaml(text: string, file: string): AuditInput[] {
  const inputs: AuditInput[] = [];
  for (const chunk of splitDocuments(text)) {
    let value: unknown;
    try {
      value = jsyaml.load(chunk.text, { schema: jsyaml.CORE_SCHEMA, filename: file });
    } catch {
      return parseYamlWithPositions(text, file);
    }
    let located: { doc: Document; lc: LineCounter } | undefined;
    const lineOf = (p: ReadonlyArray<string | number>) => {
      if (!located) {
        const lc = new LineCounter();
        located = { doc: parseDocument(chunk.text, { lineCounter: lc }), lc };
      }
      const line = lineOfPath(located.doc, located.lc, p);
      return line === undefined ? undefined : line + chunk.firstLine - 1;
    };
    inputs.push(...objectsOf(value, [], (prefix) => ({
      file,
      get line() { return lineOf(prefix) ?? chunk.firstLine; },
      locate: (p: ReadonlyArray<string | number>) => lineOf([...prefix, ...p]),
    } as SourceRef)));
  }
  return inputs;
}

/** The documents of a YAML stream, split at `---` lines, with the line each one starts on. */
function splitDocuments(text: string): Array<{ text: string; firstLine: number }> {
  const chunks: Array<{ text: string; firstLine: number }> = [];
  const lines = text.split('\n');
  let start = 0;
  const flush = (end: number) => {
    const body = lines.slice(start, end).join('\n');
    if (/^\s*[^\s#]/m.test(body)) chunks.push({ text: body, firstLine: start + 1 });
  };
  for (let i = 0; i < lines.length; i++) {
    if (/^---(\s|$)/.test(lines[i]) || /^\.\.\.(\s|$)/.test(lines[i])) {
      flush(i);
      // Content after `--- ` on the marker line belongs to the next document.
      lines[i] = lines[i].startsWith('---') ? lines[i].slice(3) : '';
      start = i;
    }
  }
  flush(lines.length);
  return chunks;
}

function parseYamlWithPositions(text: string, file: string): AuditInput[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const inputs: AuditInput[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      throw new ManifestError(file, pos?.line, pos?.col, `invalid YAML: ${firstLine(error.message)}`);
    }
    const value = doc.toJS({ maxAliasCount: 1000 });
    inputs.push(...objectsOf(value, [], (prefix) => sourceIn(doc, lineCounter, file, prefix)));
  }
  return inputs;
}

function parseJson(text: string, file: string): AuditInput[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // YAML is a superset of JSON and its parser reports positions.
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc });
    const pos = doc.errors[0]?.linePos?.[0];
    const at = /position (\d+)/.exec((e as Error).message);
    const line = pos?.line ?? (at ? lc.linePos(Number(at[1])).line : undefined);
    throw new ManifestError(file, line, pos?.col, `invalid JSON: ${firstLine((e as Error).message)}`);
  }
  // Positions are only needed for findings: the text is parsed again, once, when one asks.
  let located: { doc: Document; lc: LineCounter } | undefined;
  const lazy = () => {
    if (!located) {
      const lc = new LineCounter();
      located = { doc: parseDocument(text, { lineCounter: lc }), lc };
    }
    return located;
  };
  return objectsOf(value, [], (prefix) => {
    const lineOf = (p: ReadonlyArray<string | number>) => {
      const { doc, lc } = lazy();
      return lineOfPath(doc, lc, [...prefix, ...p]);
    };
    return {
      file,
      get line() { return lineOf([]) ?? 1; },
      locate: lineOf,
    } as SourceRef;
  });
}

/** Objects in a parsed document: the value itself, the items of an array or of a `kind: List`. */
function objectsOf(value: unknown, prefix: Array<string | number>, source: (prefix: Array<string | number>) => SourceRef): AuditInput[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => objectsOf(item, [...prefix, i], source));
  if (!isObject(value)) return [];
  if (value.kind === 'List' && Array.isArray(value.items)) return value.items.flatMap((item: unknown, i: number) => objectsOf(item, [...prefix, 'items', i], source));
  return [{ object: value as KubeObject, source: source(prefix) }];
}

function sourceIn(doc: Document, lc: LineCounter, file: string, prefix: ReadonlyArray<string | number>): SourceRef {
  const line = lineOfPath(doc, lc, prefix) ?? 1;
  return { file, line, locate: (p) => lineOfPath(doc, lc, [...prefix, ...p]) };
}

/** Line of the deepest node along `path` that exists (the key's line for map entries). */
function lineOfPath(doc: Document, lc: LineCounter, p: ReadonlyArray<string | number>): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const segment of p) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && (isScalar(item.key) ? item.key.value : item.key) === segment);
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lc.linePos(offset).line;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : undefined;
}

/** The first line of a parser message, without the position the report already gives. */
function firstLine(message: string): string {
  return message.split('\n')[0].replace(/\s+at line \d+, column \d+:?\s*$/, '');
}
