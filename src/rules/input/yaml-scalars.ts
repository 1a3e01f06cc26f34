/**
 * Scalars for the fast YAML reader (yaml-fast.ts): plain scalars resolved by js-yaml's own core
 * types, quoted scalars on one line, comments, and one-line flow collections.
 */
import { jsYaml } from './lazy-modules';

/** Thrown to hand a document to js-yaml. Not an Error: no stack is captured, which would cost more than the parse. */
export class Unsupported {
  constructor(public readonly message: string) {}
}

interface ImplicitType {
  resolve(data: string): boolean;
  construct(data: string): unknown;
}

// js-yaml's resolvers for plain scalars under the core schema (null, bool, int, float), so that
// `010`, `0x1F`, `1_000`, `.inf` or `~` read exactly as js-yaml reads them.
// Looked up on first use: most manifests never need them.
let implicit: ImplicitType[] | undefined | null = null;
function implicitTypes(): ImplicitType[] | undefined {
  if (implicit === null) implicit = (jsYaml().CORE_SCHEMA as unknown as { compiledImplicit?: ImplicitType[] }).compiledImplicit;
  return implicit;
}

const WORDS = new Map<string, unknown>([
  ['null', null], ['Null', null], ['NULL', null], ['~', null],
  ['true', true], ['True', true], ['TRUE', true], ['false', false], ['False', false], ['FALSE', false],
]);
const SMALL_INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;

export function resolvePlain(text: string): unknown {
  if (text === '') return null;
  const c = text.charCodeAt(0);
  // A letter can only start null, true or false, written in full.
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
    if (text.length !== 4 && text.length !== 5) return text;
    const word = WORDS.get(text);
    return word === undefined ? text : word;
  }
  // Only these other first characters can start a null or a number.
  if (!((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x7e)) return text;
  if (SMALL_INTEGER.test(text)) return Number(text);
  const types = implicitTypes();
  if (!types) throw new Unsupported('no core schema');
  for (const type of types) if (type.resolve(text)) return type.construct(text);
  return text;
}

/** Whether a quoted scalar opened before `from` closes on this line. */
export function closes(text: string, from: number, q: string): boolean {
  return closingQuote(text.slice(from), q) >= 0;
}

/** Offset of the quote that closes a scalar continued on this line, or -1. */
export function closingQuote(line: string, q: string): number {
  for (let k = 0; k < line.length; k++) {
    const c = line[k];
    if (q === '"' && c === '\\') { k++; continue; }
    if (c === q) {
      if (q === "'" && line[k + 1] === "'") { k++; continue; }
      return k;
    }
  }
  return -1;
}

export function stripComment(text: string): string {
  const hash = text.indexOf(' #');
  return (hash >= 0 ? text.slice(0, hash) : text).trimEnd();
}

export function assertOnlyComment(text: string, from: number): void {
  const rest = text.slice(from).trimStart();
  if (rest !== '' && !rest.startsWith('#')) throw new Unsupported('text after a value');
  if (rest.startsWith('#') && from < text.length && text[from] !== ' ' && text[from] !== '\t') throw new Unsupported('comment without a space');
}

