/**
 * The documents of a JSON stream, cut from its bytes without parsing them (bytes.ts reads the
 * source in chunks): each top-level value, the items of a top-level array, and the items of a
 * `kind: List`. JSON.parse reads each piece.
 */
import { BufferFacts, ByteSource, chunks, documentOf, factsOf, Opening, RawDocument } from './bytes';

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
  /** What holds for all of bytes (bytes.ts). */
  private facts: BufferFacts = { text: false, plainSpace: false };
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
    this.facts = factsOf(this.bytes, false);
    const b = this.bytes;
    for (; this.pos < b.length; this.pos++) {
      if (this.depth > 1 && this.depth > this.itemDepth()) {
        if (!this.skipNested(b)) return; // a string goes on in the next chunk: scan it again from its start then
        if (this.pos >= b.length) break;
      }
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
    if (this.pieceStart >= 0 && this.pieceStart < this.bytes.length) {
      // The rest of the stream: a UTF-8 sequence cut off at its end is an error here.
      this.facts = factsOf(this.bytes, true);
      yield this.endPiece(this.bytes.length);
    }
  }

  /**
   * Inside a value nested deeper than depth 1 and than the items: only strings, brackets and line
   * breaks matter there, so a tight loop runs to the bracket that closes back to that depth (left
   * at this.pos for the general loop) or to the end of the buffer. False when a string goes on
   * past the end (this.pos is then its opening quote).
   */
  private skipNested(b: Buffer): boolean {
    const floor = Math.max(this.itemDepth(), 1);
    const n = b.length;
    let depth = this.depth;
    let line = this.line;
    let pos = this.pos;
    let complete = true;
    for (; pos < n; pos++) {
      const c = b[pos];
      if (c === QUOTE) {
        const end = closingQuote(b, pos + 1);
        if (end < 0) { complete = false; break; }
        pos = end;
      } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        depth++;
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        if (depth === floor + 1) break;
        depth--;
      } else if (c === 10) {
        line++;
      }
    }
    this.depth = depth;
    this.line = line;
    this.pos = pos;
    return complete;
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
    const doc = documentOf(this.bytes, this.pieceStart, end, this.pieceLine, this.base, this.facts);
    this.pieceStart = -1;
    return doc;
  }
}
