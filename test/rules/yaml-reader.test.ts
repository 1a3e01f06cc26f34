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
