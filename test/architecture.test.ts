/**
 * The shape of src/, checked so it stays true: each module imports only from its own layer or the
 * layers below it, no import cycle (type-only imports included: a cycle of types is still a
 * tangle to read), and no source file over 400 lines.
 */
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.resolve(__dirname, '../src');
const MAX_LINES = 400;

/** Lower number = lower layer. Rooms of one layer may not import each other. */
const LAYERS: Array<{ readonly room: RegExp; readonly name: string; readonly rank: number }> = [
  { room: /^concerns\//, name: 'concerns', rank: 0 },
  { room: /^rules\//, name: 'rules', rank: 1 },
  { room: /^drill\//, name: 'drill', rank: 1 },
  { room: /^profiles\//, name: 'profiles', rank: 2 },
  { room: /^simulate\//, name: 'simulate', rank: 2 },
  { room: /^validation-plugin\.ts$/, name: 'validation-plugin', rank: 2 },
  { room: /^workloads\//, name: 'workloads', rank: 3 },
  { room: /^cli\//, name: 'cli', rank: 4 },
  { room: /^index\.ts$/, name: 'index', rank: 5 },
  { room: /^audit\.ts$/, name: 'audit', rank: 5 },
  { room: /^simulate-api\.ts$/, name: 'simulate-api', rank: 5 },
  { room: /^startup-cache\.ts$/, name: 'startup-cache', rank: 5 },
  { room: /^main\.ts$/, name: 'main', rank: 6 },
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

function layerOf(rel: string) {
  const layer = LAYERS.find((l) => l.room.test(rel));
  if (!layer) throw new Error(`src/${rel} is in no layer: add its room to LAYERS in test/architecture.test.ts`);
  return layer;
}

/** Relative imports of a file, resolved to paths relative to src/ (outside src: left out). */
export function importsOf(file: string, text = fs.readFileSync(file, 'utf-8')): string[] {
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*'([^']+)'/gm),
    ...text.matchAll(/^\s*import\s*'([^']+)'/gm),
    ...text.matchAll(/\brequire\(\s*'([^']+)'\s*\)/g),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1]).filter((s) => s.startsWith('.'));
  const out: string[] = [];
  for (const spec of specs) {
    const base = path.resolve(path.dirname(file), spec);
    const candidates = [`${base}.ts`, path.join(base, 'index.ts')];
    const hit = candidates.find((c) => fs.existsSync(c));
    if (hit && hit.startsWith(SRC + path.sep)) out.push(path.relative(SRC, hit).split(path.sep).join('/'));
  }
  return [...new Set(out)];
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [path.relative(SRC, f).split(path.sep).join('/'), importsOf(f)]));

describe('architecture of src/', () => {
  test('the import reader sees every kind of import', () => {
    const text = [
      "import { a } from './x';",
      "import type { B } from '../y';",
      "export * from './z';",
      "export { c } from './w';",
      "const m = require('./v');",
      "import {\n  d,\n  e,\n} from './u';",
    ].join('\n');
    const dir = path.join(SRC, 'concerns');
    const probe = path.join(dir, 'probe-of-import-reader.ts');
    // Resolution needs real files: point the specifiers at modules that exist.
    const real = text.replace('./x', './errors').replace('../y', '../rules/types').replace('./z', './labels')
      .replace('./w', './placement').replace('./v', './security').replace('./u', './scaling');
    expect(importsOf(probe, real).sort()).toEqual(['concerns/errors.ts', 'concerns/labels.ts', 'concerns/placement.ts', 'concerns/scaling.ts', 'concerns/security.ts', 'rules/types.ts']);
  });

  test('no module imports from a higher layer or from another room of its own layer', () => {
    const wrong: string[] = [];
    for (const [from, targets] of graph) {
      const a = layerOf(from);
      for (const to of targets) {
        const b = layerOf(to);
        if (b.rank > a.rank || (b.rank === a.rank && b.name !== a.name)) wrong.push(`${from} (${a.name}) imports ${to} (${b.name})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string) => {
      state.set(node, 'open');
      stack.push(node);
      for (const next of graph.get(node) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
    expect(cycles).toEqual([]);
  });

  test(`no source file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ file: path.relative(SRC, f), lines: fs.readFileSync(f, 'utf-8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `src/${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });
});
