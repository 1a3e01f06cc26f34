/**
 * Manifests are read as a stream of documents, never as one string: a source is read in 1 MiB
 * chunks and cut at YAML document markers (`---` or `...` at the start of a line) or, for JSON,
 * between top-level values and the items of a top-level array or list. Cutting happens on bytes:
 * in UTF-8 no byte of a multi-byte character is ASCII, so a marker is never found inside one.
 * Memory held is the largest single document, not the file.
 */
import * as fs from 'fs';
import { isUtf8 } from 'buffer';

const CHUNK_BYTES = 1 << 20;

/** Where bytes come from: a file, stdin or a string held in memory. */
export interface ByteSource {
  /** Fills `into` from the start; returns the number of bytes read, 0 at the end. */
  read(into: Buffer): number;
  close(): void;
}

export function fileSource(path: string): ByteSource {
  const fd = fs.openSync(path, 'r');
  return { read: (into) => fs.readSync(fd, into, 0, into.length, null), close: () => fs.closeSync(fd) };
}

/** Standard input, read synchronously (a non-blocking pipe answers EAGAIN until data arrives). */
export function stdinSource(): ByteSource {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return {
    read: (into) => {
      for (;;) {
        try {
          return fs.readSync(0, into, 0, into.length, null);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 5); continue; }
          if (code === 'EOF') return 0;
          throw e;
        }
      }
    },
    close: () => undefined,
  };
}

export function textSource(text: string): ByteSource {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  return {
    read: (into) => {
      const n = bytes.copy(into, 0, offset, Math.min(bytes.length, offset + into.length));
      offset += n;
      return n;
    },
    close: () => undefined,
  };
}

/** One document's text, or why its bytes are not text. */
export type RawDocument =
  | { readonly text: string; readonly firstLine: number; readonly byteStart: number; readonly byteEnd: number; readonly plainSpace?: boolean }
  | { readonly notText: string; readonly firstLine: number };

export type Format = 'yaml' | 'json';

/** The first bytes of a source, to decide its format and whether it is text at all. */
export interface Opening {
  readonly head: Buffer;
  /** Bytes of a UTF-8 byte order mark left out of head (0 or 3). */
  readonly bom: number;
  /** Why the source is not UTF-8 text, if it is not. */
  readonly notText?: string;
  /** Nothing but whitespace (or nothing at all). */
  readonly blank: boolean;
  /** The first character that is not whitespace. */
  readonly firstChar?: string;
}

/** Reads the first chunk of a source. */
export function open(source: ByteSource): Opening {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let length = 0;
  // Pipes deliver less than a chunk per read: fill the first chunk so the checks below see enough.
  for (let n = source.read(buffer); n > 0; n = length < buffer.length ? source.read(buffer.subarray(length)) : 0) length += n;
  let head = buffer.subarray(0, length);
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  head = head.subarray(bom);
  let notText: string | undefined;
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) notText = 'is UTF-16 text; convert it to UTF-8';
  else if (head.indexOf(0) >= 0) notText = 'is binary, not text (it contains NUL bytes)';
  else if (!isUtf8(trimIncomplete(head))) notText = 'is not UTF-8 text (binary data or another encoding)';
  let firstChar: string | undefined;
  for (const byte of head) {
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) { firstChar = String.fromCharCode(byte); break; }
  }
  return { head: Buffer.from(head), bom, notText, blank: firstChar === undefined, firstChar };
}

/** The chunk without a UTF-8 sequence cut off at its end (the next chunk completes it). */
function trimIncomplete(bytes: Buffer): Buffer {
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back];
    if ((byte & 0xc0) === 0x80) continue;
    if (byte >= 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      if (needed > back) end -= back;
    }
    break;
  }
  return bytes.subarray(0, end);
}

/** Reads chunks after the opening one; `carry` holds bytes not yet consumed. */
function* chunks(source: ByteSource, opening: Opening): Generator<Buffer> {
  yield opening.head;
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  for (let n = source.read(buffer); n > 0; n = source.read(buffer)) yield Buffer.from(buffer.subarray(0, n));
}

function countLines(bytes: Buffer, start: number, end: number): number {
  let lines = 0;
  for (let i = bytes.indexOf(10, start); i >= 0 && i < end; i = bytes.indexOf(10, i + 1)) lines++;
  return lines;
}

