/**
 * The audit's fast path (the block-YAML reader, objects checked and their field lines found in
 * the thread that read the document, worker threads on large inputs) must report exactly what
 * the reference path reports: js-yaml reads every document, the engine checks each object as it
 * comes and finds every line afterwards (CDK8S_RESILIENT_AUDIT_REFERENCE=1). Same stdout, stderr
 * and exit code in every format, on generated inputs (fast-check, seed printed) and on the
 * benchmark's mix, the latter through the built CLI with a worker thread.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import * as jsyaml from 'js-yaml';
import { stringify } from 'yaml';
import { runAudit } from '../../src/cli/audit';
import { BIN, buildIfStale, ROOT } from './run';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { mix } = require('../../bench/audit-mix');

const FORMATS = ['json', 'sarif', 'junit', 'text'];
const REFERENCE = { CDK8S_RESILIENT_AUDIT_REFERENCE: '1' };

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-fast-path-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sink(): NodeJS.WritableStream & { text: string } {
  const out = { text: '', write(chunk: string) { out.text += chunk; return true; } };
  return out as unknown as NodeJS.WritableStream & { text: string };
}

/** The built CLI (a report of a few MiB: more than spawnSync buffers by default). */
function cli(args: string[], env: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'audit', '--no-config', ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 512 * 1024 ** 2, env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function inProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const code = await runAudit(['--no-config', ...args], { stdout, stderr, env: { NO_COLOR: '1', ...env }, workingDirectory: dir });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** How a generated object is written: the styles manifests come in. */
const WRITERS: Array<(o: unknown) => string> = [
  (o) => stringify(o),
  (o) => jsyaml.dump(o, { schema: jsyaml.CORE_SCHEMA }),
  (o) => jsyaml.dump(o, { schema: jsyaml.CORE_SCHEMA, noArrayIndent: true, lineWidth: 40 }),
  (o) => jsyaml.dump(o, { schema: jsyaml.CORE_SCHEMA, flowLevel: 4 }),
  (o) => stringify(o, { lineWidth: 30, minContentWidth: 10 }),
  (o) => `# written by hand\n${stringify(o).replace(/\n(\s+)(\w+):/, '\n$1# a comment\n$1$2:')}`,
];

/** Documents that are not plain manifests: invalid YAML, a template, a list, a partial object. */
const ODD_DOCUMENTS = [
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\n spec: {}\n',
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Values.name }}\n',
  'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: listed}\n  spec:\n    selector: {app: nothing}\n    ports: [{port: 80}]\n',
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: patch\nspec:\n  replicas: 3\n',
  'just: text\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: anchored\ndata:\n  copy: "tab\\there"\n',
];

const inputCase = fc.record({
  mixSeed: fc.integer({ min: 1, max: 2 ** 30 }),
  count: fc.integer({ min: 1, max: 40 }),
  writers: fc.array(fc.nat(WRITERS.length - 1), { minLength: 1, maxLength: 40 }),
  odd: fc.array(fc.tuple(fc.nat(ODD_DOCUMENTS.length - 1), fc.nat(40)), { maxLength: 3 }),
  crlf: fc.boolean(),
  json: fc.boolean(),
});

test('the fast path reports what the reference path reports, on generated inputs (property)', async () => {
  const seed = Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31);
  process.stdout.write(`audit fast-path property seed ${seed}\n`);
  let run = 0;
  await fc.assert(fc.asyncProperty(inputCase, async (c) => {
    const objects = [...mix(c.count, c.mixSeed)];
    const docs = objects.map((o, i) => WRITERS[c.writers[i % c.writers.length]](o));
    for (const [which, at] of c.odd) docs.splice(at % (docs.length + 1), 0, ODD_DOCUMENTS[which]);
    let yamlText = docs.map((d) => `---\n${d}`).join('');
    if (c.crlf) yamlText = yamlText.replace(/\n/g, '\r\n');
    const caseDir = path.join(dir, `case-${run++}`);
    fs.mkdirSync(caseDir);
    fs.writeFileSync(path.join(caseDir, 'stream.yaml'), yamlText);
    if (c.json) fs.writeFileSync(path.join(caseDir, 'array.json'), JSON.stringify(objects.slice(0, 10), null, 2));
    for (const format of FORMATS) {
      const fast = await inProcess(['--format', format, caseDir], {});
      const reference = await inProcess(['--format', format, caseDir], REFERENCE);
      expect({ format, ...fast }).toEqual({ format, ...reference });
    }
    fs.rmSync(caseDir, { recursive: true });
  }), { seed, numRuns: Number(process.env.FAST_PATH_RUNS ?? 30) });
});

describe('the bench mix through the built CLI, with a worker thread', () => {
  beforeAll(buildIfStale, 180_000);

  test.each(['yaml', 'json'])('%s: the same report in every format', (format) => {
    const objects = [...mix(1200, 23)];
    const file = path.join(dir, `mix.${format}`);
    fs.writeFileSync(file, format === 'json' ? JSON.stringify(objects) : objects.map((o) => `---\n${stringify(o)}`).join(''));
    // Workers start after this many characters: well inside the file, so most of it goes through one.
    const parallel = { CDK8S_RESILIENT_AUDIT_THREADS: '2', CDK8S_RESILIENT_AUDIT_PARALLEL_FROM: '100000' };
    for (const outFormat of ['json', 'text']) {
      const fast = cli(['--format', outFormat, file], parallel);
      const reference = cli(['--format', outFormat, file], REFERENCE);
      expect(fast.code).toBe(1);
      expect(fast.stdout.length).toBeGreaterThan(100_000);
      expect({ outFormat, ...fast }).toEqual({ outFormat, ...reference });
    }
  });
});

test('a large input is read partly in a worker thread, in input order', () => {
  buildIfStale();
  const lib = (p: string) => require(path.join(ROOT, 'lib', 'src', p));
  const { ParallelPipeline } = lib('rules/input/parallel');
  const { InputReader } = lib('rules/input/reader');
  const objects = [...mix(1000, 5)];
  const file = path.join(dir, 'order.yaml');
  fs.writeFileSync(file, objects.map((o) => `---\n${stringify(o)}`).join(''));
  const pipeline = new ParallelPipeline({}, { threads: 2, startChars: 0 });
  const reader = new InputReader([file], { pipeline });
  const seen: Array<{ kind: string; name: string; line: number }> = [];
  try {
    reader.read((event: { object?: { ref: { kind: string; name: string } }; source?: { line: number } }) => {
      if (event.object) seen.push({ kind: event.object.ref.kind, name: event.object.ref.name, line: event.source!.line });
    });
  } finally {
    reader.dispose();
  }
  expect(pipeline.workerBatches).toBeGreaterThan(0);
  expect(seen.map((s) => `${s.kind} ${s.name}`)).toEqual(objects.map((o) => `${o.kind} ${o.metadata.name}`));
  // Lines grow through the file: results came back in order.
  expect(seen.every((s, i) => i === 0 || s.line > seen[i - 1].line)).toBe(true);
}, 120_000);
