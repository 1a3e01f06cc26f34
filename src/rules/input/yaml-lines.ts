/**
 * The line of each mapping key and sequence item of a block-YAML document, found by following
 * indentation (what kubectl, Helm and people write); flow collections and multi-line scalars
 * count as one value at the line they start. Only the paths in a {@link PathTrie} are recorded,
 * so a document is read once for all the findings on it, and keys no finding asks for are never
 * copied out of the text. YAML the scan cannot follow (tabs, complex keys) gives `null`: the
 * caller then asks the `yaml` parser, which keeps positions but is slower.
 */
import { PathTrie } from './path-trie';

interface Frame {
  readonly indent: number;
  readonly node: PathTrie | undefined;
  readonly seq: boolean;
  next: number;
}

type Open = { readonly close: string; readonly depth: number };
const EMPTY = 'empty';
const BLOCK = 'block';
type ValueState = typeof EMPTY | typeof BLOCK | Open | undefined;

/**
 * Records the line of every path of `root` that the document has (and, with `grow`, of every key
 * and item, adding them to `root`). Returns the line of the first content, undefined for a
 * document without content, or null when the scan cannot follow the document.
 */
export function scanYamlLines(text: string, firstLine: number, root: PathTrie, grow: boolean): number | undefined | null {
  const frames: Frame[] = [];
  const unsafe: UnsafeMark = { from: Infinity, at: -1 };
  let rootLine: number | undefined;
  let pending = false;
  let pendingNode: PathTrie | undefined;
  let pendingIndent = 0;
  /** Inside a block scalar: lines indented more than this belong to it. */
  let blockIndent = -1;
  /** Inside a multi-line flow collection or quoted scalar: what closes it. */
  let open: Open | undefined;
  const n = text.length;
  let number = firstLine - 1;
  for (let next = 0; next <= n;) {
    const rowStart = next;
    let e = text.indexOf('\n', rowStart);
    if (e < 0) e = n;
    next = e + 1;
    number++;
    let indent = 0;
    while (text.charCodeAt(rowStart + indent) === 0x20) indent++;
    const p = rowStart + indent;
    const c = p < e ? text.charCodeAt(p) : -1;
    const blank = p >= e || c === 0x0d || c === 0x23;
    if (blockIndent >= 0) {
      if (blank || indent > blockIndent) continue;
      blockIndent = -1;
    }
    if (open) {
      open = continueOpen(text.slice(rowStart, e), open);
      continue;
    }
    if (blank) continue;
    if (c === 0x09) return null;
    if (c === 0x25) continue;
    rootLine ??= number;
    // The content ends before one trailing carriage return.
    const ce = text.charCodeAt(e - 1) === 0x0d ? e - 1 : e;
    let cp = p;
    const item = isItem(text, cp, ce);
    if (pending) {
      if (indent > pendingIndent || (indent === pendingIndent && item)) frames.push({ indent, node: pendingNode, seq: item, next: 0 });
      pending = false;
    }
    while (frames.length > 0 && frames[frames.length - 1].indent > indent) frames.pop();
    let top = frames.length > 0 ? frames[frames.length - 1] : undefined;
    if (!top || top.indent < indent) {
      if (frames.length > 0) continue; // the continuation of a multi-line plain scalar
      top = { indent, node: root, seq: item, next: 0 };
      frames.push(top);
    }
    // Sequence items, possibly nested on one line (`- - a`) or opening a mapping (`- name: x`).
    let column = indent;
    let done = false;
    let itemDash = -1;
    while (isItem(text, cp, ce)) {
      if (!top.seq) return null;
      const itemNode = childOf(top.node, top.next++, grow);
      if (itemNode) itemNode.line = number;
      const dash = column;
      let offset = 1;
      while (text.charCodeAt(cp + offset) === 0x20) offset++;
      cp += offset;
      column += offset;
      if (cp >= ce || text.charCodeAt(cp) === 0x23) {
        pending = true;
        pendingNode = itemNode;
        pendingIndent = dash;
        done = true;
        break;
      }
      if (isItem(text, cp, ce)) {
        top = { indent: column, node: itemNode, seq: true, next: 0 };
        frames.push(top);
        continue;
      }
      if (keyAt(text, cp, ce) >= 0) {
        top = { indent: column, node: itemNode, seq: false, next: 0 };
        frames.push(top);
        itemDash = dash;
        break;
      }
      const state = itemState(text, cp, ce);
      if (state === BLOCK) blockIndent = dash;
      else if (state && state !== EMPTY) open = state;
      done = true;
      break;
    }
    if (done) continue;
    if (top.seq) {
      // A key at the indentation of a sequence that sits at its parent key's indentation.
      frames.pop();
      top = frames.length > 0 ? frames[frames.length - 1] : undefined;
      if (!top || top.seq || top.indent !== column) return null;
    }
    const colon = keyAt(text, cp, ce);
    if (colon < 0) return null;
    let node: PathTrie | undefined;
    if (top.node && (grow || top.node.children)) {
      node = childOf(top.node, quotedKey ?? text.slice(cp, colon).trimEnd(), grow);
      if (node) node.line = number;
    }
    const state = restState(text, colon + 1, ce);
    if (state === EMPTY && node === undefined && !grow) {
      // Nothing below this key is wanted: its block (deeper lines, or items at its column) is skipped.
      const skipped = skipDeeper(text, next, column, true, unsafe);
      if (skipped >= 0) {
        number += skipped;
        next = skipTo;
        continue;
      }
    }
    if (state === EMPTY) {
      pending = true;
      pendingNode = node;
      pendingIndent = column;
    } else if (state === BLOCK) blockIndent = column;
    else if (state) open = state;
    else if (itemDash >= 0 && top.node === undefined && !grow) {
      // An item no path wants, whose first entry ends on its line: the rest of the item is skipped.
      const skipped = skipDeeper(text, next, itemDash, false, unsafe);
      if (skipped >= 0) {
        number += skipped;
        next = skipTo;
      }
    }
  }
  return rootLine;
}

