/**
 * Documents are cut from a buffer that is checked once (UTF-8 without NUL bytes; ASCII without
 * \r, \v, \f) so that each document need not be checked alone (bytes.ts, factsOf). Property: for
 * any bytes (ASCII, multi-byte UTF-8, carriage returns, NUL, invalid sequences, a sequence cut
 * off at the end) and any document cut at ASCII bytes, as the readers cut them, the document
 * read with the buffer's facts equals the document checked alone. Seed printed.
 */
import fc from 'fast-check';
import { documentOf, factsOf } from '../../src/rules/input/bytes';

const piece = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('a: 1\n', 'kind: Service\n', '---\n', '  - x\n', ' ', '\n', 'name: "q"\n') },
  { weight: 2, arbitrary: fc.constantFrom('é', '✓', '🚀', 'ü: ß\n') },
  { weight: 1, arbitrary: fc.constantFrom('\r\n', '\u000b', '\u000c', '\u0000') },
);
const bytesOf = fc.tuple(fc.array(piece, { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: 0x80, max: 0xff }), { maxLength: 2 }), fc.boolean())
  .map(([pieces, raw, rawInside]) => {
    const text = Buffer.from(pieces.join(''), 'utf8');
    const odd = Buffer.from(raw);
    // Invalid or cut-off bytes inside, or at the end (where the next chunk may complete them).
    return rawInside ? Buffer.concat([text.subarray(0, text.length >> 1), odd, text.subarray(text.length >> 1)]) : Buffer.concat([text, odd]);
  });

test('a document read with its buffer\'s facts equals the document checked alone (property)', () => {
  const seed = Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31);
  process.stdout.write(`document facts property seed ${seed}\n`);
  fc.assert(fc.property(bytesOf, fc.boolean(), fc.nat(), fc.nat(), (bytes, complete, a, b) => {
    // Readers cut at ASCII bytes (markers, line starts, JSON punctuation), never inside a character.
    const ascii = [0, ...[...bytes.keys()].filter((i) => bytes[i] < 0x80), bytes.length];
    let start = ascii[a % ascii.length];
    let end = ascii[b % ascii.length];
    if (start > end) [start, end] = [end, start];
    // Before the end of the stream, readers cut no document out of the bytes a next chunk may complete.
    if (!complete) {
      let tail = bytes.length;
      while (tail > 0 && bytes[tail - 1] >= 0x80) tail--;
      if (end > tail) end = tail;
      if (start > end) start = end;
    }
    const facts = factsOf(bytes, complete);
    expect(documentOf(bytes, start, end, 3, 100, facts)).toEqual(documentOf(bytes, start, end, 3, 100));
  }), { seed, numRuns: 2000 });
});

test('facts of a clean ASCII buffer let its documents through unchecked, a NUL anywhere makes each document checked', () => {
  expect(factsOf(Buffer.from('a: 1\n---\nb: 2\n'), true)).toEqual({ text: true, plainSpace: true });
  expect(factsOf(Buffer.from('a: é\n'), true)).toEqual({ text: true, plainSpace: false });
  expect(factsOf(Buffer.from('a: 1\r\n'), true)).toEqual({ text: true, plainSpace: false });
  expect(factsOf(Buffer.from('a: 1\n\u0000'), true)).toEqual({ text: false, plainSpace: false });
  expect(factsOf(Buffer.from([0x61, 0xc3]), false)).toEqual({ text: true, plainSpace: false });
  expect(factsOf(Buffer.from([0x61, 0xc3]), true)).toEqual({ text: false, plainSpace: false });
});