/** A quoted scalar starting at `start` that ends on the same line. */
export function quoted(text: string, start: number): { value: string; end: number } {
  const q = text[start];
  if (q === "'") {
    let out = '';
    let k = start + 1;
    for (;;) {
      const next = text.indexOf("'", k);
      if (next < 0) throw new Unsupported('multi-line quoted');
      out += text.slice(k, next);
      if (text[next + 1] === "'") { out += "'"; k = next + 2; continue; }
      return { value: out, end: next + 1 };
    }
  }
  let k = start + 1;
  let escapes = false;
  for (; k < text.length; k++) {
    const ch = text.charCodeAt(k);
    if (ch === 0x5c) { escapes = true; k++; continue; }
    if (ch === 0x22) break;
  }
  if (k >= text.length) throw new Unsupported('multi-line quoted');
  const raw = text.slice(start, k + 1);
  if (!escapes && !/[\u0000-\u001f]/.test(raw)) return { value: raw.slice(1, -1), end: k + 1 };
  // JSON's escapes are a subset of YAML's; any other escape is left to js-yaml.
  if (/\\[^"\\/bfnrtu]/.test(raw) || /[\u0000-\u001f]/.test(raw)) throw new Unsupported('escape');
  try {
    return { value: JSON.parse(raw), end: k + 1 };
  } catch {
    throw new Unsupported('escape');
  }
}

/** A flow collection on one line: `[a, "b"]`, `{app: web, tier: "1"}`, nested. */
export class Flow {
  public pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  public value(): unknown {
    this.space();
    const c = this.text[this.pos];
    if (c === '[' || c === '{') {
      if (++this.depth > 50) throw new Unsupported('deep flow');
      const result = c === '[' ? this.sequence() : this.mapping();
      this.depth--;
      return result;
    }
    if (c === '"' || c === "'") {
      const q = quoted(this.text, this.pos);
      this.pos = q.end;
      return q.value;
    }
    return resolvePlain(this.plain());
  }

  private sequence(): unknown[] {
    this.pos++;
    const items: unknown[] = [];
    this.space();
    if (this.text[this.pos] === ']') { this.pos++; return items; }
    for (;;) {
      items.push(this.value());
      this.space();
      const c = this.text[this.pos++];
      if (c === ']') return items;
      if (c !== ',') throw new Unsupported('flow sequence');
      this.space();
      if (this.text[this.pos] === ']') throw new Unsupported('trailing comma');
    }
  }

  private mapping(): Record<string, unknown> {
    this.pos++;
    const object: Record<string, unknown> = {};
    this.space();
    if (this.text[this.pos] === '}') { this.pos++; return object; }
    for (;;) {
      this.space();
      const c = this.text[this.pos];
      let key: string;
      if (c === '"' || c === "'") {
        const q = quoted(this.text, this.pos);
        this.pos = q.end;
        key = q.value;
      } else {
        if (c === '[' || c === '{' || c === '?') throw new Unsupported('flow key');
        key = String(resolvePlain(this.plain(true)));
      }
      this.space();
      if (this.text[this.pos] !== ':') throw new Unsupported('flow key without value');
      this.pos++;
      if (Object.prototype.hasOwnProperty.call(object, key) || key === '__proto__') throw new Unsupported('duplicate key');
      this.space();
      object[key] = this.text[this.pos] === ',' || this.text[this.pos] === '}' ? null : this.value();
      this.space();
      const next = this.text[this.pos++];
      if (next === '}') return object;
      if (next !== ',') throw new Unsupported('flow mapping');
      this.space();
      if (this.text[this.pos] === '}') throw new Unsupported('trailing comma');
    }
  }

  /** A plain scalar inside a flow collection: up to `,`, `]`, `}` (and `: ` for keys). */
  private plain(key = false): string {
    const start = this.pos;
    for (; this.pos < this.text.length; this.pos++) {
      const c = this.text[this.pos];
      if (c === ',' || c === ']' || c === '}' || c === '[' || c === '{') break;
      if (c === ':' && (key || this.text[this.pos + 1] === ' ' || this.text[this.pos + 1] === ',' || this.text[this.pos + 1] === '}' || this.text[this.pos + 1] === ']')) break;
      if (c === '#' && this.text[this.pos - 1] === ' ') throw new Unsupported('comment in flow');
      if (c === '"' || c === "'" || c === '&' || c === '*' || c === '!' || c === '|' || c === '>' || c === '?' || c === '@' || c === '`' || c === '%') {
        if (this.pos === start) throw new Unsupported('flow indicator');
      }
    }
    const text = this.text.slice(start, this.pos).trim();
    if (text === '' && !key) throw new Unsupported('empty flow entry');
    if (text === '-') throw new Unsupported('flow dash');
    return text;
  }

  private space(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }
}