function isMarkerEnd(byte: number | undefined): boolean {
  return byte === undefined || byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** A document from bytes[start, end); `base` is the offset of bytes[0] in the source. */
function documentOf(bytes: Buffer, start: number, end: number, firstLine: number, base: number): RawDocument {
  const slice = bytes.subarray(start, end);
  if (slice.indexOf(0) >= 0) return { notText: 'contains NUL bytes (binary data)', firstLine };
  if (!isUtf8(slice)) return { notText: 'is not UTF-8 text', firstLine };
  const text = slice.toString('utf8');
  // ASCII (one character per byte) without \r, \v or \f: white space is only what YAML and
  // JavaScript agree on, which the fast YAML reader would otherwise search the text for.
  const plainSpace = text.length === slice.length && slice.indexOf(0x0d) < 0 && slice.indexOf(0x0b) < 0 && slice.indexOf(0x0c) < 0;
  return { text, firstLine, byteStart: base + start, byteEnd: base + end, plainSpace };
}

/**
 * The documents of a YAML stream, each with the line it starts on. Content after `---` on the
 * marker's own line belongs to the next document.
 */
export function* yamlDocuments(source: ByteSource, opening: Opening): Generator<RawDocument> {
  let pending: Buffer = Buffer.alloc(0);
  let line = 1; // line of pending[0]
  let base = opening.bom; // offset of pending[0] in the source
  for (const chunk of chunks(source, opening)) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let start = 0;
    let startLine = line;
    let scanFrom = 0;
    const markers = new MarkerFinder(pending);
    for (;;) {
      const marker = markers.find(scanFrom, false);
      if (marker < 0) break;
      const markerLine = startLine + countLines(pending, start, marker);
      if (marker > start) yield documentOf(pending, start, marker, startLine, base);
      if (pending[marker] === 0x2d) {
        start = marker + 3;
        startLine = markerLine;
      } else {
        const eol = pending.indexOf(10, marker);
        start = eol < 0 ? pending.length : eol + 1;
        startLine = markerLine + (eol < 0 ? 0 : 1);
      }
      scanFrom = start;
    }
    pending = pending.subarray(start);
    base += start;
    line = startLine;
  }
  // The end of the stream: a marker may sit in the last four bytes.
  let start = 0;
  let startLine = line;
  const markers = new MarkerFinder(pending);
  for (let marker = markers.find(0, true); marker >= 0; marker = markers.find(start, true)) {
    const markerLine = startLine + countLines(pending, start, marker);
    if (marker > start) yield documentOf(pending, start, marker, startLine, base);
    if (pending[marker] === 0x2d) {
      start = marker + 3;
      startLine = markerLine;
    } else {
      const eol = pending.indexOf(10, marker);
      start = eol < 0 ? pending.length : eol + 1;
      startLine = markerLine + (eol < 0 ? 0 : 1);
    }
  }
  if (start < pending.length) yield documentOf(pending, start, pending.length, startLine, base);
}

/**
 * Finds document markers: the next `---` or `...` that starts a line and is followed by
 * whitespace or the end. Remembers where each pattern was last found, so that a buffer with
 * thousands of documents is searched once, not once per document.
 */
class MarkerFinder {
  private readonly next = new Map<Buffer, number>();

  constructor(private readonly bytes: Buffer) {}

  /** Offset of the next marker at or after `from`, or -1. Before the end of the stream, the last four bytes are left for the next chunk. */
  public find(from: number, atEnd: boolean): number {
    const limit = atEnd ? this.bytes.length : this.bytes.length - 4;
    let best = -1;
    for (const pattern of [DASHES, DOTS]) {
      let at = this.next.get(pattern);
      if (at === undefined || (at >= 0 && at < from)) at = this.search(pattern, from);
      this.next.set(pattern, at);
      if (at >= 0 && at <= limit && (best < 0 || at < best)) best = at;
    }
    return best;
  }

  private search(pattern: Buffer, from: number): number {
    for (let found = atLineStart(this.bytes, from, pattern); found >= 0; found = atLineStart(this.bytes, found + 1, pattern)) {
      if (isMarkerEnd(this.bytes[found + 3])) return found;
    }
    return -1;
  }
}

const DASHES = Buffer.from('---');
const DOTS = Buffer.from('...');

function atLineStart(bytes: Buffer, from: number, pattern: Buffer): number {
  if (from === 0 && bytes.subarray(0, 3).equals(pattern)) return 0;
  for (let i = bytes.indexOf(pattern, Math.max(from, 1)); i >= 0; i = bytes.indexOf(pattern, i + 1)) {
    if (bytes[i - 1] === 10) return i;
  }
  return -1;
}

/**
 * The values of a JSON stream: each top-level value, the items of a top-level array one by one,
 * and the items of a top-level object's `items` array one by one (a `kind: List`, as
 * `kubectl get -o json` writes it) followed by the object itself with an empty `items`. Only
 * the bytes are scanned here (strings and nesting); JSON.parse reads each piece.
 */
