/**
 * The resilient side with one synth-time finding per workload, in a fresh process:
 *
 *   node bench/run-findings.js <N>
 *
 * Each workload runs a `latest` image and the chart lowers that rule to a warning, so synth
 * succeeds and reports the warnings on stderr (counted here, not printed). Prints `RESULT {json}`.
 */
'use strict';

const { App, Chart } = require('cdk8s');
const { ResilientDeployment, Rules } = require('../lib/src');

const count = Number(process.argv[2]);
let warnings = 0;
const distinct = new Set();
const write = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk) => {
  for (const line of String(chunk).split('\n')) {
    if (!line.includes(' warning ')) continue;
    warnings++;
    distinct.add(line);
  }
  return true;
};

const t0 = performance.now();
const app = new App({ outdir: 'unused' });
const chart = new Chart(app, 'bench');
Rules.of(chart).setSeverity('image-tag-mutable', 'warning', 'benchmark: one finding per workload');
for (let i = 0; i < count; i++) {
  new ResilientDeployment(chart, `svc-${i}`, {
    autoscaling: { maxReplicas: 6 },
    container: { image: `registry.example.com/team/svc-${i}:latest`, portNumber: 8080 },
  });
}
const t1 = performance.now();
const bytes = app.synthYaml().length;
const t2 = performance.now();
process.stderr.write = write;
process.stdout.write(`RESULT ${JSON.stringify({ count, constructMs: t1 - t0, synthMs: t2 - t1, totalMs: t2 - t0, warnings, distinctWarnings: distinct.size, bytes })}\n`);
