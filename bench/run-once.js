/**
 * One side of the benchmark at one size, in a fresh process, for memory and cold-start numbers:
 *
 *   node --trace-gc bench/run-once.js <resilient|handWritten|identical> <N> [--out DIR] [--charts K]
 *
 * Builds N workloads, in one chart or spread over K charts, and synthesizes them: with `--out`,
 * `app.synth()` writes DIR/*.k8s.yaml (what a pipeline does); without, `app.synthYaml()`. The last line of
 * output is `RESULT {json}` with the phases (milliseconds since process start), the V8 heap in
 * use at checkpoints and the process's peak resident set size. synth-bench.js adds the largest
 * heap seen before any garbage collection from the --trace-gc lines.
 */
'use strict';

const [side, countArg, ...options] = process.argv.slice(2);
const count = Number(countArg);
const option = (name) => (options.includes(name) ? options[options.indexOf(name) + 1] : undefined);
const outdir = option('--out');
const chartCount = Number(option('--charts') ?? 1);

const { App, Chart } = require('cdk8s');
const { SIDES } = require('./workloads');

const build = SIDES[side];
if (!build || !Number.isInteger(count) || count < 1 || !Number.isInteger(chartCount) || chartCount < 1) {
  process.stderr.write('usage: node bench/run-once.js <resilient|handWritten|identical> <N> [--out DIR] [--charts K]\n');
  process.exit(2);
}

let heapHigh = 0;
const sample = () => { heapHigh = Math.max(heapHigh, process.memoryUsage().heapUsed); };

const loadedMs = performance.now();
const app = new App({ outdir: outdir ?? 'unused' });
const charts = [];
for (let c = 0; c < chartCount; c++) charts.push(new Chart(app, chartCount === 1 ? 'bench' : `bench-${c}`));
const every = Math.max(1, Math.floor(count / 20));
for (let i = 0; i < count; i++) {
  build(charts[i % chartCount], i);
  if (i % every === 0) sample();
}
sample();
const builtMs = performance.now();
let bytes;
if (outdir) {
  const fs = require('fs');
  const path = require('path');
  app.synth();
  bytes = fs.readdirSync(outdir).reduce((sum, file) => sum + fs.statSync(path.join(outdir, file)).size, 0);
} else {
  bytes = app.synthYaml().length;
}
sample();
const doneMs = performance.now();

process.stdout.write(`RESULT ${JSON.stringify({
  side,
  count,
  charts: chartCount,
  loadedMs,
  constructMs: builtMs - loadedMs,
  synthMs: doneMs - builtMs,
  sinceStartMs: doneMs,
  heapHighCheckpointBytes: heapHigh,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  outputBytes: bytes,
})}\n`);