export function* jsonDocuments(source: ByteSource, opening: Opening): Generator<RawDocument> {
  const splitter = new JsonSplitter(opening.bom);
  for (const chunk of chunks(source, opening)) yield* splitter.push(chunk);
  yield* splitter.end();
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Offset of the quote that ends a JSON string whose content starts at `from`, or -1 when it is not in `bytes`. */
function closingQuote(bytes: Buffer, from: number): number {
  // A loop, not Buffer.indexOf: most strings are a few bytes long, and each indexOf call costs more than that.
  const n = bytes.length;
  for (let q = from; q < n; q++) {
    if (bytes[q] !== QUOTE) continue;
    let backslashes = 0;
    for (let k = q - 1; k >= from && bytes[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return -1;
}

class JsonSplitter {
  constructor(bom: number) {
    this.base = bom;
  }

  private bytes: Buffer = Buffer.alloc(0);
  /** Offset of bytes[0] in the source. */
  private base = 0;
  private pos = 0;
  /** Line of bytes[pos]. */
  private line = 1;
  private depth = 0;
  private top: number | undefined;
  /** The piece being collected (a top-level value or an item), or -1. */
  private pieceStart = -1;
  private pieceLine = 1;
  /** Last string closed at depth 1 of a top-level object, to spot `"items": [`. */
  private lastString = '';
  /** A list's own bytes: before its items, and (once they are over) after them. */
  private listPrefix: Buffer | undefined;
  private listLine = 1;
  private inItems = false;

  public *push(chunk: Buffer): Generator<RawDocument> {
    this.bytes = this.bytes.length === 0 ? chunk : Buffer.concat([this.bytes.subarray(this.keepFrom()), chunk]);
    if (this.bytes !== chunk) this.rebase();
    const b = this.bytes;
    for (; this.pos < b.length; this.pos++) {
      const c = b[this.pos];
      if (c === 10) this.line++;
      const itemDepth = this.itemDepth();
      if (isSpace(c)) {
        if (this.depth === 0 && this.top === undefined && this.pieceStart >= 0) yield this.endPiece(this.pos);
        continue;
      }
      if (this.depth === itemDepth && this.pieceStart < 0 && c !== COMMA && c !== CLOSE_ARRAY && c !== CLOSE_OBJECT && !(this.depth === 0 && c === OPEN_ARRAY)) this.startPiece();
      if (c === QUOTE) {
        // Strings hold most of the bytes: jump to the closing quote (JSON strings hold no raw newline).
        const end = closingQuote(b, this.pos + 1);
        if (end < 0) return; // the string goes on in the next chunk: scan it again from its start then
        if (this.depth === 1 && this.top === OPEN_OBJECT && !this.inItems) this.lastString = b.toString('utf8', this.pos + 1, end);
        this.pos = end;
      } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (this.depth === 0) this.top = c;
        if (this.depth === 1 && this.top === OPEN_OBJECT && c === OPEN_ARRAY && this.lastString === 'items' && this.listPrefix === undefined) {
          // A list: keep its own bytes so far, stream its items.
          this.listPrefix = Buffer.concat([b.subarray(this.pieceStart, this.pos), Buffer.from('[]')]);
          this.listLine = this.pieceLine;
          this.pieceStart = -1;
          this.inItems = true;
        }
        this.depth++;
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        if (this.depth === itemDepth && itemDepth > 0 && this.pieceStart >= 0) yield this.endPiece(this.pos);
        this.depth--;
        if (this.inItems && this.depth === 1) {
          this.inItems = false;
          this.pieceStart = this.pos + 1;
        } else if (this.depth === 0) {
          if (this.listPrefix !== undefined) {
            const whole = Buffer.concat([this.listPrefix, b.subarray(this.pieceStart, this.pos + 1)]);
            this.listPrefix = undefined;
            this.pieceStart = -1;
            yield { ...documentOf(whole, 0, whole.length, this.listLine, 0), byteStart: -1, byteEnd: -1 } as RawDocument;
          } else if (this.pieceStart >= 0 && this.top === OPEN_OBJECT) {
            yield this.endPiece(this.pos + 1);
          } else {
            this.pieceStart = -1;
          }
          this.top = undefined;
        } else if (this.depth < 0) {
          // A stray closing bracket: hand the rest to JSON.parse, which says what is wrong.
          this.depth = 0;
          this.startPiece();
          this.top = OPEN_OBJECT;
        }
      } else if (c === COMMA && this.depth === itemDepth && itemDepth > 0 && this.pieceStart >= 0) {
        yield this.endPiece(this.pos);
      }
    }
  }

  public *end(): Generator<RawDocument> {
    if (this.listPrefix !== undefined) {
      // Cut short inside or after the items: JSON.parse reports the truncation.
      const whole = Buffer.concat([this.listPrefix, this.bytes.subarray(Math.max(0, this.pieceStart))]);
      yield { ...documentOf(whole, 0, whole.length, this.listLine, 0), byteStart: -1, byteEnd: -1 } as RawDocument;
      return;
    }
    if (this.pieceStart >= 0 && this.pieceStart < this.bytes.length) yield this.endPiece(this.bytes.length);
  }

  /** The depth at which pieces start: 0 between top-level values, 1 in an array, 2 in `items`. */
  private itemDepth(): number {
    if (this.top === OPEN_ARRAY) return 1;
    if (this.inItems) return 2;
    return 0;
  }

  private keepFrom(): number {
    let keep = this.pos;
    if (this.pieceStart >= 0) keep = Math.min(keep, this.pieceStart);
    return keep;
  }

  /** Offsets after the consumed bytes were dropped. */
  private rebase(): void {
    const keep = this.keepFrom();
    this.base += keep;
    this.pos -= keep;
    if (this.pieceStart >= 0) this.pieceStart -= keep;
  }

  private startPiece(): void {
    this.pieceStart = this.pos;
    this.pieceLine = this.line;
  }

  private endPiece(end: number): RawDocument {
    const doc = documentOf(this.bytes, this.pieceStart, end, this.pieceLine, this.base);
    this.pieceStart = -1;
    return doc;
  }
}
