/**
 * The property tests (test/properties/) hold every accepted prop set to the strict 1.27 schemas and
 * to a model of the API server's validation. Models miss things; here a sample of what they
 * accepted goes through the real API server's server-side dry-run (validation and admission,
 * nothing stored), so a gap in the model shows up as a refusal naming the sample file.
 *
 * The property files run in a child jest with their own seed (PROPERTY_SEED, printed; default
 * the suite's 1414) and a smaller budget, writing accepted outputs to a temp directory.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyServerSide, createNamespace, deleteCreatedNamespaces, describeWithCluster, Manifest, readManifestFile, REPO_ROOT } from '../support/cluster';

const MINUTE = 60_000;
/** Generated cases over all property files; each file writes at most SAMPLES_PER_FILE accepted ones. */
const RUNS = Number(process.env.PROPERTY_CLUSTER_RUNS ?? 600);
const SAMPLES_PER_FILE = Number(process.env.PROPERTY_CLUSTER_SAMPLES ?? 24);
/** Samples per kubectl call. */
const BATCH = Number(process.env.PROPERTY_CLUSTER_BATCH ?? 12);
/** The property files take about 40 ms per case on a busy machine; the dry-runs about as long again. */
const TIMEOUT = Math.max(12 * MINUTE, RUNS * 150);

afterAll(deleteCreatedNamespaces, 4 * MINUTE);

/** Runs the property files with a sample directory; returns the YAML files they wrote. */
function generateSamples(dir: string): string[] {
  const jest = require.resolve('jest/bin/jest');
  const res = spawnSync(process.execPath, [jest, '--ci', '--runInBand', '--testTimeout', String(TIMEOUT), '--selectProjects', 'unit', '--', 'test/properties/'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, PROPERTY_SAMPLE_DIR: dir, PROPERTY_RUNS: String(RUNS), PROPERTY_SAMPLE_MAX: String(SAMPLES_PER_FILE) },
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${res.stdout}\n${res.stderr}`;
  // The seed and the tallies, so a refusal below can be reproduced with `npm run test:properties`.
  const tallies = output.split('\n').filter((l) => /fast-check seed|accepted and valid/.test(l)).map((l) => l.trim());
  process.stdout.write(`${tallies.join('\n')}\n`);
  if (res.status !== 0) throw new Error(`the property tests failed before their samples could be checked:\n${output.slice(-4000)}`);
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir, f));
}

/** The sample's objects, moved into `namespace` (a chart may name its own; the test owns this one). */
function intoNamespace(objects: Manifest[], namespace: string): Manifest[] {
  return objects.map((o) => (o.metadata.namespace ? { ...o, metadata: { ...o.metadata, namespace } } : o));
}

describeWithCluster('property-test outputs on a real API server', () => {
  test('a sample of the accepted prop sets passes server-side dry-run', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'property-samples-'));
    try {
      const files = generateSamples(dir);
      // Five property files (deployment, stateful set, batch, daemon set, charts), each with a share.
      expect(files.length).toBeGreaterThanOrEqual(60);
      // Privileged: this checks validity and admission, not Pod Security (the generators pick host
      // ports and volumes freely; the restricted level is checked on dist/ and the snapshots).
      const namespace = createNamespace('property-samples', 'privileged');
      const refused: string[] = [];
      const tryApply = (batch: string[]): string | undefined => {
        try {
          applyServerSide(batch.flatMap((file) => intoNamespace(readManifestFile(file), namespace)), namespace, { dryRun: true });
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      };
      // Batches keep the kubectl calls few (dry-run stores nothing, so equal names do not clash);
      // a refused batch is retried file by file to name the sample.
      for (let i = 0; i < files.length; i += BATCH) {
        const batch = files.slice(i, i + BATCH);
        if (tryApply(batch) === undefined) continue;
        for (const file of batch) {
          const message = tryApply([file]);
          if (message !== undefined) refused.push(`${path.basename(file)}: ${message}`);
        }
      }
      const objects = files.reduce((n, file) => n + readManifestFile(file).length, 0);
      process.stdout.write(`${files.length} samples, ${objects} objects sent through server-side dry-run\n`);
      expect(refused).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, TIMEOUT);
});
