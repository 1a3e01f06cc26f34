/**
 * Where an object came from, resolved lazily. An audit holds no document text: each object keeps
 * the byte range of its document, and a report that needs a field's line reads that range again
 * (one document at a time, in input order) and scans it for lines. Standard input is spooled to a
 * temporary file as it is read, so it can be read again in the same way.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Finding, SourceRef, SuppressedFinding } from '../types';
import { ByteSource } from './bytes';
import { FieldPath, fieldLines, jsonLineIndex, LineIndex, PathTrie, yamlLineIndex } from './lines';

/** Bytes that can be read again by offset: a file, a spool of stdin, or a buffer. */
export interface Rereadable {
  readRange(start: number, end: number): string | undefined;
  dispose(): void;
}

/** The file read again last, and a window of its bytes read ahead (documents are asked for in input order). */
let openFile: { path: string; fd: number; window: Buffer; windowStart: number; windowLength: number } | undefined;

const READ_AHEAD_BYTES = 1 << 20;

function closeOpenFile(): void {
  if (openFile) {
    try { fs.closeSync(openFile.fd); } catch { /* already closed */ }
    openFile = undefined;
  }
}

export function fileStore(file: string, temporary = false): Rereadable {
  return {
    readRange(start, end) {
      try {
        if (openFile?.path !== file) {
          closeOpenFile();
          openFile = { path: file, fd: fs.openSync(file, 'r'), window: Buffer.alloc(0), windowStart: 0, windowLength: 0 };
        }
        const o = openFile;
        // One read for many documents: the next ones asked for are usually in the same window.
        if (start < o.windowStart || end > o.windowStart + o.windowLength) {
          if (o.window.length < Math.max(READ_AHEAD_BYTES, end - start)) o.window = Buffer.allocUnsafe(Math.max(READ_AHEAD_BYTES, end - start));
          o.windowStart = start;
          o.windowLength = fs.readSync(o.fd, o.window, 0, o.window.length, start);
        }
        const from = start - o.windowStart;
        return o.window.toString('utf8', from, Math.min(end - o.windowStart, o.windowLength));
      } catch {
        // The file changed or went away since it was audited: lines are then unknown.
        return undefined;
      }
    },
    dispose() {
      if (openFile?.path === file) closeOpenFile();
      if (temporary) fs.rmSync(file, { force: true });
    },
  };
}

export function bufferStore(bytes: Buffer): Rereadable {
  return { readRange: (start, end) => bytes.toString('utf8', start, end), dispose: () => undefined };
}

/** Wraps stdin so that what is read is also written to a temporary file, for reading again. */
export function spooled(source: ByteSource): { source: ByteSource; store: Rereadable } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-resilient-stdin-'));
  const spool = path.join(dir, 'stdin');
  const fd = fs.openSync(spool, 'w');
  let open = true;
  const store = fileStore(spool, true);
  return {
    source: {
      read(into) {
        const n = source.read(into);
        if (n > 0) fs.writeSync(fd, into, 0, n);
        return n;
      },
      close() {
        if (open) { fs.closeSync(fd); open = false; }
        source.close();
      },
    },
    store: {
      readRange: (start, end) => store.readRange(start, end),
      dispose() {
        store.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    },
  };
}

/** One document's place in its source. */
export class DocumentPlace {
  constructor(
    public readonly store: Rereadable,
    public readonly byteStart: number,
    public readonly byteEnd: number,
    public readonly firstLine: number,
    public readonly json: boolean,
  ) {}
}

let cached: { place: DocumentPlace; index: LineIndex | undefined } | undefined;

function indexOf(place: DocumentPlace): LineIndex | undefined {
  if (cached?.place === place) return cached.index;
  const text = place.byteStart >= 0 ? place.store.readRange(place.byteStart, place.byteEnd) : undefined;
  const index = text === undefined ? undefined : place.json ? jsonLineIndex(text, place.firstLine) : yamlLineIndex(text, place.firstLine);
  cached = { place, index };
  return index;
}

/** Forgets the last document's lines (after a report, so nothing is held). */
export function forgetLines(): void {
  cached = undefined;
  closeOpenFile();
}

/**
 * The source of an object at `prefix` inside a document (an item of a list or array has a
 * prefix; a document's own object has none). `line` is known at once when the reader found it.
 * A class rather than closures: one small object per audited object.
 */
class DocumentSource implements SourceRef {
  constructor(public readonly file: string, public readonly place: DocumentPlace, public readonly prefix: FieldPath, public known: number | undefined) {}

  public get line(): number {
    this.known ??= indexOf(this.place)?.locate(this.prefix) ?? this.place.firstLine;
    return this.known;
  }

  public locate(p: FieldPath): number | undefined {
    return indexOf(this.place)?.locate(this.fullPath(p));
  }

  public fullPath(p: FieldPath): FieldPath {
    return this.prefix.length === 0 ? p : [...this.prefix, ...p];
  }
}

const NO_PREFIX: FieldPath = Object.freeze([]);

export function sourceAt(file: string, place: DocumentPlace, prefix: FieldPath, knownLine?: number): SourceRef {
  return new DocumentSource(file, place, prefix.length === 0 ? NO_PREFIX : prefix, knownLine);
}

/**
 * Sets each finding's fieldLine (as `source.locate(path) ?? source.line` would), reading each
 * document once for all the findings on it: findings come in input order, so those of one
 * document are next to each other.
 */
export function locateFindings(findings: ReadonlyArray<Finding | SuppressedFinding>): void {
  for (let i = 0; i < findings.length;) {
    const source = findings[i].source;
    // Located by the thread that read the document (check-document.ts).
    if (findings[i].fieldLine !== undefined && (!(source instanceof DocumentSource) || source.known !== undefined)) {
      i++;
      continue;
    }
    if (!(source instanceof DocumentSource)) {
      const f = findings[i++];
      if (f.source) f.fieldLine = f.source.locate?.(f.pathSegments) ?? f.source.line;
      continue;
    }
    const place = source.place;
    let end = i;
    const wanted = new PathTrie();
    for (; end < findings.length; end++) {
      const s = findings[end].source;
      if (!(s instanceof DocumentSource) || s.place !== place) break;
      wanted.add(s.fullPath(findings[end].pathSegments));
      if (s.known === undefined) wanted.add(s.prefix);
    }
    const text = place.byteStart >= 0 ? place.store.readRange(place.byteStart, place.byteEnd) : undefined;
    const index = text === undefined ? undefined : fieldLines(text, place.firstLine, place.json, wanted);
    for (; i < end; i++) {
      const f = findings[i];
      const s = f.source as DocumentSource;
      s.known ??= index?.locate(s.prefix) ?? place.firstLine;
      f.fieldLine = index?.locate(s.fullPath(f.pathSegments)) ?? s.known;
    }
  }
}
