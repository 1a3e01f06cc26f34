/**
 * The fast block-YAML reader must give exactly what js-yaml (core schema) gives, or decline. The
 * property: for any JSON-like value written as YAML by js-yaml and by the `yaml` library in their
 * usual styles, the fast reader returns js-yaml's value or throws Unsupported. The seed is
 * printed so a failure can be replayed.
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import * as jsyaml from 'js-yaml';
import { stringify } from 'yaml';
import { parseBlockYaml, Unsupported } from '../../src/rules/input/yaml-fast';

const ROOT = path.resolve(__dirname, '..', '..');

function fastOrDecline(text: string): { value?: unknown; declined: boolean } {
  try {
    return { value: parseBlockYaml(text), declined: false };
  } catch (e) {
    if (e instanceof Unsupported) return { declined: true };
    throw e;
  }
}

/** Keys and strings that stress scalar resolution and quoting. */
const TRICKY = [
  'null', 'Null', '~', 'true', 'False', 'yes', 'no', 'on', 'off', '0', '010', '0o17', '0x1F', '1_000', '1e3', '.5', '-.inf', '.NaN', '+1',
  '', ' ', 'a: b', 'a #b', '#c', '- x', '[x]', '{x}', 'it\'s', 'say "hi"', 'tab\there', 'back\\slash', 'line\nbreak', 'two\n\nbreaks', 'trailing\n',
  '  lead', 'trail  ', ':colon', 'é ü 中', '*star', '&amp', '!bang', '|pipe', '>gt', '%pct', '@at', '`tick', '?q', 'a:b', 'http://x:80/y',
];

const scalar = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof(fc.constantFrom(...TRICKY.filter((k) => k !== '__proto__')), fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('name', 'spec', 'containers', 'image', 'ports'));

const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(key.filter((k) => k !== '__proto__'), tie('node'), { maxKeys: 5 }),
})).node;

const DUMPERS: Array<[string, (v: unknown) => string]> = [
  ['js-yaml block', (v) => jsyaml.dump(v, { schema: jsyaml.CORE_SCHEMA })],
  ['js-yaml narrow lines', (v) => jsyaml.dump(v, { schema: jsyaml.CORE_SCHEMA, lineWidth: 20 })],
  ['js-yaml flow below level 2', (v) => jsyaml.dump(v, { schema: jsyaml.CORE_SCHEMA, flowLevel: 2 })],
  ['js-yaml no indented sequences', (v) => jsyaml.dump(v, { schema: jsyaml.CORE_SCHEMA, noArrayIndent: true })],
  ['yaml', (v) => stringify(v)],
  ['yaml narrow lines', (v) => stringify(v, { lineWidth: 24, minContentWidth: 8 })],
  ['yaml flow', (v) => stringify(v, { collectionStyle: 'flow' })],
];

describe.each(DUMPERS)('written by %s', (_name, dump) => {
  test('read back exactly as js-yaml reads it, or declined', () => {
    const seed = Date.now() % 2 ** 31;
    process.stdout.write(`yaml-reader property seed ${seed} (${_name})\n`);
    fc.assert(fc.property(fc.oneof(fc.dictionary(key, value, { maxKeys: 6 }), fc.array(value, { maxLength: 5 })), (v) => {
      const text = dump(v);
      let expected: unknown;
      try {
        expected = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
      } catch {
        // What js-yaml refuses, the fast reader must decline, so that js-yaml reports it.
        expect({ text, declined: fastOrDecline(text).declined }).toEqual({ text, declined: true });
        return;
      }
      const got = fastOrDecline(text);
      if (!got.declined) expect({ text, value: got.value }).toEqual({ text, value: expected });
    }), { seed, numRuns: Number(process.env.PROPERTY_RUNS ?? 300) });
  });
});

test('invalid YAML is declined, so that js-yaml reports it', () => {
  for (const text of ['a: b: c\n', 'a: [1, 2\n', 'a:\n  - b\n  c: d\n', 'a: 1\na: 2\n', 'key: "open\n', '- a\nb: c\n', 'a:\n\t- b\n']) {
    expect(() => jsyaml.load(text)).toThrow();
    expect(fastOrDecline(text).declined).toBe(true);
  }
});