/** Characters after which a skipped block might not end where indentation says (quotes, flows, tabs, directives, comments in keys, tags, anchors, complex keys, block scalars): such a block is read line by line. */
const UNSAFE_TO_SKIP = /["'[{\t%?&*!#|>]/g;

/**
 * The first character at or after `from` (a line start) that could make a block end elsewhere
 * than its indentation says, or -1. Of what UNSAFE_TO_SKIP finds, these cannot: a `%` after
 * another character (a directive starts a line, and the lines of a block are indented), and a
 * quoted scalar or flow collection that starts a value and closes on its line with nothing but
 * spaces after it (`"true"`, `{}`, `[a, b]`), which is most of what a manifest quotes.
 */
function firstUnsafe(text: string, from: number): number {
  UNSAFE_TO_SKIP.lastIndex = from;
  for (let m = UNSAFE_TO_SKIP.exec(text); m; m = UNSAFE_TO_SKIP.exec(text)) {
    const at = m.index;
    const c = text.charCodeAt(at);
    if (c === 0x25 && at > 0 && text.charCodeAt(at - 1) !== 0x0a) continue;
    if ((c !== 0x22 && c !== 0x27 && c !== 0x5b && c !== 0x7b) || text.charCodeAt(at - 1) !== 0x20) return at;
    const end = closesOnItsLine(text, at);
    if (end < 0) return at;
    UNSAFE_TO_SKIP.lastIndex = end;
  }
  return -1;
}

/**
 * For a quoted scalar or flow collection opening at `at`: the end of its line when it closes on
 * that line and only spaces follow it, else -1.
 */
function closesOnItsLine(text: string, at: number): number {
  let quote = 0;
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) return -1;
    if (quote === 0x22) {
      if (c === 0x5c) i++;
      else if (c === 0x22) quote = 0;
    } else if (quote === 0x27) {
      if (c === 0x27 && text.charCodeAt(i + 1) === 0x27) i++;
      else if (c === 0x27) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === 0x23 || c === 0x09) {
      return -1;
    }
    if (quote === 0 && depth <= 0) {
      let k = i + 1;
      while (text.charCodeAt(k) === 0x20) k++;
      return k >= text.length || text.charCodeAt(k) === 0x0a ? k : -1;
    }
  }
  return -1;
}

/** Where skipDeeper stopped: the offset of the first line not skipped (past the end: text.length + 1). */
let skipTo = 0;

/** The first character UNSAFE_TO_SKIP finds at or after `from` in one document (-1: none), kept while the scan moves forward. */
interface UnsafeMark {
  from: number;
  at: number;
}

/** Per indentation: a line break followed by at most that many spaces and then content (not blank, not a comment). */
const SHALLOWER: RegExp[] = [];

function shallowerThan(column: number): RegExp {
  return (SHALLOWER[column] ??= new RegExp(`\\n {0,${column}}(?=[^ \\n\\r#])`, 'g'));
}

/**
 * Skips the lines from `from` on that are blank or indented deeper than `column` (or, with
 * `itemsAtColumn`, are sequence items at `column`): the block of a key or item no path wants.
 * Returns how many lines it skipped, leaving the next offset in skipTo; -1 when the block holds
 * anything that could make the line-by-line scan read it differently (it is then read line by line).
 */
