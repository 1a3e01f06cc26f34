/**
 * The contract every generated prop set is held to (issue 14):
 * - it either synthesizes, twice to byte-identical YAML, into objects that pass the strict 1.27
 *   schemas and the model of the API server's validation (api-server-model.ts),
 * - or it is refused with `[construct path] field: value problem. Fix: ...` on every line: never a
 *   TypeError or another programming error, never `null` standing for NaN.
 *
 * Environment:
 *   PROPERTY_RUNS        total generated cases over all property files (default 2000)
 *   PROPERTY_SEED        fast-check seed (default 1414; printed by every file)
 *   PROPERTY_SAMPLE_DIR  when set, a bounded sample of accepted outputs is written there as YAML,
 *                        one file per case, for an API server dry-run step (test/cluster/); drawn
 *                        evenly from all accepted cases (reservoir sampling, seeded), not the first
 *                        ones, which fast-check keeps small
 *   PROPERTY_SAMPLE_MAX  how many per property file (default 100)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as fc from 'fast-check';
import * as yaml from 'js-yaml';
import { apiServerProblems } from './api-server-model';
import { strictSchemaProblems } from './strict-schema';

export const SEED = Number(process.env.PROPERTY_SEED ?? 1414);
export const TOTAL_RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);
const SAMPLE_DIR = process.env.PROPERTY_SAMPLE_DIR;
const SAMPLE_MAX = Number(process.env.PROPERTY_SAMPLE_MAX ?? 100);
const OUTDIR = path.join(os.tmpdir(), 'cdk8s-resilient-properties');

/** This file's share of the total runs. */
export function runsFor(share: number): number {
  return Math.max(1, Math.ceil(TOTAL_RUNS * share));
}

/** Generous: 400 ms per case (an app of several charts on a busy 2-core machine), and never less than a minute. */
export function timeoutFor(runs: number): number {
  return Math.max(60_000, runs * 400);
}

export interface Tally {
  accepted: number;
  refused: number;
  sampled: number;
  /** With PROPERTY_SAMPLE_DIR: the accepted outputs kept so far (at most PROPERTY_SAMPLE_MAX). */
  samples: string[];
  /** State of the sampling's own generator (seeded from SEED, so a run is repeatable). */
  sampleRandom: number;
  /** With PROPERTY_DEBUG: how often each first refusal line (cut short) came up. */
  reasons: Record<string, number>;
}

export function newTally(): Tally {
  return { accepted: 0, refused: 0, sampled: 0, samples: [], sampleRandom: SEED >>> 0 || 1, reasons: {} };
}

const LINE_FORM = /^\[[^\]\n]*\] [^\s:][^\n]*?: .+ Fix: .+$/;
const PROGRAMMING_ERRORS = ['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError'];

/** Synthesizes `build` into YAML, or returns what it threw. */
function attempt(build: (app: App) => void): { yaml?: string; error?: unknown } {
  const app = new App({ outdir: OUTDIR });
  try {
    build(app);
    return { yaml: app.synthYaml() };
  } catch (error) {
    return { error };
  }
}

/** The refusal lines of an error: one per problem. */
export function refusalLines(error: unknown): string[] {
  const message = (error as Error).message;
  const validation = /^Validation failed with the following errors:\n/.exec(message);
  return validation ? message.slice(validation[0].length).split('\n').map((l) => l.trim()).filter(Boolean) : [message];
}