test('manifests as written by people and tools are read, not declined', () => {
  const files = [
    ...fs.readdirSync(path.join(ROOT, 'test/fixtures/audit')).filter((f) => f.endsWith('.yaml')).map((f) => path.join(ROOT, 'test/fixtures/audit', f)),
    path.join(ROOT, 'test/fixtures/audit/repo/manifests/cache.yaml'),
    path.join(ROOT, 'test/fixtures/audit/repo/manifests/monitoring.yaml'),
  ];
  let documents = 0;
  for (const file of files) {
    for (const doc of fs.readFileSync(file, 'utf8').split(/^---(?=\s|$)/m)) {
      let expected: unknown;
      try {
        expected = jsyaml.load(doc, { schema: jsyaml.CORE_SCHEMA });
      } catch {
        continue;
      }
      const got = fastOrDecline(doc);
      expect({ file, declined: got.declined }).toEqual({ file, declined: false });
      expect(got.value).toEqual(expected);
      documents++;
    }
  }
  expect(documents).toBeGreaterThanOrEqual(10);
});

test('block scalars, folding, quotes and comments', () => {
  const text = [
    'a: |',
    '  line one',
    '',
    '    indented',
    'b: >-',
    '  folded',
    '  text',
    '',
    '  para',
    'c: "multi',
    '  line \\"quoted\\""',
    "d: 'it''s'   # comment",
    'e: plain',
    '  continued',
    'f: |+',
    '  keep',
    '',
    'g: [1, "two", {x: y}]',
    'labels: &labels',
    '  app: web',
    'selector:',
    '  matchLabels: *labels',
    'list: &list',
    '- a',
    'again: *list',
    '',
  ].join('\n');
  const got = fastOrDecline(text);
  expect(got.declined).toBe(false);
  expect(got.value).toEqual(jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }));
});

/** Edits that real manifests (and typing slips) contain: indicators, comments, odd white space. */
const EDITS = ['\t', ' #', '#', ':', ': ', ' ', '  ', '"', "'", '\r', '\u00a0', '\u2028', '\\', '- ', '-', '&a ', '*a', '!t ', '|', '>', '[', ']', '{', '}',
  ',', '?', '%', '@', '`', '\n', '\n  ', '\n\n', '0', '010', '~', 'null', 'True', '.inf', '1e3', '0x1F', '  # c\n', 'é', '\ufeff', '<<: ', '__proto__: x\n', 'constructor: 1\n'];

test('manifests with random edits: read exactly as js-yaml reads them, or declined (property)', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { mix } = require('../../bench/audit-mix');
  const documents = [...mix(60, 5)].flatMap((o) => [stringify(o), jsyaml.dump(o), stringify(o, { indentSeq: false })]);
  const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), kind: fc.nat(9), text: fc.constantFrom(...EDITS), length: fc.integer({ min: 1, max: 3 }) });
  const seed = Date.now() % 2 ** 31;
  process.stdout.write(`yaml-reader edits property seed ${seed}\n`);
  let read = 0;
  fc.assert(fc.property(fc.nat(documents.length - 1), fc.array(edit, { minLength: 1, maxLength: 3 }), (which, edits) => {
    let text = documents[which];
    for (const e of edits) {
      const at = Math.floor(e.at * text.length);
      if (e.kind < 6) text = text.slice(0, at) + e.text + text.slice(at);
      else if (e.kind < 8) text = text.slice(0, at) + text.slice(at + e.length);
      else {
        const lines = text.split('\n');
        lines.splice(Math.floor(e.at * lines.length), 0, lines[(Math.floor(e.at * 7919) + e.length) % lines.length]);
        text = lines.join('\n');
      }
    }
    let expected: unknown;
    try {
      expected = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
    } catch {
      expect({ text, declined: fastOrDecline(text).declined }).toEqual({ text, declined: true });
      return;
    }
    const got = fastOrDecline(text);
    if (got.declined) return;
    read++;
    // Key order too: messages quote selectors and labels as written.
    expect({ text, value: JSON.stringify(got.value) }).toEqual({ text, value: JSON.stringify(expected) });
  }), { seed, numRuns: Number(process.env.PROPERTY_RUNS ?? 1000) });
  expect(read).toBeGreaterThan(50);
});

test('js-yaml reads a shallower `- ` line after an empty item as the next item: declined', () => {
  for (const text of ['r:\n  - a:\n    -\n  - c\n', '- a:\n  -\n- b\n', 'a:\n  - x\n  -  #c\n- y\n']) {
    expect(fastOrDecline(text).declined).toBe(true);
  }
  expect(fastOrDecline('a:\n  -\n  - b\n')).toEqual({ value: { a: [null, 'b'] }, declined: false });
});

test('keys longer than the reader remembers are read afresh each time, with the same values as js-yaml', () => {
  const long = (c: string) => `${c.repeat(400)}/name`;
  const text = `${long('a')}: 1\n${long('b')}: two\nnested:\n  ${long('a')}: 3\n`;
  for (let i = 0; i < 3; i++) expect(parseBlockYaml(text)).toEqual(jsyaml.load(text));
});
