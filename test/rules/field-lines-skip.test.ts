/**
 * The field-line scan skips the block of a key no finding asks about, unless the block holds
 * something that could end it elsewhere than its indentation says (yaml-lines.ts, firstUnsafe).
 * Quoted scalars and flow collections that close on their line, and `%` inside a value, do not
 * stop the skip; ones that go on over several lines (even at a shallower indentation) do.
 * Property: on generated documents full of such values, a few paths at a time get the line the
 * straightforward full index gives (test/support/reference-lines.ts). The seed is printed.
 */
import fc from 'fast-check';
import { fieldLines, PathTrie } from '../../src/rules/input/lines';
import * as reference from '../support/reference-lines';

type Path = Array<string | number>;

/**
 * Values after `key: `; `\n<` starts a continuation line one level shallower than the key, `\n=`
 * one at the key's own indentation, `\n>` one deeper.
 */
const VALUES = [
  'plain', '"true"', "'it''s'", '{}', '[]', '[a, b]', '{a: 1, b: [2, "3"]}', '"a \\" b"', '"a # b"', "'x' ",
  "don't", 'a "b" c', 'a "b"', '25%', '%x', '{a: "}"}', '["]", \'[\']', '"a": b', '"open\n<close"', '"open\n=close"',
  '[1,\n<2]', '{a: 1,\n=b: 2}', "'one\n<two'", '"x\n>y"', '[a] # c', '"a"\t', '{a: [1,\n<2]}', '"one\n<\n<two"',
];

interface Node {
  readonly keys: string[];
  readonly values: Array<Node | string | Node[]>;
}

const leaf = fc.constantFrom(...VALUES);
const tree: fc.Memo<Node> = fc.memo((n) => fc.uniqueArray(fc.tuple(
  fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
  n <= 1 ? leaf : fc.oneof(leaf, tree(n - 1), fc.array(tree(n - 1), { minLength: 1, maxLength: 2 })),
), { minLength: 1, maxLength: 4, selector: ([k]) => k }).map((entries) => ({ keys: entries.map(([k]) => k), values: entries.map(([, v]) => v) })));

function write(node: Node, indent: number, out: string[], paths: Path[], prefix: Path, firstPrefix = ''): void {
  node.keys.forEach((key, i) => {
    const pad = i === 0 && firstPrefix !== '' ? firstPrefix : ' '.repeat(indent);
    const value = node.values[i];
    const path = [...prefix, key];
    paths.push(path, [...path, 'not-there']);
    if (typeof value === 'string') {
      const shallower = ' '.repeat(Math.max(0, indent - 2));
      out.push(`${pad}${key}: ${value.replace(/\n</g, `\n${shallower}`).replace(/\n=/g, `\n${' '.repeat(indent)}`).replace(/\n>/g, `\n${' '.repeat(indent + 4)}`)}`);
    } else if (Array.isArray(value)) {
      out.push(`${pad}${key}:`);
      value.forEach((item, j) => write(item, indent + 2, out, paths, [...path, j], `${' '.repeat(indent)}- `));
    } else {
      out.push(`${pad}${key}:`);
      write(value, indent + 2, out, paths, path);
    }
  });
}

test('a few paths at a time get the full index\'s lines, whatever the skipped blocks quote (property)', () => {
  const seed = Date.now() % 2 ** 31;
  process.stdout.write(`field-lines skip property seed ${seed}\n`);
  fc.assert(fc.property(tree(4), fc.integer({ min: 1, max: 40 }), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (root, firstLine, picks) => {
    const lines: string[] = [];
    const paths: Path[] = [];
    write(root, 0, lines, paths, []);
    const text = `${lines.join('\n')}\n`;
    const expected = reference.yamlLineIndex(text, firstLine);
    const chosen = picks.map((k) => paths[k % paths.length]);
    const wanted = new PathTrie();
    for (const p of chosen) wanted.add(p);
    const targeted = fieldLines(text, firstLine, false, wanted);
    for (const p of chosen) expect({ text, p, line: targeted.locate(p) }).toEqual({ text, p, line: expected.locate(p) });
  }), { seed, numRuns: Number(process.env.PROPERTY_RUNS ?? 300) });
});
