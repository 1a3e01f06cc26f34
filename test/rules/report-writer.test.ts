/**
 * The JSON report writes each finding field by field (findingJsonWriter) instead of building an
 * item and calling the generic JSON.stringify (genericFindingJson); both must give the same bytes
 * for any finding, including values the fast writer hands back to the generic one (objects,
 * arrays, null, NaN), strings that need escaping, and runs of findings that share an object ref
 * (whose JSON the writer keeps). Property-based, seed printed.
 */
import fc from 'fast-check';
import { findingJsonWriter, genericFindingJson } from '../../src/rules/report';
import { Finding } from '../../src/rules/types';

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', 'main', 'quote " and \\ backslash', 'line\nbreak\ttab', '\u0000\u001f', '\ud800 lone', 'é ✓ 🚀', '</script>'),
);
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean());
const anyValue = fc.oneof(scalar, fc.constant(undefined), fc.constant(null), fc.array(scalar, { maxLength: 3 }), fc.dictionary(text, scalar, { maxKeys: 3 }));
/** Mostly well-formed, sometimes anything: the type says string, the writer must not rely on it. */
const mostly = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: good }, { weight: 1, arbitrary: anyValue });

const ref = fc.oneof(
  { weight: 4, arbitrary: fc.record({ apiVersion: text, kind: text, namespace: text, name: text }, { requiredKeys: ['kind', 'name'] }) },
  { weight: 1, arbitrary: fc.dictionary(text, anyValue, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, {}, { toJSON: () => 'custom' }) },
);

const source = fc.option(fc.record({
  file: mostly(text),
  line: mostly(fc.integer({ min: 1, max: 1e6 })),
  withLocate: fc.boolean(),
}), { nil: undefined });

const finding = (refs: unknown[]) => fc.record({
  // A string: the docs link is built from it.
  ruleId: fc.oneof(fc.constantFrom('pdb-missing', 'spread-missing', 'image-tag-mutable'), text),
  severity: mostly(fc.constantFrom('error', 'warning')),
  refIndex: fc.nat(refs.length - 1),
  path: mostly(text),
  message: mostly(text),
  fix: mostly(text),
  assumption: fc.option(mostly(text), { nil: undefined }),
  severityReason: fc.option(mostly(text), { nil: undefined }),
  fieldLine: fc.option(mostly(fc.integer({ min: 1, max: 1e6 })), { nil: undefined }),
  source,
}).map((f) => {
  const out: Record<string, unknown> = {
    ruleId: f.ruleId, severity: f.severity, object: refs[f.refIndex], path: f.path, message: f.message, fix: f.fix,
    pathSegments: ['spec'], inputIndex: f.refIndex,
  };
  if (f.assumption !== undefined) out.assumption = f.assumption;
  if (f.severityReason !== undefined) out.severityReason = f.severityReason;
  if (f.fieldLine !== undefined) out.fieldLine = f.fieldLine;
  if (f.source) {
    const { file, line, withLocate } = f.source;
    out.source = withLocate ? { file, line, locate: () => 7 } : { file, line };
  }
  return out as unknown as Finding;
});

const report = fc.array(ref, { minLength: 1, maxLength: 4 }).chain((refs) => fc.array(finding(refs), { minLength: 1, maxLength: 12 }));

test('the field-by-field writer gives the generic writer\'s bytes for any finding (property)', () => {
  const seed = Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31);
  process.stdout.write(`report writer property seed ${seed}\n`);
  fc.assert(fc.property(report, (findings) => {
    const write = findingJsonWriter();
    for (const f of findings) expect(write(f)).toBe(genericFindingJson(f));
  }), { seed, numRuns: 500 });
});

test('a finding of a usual shape is written by the fast writer, and equals the generic one', () => {
  const f = {
    ruleId: 'pdb-missing', severity: 'error', object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
    path: 'metadata.name', pathSegments: ['metadata', 'name'], message: 'no "budget"', fix: 'add one', inputIndex: 0,
    source: { file: 'a.yaml', line: 3 }, fieldLine: 5,
  } as unknown as Finding;
  const written = findingJsonWriter()(f);
  expect(written).toBe(genericFindingJson(f));
  expect(JSON.parse(written)).toEqual({
    ruleId: 'pdb-missing', severity: 'error', object: f.object, path: 'metadata.name', message: 'no "budget"', fix: 'add one',
    file: 'a.yaml', line: 3, fieldLine: 5, docs: expect.stringContaining('rules.md#pdb-missing'),
  });
});
