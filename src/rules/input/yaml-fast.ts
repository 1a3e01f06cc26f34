/**
 * A fast reader for the block YAML that manifests are written in (by people, kubectl, Helm and
 * YAML libraries): block mappings and sequences, plain, quoted and block scalars (also over
 * several lines), one-line flow collections, anchors and aliases, and comments. It gives exactly
 * what js-yaml gives with the core schema (plain scalars are resolved by js-yaml's own core types)
 * and declines anything else by throwing {@link Unsupported}: tags, complex and merge keys, tabs,
 * YAML-only escapes, duplicate keys, indentation it does not expect. The caller then asks js-yaml,
 * which also gives the error message for invalid YAML. A property test compares both on generated
 * documents, and on real ones.
 *
 * It reads the document's text in place, by offsets: a line is never copied out, and only keys
 * and string values become strings. Rare forms (block scalars, multi-line scalars, flow
 * collections, anchors) are read from the line's text by the helpers in yaml-scalars.ts.
 */
import { blockScalar, continuedPlain, lineAt, multilineQuoted } from './yaml-multiline';
import { assertOnlyComment, closes, Flow, quoted, resolvePlain, Unsupported } from './yaml-scalars';

export { Unsupported };

const MAX_DEPTH = 200;

/**
 * Parses one document; throws Unsupported when js-yaml should read it instead. `plainSpace`: the
 * caller knows the text holds no white space but spaces, tabs and \n.
 */
export function parseBlockYaml(text: string, plainSpace = false): unknown {
  return new Parser(text).document(plainSpace);
}

const OTHER_SPACE = /\r(?!\n)|[\u000b\u000c\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** What String.prototype.trim() removes (ECMAScript white space and line terminators). */
function isJsSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c > 0x7f && (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff));
}

/** A key as js-yaml reads it (a plain `010` key is "8"). */
function keyOf(raw: string): string {
  if (raw === '<<') throw new Unsupported('key');
  const key = resolvePlain(raw);
  return typeof key === 'string' ? key : String(key);
}

/**
 * Keys read before, in a table by a hash of their characters: manifests repeat a few hundred keys,
 * and a key found here is neither copied out of the text nor looked up in V8's string table again.
 * The key is kept internalized (as property names are) and its characters as codes: a copy made by
 * slicing would be a sliced string, which every charCodeAt and property store has to unwrap (that
 * cost a third of the reader's time). A slot taken by another key stays with the first one.
 */
const KEY_SLOTS = 4096;
const KEY_CODES: Array<Uint16Array | undefined> = new Array(KEY_SLOTS).fill(undefined);
const KEY_NAMES: string[] = new Array(KEY_SLOTS).fill('');
/** The longest label or annotation key (a 253-character prefix, "/" and a 63-character name), rounded up. */
const MAX_REMEMBERED_KEY = 320;

/** `key` as V8 keeps property names: an internalized flat copy, sharing no memory with the document. */
function internalized(key: string): string {
  return Object.keys({ [key]: 0 })[0];
}

function cachedKey(text: string, from: number, to: number, hash: number): string {
  const slot = hash & (KEY_SLOTS - 1);
  const codes = KEY_CODES[slot];
  if (codes !== undefined && codes.length === to - from && sameAt(text, from, codes)) return KEY_NAMES[slot];
  const raw = text.slice(from, to);
  const key = keyOf(raw);
  // Only short keys are remembered: a document of long keys must not make the table large.
  if (codes === undefined && raw.length <= MAX_REMEMBERED_KEY) {
    const copy = new Uint16Array(raw.length);
    for (let k = 0; k < raw.length; k++) copy[k] = raw.charCodeAt(k);
    KEY_NAMES[slot] = internalized(key);
    KEY_CODES[slot] = copy;
  }
  return key;
}

/** Whether `text` holds the characters `codes` at `from`. */
function sameAt(text: string, from: number, codes: Uint16Array): boolean {
  for (let k = 0; k < codes.length; k++) if (text.charCodeAt(from + k) !== codes[k]) return false;
  return true;
}

