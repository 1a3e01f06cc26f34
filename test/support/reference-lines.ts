/**
 * The line index as it was first written, kept as the straightforward reference for the field-line
 * lookup in src/rules/input/ (a property test compares them): every key and item of a document is
 * recorded under its whole path, and a lookup walks the path. Not used by the tool.
 */
import type { Document, LineCounter } from 'yaml';

/** The `yaml` library, loaded only when a document needs it (it is large, and rarely needed). */
function yamlLibrary(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml');
}

export type FieldPath = ReadonlyArray<string | number>;

export interface LineIndex {
  /** Line of the deepest field along `path` that exists (the key's line for map entries). */
  locate(path: FieldPath): number | undefined;
}

const SEP = '\u001f';

function keyOf(parent: string, segment: string | number): string {
  return `${parent}${SEP}${typeof segment === 'number' ? `#${segment}` : segment}`;
}

class MapIndex implements LineIndex {
  constructor(private readonly lines: Map<string, number>, private readonly rootLine: number | undefined) {}

  public locate(path: FieldPath): number | undefined {
    let key = '';
    let found = this.rootLine;
    for (const segment of path) {
      key = keyOf(key, segment);
      const line = this.lines.get(key);
      if (line === undefined) break;
      found = line;
    }
    return found;
  }
}

interface Frame {
  readonly indent: number;
  readonly key: string;
  readonly seq: boolean;
  next: number;
}

/** The line index of a YAML document starting at `firstLine`; the `yaml` parser when the scan cannot follow it. */
export function yamlLineIndex(text: string, firstLine: number): LineIndex {
  return scanYaml(text, firstLine) ?? yamlParserIndex(text, firstLine);
}

function scanYaml(text: string, firstLine: number): LineIndex | undefined {
  const lines = new Map<string, number>();
  const frames: Frame[] = [];
  let rootLine: number | undefined;
  let pending: { key: string; indent: number } | undefined;
  /** Inside a block scalar: lines indented more than this belong to it. */
  let blockIndent = -1;
  /** Inside a multi-line flow collection or quoted scalar: what closes it. */
  let open: Open | undefined;
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const number = firstLine + i;
    let indent = 0;
    while (row.charCodeAt(indent) === 0x20) indent++;
    const blank = indent === row.length || row[indent] === '\r' || row[indent] === '#';
    if (blockIndent >= 0) {
      if (blank || indent > blockIndent) continue;
      blockIndent = -1;
    }
    if (open) {
      open = continueOpen(row, open);
      continue;
    }
    if (blank) continue;
    if (row[indent] === '\t') return undefined;
    if (row[indent] === '%') continue;
    rootLine ??= number;
    let content = row.slice(indent).replace(/\r$/, '');
    const item = content === '-' || content.startsWith('- ');
    if (pending) {
      if (indent > pending.indent || (indent === pending.indent && item)) frames.push({ indent, key: pending.key, seq: item, next: 0 });
      pending = undefined;
    }
    while (frames.length > 0 && frames[frames.length - 1].indent > indent) frames.pop();
    let top = frames[frames.length - 1];
    if (!top || top.indent < indent) {
      if (frames.length > 0) continue; // the continuation of a multi-line plain scalar
      top = { indent, key: '', seq: item, next: 0 };
      frames.push(top);
    }
    // Sequence items, possibly nested on one line (`- - a`) or opening a mapping (`- name: x`).
    let column = indent;
    let done = false;
    while (content === '-' || content.startsWith('- ')) {
      if (!top.seq) return undefined;
      const itemKey = keyOf(top.key, top.next++);
      lines.set(itemKey, number);
      const dash = column;
      let offset = 1;
      while (content[offset] === ' ') offset++;
      content = content.slice(offset);
      column += offset;
      if (content === '' || content.startsWith('#')) {
        pending = { key: itemKey, indent: dash };
        done = true;
        break;
      }
      if (content === '-' || content.startsWith('- ')) {
        top = { indent: column, key: itemKey, seq: true, next: 0 };
        frames.push(top);
        continue;
      }
      if (splitKey(content)) {
        top = { indent: column, key: itemKey, seq: false, next: 0 };
        frames.push(top);
        break;
      }
      const state = valueState(content);
      if (state === 'block') blockIndent = dash;
      else if (state && state !== 'empty') open = state;
      done = true;
      break;
    }
    if (done) continue;
    if (top.seq) {
      // A key at the indentation of a sequence that sits at its parent key's indentation.
      frames.pop();
      top = frames[frames.length - 1];
      if (!top || top.seq || top.indent !== column) return undefined;
    }
    const split = splitKey(content);
    if (!split) return undefined;
    const key = keyOf(top.key, split.key);
    lines.set(key, number);
    const state = valueState(split.rest);
    if (state === 'empty') pending = { key, indent: column };
    else if (state === 'block') blockIndent = column;
    else if (state) open = state;
  }
  return new MapIndex(lines, rootLine);
}

