/**
 * The manifests pinned in the project's jest snapshots, read back as objects so they can be sent
 * to a real API server.
 *
 * A .snap file is a CommonJS module of template strings; each string is pretty-format output of
 * the synthesized objects (jest.config.js: escapeString false, printBasicPrototype false). That
 * format is JSON-like but not JSON: trailing commas, and strings printed without escaping. The
 * parser below reads exactly that shape, and `readSnapshotManifests` proves each reading by
 * printing the result again with pretty-format and comparing it with the snapshot text: a
 * snapshot that does not come back identical is an error, never a silently different manifest.
 */
import * as fs from 'fs';
import * as path from 'path';
import { format } from 'pretty-format';
import type { Manifest } from './cluster';

/** One snapshot: the file it lives in, its jest name and the objects it pins. */
export type SnapshotManifests = { file: string; name: string; objects: Manifest[] };

class Reader {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): unknown {
    const value = this.value(true);
    if (this.pos !== this.text.length) this.fail('unexpected text after the value');
    return value;
  }

  private fail(problem: string): never {
    const line = this.text.slice(0, this.pos).split('\n').length;
    throw new Error(`snapshot text, line ${line}: ${problem}`);
  }

  private take(literal: string): boolean {
    if (!this.text.startsWith(literal, this.pos)) return false;
    this.pos += literal.length;
    return true;
  }

  private skipIndent(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  private value(topLevel = false): unknown {
    if (this.take('{}')) return {};
    if (this.take('[]')) return [];
    if (this.take('{\n')) return this.members();
    if (this.take('[\n')) return this.items();
    if (this.text[this.pos] === '"') return this.string(topLevel);
    const scalar = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.pos));
    if (!scalar) this.fail('expected a value');
    this.pos += scalar[0].length;
    return JSON.parse(scalar[0]);
  }

  /** A string ends at the quote followed by ",\n" (inside an object or array) or the end. */
  private string(topLevel: boolean): string {
    const start = this.pos + 1;
    const end = topLevel ? this.text.lastIndexOf('"') : this.text.indexOf('",\n', start);
    if (end < start) this.fail('unterminated string');
    this.pos = end + 1;
    return this.text.slice(start, end);
  }

  private members(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (;;) {
      this.skipIndent();
      if (this.take('}')) return out;
      if (!this.take('"')) this.fail('expected a quoted key');
      const end = this.text.indexOf('": ', this.pos);
      if (end < 0) this.fail('unterminated key');
      const key = this.text.slice(this.pos, end);
      this.pos = end + 3;
      out[key] = this.value();
      if (!this.take(',\n')) this.fail(`expected ",\\n" after the value of "${key}"`);
    }
  }

  private items(): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      this.skipIndent();
      if (this.take(']')) return out;
      out.push(this.value());
      if (!this.take(',\n')) this.fail('expected ",\\n" after an array item');
    }
  }
}

/** Reads pretty-format text back into a value; throws unless printing it again gives the text. */
export function parsePrettyFormat(text: string): unknown {
  const value = new Reader(text).parse();
  const again = format(value, { escapeString: false, printBasicPrototype: false });
  if (again !== text) throw new Error('snapshot text did not read back identically; the reader does not understand it');
  return value;
}

/** Every .snap file under `dir`. */
function snapshotFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : snapshotFiles(full);
    return entry.name.endsWith('.snap') ? [full] : [];
  });
}

/** Whether a value is a list of Kubernetes objects (what the construct tests snapshot). */
function isManifestList(value: unknown): value is Manifest[] {
  return Array.isArray(value) && value.length > 0 && value.every((o) => o && typeof o === 'object' && typeof o.apiVersion === 'string' && typeof o.kind === 'string');
}

/** Every snapshot under `testDir` that pins a list of Kubernetes objects. */
export function readSnapshotManifests(testDir: string): SnapshotManifests[] {
  const found: SnapshotManifests[] = [];
  for (const file of snapshotFiles(testDir).sort()) {
    const moduleExports: Record<string, string> = {};
    // A .snap file is `exports[name] = \`...\`;` lines: run it with its own exports object.
    new Function('exports', fs.readFileSync(file, 'utf8'))(moduleExports);
    for (const [name, text] of Object.entries(moduleExports)) {
      const value = parsePrettyFormat(text.replace(/^\n/, '').replace(/\n$/, ''));
      if (isManifestList(value)) found.push({ file: path.relative(testDir, file), name, objects: value });
    }
  }
  return found;
}
