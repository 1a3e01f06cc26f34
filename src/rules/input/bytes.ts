/**
 * Manifests are read as a stream of documents, never as one string: a source is read in 1 MiB
 * chunks and cut at YAML document markers (`---` or `...` at the start of a line) or, for JSON
 * (json-documents.ts), between top-level values and the items of a top-level array or list.
 * Cutting happens on bytes:
 * in UTF-8 no byte of a multi-byte character is ASCII, so a marker is never found inside one.
 * Memory held is the largest single document, not the file.
 */
import * as fs from 'fs';
import { isAscii, isUtf8 } from 'buffer';

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

/** The opening chunk, then the rest of the source in chunks. */
export function* chunks(source: ByteSource, opening: Opening): Generator<Buffer> {
  yield opening.head;
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  for (let n = source.read(buffer); n > 0; n = source.read(buffer)) yield Buffer.from(buffer.subarray(0, n));
}

function countLines(bytes: Buffer, start: number, end: number): number {
  let lines = 0;
  for (let i = bytes.indexOf(10, start); i >= 0 && i < end; i = bytes.indexOf(10, i + 1)) lines++;
  return lines;
}

/**
 * Line breaks from `start` up to the end of a document cut from bytes[start, end): counted in its
 * text when it has one (String indexOf is a cheap call; Buffer indexOf is not), else in the bytes.
 */
function linesOf(doc: RawDocument | undefined, bytes: Buffer, start: number, end: number): number {
  if (doc === undefined || !('text' in doc)) return countLines(bytes, start, end);
  const text = doc.text;
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

function isMarkerEnd(byte: number | undefined): boolean {
  return byte === undefined || byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * What holds for every document cut from a buffer at line starts: UTF-8 text without NUL bytes
 * (`text`), and ASCII without \r, \v or \f (`plainSpace`). Checked once per buffer, so that its
 * documents need not be checked one by one; when a check fails, each document is checked alone.
 */
export interface BufferFacts {
  readonly text: boolean;
  readonly plainSpace: boolean;
}

const UNKNOWN: BufferFacts = { text: false, plainSpace: false };

/** `complete`: the buffer ends the stream (a UTF-8 sequence cut off at its end is then an error, not the next chunk's). */
export function factsOf(bytes: Buffer, complete: boolean): BufferFacts {
  const text = bytes.indexOf(0) < 0 && isUtf8(complete ? bytes : trimIncomplete(bytes));
  const plainSpace = text && isAscii(bytes) && bytes.indexOf(0x0d) < 0 && bytes.indexOf(0x0b) < 0 && bytes.indexOf(0x0c) < 0;
  return { text, plainSpace };
}

/** A document from bytes[start, end); `base` is the offset of bytes[0] in the source. */
export function documentOf(bytes: Buffer, start: number, end: number, firstLine: number, base: number, facts: BufferFacts = UNKNOWN): RawDocument {
  if (facts.plainSpace) return { text: bytes.toString('latin1', start, end), firstLine, byteStart: base + start, byteEnd: base + end, plainSpace: true };
  if (facts.text) return textDocument(bytes.toString('utf8', start, end), end - start, firstLine, base + start, base + end, () => bytes.subarray(start, end));
  const slice = bytes.subarray(start, end);
  if (slice.indexOf(0) >= 0) return { notText: 'contains NUL bytes (binary data)', firstLine };
  if (!isUtf8(slice)) return { notText: 'is not UTF-8 text', firstLine };
  return textDocument(slice.toString('utf8'), slice.length, firstLine, base + start, base + end, () => slice);
}

function textDocument(text: string, bytes: number, firstLine: number, byteStart: number, byteEnd: number, slice: () => Buffer): RawDocument {
  // ASCII (one character per byte) without \r, \v or \f: white space is only what YAML and
  // JavaScript agree on, which the fast YAML reader would otherwise search the text for.
  const s = text.length === bytes ? slice() : undefined;
  const plainSpace = s !== undefined && s.indexOf(0x0d) < 0 && s.indexOf(0x0b) < 0 && s.indexOf(0x0c) < 0;
  return { text, firstLine, byteStart, byteEnd, plainSpace };
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
    const facts = factsOf(pending, false);
    // ASCII: markers are searched in the text (String indexOf is a cheap call; Buffer indexOf is not).
    const markers = new MarkerFinder(pending, facts.plainSpace ? pending.toString('latin1') : undefined);
    for (;;) {
      const marker = markers.find(scanFrom, false);
      if (marker < 0) break;
      // The rest of a `...` line is dropped: wait for the chunk that holds its end.
      if (pending[marker] !== 0x2d && pending.indexOf(10, marker) < 0) break;
      const doc = marker > start ? documentOf(pending, start, marker, startLine, base, facts) : undefined;
      const markerLine = startLine + linesOf(doc, pending, start, marker);
      if (doc) yield doc;
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
  /** Where `---` and `...` were last found (-1: not after the last search), undefined before the first search. */
  private readonly next: Array<number | undefined> = [undefined, undefined];

  /** `ascii`: the bytes as text, when they are ASCII (offsets are then the same), to search in instead. */
  constructor(private readonly bytes: Buffer, private readonly ascii?: string) {}

  /** Offset of the next marker at or after `from`, or -1. Before the end of the stream, the last four bytes are left for the next chunk. */
  public find(from: number, atEnd: boolean): number {
    const limit = atEnd ? this.bytes.length : this.bytes.length - 4;
    let best = -1;
    for (let p = 0; p < 2; p++) {
      let at = this.next[p];
      if (at === undefined || (at >= 0 && at < from)) at = this.search(p, from);
      this.next[p] = at;
      if (at >= 0 && at <= limit && (best < 0 || at < best)) best = at;
    }
    return best;
  }

  private search(p: number, from: number): number {
    const text = this.ascii;
    if (text !== undefined) {
      const pattern = p === 0 ? '---' : '...';
      for (let found = textLineStart(text, from, pattern); found >= 0; found = textLineStart(text, found + 1, pattern)) {
        if (isMarkerEnd(this.bytes[found + 3])) return found;
      }
      return -1;
    }
    const pattern = p === 0 ? DASHES : DOTS;
    for (let found = atLineStart(this.bytes, from, pattern); found >= 0; found = atLineStart(this.bytes, found + 1, pattern)) {
      if (isMarkerEnd(this.bytes[found + 3])) return found;
    }
    return -1;
  }
}

/** atLineStart, in ASCII text. */
function textLineStart(text: string, from: number, pattern: string): number {
  if (from === 0 && text.startsWith(pattern)) return 0;
  for (let i = text.indexOf(pattern, Math.max(from, 1)); i >= 0; i = text.indexOf(pattern, i + 1)) {
    if (text.charCodeAt(i - 1) === 10) return i;
  }
  return -1;
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