/** A plain scalar of 1 to 15 digits without a leading zero (or `0`), read as js-yaml reads it; -1 otherwise. */
function smallInteger(text: string, from: number, to: number): number {
  const length = to - from;
  if (length < 1 || length > 15 || (length > 1 && text.charCodeAt(from) === 0x30)) return -1;
  let value = 0;
  for (let k = from; k < to; k++) {
    const d = text.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

class Parser {
  private readonly n: number;
  /** Offset of the first line not read yet (past the end: n + 1). */
  private i = 0;
  private depth = 0;
  /** Values by anchor name (`&name`), for aliases (`*name`), which share the value as js-yaml does. */
  private anchors: Map<string, unknown> | undefined;
  // The next line with content from offset `peekFrom` (nextContent), kept until i moves.
  private peekFrom = -1;
  private found = false;
  /** Offset of its first character that is not a space, and of its end (before a trailing \r). */
  private cStart = 0;
  private cEnd = 0;
  private cIndent = 0;
  private cNext = 0;
  // The last mapping entry found by entryAt: its key, and where its value starts and ends (trimmed).
  private key = '';
  private restStart = 0;
  private restEnd = 0;

  constructor(private readonly text: string) {
    this.n = text.length;
  }

  public document(plainSpace: boolean): unknown {
    // Line breaks and white space of YAML are \n, \r\n, space and tab: a character that JavaScript
    // trims but YAML keeps (or breaks a line at) is left to js-yaml.
    if (!plainSpace && OTHER_SPACE.test(this.text)) throw new Unsupported('white space other than spaces and tabs');
    // The rest of a `---` line (the splitter leaves it) must be empty or a comment; an indented
    // first line is that, or an indented document: js-yaml reads both.
    const head = lineAt(this.text, 0).text;
    const first = head.trim();
    if (first !== '' && !first.startsWith('#') && /^\s/.test(head)) throw new Unsupported('content on the marker line');
    if (!this.nextContent()) return undefined;
    if (this.cIndent === 0 && this.text.charCodeAt(this.cStart) === 0x25) throw new Unsupported('directive');
    const value = this.blockNode(-1, false);
    if (this.nextContent()) throw new Unsupported('content after the document');
    return value;
  }

  /** A value read over several lines: the lines it took are read. */
  private read(multiline: { value: string; next: number }): string {
    this.i = multiline.next;
    return multiline.value;
  }

  /** Finds the next line from this.i that is not blank or a comment (its place in the c* fields); false at the end. */
  private nextContent(): boolean {
    if (this.peekFrom === this.i) return this.found;
    const t = this.text;
    const n = this.n;
    this.peekFrom = this.i;
    for (let o = this.i; o <= n;) {
      let end = t.indexOf('\n', o);
      const next = end < 0 ? n + 1 : end + 1;
      if (end < 0) end = n;
      if (end > o && t.charCodeAt(end - 1) === 0x0d) end--;
      let at = o;
      while (at < end && t.charCodeAt(at) === 0x20) at++;
      if (at === end || t.charCodeAt(at) === 0x23) {
        o = next;
        continue;
      }
      if (t.charCodeAt(at) === 0x09) throw new Unsupported('tab');
      this.cStart = at;
      this.cEnd = end;
      this.cIndent = at - o;
      this.cNext = next;
      return (this.found = true);
    }
    return (this.found = false);
  }

  private isDash(at: number, end: number): boolean {
    return this.text.charCodeAt(at) === 0x2d && (at + 1 === end || this.text.charCodeAt(at + 1) === 0x20);
  }

  /** A block node below a parent at `parentIndent` (a sequence may sit at the parent's indentation when `seqAtParent`). */
  private blockNode(parentIndent: number, seqAtParent: boolean): unknown {
    if (!this.nextContent()) return null;
    const indent = this.cIndent;
    const dash = this.isDash(this.cStart, this.cEnd);
    if (indent < parentIndent || (indent === parentIndent && !(seqAtParent && dash))) return null;
    if (++this.depth > MAX_DEPTH) throw new Unsupported('deep');
    try {
      if (dash) return this.sequence(indent);
      if (!this.entryAt(this.cStart, this.cEnd)) throw new Unsupported('a scalar on its own line');
      this.i = this.cNext;
      return this.mapping(indent);
    } finally {
      this.depth--;
    }
  }

  /** A block mapping at `indent` whose first entry entryAt has just read. */
  private mapping(indent: number): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    for (;;) {
      const key = this.key;
      // Inherited names ('constructor') also count as taken: js-yaml then reads the document.
      if (object[key] !== undefined || key === '__proto__') throw new Unsupported('duplicate key');
      object[key] = this.value(this.restStart, this.restEnd, indent, true);
      if (!this.nextContent()) break;
      const at = this.cIndent;
      if (at < indent) break;
      if (at > indent) throw new Unsupported('indentation');
      if (this.isDash(this.cStart, this.cEnd)) break;
      if (!this.entryAt(this.cStart, this.cEnd)) throw new Unsupported('not a mapping entry');
      this.i = this.cNext;
    }
    return object;
  }

  private sequence(indent: number): unknown[] {
    const t = this.text;
    const items: unknown[] = [];
    for (;;) {
      if (!this.nextContent()) break;
      const at = this.cIndent;
      if (at < indent) break;
      if (at > indent) throw new Unsupported('indentation');
      const start = this.cStart;
      const end = this.cEnd;
      if (!this.isDash(start, end)) break;
      this.i = this.cNext;
      let column = start + 1;
      while (t.charCodeAt(column) === 0x20) column++;
      const c = t.charCodeAt(column);
      if (column >= end || c === 0x23) {
        const item = this.blockNode(at + 1, false);
        // After an empty item js-yaml reads a shallower `- ` line as the next item of this sequence.
        if (item === null && this.nextContent() && this.cIndent < indent && this.isDash(this.cStart, this.cEnd)) throw new Unsupported('empty item before a shallower one');
        items.push(item);
      } else if (this.isDash(column, end)) {
        throw new Unsupported('nested sequence on one line');
      } else if (c !== 0x5b && c !== 0x7b && this.entryAt(column, end)) {
        if (++this.depth > MAX_DEPTH) throw new Unsupported('deep');
        try {
          items.push(this.mapping(column - start + at));
        } finally {
          this.depth--;
        }
      } else {
        items.push(this.value(column, end, at, false));
      }
    }
    return items;
  }

  /** The value text[from, to) after `key:` (or after `- `); `indent` is the key's (or dash's) indentation. */
  private value(from: number, to: number, indent: number, seqAtParent: boolean): unknown {
    const t = this.text;
    const c = t.charCodeAt(from);
    if (from >= to || c === 0x23) return this.blockNode(indent, seqAtParent);
    if (c === 0x26) return this.anchored(from, to, indent, seqAtParent);
    if (c === 0x2a) {
      const m = /^\*([^\s,[\]{}]+)\s*(#.*)?$/.exec(t.slice(from, to));
      if (!m || !this.anchors?.has(m[1])) throw new Unsupported('alias');
      return this.anchors.get(m[1]);
    }
    // ! % @ ` ? , ] }
    if (c === 0x21 || c === 0x25 || c === 0x40 || c === 0x60 || c === 0x3f || c === 0x2c || c === 0x5d || c === 0x7d) throw new Unsupported('indicator');
    if (c === 0x7c || c === 0x3e) return this.read(blockScalar(t, this.i, t.slice(from, to), indent));
    if (c === 0x22 || c === 0x27) {
      const rest = t.slice(from, to);
      const q = rest[0];
      if (!closes(rest, 1, q)) return this.read(multilineQuoted(t, this.i, rest, indent));
      const { value, end } = quoted(rest, 0);
      assertOnlyComment(rest, end);
      return value;
    }
    if (c === 0x5b || c === 0x7b) {
      const rest = t.slice(from, to);
      const flow = new Flow(rest);
      const value = flow.value();
      assertOnlyComment(rest, flow.pos);
      return value;
    }
    if (c === 0x2d && (to - from === 1 || t.charCodeAt(from + 1) === 0x20)) throw new Unsupported('sequence after a key');
    return this.plain(from, to, indent);
  }

  /** `&name value`: the value, remembered for aliases. */
  private anchored(from: number, to: number, indent: number, seqAtParent: boolean): unknown {
    const m = /^&([^\s,[\]{}]+)(?:\s+(.*))?$/.exec(this.text.slice(from, to));
    if (!m) throw new Unsupported('anchor');
    // The value after the anchor, trimmed, as offsets.
    let start = m[2] === undefined ? to : to - m[2].length;
    let end = to;
    while (start < end && isJsSpace(this.text.charCodeAt(start))) start++;
    while (end > start && isJsSpace(this.text.charCodeAt(end - 1))) end--;
    const c = this.text.charCodeAt(start);
    if ((start < end && (c === 0x26 || c === 0x2a)) || this.entryAt(start, end)) throw new Unsupported('anchor before a mapping entry');
    const value = this.value(start, end, indent, seqAtParent);
    (this.anchors ??= new Map()).set(m[1], value);
    return value;
  }

  /**
   * A plain scalar text[from, to), folded with its continuation lines (indented deeper than
   * `indent`), resolved as js-yaml resolves it.
   */
  private plain(from: number, to: number, indent: number): unknown {
    const t = this.text;
    // One pass: a comment starts at ` #`; `: ` or a tab before it is ambiguous.
    let end = to;
    let colon = -1;
    let tab = -1;
    for (let k = from; k < to; k++) {
      const c = t.charCodeAt(k);
      if (c === 0x23 && k > from && t.charCodeAt(k - 1) === 0x20) { end = k - 1; break; }
      if (c === 0x3a) {
        if (k + 1 === to || t.charCodeAt(k + 1) === 0x20) throw new Unsupported('ambiguous plain scalar');
        colon = k;
      } else if (c === 0x09 && tab < 0) tab = k;
    }
    while (end > from && isJsSpace(t.charCodeAt(end - 1))) end--;
    if (colon === end - 1 || (tab >= 0 && tab < end)) throw new Unsupported('ambiguous plain scalar');
    // Most scalars end on their line: the next line that is not blank is no deeper, or a comment.
    // The next content line (found once, for the caller too) is the quick answer: when it is no
    // deeper, neither is the first line that is not blank (it is that line, or a comment).
    const deeper = this.nextContent() && this.cIndent > indent;
    for (let o = this.i; deeper && o <= this.n;) {
      let at = o;
      while (t.charCodeAt(at) === 0x20) at++;
      const c = t.charCodeAt(at);
      if (c === 0x0a || at >= this.n || (c === 0x0d && (at + 1 >= this.n || t.charCodeAt(at + 1) === 0x0a))) {
        o = lineAt(t, o).next;
        continue;
      }
      if (at - o > indent && c !== 0x23) {
        const folded = continuedPlain(t, this.i, t.slice(from, end), indent);
        this.i = folded.next;
        return resolvePlain(folded.value);
      }
      break;
    }
    const integer = smallInteger(t, from, end);
    return integer >= 0 ? integer : resolvePlain(t.slice(from, end));
  }

  /**
   * Reads `key: rest` from text[from, to) as js-yaml reads keys, into this.key, this.restStart and
   * this.restEnd (the value, trimmed); false when the line is no mapping entry.
   */
  private entryAt(from: number, to: number): boolean {
    const t = this.text;
    const c = t.charCodeAt(from);
    if (from >= to) return false;
    if (c === 0x22 || c === 0x27) {
      const content = t.slice(from, to);
      let q: { value: string; end: number };
      try {
        q = quoted(content, 0);
      } catch (e) {
        if (e instanceof Unsupported) return false;
        throw e;
      }
      let k = q.end;
      while (content[k] === ' ') k++;
      if (content[k] !== ':' || (k + 1 < content.length && content[k + 1] !== ' ')) return false;
      this.key = q.value;
      this.setRest(from + k + 1, to);
      return true;
    }
    // ? [ { & * ! | > # % @ ` and the flow indicators , ] } that cannot start a plain key
    if (c === 0x3f || c === 0x5b || c === 0x7b || c === 0x26 || c === 0x2a || c === 0x21 || c === 0x7c || c === 0x3e || c === 0x23 || c === 0x25 || c === 0x40 || c === 0x60
      || c === 0x2c || c === 0x5d || c === 0x7d) return false;
    if (this.isDash(from, to)) return false;
    let hash = 0;
    let tab = -1;
    let comment = false;
    for (let k = from; k < to; k++) {
      const c = t.charCodeAt(k);
      if (c !== 0x3a || (k + 1 !== to && t.charCodeAt(k + 1) !== 0x20)) {
        if (c === 0x23 && k > from && t.charCodeAt(k - 1) === 0x20) comment = true;
        else if (c === 0x09 && tab < 0) tab = k;
        hash = (Math.imul(hash, 31) + c) | 0;
        continue;
      }
      // A comment inside the key: not an entry.
      if (comment) return false;
      let keyEnd = k;
      while (keyEnd > from && isJsSpace(t.charCodeAt(keyEnd - 1))) keyEnd--;
      if (keyEnd === from) throw new Unsupported('key');
      if (tab >= 0 && tab < keyEnd) throw new Unsupported('tab in key');
      this.key = keyEnd === k ? cachedKey(t, from, keyEnd, hash) : keyOf(t.slice(from, keyEnd));
      this.setRest(k + 1, to);
      return true;
    }
    return false;
  }

  private setRest(from: number, to: number): void {
    const t = this.text;
    let start = from;
    let end = to;
    while (start < end && isJsSpace(t.charCodeAt(start))) start++;
    while (end > start && isJsSpace(t.charCodeAt(end - 1))) end--;
    this.restStart = start;
    this.restEnd = end;
  }
}