/** `key: rest` with the key unquoted; undefined when the line is not a mapping entry the scan understands. */
function splitKey(content: string): { key: string; rest: string } | undefined {
  const first = content[0];
  if (first === '"' || first === "'") {
    let end = 1;
    for (; end < content.length; end++) {
      if (first === '"' && content[end] === '\\') { end++; continue; }
      if (content[end] === first) {
        if (first === "'" && content[end + 1] === "'") { end++; continue; }
        break;
      }
    }
    if (end >= content.length || content[end + 1] !== ':' || (content[end + 2] !== undefined && content[end + 2] !== ' ')) return undefined;
    const raw = content.slice(0, end + 1);
    let key: string;
    try {
      key = first === '"' ? JSON.parse(raw) : raw.slice(1, -1).replace(/''/g, "'");
    } catch {
      return undefined;
    }
    return { key, rest: content.slice(end + 2).trim() };
  }
  if (first === '?' || first === '[' || first === '{' || first === '&' || first === '*' || first === '!' || first === '|' || first === '>') return undefined;
  for (let i = content.indexOf(':'); i >= 0; i = content.indexOf(':', i + 1)) {
    if (i + 1 === content.length || content[i + 1] === ' ') {
      const key = content.slice(0, i).trimEnd();
      if (key.includes(' #')) return undefined;
      return { key, rest: content.slice(i + 1).trim() };
    }
  }
  return undefined;
}

type Open = { readonly close: string; readonly depth: number };

/** What a value opens: a nested block (empty), a block scalar, or a flow or quoted value spanning lines. */
function valueState(value: string): 'empty' | 'block' | Open | undefined {
  let v = value;
  // Anchors and tags come before the value itself.
  while (/^[&!]\S*(\s|$)/.test(v)) v = v.replace(/^[&!]\S*\s*/, '');
  if (v === '' || v.startsWith('#')) return 'empty';
  if (v[0] === '|' || v[0] === '>') return 'block';
  if (v[0] === '[' || v[0] === '{' || v[0] === '"' || v[0] === "'") return continueOpen(v, { close: '', depth: 0 });
  return undefined;
}

/** Follows a flow collection or quoted scalar across lines: what is still open after `text`, or undefined once it closed. */
function continueOpen(text: string, state: Open): Open | undefined {
  let { close, depth } = state;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (close === '"') {
      if (c === '\\') i++;
      else if (c === '"') { close = ''; if (depth === 0) return undefined; }
      continue;
    }
    if (close === "'") {
      if (c === "'" && text[i + 1] === "'") i++;
      else if (c === "'") { close = ''; if (depth === 0) return undefined; }
      continue;
    }
    if (c === '"' || c === "'") close = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') { depth--; if (depth <= 0) return undefined; }
    else if (c === '#' && (i === 0 || text[i - 1] === ' ')) break;
  }
  return close !== '' || depth > 0 ? { close, depth } : undefined;
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

/** The line index of a JSON document starting at `firstLine`. */
export function jsonLineIndex(text: string, firstLine: number): LineIndex {
  const lines = new Map<string, number>();
  const stack: Array<{ key: string; array: boolean; next: number; expectKey: boolean }> = [];
  const n = text.length;
  let line = firstLine;
  let rootLine: number | undefined;
  let valueKey = '';
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
      valueKey = keyOf(top.key, top.next++);
      lines.set(valueKey, line);
    }
    if (c === 0x22) {
      // Jump to the closing quote (JSON strings hold no raw newline).
      let end = text.indexOf('"', i + 1);
      while (end > 0 && escapedAt(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) end = n;
      if (top !== undefined && !top.array && top.expectKey) {
        const raw = text.slice(i + 1, end);
        let name = raw;
        if (raw.includes('\\')) {
          try { name = JSON.parse(`"${raw}"`); } catch { /* keep it raw */ }
        }
        valueKey = keyOf(top.key, name);
        lines.set(valueKey, line);
        top.expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      stack.push({ key: stack.length === 0 ? '' : valueKey, array: c === 0x5b, next: 0, expectKey: c === 0x7b });
      continue;
    }
    // A number, true, false or null: skip to its end.
    while (i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d === 0x2c || d === 0x5d || d === 0x7d || d === 0x20 || d === 10 || d === 0x0d || d === 0x09) break;
      i++;
    }
  }
  return new MapIndex(lines, rootLine);
}

/** Whether the quote at `at` is escaped (an odd number of backslashes before it). */
function escapedAt(text: string, at: number): boolean {
  let backslashes = 0;
  for (let k = at - 1; k >= 0 && text.charCodeAt(k) === 0x5c; k--) backslashes++;
  return backslashes % 2 === 1;
}
