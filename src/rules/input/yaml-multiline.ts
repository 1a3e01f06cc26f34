/**
 * Scalars that go on over several lines, for the fast YAML reader (yaml-fast.ts): plain scalars
 * folded with their continuation lines, quoted scalars over several lines and block scalars. Each
 * reads the document's text from an offset and returns the value and the offset of the first line
 * it did not take.
 */
import { assertOnlyComment, closingQuote, Unsupported } from './yaml-scalars';

/** A value and where the first line after it starts. */
export interface Multiline {
  readonly value: string;
  readonly next: number;
}

/** The line starting at `offset`: its text without a trailing carriage return, and where the next begins (past the end: length + 1). */
export function lineAt(source: string, offset: number): { readonly text: string; readonly next: number } {
  let end = source.indexOf('\n', offset);
  const next = end < 0 ? source.length + 1 : end + 1;
  if (end < 0) end = source.length;
  if (end > offset && source.charCodeAt(end - 1) === 0x0d) end--;
  return { text: source.slice(offset, end), next };
}

/** A plain scalar `first` that goes on over the lines from offset `from` (those indented deeper than `indent`). */
export function continuedPlain(source: string, from: number, first: string, indent: number): Multiline {
  let text = first;
  let breaks = 0;
  let after = from;
  for (let o = from; o <= source.length;) {
    const { text: line, next } = lineAt(source, o);
    o = next;
    let at = 0;
    while (line.charCodeAt(at) === 0x20) at++;
    if (at === line.length) { breaks++; continue; }
    if (at <= indent || line.charCodeAt(at) === 0x23) break;
    if (line.charCodeAt(at) === 0x09) throw new Unsupported('tab');
    const part = line.slice(at).trimEnd();
    if (part.includes(': ') || part.endsWith(':') || part.includes(' #') || part.includes('\t') || part.startsWith('- ') || part === '-' || /^[[\]{}&*!|>'"%@`#?]/.test(part)) throw new Unsupported('ambiguous continuation');
    text += breaks > 0 ? '\n'.repeat(breaks) + part : ` ${part}`;
    breaks = 0;
    after = next;
  }
  return { value: text, next: after };
}

/**
 * A quoted scalar that goes on over several lines, folded as YAML folds it: a line break is a
 * space, each empty line a newline, indentation and trailing spaces dropped; in double quotes a
 * backslash at the end of a line joins the lines.
 */
export function multilineQuoted(source: string, from: number, first: string, indent: number): Multiline {
  const q = first[0];
  const parts = [first.slice(1)];
  let after = -1;
  for (let o = from; o <= source.length;) {
    const { text: line, next } = lineAt(source, o);
    o = next;
    if (line.trim() !== '' && indentOf(line) <= indent) throw new Unsupported('quoted scalar not indented');
    if (line.includes('\t')) throw new Unsupported('tab in quoted scalar');
    const end = closingQuote(line, q);
    if (end >= 0) {
      parts.push(line.slice(0, end));
      assertOnlyComment(line, end + 1);
      after = next;
      break;
    }
    parts.push(line);
  }
  if (after < 0) throw new Unsupported('unclosed quoted scalar');
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
  if (q === "'") return { value: out.replace(/''/g, "'"), next: after };
  const raw = `"${out}"`;
  if (/\\[^"\\/bfnrtu]/.test(raw) || /[\u0000-\u001f]/.test(raw)) throw new Unsupported('escape');
  try {
    return { value: JSON.parse(raw), next: after };
  } catch {
    throw new Unsupported('escape');
  }
}

function indentOf(line: string): number {
  let k = 0;
  while (line.charCodeAt(k) === 0x20) k++;
  return k;
}

/** A block scalar (`|` or `>` with `header`) whose lines start at offset `from`. */
export function blockScalar(source: string, from: number, header: string, indent: number): Multiline {
  const m = /^([|>])([-+]?)(\s+#.*)?\s*$/.exec(header);
  if (!m) throw new Unsupported('block scalar header');
  const literal = m[1] === '|';
  const chomp = m[2];
  const raw: string[] = [];
  let contentIndent = -1;
  let o = from;
  while (o <= source.length) {
    const { text: line, next } = lineAt(source, o);
    const at = indentOf(line);
    if (at !== line.length) {
      if (contentIndent < 0) {
        if (at <= indent) break;
        contentIndent = at;
      }
      if (at < contentIndent) break;
    }
    raw.push(line);
    o = next;
  }
  if (contentIndent < 0) {
    if (chomp === '+') throw new Unsupported('empty kept block scalar');
    return { value: '', next: o };
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
  if (chomp === '-') return { value: text, next: o };
  if (chomp === '+') return { value: `${text}\n${'\n'.repeat(trailing)}`, next: o };
  return { value: `${text}\n`, next: o };
}

