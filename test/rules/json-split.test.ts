/**
 * The JSON splitter (src/rules/input/json-documents.ts) cuts a stream into pieces without parsing
 * it; inside values nested below the items it runs a tighter loop. Property: for generated
 * streams (a top-level array, a `kind: List`, values one after another; nested objects and
 * arrays; strings with brackets, quotes, escapes and non-ASCII text; pretty or compact) delivered
 * in chunks of any size, the pieces are the same as when the stream arrives in one chunk, each
 * parses to the value it should, and starts on that value's line. Seed printed.
 */
import fc from 'fast-check';
import { ByteSource, Opening, RawDocument } from '../../src/rules/input/bytes';
import { jsonDocuments } from '../../src/rules/input/json-documents';

const text = fc.oneof(fc.string(), fc.constantFrom('a]b}c', '"quoted"', 'back\\slash', 'ü ✓ 🚀', '[{', '\\"'));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, text, fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('node'), { maxLength: 4 }),
  object: fc.dictionary(text, tie('node'), { maxKeys: 4 }),
})).node;
const item = fc.record({ apiVersion: fc.constant('v1'), kind: fc.constantFrom('ConfigMap', 'Service'), data: value, spec: fc.dictionary(text, value, { maxKeys: 3 }) });

/** A source that hands over its bytes in the given chunk sizes (as a pipe does). */
function chunked(bytes: Buffer, sizes: number[]): { source: ByteSource; opening: Opening } {
  const first = Math.min(bytes.length, sizes[0] ?? bytes.length);
  let offset = first;
  let turn = 1;
  const source: ByteSource = {
    read: (into) => {
      if (offset >= bytes.length) return 0;
      const n = Math.min(into.length, bytes.length - offset, Math.max(1, sizes[turn++ % sizes.length] ?? into.length));
      bytes.copy(into, 0, offset, offset + n);
      offset += n;
      return n;
    },
    close: () => undefined,
  };
  const head = bytes.subarray(0, first);
  const firstChar = String.fromCharCode(bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) ?? 0x20);
  return { source, opening: { head, bom: 0, blank: false, firstChar } };
}

function pieces(bytes: Buffer, sizes: number[]): RawDocument[] {
  const { source, opening } = chunked(bytes, sizes);
  return [...jsonDocuments(source, opening)];
}

test('pieces do not depend on how the stream is chunked, and parse to the values written (property)', () => {
  const seed = Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31);
  process.stdout.write(`json splitter property seed ${seed}\n`);
  fc.assert(fc.property(fc.array(item, { minLength: 1, maxLength: 6 }), fc.constantFrom('array', 'list', 'values'), fc.boolean(),
    fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), (items, shape, pretty, sizes) => {
      const write = (v: unknown) => (pretty ? JSON.stringify(v, null, 2) : JSON.stringify(v));
      const streamText = shape === 'array' ? write(items)
        : shape === 'list' ? write({ apiVersion: 'v1', kind: 'List', items })
          : items.map(write).join('\n');
      const bytes = Buffer.from(streamText, 'utf8');
      const whole = pieces(bytes, [bytes.length]);
      expect(pieces(bytes, sizes)).toEqual(whole);
      const texts = whole.filter((d): d is Extract<RawDocument, { text: string }> => 'text' in d);
      if (shape === 'list') {
        // The items one by one, then the list itself with an empty items array.
        expect(texts.map((d) => JSON.parse(d.text))).toEqual([...items, { apiVersion: 'v1', kind: 'List', items: [] }]);
      } else {
        expect(texts.map((d) => JSON.parse(d.text))).toEqual(items);
        // Each piece starts on the line where its value starts.
        for (const d of texts) {
          const before = bytes.subarray(0, d.byteStart).toString('utf8');
          expect(d.firstLine).toBe(before.split('\n').length);
          expect(bytes.subarray(d.byteStart, d.byteEnd).toString('utf8')).toBe(d.text);
        }
      }
    }), { seed, numRuns: 300 });
});
