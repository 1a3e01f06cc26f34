/**
 * A fast reader for the block YAML that manifests are written in (by people, kubectl, Helm and
 * YAML libraries): block mappings and sequences, plain, quoted and block scalars (also over
 * several lines), one-line flow collections, anchors and aliases, and comments. It gives exactly
 * what js-yaml gives with the core schema (plain scalars are resolved by js-yaml's own core types)
 * and declines anything else by throwing {@link Unsupported}: tags, complex and merge keys, tabs,
 * YAML-only escapes, duplicate keys, indentation it does not expect. The caller then asks js-yaml,
 * which also gives the error message for invalid YAML. It reads about one and a half times as
 * fast as js-yaml. A property test compares both on generated documents, and on real ones.
 */
import { assertOnlyComment, closes, closingQuote, Flow, quoted, resolvePlain, stripComment, Unsupported } from './yaml-scalars';

export { Unsupported };

const MAX_DEPTH = 200;

/** Parses one document; throws Unsupported when js-yaml should read it instead. */
export function parseBlockYaml(text: string): unknown {
  return new Parser(text).document();
}

class Parser {
  private readonly lines: string[];
  /** Per line: its indentation, or -1 for a blank or comment line (computed once). */
  private readonly indents: Int32Array;
  private i = 0;
  private depth = 0;
  /** Values by anchor name (`&name`), for aliases (`*name`), which share the value as js-yaml does. */
  private anchors: Map<string, unknown> | undefined;

  constructor(text: string) {
    this.lines = text.split('\n');
    this.indents = new Int32Array(this.lines.length);
    for (let k = 0; k < this.lines.length; k++) {
      let line = this.lines[k];
      if (line.charCodeAt(line.length - 1) === 0x0d) this.lines[k] = line = line.slice(0, -1);
      let at = 0;
      while (line.charCodeAt(at) === 0x20) at++;
      const c = line.charCodeAt(at);
      this.indents[k] = at === line.length || c === 0x23 ? -1 : at;
    }
  }

  public document(): unknown {
    // The rest of a `---` line (the splitter leaves it) must be empty or a comment; an indented
    // first line is that, or an indented document: js-yaml reads both.
    const first = this.lines[0].trim();
    if (first !== '' && !first.startsWith('#') && /^\s/.test(this.lines[0])) throw new Unsupported('content on the marker line');
    const j = this.nextContent();
    if (j < 0) return undefined;
    const line = this.lines[j];
    if (line.startsWith('%')) throw new Unsupported('directive');
    const value = this.blockNode(-1, false);
    if (this.nextContent() >= 0) throw new Unsupported('content after the document');
    return value;
  }

  /** Index of the next line that is not blank or a comment, from this.i; -1 at the end. */
  private nextContent(): number {
    const indents = this.indents;
    for (let j = this.i; j < indents.length; j++) {
      const at = indents[j];
      if (at < 0) continue;
      if (this.lines[j].charCodeAt(at) === 0x09) throw new Unsupported('tab');
      return j;
    }
    return -1;
  }

  private static indentOf(line: string): number {
    let k = 0;
    while (line.charCodeAt(k) === 0x20) k++;
    return k;
  }

  /** A block node below a parent at `parentIndent` (a sequence may sit at the parent's indentation when `seqAtParent`). */
  private blockNode(parentIndent: number, seqAtParent: boolean): unknown {
    const j = this.nextContent();
    if (j < 0) return null;
    const line = this.lines[j];
    const indent = this.indents[j];
    const dash = isDash(line, indent);
    if (indent < parentIndent || (indent === parentIndent && !(seqAtParent && dash))) return null;
    if (++this.depth > MAX_DEPTH) throw new Unsupported('deep');
    try {
      if (dash) return this.sequence(indent);
      const split = splitKey(line.slice(indent));
      if (!split) throw new Unsupported('a scalar on its own line');
      this.i = j + 1;
      return this.mapping(indent, split);
    } finally {
      this.depth--;
    }
  }

