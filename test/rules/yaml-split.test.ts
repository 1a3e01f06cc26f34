/**
 * The YAML stream splitter (src/rules/input/bytes.ts) cuts documents at `---` and `...` lines,
 * on bytes, and searches ASCII buffers as text. Property: for generated streams (ASCII and
 * non-ASCII documents; markers with comments or content after them; look-alikes that are no
 * markers such as `---x`, `a ---` or `....`; CRLF) delivered in chunks of any size, the documents
 * are those a plain reference cut (below) gives. Seed printed.
 */
import fc from 'fast-check';
import { ByteSource, Opening, yamlDocuments } from '../../src/rules/input/bytes';

const line = fc.constantFrom(
  'a: 1', 'kind: Service', '  - x', 'name: "q"', '', '# note', 'é: ü', 'v: ✓',
  '---', '--- # c', '---\tx: 1', '...', '... # end', '---x', 'a ---', '....', '-- -', ' ---',
);

/** A source that hands over its bytes in the given chunk sizes, after a first chunk of sizes[0]. */
function chunked(bytes: Buffer, sizes: number[]): { source: ByteSource; opening: Opening } {
  const first = Math.min(bytes.length, sizes[0]);
  let offset = first;
  let turn = 1;
  const source: ByteSource = {
    read: (into) => {
      if (offset >= bytes.length) return 0;
      const n = Math.min(into.length, bytes.length - offset, sizes[turn++ % sizes.length]);
      bytes.copy(into, 0, offset, offset + n);
      offset += n;
      return n;
    },
    close: () => undefined,
  };
  return { source, opening: { head: bytes.subarray(0, first), bom: 0, blank: false, firstChar: 'a' } };
}

/** The reference: markers are `---` or `...` at a line start followed by white space or the end. */
function referenceCut(text: string): Array<{ text: string; firstLine: number }> {
  const out: Array<{ text: string; firstLine: number }> = [];
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  let start = 0;
  for (let p = 0; p < text.length; p++) {
    if (p > 0 && text[p - 1] !== '\n') continue;
    const mark = text.startsWith('---', p) ? '-' : text.startsWith('...', p) ? '.' : '';
    if (!mark || !(p + 3 === text.length || ' \t\r\n'.includes(text[p + 3]))) continue;
    if (p > start) out.push({ text: text.slice(start, p), firstLine: lineOf(start) });
    if (mark === '-') {
      start = p + 3;
    } else {
      const eol = text.indexOf('\n', p);
      start = eol < 0 ? text.length : eol + 1;
    }
    p = Math.max(p, start - 1);
  }
  if (start < text.length) out.push({ text: text.slice(start), firstLine: lineOf(start) });
  return out;
}

test('documents are cut where a plain reading cuts them, however the stream is chunked (property)', () => {
  const seed = Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31);
  process.stdout.write(`yaml splitter property seed ${seed}\n`);
  fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), fc.boolean(), fc.boolean(),
    fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 6 }), (lines, crlf, finalBreak, sizes) => {
      let text = lines.join(crlf ? '\r\n' : '\n') + (finalBreak ? '\n' : '');
      if (crlf) text = text.replace(/\r\r/g, '\r');
      const bytes = Buffer.from(text, 'utf8');
      const { source, opening } = chunked(bytes, sizes);
      const docs = [...yamlDocuments(source, opening)];
      expect(docs.map((d) => ('text' in d ? { text: d.text, firstLine: d.firstLine } : d))).toEqual(referenceCut(text));
      for (const d of docs) {
        if ('text' in d) expect(bytes.subarray(d.byteStart, d.byteEnd).toString('utf8')).toBe(d.text);
      }
    }), { seed, numRuns: 1000 });
});
