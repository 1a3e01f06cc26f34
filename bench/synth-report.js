/**
 * The synth benchmark's targets and its markdown table (.bench/results.md, copied into
 * docs/benchmarks.md and the README). Split from synth-bench.js, which measures.
 */
'use strict';

const TARGETS = {
  ratioToHandWritten: 1.5, // per-workload time, at N = 1,000 and 10,000
  rssToHandWritten: 1.5, // peak RSS of a fresh process, at N = 1,000 and 10,000
  ratioToIdentical: 1.05, // per-workload time against cdk8s-plus code giving the same objects
  ratioSizes: [1000, 10000],
  linearity: 1.5, // per-workload cost at N = 10,000 over that at N = 100
  tenThousandSeconds: 30,
  tenThousandBytes: 2 * 1024 ** 3,
  exampleAppSeconds: 0.35, // node lib/src/main.js, module loading included
  exampleSynthSeconds: 1.5,
  auditObjectsPerSecond: 5000,
};

const CHARTS_WORKLOADS = 1000;
const CHART_COUNTS = [1, 50];
const FINDINGS_SIZES = [1000, 5000];

const { ms } = require('./stats');
const mib = (bytes) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const n = (count) => count.toLocaleString('en-US');

/** [what, passed, measured value] for every target the run measured. */
function targetChecks({ times, memory, charts, findings, example, audit }) {
  const checks = [];
  for (const count of TARGETS.ratioSizes) {
    if (!times[count]) continue;
    checks.push([`time per workload, ratio to hand-written cdk8s-plus at N = ${n(count)} <= ${TARGETS.ratioToHandWritten}`,
      times[count].toHandWritten <= TARGETS.ratioToHandWritten, `${times[count].toHandWritten.toFixed(2)} (CPU time ${times[count].toHandWrittenCpu.toFixed(2)})`]);
  }
  for (const count of TARGETS.ratioSizes) {
    if (!memory[count]) continue;
    checks.push([`peak RSS, ratio to hand-written cdk8s-plus at N = ${n(count)} <= ${TARGETS.rssToHandWritten}`,
      memory[count].rssToHandWritten <= TARGETS.rssToHandWritten,
      `${memory[count].rssToHandWritten.toFixed(2)} (${mib(memory[count].resilient.maxRssBytes)} / ${mib(memory[count].handWritten.maxRssBytes)})`]);
  }
  for (const count of TARGETS.ratioSizes) {
    if (!times[count]) continue;
    checks.push([`time per workload, ratio to identical output at N = ${n(count)} <= ${TARGETS.ratioToIdentical}`,
      times[count].toIdentical <= TARGETS.ratioToIdentical, `${times[count].toIdentical.toFixed(2)} (CPU time ${times[count].toIdenticalCpu.toFixed(2)})`]);
  }
  if (times[100] && times[10000]) {
    const growth = times[10000].resilient.perWorkloadMs / times[100].resilient.perWorkloadMs;
    times.linearity = growth;
    checks.push([`linear: per-workload cost at N = 10,000 / N = 100 <= ${TARGETS.linearity}`, growth <= TARGETS.linearity, growth.toFixed(2)]);
  }
  if (memory[10000]) {
    const r = memory[10000].resilient;
    checks.push([`10,000 workloads synthesized in < ${TARGETS.tenThousandSeconds} s (fresh process, start to file written)`,
      r.wallMs / 1000 < TARGETS.tenThousandSeconds, `${(r.wallMs / 1000).toFixed(1)} s`]);
    const peak = Math.max(r.peakHeapBytes, r.maxRssBytes);
    checks.push(['10,000 workloads in < 2 GiB (peak RSS and peak heap)', peak < TARGETS.tenThousandBytes, `${mib(r.maxRssBytes)} RSS, ${mib(r.peakHeapBytes)} heap`]);
  }
  if (charts.growth !== undefined) {
    checks.push([`charts: ${n(CHARTS_WORKLOADS)} workloads in ${CHART_COUNTS[1]} charts cost <= ${TARGETS.linearity} x one chart`,
      charts.growth <= TARGETS.linearity, charts.growth.toFixed(2)]);
  }
  if (findings.growth !== undefined) {
    checks.push([`linear with findings: per-workload synth at N = ${n(FINDINGS_SIZES[1])} / N = ${n(FINDINGS_SIZES[0])}, one warning per workload, <= ${TARGETS.linearity}`,
      findings.growth <= TARGETS.linearity, findings.growth.toFixed(2)]);
  }
  if (example.appOnly) {
    checks.push([`example app: node lib/src/main.js (module loading included) < ${TARGETS.exampleAppSeconds} s`,
      example.appOnly.medianMs / 1000 < TARGETS.exampleAppSeconds, `${ms(example.appOnly.medianMs)} (CPU ${ms(example.appCpu.medianMs)})`]);
  }
  if (example.cdk8sSynth) {
    checks.push([`example app: cdk8s synth < ${TARGETS.exampleSynthSeconds} s`, example.cdk8sSynth.medianMs / 1000 < TARGETS.exampleSynthSeconds, ms(example.cdk8sSynth.medianMs)]);
  }
  if (audit.ran) {
    checks.push([`audit > ${TARGETS.auditObjectsPerSecond} objects/s`, audit.objectsPerSecond > TARGETS.auditObjectsPerSecond, `${Math.round(audit.objectsPerSecond)} objects/s`]);
  }
  return checks;
}