  /** A block mapping at `indent`; `first` is its first entry when it started on a `- ` line. */
  private mapping(indent: number, first: { key: string; rest: string } | undefined): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    const put = (entry: { key: string; rest: string }) => {
      // Inherited names ('constructor') also count as taken: js-yaml then reads the document.
      if (object[entry.key] !== undefined || entry.key === '__proto__') throw new Unsupported('duplicate key');
      object[entry.key] = this.value(entry.rest, indent, true);
    };
    if (first) put(first);
    for (;;) {
      const j = this.nextContent();
      if (j < 0) break;
      const line = this.lines[j];
      const at = this.indents[j];
      if (at < indent) break;
      if (at > indent) throw new Unsupported('indentation');
      if (isDash(line, at)) break;
      const entry = splitKey(line.slice(at));
      if (!entry) throw new Unsupported('not a mapping entry');
      this.i = j + 1;
      put(entry);
    }
    return object;
  }

  private sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    for (;;) {
      const j = this.nextContent();
      if (j < 0) break;
      const line = this.lines[j];
      const at = this.indents[j];
      if (at < indent) break;
      if (at > indent) throw new Unsupported('indentation');
      if (!isDash(line, at)) break;
      this.i = j + 1;
      let column = at + 1;
      while (line.charCodeAt(column) === 0x20) column++;
      const rest = line.slice(column);
      if (rest === '' || rest.startsWith('#')) {
        items.push(this.blockNode(at + 1, false));
      } else if (rest === '-' || rest.startsWith('- ')) {
        throw new Unsupported('nested sequence on one line');
      } else {
        const entry = rest[0] === '[' || rest[0] === '{' ? undefined : splitKey(rest);
        if (entry) {
          if (++this.depth > MAX_DEPTH) throw new Unsupported('deep');
          try {
            items.push(this.mapping(column, entry));
          } finally {
            this.depth--;
          }
        } else {
          items.push(this.value(rest, at, false));
        }
      }
    }
    return items;
  }

  /** The value after `key:` (or after `- `); `indent` is the key's (or dash's) indentation. */
  private value(rest: string, indent: number, seqAtParent: boolean): unknown {
    if (rest === '' || rest[0] === '#') return this.blockNode(indent, seqAtParent);
    const c = rest[0];
    if (c === '&') return this.anchored(rest, indent, seqAtParent);
    if (c === '*') {
      const m = /^\*([^\s,[\]{}]+)\s*(#.*)?$/.exec(rest);
      if (!m || !this.anchors?.has(m[1])) throw new Unsupported('alias');
      return this.anchors.get(m[1]);
    }
    if (c === '!' || c === '%' || c === '@' || c === '`' || c === '?' || c === ',' || c === ']' || c === '}') throw new Unsupported('indicator');
    if (c === '|' || c === '>') return this.blockScalar(rest, indent);
    if (c === '"' || c === "'") {
      if (!closes(rest, 1, c)) return this.multilineQuoted(rest, indent);
      const { value, end } = quoted(rest, 0);
      assertOnlyComment(rest, end);
      return value;
    }
    if (c === '[' || c === '{') {
      const flow = new Flow(rest);
      const value = flow.value();
      assertOnlyComment(rest, flow.pos);
      return value;
    }
    if (c === '-' && (rest.length === 1 || rest[1] === ' ')) throw new Unsupported('sequence after a key');
    return resolvePlain(this.plain(rest, indent));
  }

  /** `&name value`: the value, remembered for aliases. */
  private anchored(rest: string, indent: number, seqAtParent: boolean): unknown {
    const m = /^&([^\s,[\]{}]+)(?:\s+(.*))?$/.exec(rest);
    if (!m) throw new Unsupported('anchor');
    const after = (m[2] ?? '').trim();
    if (after.startsWith('&') || after.startsWith('*') || splitKey(after)) throw new Unsupported('anchor before a mapping entry');
    const value = this.value(after, indent, seqAtParent);
    (this.anchors ??= new Map()).set(m[1], value);
    return value;
  }

  /** A plain scalar from `rest`, folded with its continuation lines (indented deeper than `indent`). */
  private plain(rest: string, indent: number): string {
    let text = stripComment(rest);
    if (text.includes(': ') || text.endsWith(':') || text.includes(' #') || text.includes('\t')) throw new Unsupported('ambiguous plain scalar');
    let breaks = 0;
    for (let j = this.i; j < this.lines.length; j++) {
      const line = this.lines[j];
      const at = Parser.indentOf(line);
      if (at === line.length) { breaks++; continue; }
      if (at <= indent || line.charCodeAt(at) === 0x23) break;
      if (line.charCodeAt(at) === 0x09) throw new Unsupported('tab');
      const part = line.slice(at).trimEnd();
      if (part.includes(': ') || part.endsWith(':') || part.includes(' #') || part.includes('\t') || part.startsWith('- ') || part === '-' || /^[[\]{}&*!|>'"%@`#?]/.test(part)) throw new Unsupported('ambiguous continuation');
      text += breaks > 0 ? '\n'.repeat(breaks) + part : ` ${part}`;
      breaks = 0;
      this.i = j + 1;
    }
    return text;
  }

  /**
   * A quoted scalar that goes on over several lines, folded as YAML folds it: a line break is a
   * space, each empty line a newline, indentation and trailing spaces dropped; in double quotes a
   * backslash at the end of a line joins the lines.
   */
  private multilineQuoted(first: string, indent: number): string {
    const q = first[0];
    const parts = [first.slice(1)];
    let closedAt = -1;
    for (let j = this.i; j < this.lines.length; j++) {
      const line = this.lines[j];
      if (line.trim() !== '' && Parser.indentOf(line) <= indent) throw new Unsupported('quoted scalar not indented');
      if (line.includes('\t')) throw new Unsupported('tab in quoted scalar');
      const end = closingQuote(line, q);
      if (end >= 0) {
        parts.push(line.slice(0, end));
        assertOnlyComment(line, end + 1);
        closedAt = j;
        break;
      }
      parts.push(line);
    }
    if (closedAt < 0) throw new Unsupported('unclosed quoted scalar');
    this.i = closedAt + 1;
    const newline = q === '"' ? '\\n' : '\n';
    let out = '';
    let empties = 0;
    let joinNothing = false;
    for (let k = 0; k < parts.length; k++) {
      let part = parts[k];
      if (k > 0) part = part.replace(/^ +/, '');
      const last = k === parts.length - 1;
      let escapedBreak = false;
      if (!last) {
        if (q === '"' && /(^|[^\\])(\\\\)*\\$/.test(part)) { part = part.slice(0, -1); escapedBreak = true; } else part = part.replace(/ +$/, '');
      }
      if (k > 0 && part === '' && !last) { empties++; continue; }
      if (k > 0) out += joinNothing ? '' : empties > 0 ? newline.repeat(empties) : ' ';
      out += part;
      empties = 0;
      joinNothing = escapedBreak;
    }
    if (q === "'") return out.replace(/''/g, "'");
    const raw = `"${out}"`;
    if (/\\[^"\\/bfnrtu]/.test(raw) || /[\u0000-\u001f]/.test(raw)) throw new Unsupported('escape');
    try {
      return JSON.parse(raw);
    } catch {
      throw new Unsupported('escape');
    }
  }

  private blockScalar(header: string, indent: number): string {
    const m = /^([|>])([-+]?)(\s+#.*)?\s*$/.exec(header);
    if (!m) throw new Unsupported('block scalar header');
    const literal = m[1] === '|';
    const chomp = m[2];
    const raw: string[] = [];
    let contentIndent = -1;
    let j = this.i;
    for (; j < this.lines.length; j++) {
      const line = this.lines[j];
      const at = Parser.indentOf(line);
      if (at === line.length) { raw.push(line); continue; }
      if (contentIndent < 0) {
        if (at <= indent) break;
        contentIndent = at;
      }
      if (at < contentIndent) break;
      raw.push(line);
    }
    this.i = j;
    if (contentIndent < 0) {
      if (chomp === '+') throw new Unsupported('empty kept block scalar');
      return '';
    }
    // A line of spaces only is an empty line unless it is longer than the indentation (then it is content).
    if (raw.some((l) => l.trim() === '' && l.length > contentIndent)) throw new Unsupported('spaces beyond the indentation');
    const body = raw.map((l) => (l.trim() === '' ? '' : l.slice(contentIndent)));
    let end = body.length;
    while (end > 0 && body[end - 1] === '') end--;
    const trailing = body.length - end;
    let text: string;
    if (literal) {
      text = body.slice(0, end).join('\n');
    } else {
      if (body[0] === '') throw new Unsupported('folded scalar starting blank');
      text = '';
      let blank = 0;
      for (let k = 0; k < end; k++) {
        const line = body[k];
        if (line === '') { blank++; continue; }
        if (line[0] === ' ' || line[0] === '\t') throw new Unsupported('more-indented folded line');
        text += k === 0 ? line : blank > 0 ? '\n'.repeat(blank) + line : ` ${line}`;
        blank = 0;
      }
    }
    if (chomp === '-') return text;
    if (chomp === '+') return `${text}\n${'\n'.repeat(trailing)}`;
    return `${text}\n`;
  }
}

function isDash(line: string, at: number): boolean {
  return line.charCodeAt(at) === 0x2d && (at + 1 === line.length || line.charCodeAt(at + 1) === 0x20);
}

/** `key: rest`, the key read as js-yaml reads keys; undefined when the line is no mapping entry. */
function splitKey(content: string): { key: string; rest: string } | undefined {
  const c = content[0];
  if (c === '"' || c === "'") {
    let q: { value: string; end: number };
    try {
      q = quoted(content, 0);
    } catch (e) {
      if (e instanceof Unsupported) return undefined;
      throw e;
    }
    let k = q.end;
    while (content[k] === ' ') k++;
    if (content[k] !== ':' || (k + 1 < content.length && content[k + 1] !== ' ')) return undefined;
    return { key: q.value, rest: content.slice(k + 1).trim() };
  }
  if (c === '?' || c === '[' || c === '{' || c === '&' || c === '*' || c === '!' || c === '|' || c === '>' || c === '#' || c === '%' || c === '@' || c === '`') return undefined;
  if (c === '-' && (content.length === 1 || content[1] === ' ')) return undefined;
  for (let k = content.indexOf(':'); k >= 0; k = content.indexOf(':', k + 1)) {
    if (k + 1 === content.length || content[k + 1] === ' ') {
      const raw = content.slice(0, k);
      if (raw.includes(' #')) return undefined;
      const key = raw.trimEnd();
      if (key === '' || key === '<<') throw new Unsupported('key');
      if (key.includes('\t')) throw new Unsupported('tab in key');
      return { key: String(resolvePlain(key)), rest: content.slice(k + 1).trim() };
    }
  }
  return undefined;
}