/** Checks one case against the contract; throws (so fast-check shrinks it) when it is broken. */
export function checkCase(label: string, describeCase: () => unknown, build: (app: App) => void, tally: Tally): void {
  const warnings = process.stderr.write;
  // Findings below error level are printed at synth; thousands of them would drown the report.
  process.stderr.write = (() => true) as typeof process.stderr.write;
  let first: { yaml?: string; error?: unknown };
  let second: { yaml?: string; error?: unknown } | undefined;
  try {
    first = attempt(build);
    if (first.error === undefined) second = attempt(build);
  } finally {
    process.stderr.write = warnings;
  }
  if (first.error !== undefined) {
    const e = first.error as Error;
    if (!(e instanceof Error)) throw new Error(`${label}: threw a non-Error: ${String(e)}`);
    if (PROGRAMMING_ERRORS.includes(e.name) || PROGRAMMING_ERRORS.some((n) => e.message.includes(n))) {
      throw new Error(`${label}: threw a programming error instead of refusing the props: ${e.stack}`);
    }
    for (const line of refusalLines(e)) {
      if (!LINE_FORM.test(line)) throw new Error(`${label}: refusal not in the form "[path] field: value problem. Fix: ...": ${line}`);
      if (/\bnull\b/.test(line)) throw new Error(`${label}: refusal shows null (no prop is null; NaN must read NaN): ${line}`);
    }
    tally.refused++;
    if (process.env.PROPERTY_DEBUG) tally.reasons[refusalLines(e)[0].replace(/^\[[^\]]*\] /, '').slice(0, 70)] = (tally.reasons[refusalLines(e)[0].replace(/^\[[^\]]*\] /, '').slice(0, 70)] ?? 0) + 1;
    return;
  }
  if (second?.yaml !== first.yaml) throw new Error(`${label}: the same props gave different YAML on a second synth`);
  const objects = yaml.loadAll(first.yaml!) as any[];
  const problems = [...strictSchemaProblems(objects), ...apiServerProblems(objects)];
  if (problems.length > 0) {
    throw new Error(`${label}: accepted, but Kubernetes would reject it:\n  ${problems.join('\n  ')}\nprops: ${JSON.stringify(describeCase(), replacer)}`);
  }
  tally.accepted++;
  if (SAMPLE_DIR) keepSample(tally, first.yaml!);
}

/** Reservoir sampling: after n accepted cases, each of them is in the sample with equal chance. */
function keepSample(tally: Tally, yamlText: string): void {
  if (tally.samples.length < SAMPLE_MAX) {
    tally.samples.push(yamlText);
    return;
  }
  // xorshift32: small, seeded, and independent of fast-check's own generator
  let x = tally.sampleRandom;
  x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
  tally.sampleRandom = x;
  const slot = x % tally.accepted;
  if (slot < SAMPLE_MAX) tally.samples[slot] = yamlText;
}

function writeSamples(label: string, tally: Tally): void {
  if (!SAMPLE_DIR) return;
  fs.mkdirSync(SAMPLE_DIR, { recursive: true });
  tally.samples.forEach((text, i) => fs.writeFileSync(path.join(SAMPLE_DIR, `${label}-${String(i).padStart(4, '0')}.yaml`), text));
  tally.sampled = tally.samples.length;
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** Runs a property over `arbitrary` with the fixed seed and reports the tally. */
export function runProperty<T>(label: string, share: number, arbitrary: fc.Arbitrary<T>, build: (spec: T, app: App) => void): Tally {
  const runs = runsFor(share);
  const tally = newTally();
  // eslint-disable-next-line no-console
  console.log(`${label}: fast-check seed ${SEED}, ${runs} generated prop sets (PROPERTY_SEED / PROPERTY_RUNS to change)`);
  fc.assert(fc.property(arbitrary, (spec) => checkCase(label, () => spec, (app) => build(spec, app), tally)), { seed: SEED, numRuns: runs, endOnFailure: false });
  writeSamples(label, tally);
  // eslint-disable-next-line no-console
  console.log(`${label}: ${tally.accepted} accepted and valid, ${tally.refused} refused in the message form${SAMPLE_DIR ? `, ${tally.sampled} written to ${SAMPLE_DIR}` : ''}`);
  if (process.env.PROPERTY_DEBUG) {
    // eslint-disable-next-line no-console
    console.log(Object.entries(tally.reasons).sort((a, b) => b[1] - a[1]).slice(0, 40).map(([r, n]) => `${n} ${r}`).join('\n'));
  }
  return tally;
}

/** The generators must exercise both sides of the contract: a fifth of the cases at least on each. */
export function expectBothOutcomes(tally: Tally): void {
  const total = tally.accepted + tally.refused;
  if (total < 20) return;
  expect({ acceptedShare: tally.accepted / total >= 0.2, refusedShare: tally.refused / total >= 0.2 }).toEqual({ acceptedShare: true, refusedShare: true });
}
