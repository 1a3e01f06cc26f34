/**
 * Line numbers of the fields of one document, for reports. Values are parsed elsewhere (the block
 * reader, js-yaml and JSON.parse keep no positions); a report that needs lines reads the document's
 * text again and scans it once for all the fields it asks about (yaml-lines.ts for YAML, below for
 * JSON). YAML the scan cannot follow is left to the `yaml` parser, which keeps positions but is
 * slower.
 */
import type { Document, LineCounter } from 'yaml';
import { FieldPath, PathTrie } from './path-trie';
import { scanYamlLines } from './yaml-lines';

export type { FieldPath };
export { PathTrie };

/** The `yaml` library, loaded only when a document needs it (it is large, and rarely needed). */
function yamlLibrary(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml');
}

export interface LineIndex {
  /** Line of the deepest field along `path` that exists (the key's line for map entries). */
  locate(path: FieldPath): number | undefined;
}

/**
 * The lines of the fields in `wanted` (a document read once for all of them): `locate` answers
 * for those paths and their prefixes.
 */
export function fieldLines(text: string, firstLine: number, json: boolean, wanted: PathTrie): LineIndex {
  return scanned(text, firstLine, json, wanted, false);
}

/** The line index of every key and item of a YAML document starting at `firstLine`. */
export function yamlLineIndex(text: string, firstLine: number): LineIndex {
  return scanned(text, firstLine, false, new PathTrie(), true);
}

/** The line index of every key and item of a JSON document starting at `firstLine`. */
export function jsonLineIndex(text: string, firstLine: number): LineIndex {
  return scanned(text, firstLine, true, new PathTrie(), true);
}

function scanned(text: string, firstLine: number, json: boolean, root: PathTrie, grow: boolean): LineIndex {
  const rootLine = json ? scanJsonLines(text, firstLine, root, grow) : scanYamlLines(text, firstLine, root, grow);
  if (rootLine === null) return yamlParserIndex(text, firstLine);
  return { locate: (path) => root.lineOf(path, rootLine) };
}

/** Positions from the `yaml` parser, for YAML the scan cannot follow. */
function yamlParserIndex(text: string, firstLine: number): LineIndex {
  const { LineCounter: Counter, parseDocument } = yamlLibrary();
  const lc = new Counter();
  const doc = parseDocument(text, { lineCounter: lc });
  return { locate: (path) => lineOfPath(doc, lc, path, firstLine) };
}

function lineOfPath(doc: Document, lc: LineCounter, path: FieldPath, firstLine: number): number | undefined {
  const { isMap, isPair, isScalar, isSeq } = yamlLibrary();
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item: unknown) => isPair(item) && (isScalar(item.key) ? item.key.value : item.key) === segment);
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
  return offset === undefined ? undefined : lc.linePos(offset).line + firstLine - 1;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : undefined;
}

interface JsonFrame {
  readonly node: PathTrie | undefined;
  readonly array: boolean;
  next: number;
  expectKey: boolean;
}

/** Like scanYamlLines, for JSON: the line of the first value, after recording the wanted fields. */
function scanJsonLines(text: string, firstLine: number, root: PathTrie, grow: boolean): number | undefined {
  // On one line (JSON as JSON.stringify writes it) every field is on the first line.
  if (text.indexOf('\n') < 0) return /[^ \t\r:,}\]]/.test(text) ? firstLine : undefined;
  const stack: JsonFrame[] = [];
  const n = text.length;
  let line = firstLine;
  let rootLine: number | undefined;
  let valueNode: PathTrie | undefined;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) { line++; continue; }
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x3a) continue;
    const top = stack.length > 0 ? stack[stack.length - 1] : undefined;
    if (c === 0x2c) {
      if (top && !top.array) top.expectKey = true;
      continue;
    }
    if (c === 0x7d || c === 0x5d) { stack.pop(); continue; }
    rootLine ??= line;
    if (top !== undefined && top.array) {
      const index = top.next++;
      valueNode = top.node && (grow || top.node.children) ? (grow ? top.node.grow(index) : top.node.children!.get(index)) : undefined;
      if (valueNode) valueNode.line = line;
    }
    if (c === 0x22) {
      // Jump to the closing quote (JSON strings hold no raw newline).
      let end = text.indexOf('"', i + 1);
      while (end > 0 && escapedAt(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) end = n;
      if (top !== undefined && !top.array && top.expectKey) {
        valueNode = undefined;
        if (top.node && (grow || top.node.children)) {
          const raw = text.slice(i + 1, end);
          let name = raw;
          if (raw.includes('\\')) {
            try { name = JSON.parse(`"${raw}"`); } catch { /* keep it raw */ }
          }
          valueNode = grow ? top.node.grow(name) : top.node.children!.get(name);
          if (valueNode) valueNode.line = line;
        }
        top.expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      stack.push({ node: stack.length === 0 ? root : valueNode, array: c === 0x5b, next: 0, expectKey: c === 0x7b });
      continue;
    }
    // A number, true, false or null: skip to its end.
    while (i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d === 0x2c || d === 0x5d || d === 0x7d || d === 0x20 || d === 10 || d === 0x0d || d === 0x09) break;
      i++;
    }
  }
  return rootLine;
}

/** Whether the quote at `at` is escaped (an odd number of backslashes before it). */
function escapedAt(text: string, at: number): boolean {
  let backslashes = 0;
  for (let k = at - 1; k >= 0 && text.charCodeAt(k) === 0x5c; k--) backslashes++;
  return backslashes % 2 === 1;
}