function auditGap(audit) {
  if (audit.error) return 'failed';
  if (!audit.available) return 'command not there';
  if (audit.skipped) return 'no N = 10,000 output';
  return `exit ${audit.status}`;
}

function renderMarkdown(info, sizes, { times, memory, charts, findings, example, audit, bytes }, checks) {
  const lines = [];
  lines.push(`Machine: ${info.nproc} cores (nproc), ${info.cpu}, ${info.memoryGiB} GiB RAM, Node ${info.node.replace(/^v/, '')}; `
    + `cdk8s ${info.versions.cdk8s}, cdk8s-plus-27 ${info.versions['cdk8s-plus-27']}, cdk8s-cli ${info.versions['cdk8s-cli']}. `
    + `Run on ${new Date().toISOString().slice(0, 10)}, load average at start ${info.loadAverageAtStart.join(' ')}.`);
  lines.push('');
  lines.push(`YAML per workload: cdk8s-resilient ${Math.round(bytes.resilient)} bytes, hand-written cdk8s-plus ${Math.round(bytes.handWritten)} bytes, `
    + `identical output ${Math.round(bytes.identical)} bytes.`);
  lines.push('');
  lines.push('| N workloads | per workload: resilient / hand-written / identical | ratio to hand-written | ratio to identical | peak RSS: resilient / hand-written / identical | peak RSS ratio to hand-written | peak heap: resilient / hand-written | fresh process, start to file written: resilient / hand-written |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const count of sizes) {
    const t = times[count];
    const m = memory[count];
    lines.push(`| ${n(count)} | ${ms(t.resilient.perWorkloadMs)} / ${ms(t.handWritten.perWorkloadMs)} / ${ms(t.identical.perWorkloadMs)} | `
      + `${t.toHandWritten.toFixed(2)} (CPU ${t.toHandWrittenCpu.toFixed(2)}) | ${t.toIdentical.toFixed(2)} (CPU ${t.toIdenticalCpu.toFixed(2)}) | `
      + `${mib(m.resilient.maxRssBytes)} / ${mib(m.handWritten.maxRssBytes)} / ${mib(m.identical.maxRssBytes)} | ${m.rssToHandWritten.toFixed(2)} | `
      + `${mib(m.resilient.peakHeapBytes)} / ${mib(m.handWritten.peakHeapBytes)} | `
      + `${(m.resilient.wallMs / 1000).toFixed(1)} s / ${(m.handWritten.wallMs / 1000).toFixed(1)} s |`);
  }
  lines.push('');
  lines.push('| Command | median |');
  lines.push('|---|---:|');
  if (example.cdk8sSynth) {
    lines.push(`| \`node lib/src/main.js\` (the example app, what \`cdk8s synth\` runs) | ${ms(example.appOnly.medianMs)} (CPU ${ms(example.appCpu.medianMs)}) |`);
    if (example.appFirst) lines.push(`| the same, first run with an empty compile cache | ${ms(example.appFirst.medianMs)} |`);
    lines.push(`| \`cdk8s synth --no-check-upgrade\` of the example app (process start to files written) | ${ms(example.cdk8sSynth.medianMs)} |`);
    lines.push(`| \`node -e 0\` (an empty Node process) | ${ms(example.nodeOnly.medianMs)} (CPU ${ms(example.nodeCpu.medianMs)}) |`);
  } else {
    lines.push(`| example app | not measured (${example.error ? 'failed' : 'skipped'}) |`);
  }
  if (audit.ran) {
    lines.push(`| \`cdk8s-resilient audit\` of the N = 10,000 output (${n(audit.objects)} objects, \`--format json\`) | ${ms(audit.medianMs)} = ${n(Math.round(audit.objectsPerSecond))} objects/s |`);
  } else {
    lines.push(`| \`cdk8s-resilient audit\` of the N = 10,000 output | not measured (${auditGap(audit)}) |`);
  }
  if (charts.growth !== undefined) {
    for (const count of CHART_COUNTS) {
      lines.push(`| ${n(CHARTS_WORKLOADS)} workloads in ${count} chart${count > 1 ? 's' : ''}, app.synth() (resilient / hand-written) | `
        + `${ms(charts[count].resilient.ms)} / ${ms(charts[count].handWritten.ms)} |`);
    }
  }
  if (findings.growth !== undefined) {
    for (const count of FINDINGS_SIZES) {
      lines.push(`| N = ${n(count)} with one synth-time warning per workload (construct + synthYaml) | ${ms(findings[count].totalMs)} = ${ms(findings[count].totalMs / count)}/workload |`);
    }
  }
  lines.push('');
  lines.push('| Target | Result | |');
  lines.push('|---|---|---|');
  for (const [what, ok, value] of checks) lines.push(`| ${what} | ${value} | ${ok ? 'PASS' : 'MISS'} |`);
  return lines.join('\n') + '\n';
}

module.exports = { TARGETS, CHARTS_WORKLOADS, CHART_COUNTS, FINDINGS_SIZES, targetChecks, renderMarkdown, auditGap };