function skipDeeper(text: string, from: number, column: number, itemsAtColumn: boolean, unsafe: UnsafeMark): number {
  const n = text.length;
  if (from > n) return -1;
  // The first line that ends the block: found by a regular expression, not line by line.
  const shallower = shallowerThan(column);
  shallower.lastIndex = from - 1;
  let stop = n + 1;
  for (let m = shallower.exec(text); m; m = shallower.exec(text)) {
    const at = m.index + m[0].length;
    const c = text.charCodeAt(at);
    if (itemsAtColumn && at - m.index - 1 === column) {
      let e = text.indexOf('\n', at);
      if (e < 0) e = n;
      if (isItem(text, at, text.charCodeAt(e - 1) === 0x0d ? e - 1 : e)) continue;
    }
    if (c === 0x25 || c === 0x09) return -1;
    stop = m.index + 1;
    break;
  }
  if (stop === from) return -1;
  if (from < unsafe.from || (unsafe.at >= 0 && unsafe.at < from)) {
    unsafe.from = from;
    unsafe.at = firstUnsafe(text, from);
  }
  if (unsafe.at >= 0 && unsafe.at < Math.min(stop, n)) return -1;
  let lines = 1;
  for (let k = text.indexOf('\n', from); k >= 0 && k < stop - 1; k = text.indexOf('\n', k + 1)) lines++;
  skipTo = stop;
  return lines;
}

function childOf(node: PathTrie | undefined, segment: string | number, grow: boolean): PathTrie | undefined {
  if (!node) return undefined;
  if (!grow) return node.children?.get(segment);
  return node.grow(segment);
}

/** `-` alone or followed by a space at `at`. */
function isItem(text: string, at: number, end: number): boolean {
  return text.charCodeAt(at) === 0x2d && (at + 1 === end || text.charCodeAt(at + 1) === 0x20);
}

/** The key of the last quoted key found by keyAt (undefined for a plain key). */
let quotedKey: string | undefined;

/**
 * Where the `:` of a mapping entry between `start` and `end` is, or -1 when the line is not a
 * mapping entry the scan understands. A quoted key is left in quotedKey.
 */
function keyAt(text: string, start: number, end: number): number {
  quotedKey = undefined;
  const c = text.charCodeAt(start);
  if (c === 0x22 || c === 0x27) {
    const q = splitQuotedKey(text.slice(start, end));
    if (!q) return -1;
    quotedKey = q.key;
    return start + q.colon;
  }
  // ? [ { & * ! | >
  if (c === 0x3f || c === 0x5b || c === 0x7b || c === 0x26 || c === 0x2a || c === 0x21 || c === 0x7c || c === 0x3e) return -1;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) !== 0x3a) continue;
    if (i + 1 === end || text.charCodeAt(i + 1) === 0x20) {
      // A comment inside the key: not a line the scan understands.
      for (let k = start + 1; k < i; k++) if (text.charCodeAt(k) === 0x23 && text.charCodeAt(k - 1) === 0x20) return -1;
      return i;
    }
  }
  return -1;
}

/** `"key": rest` or `'key': rest`: the key unquoted and the offset of the colon, or undefined. */
function splitQuotedKey(content: string): { key: string; colon: number } | undefined {
  const first = content[0];
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
  try {
    return { key: first === '"' ? JSON.parse(raw) : raw.slice(1, -1).replace(/''/g, "'"), colon: end + 1 };
  } catch {
    return undefined;
  }
}

/** What the value after a key's colon opens (the value from `from` to `end`, trimmed). */
function restState(text: string, from: number, end: number): ValueState {
  let k = from;
  while (k < end && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k++;
  if (k >= end) return EMPTY;
  const c = text.charCodeAt(k);
  // Anchors, tags and characters trim() may also remove: the general reading.
  if (c === 0x26 || c === 0x21 || c < 0x21 || c > 0x7e) return valueState(text.slice(from, end).trim());
  return stateOf(text, c, k, end);
}

/** What the value of a sequence item opens (the value from `from`, which is not blank, to `end`). */
function itemState(text: string, from: number, end: number): ValueState {
  const c = text.charCodeAt(from);
  if (c === 0x26 || c === 0x21) return valueState(text.slice(from, end));
  return stateOf(text, c, from, end);
}

function stateOf(text: string, c: number, from: number, end: number): ValueState {
  if (c === 0x23) return EMPTY;
  if (c === 0x7c || c === 0x3e) return BLOCK;
  if (c === 0x5b || c === 0x7b || c === 0x22 || c === 0x27) return continueOpen(text.slice(from, end), { close: '', depth: 0 });
  return undefined;
}

/** What a value opens: a nested block (empty), a block scalar, or a flow or quoted value spanning lines. */
function valueState(value: string): ValueState {
  let v = value;
  // Anchors and tags come before the value itself.
  while (/^[&!]\S*(\s|$)/.test(v)) v = v.replace(/^[&!]\S*\s*/, '');
  if (v === '' || v.startsWith('#')) return EMPTY;
  if (v[0] === '|' || v[0] === '>') return BLOCK;
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
