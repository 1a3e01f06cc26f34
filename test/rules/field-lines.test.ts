/**
 * Field lines are found by a scan that records only the paths findings ask for (src/rules/input/
 * yaml-lines.ts and lines.ts). Property: on any mix of objects (bench/audit-mix.js, seeded by
 * fast-check) written as YAML and JSON in several styles, every path (and paths that do not exist)
 * gets the line the straightforward full index gives (test/support/reference-lines.ts). The seed
 * is printed.
 */
import fc from 'fast-check';
import * as jsyaml from 'js-yaml';
import { stringify } from 'yaml';
import { fieldLines, jsonLineIndex, PathTrie, yamlLineIndex } from '../../src/rules/input/lines';
import * as reference from '../support/reference-lines';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { mix } = require('../../bench/audit-mix');

type Path = Array<string | number>;

/** Every path of a value, and for each a sibling that does not exist. */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    out.push([...prefix, value.length]);
    value.forEach((v, i) => { out.push([...prefix, i]); pathsOf(v, [...prefix, i], out); });
  } else if (value !== null && typeof value === 'object') {
    out.push([...prefix, 'not-there']);
    for (const [k, v] of Object.entries(value)) { out.push([...prefix, k]); pathsOf(v, [...prefix, k], out); }
  }
  return out;
}

const WRITERS: Array<[string, boolean, (v: unknown) => string]> = [
  ['yaml', false, (v) => stringify(v)],
  ['yaml, sequences not indented, comments', false, (v) => `# head\n${stringify(v, { indentSeq: false }).replace(/\n/g, '\n  # note\n')}`],
  ['js-yaml', false, (v) => jsyaml.dump(v)],
  ['js-yaml, flow below level 3, quoted', false, (v) => jsyaml.dump(v, { flowLevel: 3, forceQuotes: true })],
  ['js-yaml, narrow lines', false, (v) => jsyaml.dump(v, { lineWidth: 20 })],
  ['JSON, indented', true, (v) => JSON.stringify(v, null, 2)],
  ['JSON, one line', true, (v) => JSON.stringify(v)],
];

describe.each(WRITERS)('written by %s', (_name, json, write) => {
  test('each path (and paths that do not exist) gets the line the full index gives (property)', () => {
    const seed = Date.now() % 2 ** 31;
    process.stdout.write(`field-lines property seed ${seed} (${_name})\n`);
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 40 }), (mixSeed, firstLine) => {
      for (const object of mix(3, mixSeed)) {
        const text = write(object);
        const paths = pathsOf(object);
        const expected = json ? reference.jsonLineIndex(text, firstLine) : reference.yamlLineIndex(text, firstLine);
        const wanted = new PathTrie();
        for (const p of paths) wanted.add(p);
        const targeted = fieldLines(text, firstLine, json, wanted);
        const full = json ? jsonLineIndex(text, firstLine) : yamlLineIndex(text, firstLine);
        for (const p of paths) {
          const want = expected.locate(p);
          expect({ p, line: targeted.locate(p) }).toEqual({ p, line: want });
          expect({ p, line: full.locate(p) }).toEqual({ p, line: want });
        }
        // One path at a time: the scan records only what is asked.
        for (const p of paths.slice(0, 30)) {
          const one = new PathTrie();
          one.add(p);
          expect({ p, line: fieldLines(text, firstLine, json, one).locate(p) }).toEqual({ p, line: expected.locate(p) });
        }
      }
    }), { seed, numRuns: Number(process.env.PROPERTY_RUNS ?? 25) });
  });

  test('a few paths at a time (the scan skips the blocks no path wants) get the full index\'s lines (property)', () => {
    const seed = Date.now() % 2 ** 31;
    process.stdout.write(`field-lines few-paths property seed ${seed} (${_name})\n`);
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 40 }), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), (mixSeed, firstLine, picks) => {
      for (const object of mix(4, mixSeed)) {
        const text = write(object);
        const paths = pathsOf(object);
        const chosen = picks.map((k) => paths[k % paths.length]);
        const wanted = new PathTrie();
        for (const p of chosen) wanted.add(p);
        const expected = json ? reference.jsonLineIndex(text, firstLine) : reference.yamlLineIndex(text, firstLine);
        const targeted = fieldLines(text, firstLine, json, wanted);
        for (const p of chosen) expect({ p, line: targeted.locate(p) }).toEqual({ p, line: expected.locate(p) });
      }
    }), { seed, numRuns: Number(process.env.PROPERTY_RUNS ?? 60) });
  });
});

describe('blocks no path wants are skipped only where the line-by-line reading would agree', () => {
  const cases: Array<[string, string, Path]> = [
    ['a quoted scalar continued at a shallower indentation', 'a:\n  x:\n    y: "one\n  two"\n  z: 1\nb: 2\n', ['a', 'z']],
    ['a flow sequence over several lines', 'a:\n  x:\n    y: [1,\n  2]\n  z: 1\n', ['a', 'z']],
    ['a block scalar', 'a:\n  x:\n    y: |\n      text\n  z: 1\n', ['a', 'z']],
    ['a comment line', 'a:\n  x:\n    # note\n    y: 1\n  z: 1\n', ['a', 'z']],
    ['a directive-like line', 'a:\n  x:\n    y: 1\n%odd\n  z: 1\n', ['a', 'z']],
    ['a tab', 'a:\n  x:\n    y: 1\n  \tz: 1\n', ['a', 'z']],
    ['items at the key\'s indentation', 'a:\n  x:\n  - 1\n  - 2\n  z: 1\n', ['a', 'z']],
    ['an item no path wants', 'a:\n- n: 1\n  m: 2\n- n: 3\n  m: 4\n', ['a', 1, 'm']],
    ['carriage returns', 'a:\r\n  x:\r\n    y: 1\r\n  z: 1\r\n', ['a', 'z']],
  ];
  test.each(cases)('%s', (_name, text, p) => {
    const wanted = new PathTrie();
    wanted.add(p);
    expect(fieldLines(text, 3, false, wanted).locate(p)).toBe(reference.yamlLineIndex(text, 3).locate(p));
  });
});

test('YAML the scan cannot follow goes to the yaml parser, in both', () => {
  const text = 'a:\n\tb: 1\n';
  const wanted = new PathTrie();
  wanted.add(['a', 'b']);
  expect(fieldLines(text, 1, false, wanted).locate(['a', 'b'])).toBe(reference.yamlLineIndex(text, 1).locate(['a', 'b']));
});
