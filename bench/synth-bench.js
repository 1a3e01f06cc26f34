/**
 * `npm run bench`: what cdk8s-resilient costs at synth time, against the same service written by
 * hand with cdk8s-plus-27 and against cdk8s-plus code that gives the library's exact objects
 * (bench/workloads.js). It is a measurement, not a test: it prints every ratio and PASS/MISS per
 * target, and always exits 0 unless the benchmark itself breaks.
 *
 *   node --expose-gc bench/synth-bench.js [--quick] [--sizes 100,1000,10000]
 *
 * 1. Time per workload, in this one process: for each N, the three sides take turns (the order
 *    rotates every round) after a warm-up, with a full GC before each run; a run is construct N
 *    workloads + `app.synthYaml()` (resolve, L1 mapping, patches, YAML text). Medians, and the
 *    median of the per-round ratios, so every side sees the same noise.
 * 2. Memory and cold start: each side and N once more in a fresh process (bench/run-once.js,
 *    `app.synth()` writing the file): peak V8 heap and peak resident set size.
 * 2a. 1,000 workloads in one chart and in 50 (cdk8s validates the app once more per chart).
 * 2b. Workloads that each have one synth-time finding (bench/run-findings.js).
 * 3. The example app: `cdk8s synth` from process start to files written, next to plain
 *    `node lib/src/main.js` and an empty `node`, to show what cdk8s-cli itself costs.
 * 4. The audit command on the N = 10,000 output of step 2, when lib/src/cli/audit.js exists.
 *
 * Results go to stdout and to .bench/results.json and .bench/results.md (git-ignored).
 * docs/benchmarks.md describes the method and the latest results.
 */
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(ROOT, '.bench');

const { supportedNode, rerunOnSupportedNode } = require('./stats');

// A GC before each timed run keeps one run's garbage from being charged to the next.
if (typeof global.gc !== 'function' || supportedNode() !== process.execPath) process.exit(rerunOnSupportedNode(__filename, ['--expose-gc']));

const { App, Chart } = require('cdk8s');
const { SIDES, OBJECTS_PER_WORKLOAD, checkEquivalence, bytesPerWorkload } = require('./workloads');
const { measureExample } = require('./example-app');
const { TARGETS, CHARTS_WORKLOADS, CHART_COUNTS, FINDINGS_SIZES, targetChecks, renderMarkdown, auditGap } = require('./synth-report');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const sizesArg = args[args.indexOf('--sizes') + 1];
const SIZES = args.includes('--sizes') ? sizesArg.split(',').map(Number) : (quick ? [100, 1000] : [100, 1000, 10000]);
/** Rounds per size: each round runs both sides once. */
const ROUNDS = quick ? { 100: 7, 1000: 3, 10000: 1 } : { 100: 21, 1000: 9, 10000: 3 };
const SIDE_NAMES = ['resilient', 'handWritten', 'identical'];
const LABEL = { resilient: 'cdk8s-resilient', handWritten: 'hand-written cdk8s-plus', identical: 'identical output with cdk8s-plus' };
/** The ratios reported: the library against each other side. */
const RATIOS = { toHandWritten: 'handWritten', toIdentical: 'identical' };

const { log, median, ms } = require('./stats');
const mib = (bytes) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;

function machine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(os.availableParallelism?.() ?? os.cpus().length);
  const version = (pkg) => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  return {
    nproc: Number(nproc),
    cpu: model,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
    versions: { cdk8s: version('cdk8s'), 'cdk8s-plus-27': version('cdk8s-plus-27'), 'cdk8s-cli': version('cdk8s-cli'), yaml: version('yaml') },
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Time per workload, both sides in this process

let sink = 0;
function timedRun(side, count) {
  global.gc();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const app = new App({ outdir: path.join(WORK, 'unused') });
  const chart = new Chart(app, 'bench');
  const build = SIDES[side];
  for (let i = 0; i < count; i++) build(chart, i);
  const t1 = performance.now();
  const yaml = app.synthYaml();
  const t2 = performance.now();
  sink += yaml.length;
  const cpu = process.cpuUsage(cpu0);
  // CPU time (this process's threads, GC helpers included) moves less than wall time on a busy machine.
  return { total: t2 - t0, construct: t1 - t0, synth: t2 - t1, cpu: (cpu.user + cpu.system) / 1000 };
}

function measureTimes() {
  log('## Time per workload (construct + app.synthYaml(), one process, sides taking turns)');
  // Warm-up: let both sides' code be compiled before anything is timed.
  for (let i = 0; i < 5; i++) for (const side of SIDE_NAMES) timedRun(side, 100);
  const results = {};
  for (const count of SIZES) {
    for (const side of SIDE_NAMES) timedRun(side, Math.min(count, 1000));
    const runs = Object.fromEntries(SIDE_NAMES.map((side) => [side, []]));
    const ratios = Object.fromEntries(Object.keys(RATIOS).flatMap((name) => [[name, []], [`${name}Cpu`, []]]));
    const rounds = ROUNDS[count] ?? 3;
    for (let r = 0; r < rounds; r++) {
      // Rotate, and reverse every other round: each side runs first, in the middle and last.
      const rotated = SIDE_NAMES.map((_, k) => SIDE_NAMES[(k + r) % SIDE_NAMES.length]);
      const order = r % 2 === 0 ? rotated : rotated.reverse();
      const round = {};
      for (const side of order) round[side] = timedRun(side, count);
      for (const side of SIDE_NAMES) runs[side].push(round[side]);
      for (const [name, other] of Object.entries(RATIOS)) {
        ratios[name].push(round.resilient.total / round[other].total);
        ratios[`${name}Cpu`].push(round.resilient.cpu / round[other].cpu);
      }
    }
    const summary = {};
    for (const side of SIDE_NAMES) {
      const totals = runs[side].map((x) => x.total);
      summary[side] = {
        medianMs: median(totals),
        minMs: Math.min(...totals),
        maxMs: Math.max(...totals),
        perWorkloadMs: median(totals) / count,
        constructMs: median(runs[side].map((x) => x.construct)),
        synthMs: median(runs[side].map((x) => x.synth)),
      };
    }
    results[count] = { rounds, ...summary };
    for (const [name, other] of Object.entries(RATIOS)) {
      results[count][name] = median(ratios[name]);
      results[count][`${name}Cpu`] = median(ratios[`${name}Cpu`]);
      results[count][`${name}OfMedians`] = summary.resilient.medianMs / summary[other].medianMs;
    }
    const s = results[count];
    log(`N=${count} (${rounds} rounds):`);
    for (const side of SIDE_NAMES) {
      log(`  ${LABEL[side]}: ${ms(s[side].medianMs)} [${ms(s[side].minMs)}..${ms(s[side].maxMs)}], `
        + `${ms(s[side].perWorkloadMs)}/workload (construct ${ms(s[side].constructMs)}, synth ${ms(s[side].synthMs)})`);
    }
    log(`  ratio to hand-written ${s.toHandWritten.toFixed(2)} (of medians ${s.toHandWrittenOfMedians.toFixed(2)}); `
      + `ratio to identical output ${s.toIdentical.toFixed(2)} (of medians ${s.toIdenticalOfMedians.toFixed(2)}); `
      + `in CPU time: to hand-written ${s.toHandWrittenCpu.toFixed(2)}, to identical output ${s.toIdenticalCpu.toFixed(2)}`);
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// 2. Memory and cold start, one fresh process per side and size

function freshRun(side, count, charts = 1) {
  const outdir = path.join(WORK, `synth-${side}-${count}${charts > 1 ? `-in-${charts}-charts` : ''}`);
  fs.rmSync(outdir, { recursive: true, force: true });
  const t0 = performance.now();
  const child = spawnSync(process.execPath, ['--trace-gc', path.join(__dirname, 'run-once.js'), side, String(count), '--out', outdir, '--charts', String(charts)],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 ** 2 });
  const wallMs = performance.now() - t0;
  const resultLine = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || !resultLine) throw new Error(`run-once ${side} ${count} failed (${child.status}): ${child.stderr}`);
  const result = JSON.parse(resultLine.slice('RESULT '.length));
  // "[pid:isolate]  123 ms: Mark-Compact 812.3 (850.1) -> 640.2 (700.4) MB, ...": the first number is
  // the heap in use when that collection started, the highest points the heap reaches.
  let beforeGcMiB = 0;
  for (const m of child.stdout.matchAll(/ms: [A-Za-z-]+[^\n]*? ([\d.]+) \([\d.]+\) -> [\d.]+ \([\d.]+\) MB/g)) {
    beforeGcMiB = Math.max(beforeGcMiB, Number(m[1]));
  }
  const peakHeapBytes = Math.max(beforeGcMiB * 1024 ** 2, result.heapHighCheckpointBytes);
  return { ...result, wallMs, peakHeapBytes, file: path.join(outdir, 'bench.k8s.yaml') };
}

function measureMemory() {
  log('');
  log('## Memory and cold start (fresh process per run, app.synth() writing the file)');
  const results = {};
  for (const count of SIZES) {
    results[count] = {};
    for (const side of SIDE_NAMES) {
      const r = freshRun(side, count);
      results[count][side] = r;
      log(`N=${count} ${LABEL[side]}: process start to file written ${ms(r.wallMs)} (modules ${ms(r.loadedMs)}, construct ${ms(r.constructMs)}, `
        + `synth ${ms(r.synthMs)}); peak heap ${mib(r.peakHeapBytes)}, peak RSS ${mib(r.maxRssBytes)}; ${mib(r.outputBytes)} of YAML`);
    }
    const m = results[count];
    m.rssToHandWritten = m.resilient.maxRssBytes / m.handWritten.maxRssBytes;
    m.rssToIdentical = m.resilient.maxRssBytes / m.identical.maxRssBytes;
    log(`N=${count} peak RSS ratio to hand-written ${m.rssToHandWritten.toFixed(2)}, to identical output ${m.rssToIdentical.toFixed(2)}`);
  }
  return results;
}

/** Runs one section; a failure is reported and the benchmark goes on. */
function guarded(what, measure) {
  try {
    return measure();
  } catch (e) {
    log(`${what}: FAILED to measure: ${String(e && e.message || e).split('\n').slice(0, 3).join(' | ')}`);
    return { error: String(e && e.message || e) };
  }
}

// ---------------------------------------------------------------------------------------------
// 2a. The same workloads over many charts

/**
 * Pipelines often keep one chart per team or service. cdk8s validates the whole app once per
 * chart during App.synth(), so per-chart work in validation grows with charts x workloads; this
 * runs 1,000 workloads in one chart and spread over 50 (fresh process, app.synth()).
 */
function measureCharts() {
  log('');
  log(`## ${CHARTS_WORKLOADS.toLocaleString('en-US')} workloads in ${CHART_COUNTS.join(' vs ')} charts (fresh process, app.synth())`);
  const result = {};
  for (const charts of CHART_COUNTS) {
    result[charts] = {};
    for (const side of ['resilient', 'handWritten']) {
      const r = freshRun(side, CHARTS_WORKLOADS, charts);
      result[charts][side] = { ms: r.constructMs + r.synthMs };
      log(`${charts} chart(s), ${LABEL[side]}: construct + synth ${ms(r.constructMs + r.synthMs)}`);
    }
  }
  const [one, many] = CHART_COUNTS;
  result.growth = result[many].resilient.ms / result[one].resilient.ms;
  result.ratioMany = result[many].resilient.ms / result[many].handWritten.ms;
  log(`resilient ${many} charts / 1 chart: ${result.growth.toFixed(2)}; resilient / hand-written with ${many} charts: ${result.ratioMany.toFixed(2)}`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// 2b. Synth-time rules when every workload has a finding

/**
 * The rules that run at synth report findings per construct. The workloads above have none, so
 * this runs the resilient side with one warning each (a `latest` image, its rule lowered to a
 * warning) to see that reporting findings also grows linearly. Fresh process per size.
 */
function measureFindings() {
  log('');
  log('## Synth-time rules with one finding per workload (fresh process per size)');
  if (typeof require('../lib/src').Rules !== 'function') {
    log('the library has no synth-time rules (no Rules export): skipped');
    return { skipped: true };
  }
  const result = {};
  for (const count of FINDINGS_SIZES) {
    const child = spawnSync(process.execPath, [path.join(__dirname, 'run-findings.js'), String(count)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 ** 2 });
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (child.status !== 0 || !line) throw new Error(`run-findings ${count} failed (${child.status}): ${child.stderr.slice(-2000)}`);
    result[count] = JSON.parse(line.slice('RESULT '.length));
    log(`N=${count}: construct + synthYaml ${ms(result[count].totalMs)} = ${ms(result[count].totalMs / count)}/workload, ${result[count].distinctWarnings} distinct warnings (${result[count].warnings} lines on stderr)`);
  }
  result.growth = (result[FINDINGS_SIZES[1]].totalMs / FINDINGS_SIZES[1]) / (result[FINDINGS_SIZES[0]].totalMs / FINDINGS_SIZES[0]);
  return result;
}

// ---------------------------------------------------------------------------------------------
// 3. The example app: bench/example-app.js

// ---------------------------------------------------------------------------------------------
// 4. The audit command

function measureAudit(file, objects) {
  log('');
  log('## Audit of the N = 10,000 output');
  if (!fs.existsSync(path.join(ROOT, 'lib/src/cli/audit.js'))) {
    log('lib/src/cli/audit.js is not there (the audit command has not landed or is not built): skipped');
    return { available: false };
  }
  if (!file || !fs.existsSync(file)) {
    log('no N = 10,000 output to audit (run without --quick): skipped');
    return { available: true, skipped: true };
  }
  const times = [];
  let status;
  let stdoutBytes = 0;
  let stderr = '';
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const child = spawnSync(process.execPath, ['bin/cdk8s-resilient.js', 'audit', file, '--format', 'json'],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 1024 ** 3 });
    times.push(performance.now() - t0);
    status = child.status;
    stdoutBytes = child.stdout.length;
    stderr = child.stderr;
  }
  const medianMs = median(times);
  // Exit 0 or 1 is a finished audit (1: findings); anything else means the command did not run.
  const ran = status === 0 || status === 1;
  const result = { available: true, ran, status, objects, medianMs, minMs: Math.min(...times), objectsPerSecond: objects / (medianMs / 1000), stdoutBytes };
  log(`node bin/cdk8s-resilient.js audit FILE --format json: ${ms(medianMs)} (median of 3) for ${objects} objects`
    + ` = ${Math.round(result.objectsPerSecond)} objects/s; exit ${status}, ${mib(stdoutBytes)} of JSON`);
  if (!ran) log(`audit did not complete: ${stderr.slice(0, 500)}`);
  return result;
}

// ---------------------------------------------------------------------------------------------

function main() {
  fs.mkdirSync(WORK, { recursive: true });
  const info = machine();
  log(`# cdk8s-resilient synth benchmark`);
  log(`machine: ${info.nproc} cores (nproc), ${info.cpu}, ${info.memoryGiB} GiB, node ${info.node}, ${info.os}; load average at start ${info.loadAverageAtStart.join(' ')}`);
  log(`versions: ${Object.entries(info.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const differences = checkEquivalence();
  log(differences.length === 0
    ? 'manifests: the library and the identical-output side synthesize the same objects (compared with keys sorted)'
    : `manifests differ:\n  ${differences.join('\n  ')}`);
  const bytes = bytesPerWorkload();
  log(`YAML per workload: ${SIDE_NAMES.map((side) => `${LABEL[side]} ${Math.round(bytes[side])} bytes`).join(', ')}`);
  log('');

  const times = measureTimes();
  const memory = measureMemory();
  const charts = guarded('many charts', measureCharts);
  const findings = guarded('synth-time rules with findings', measureFindings);
  const example = guarded('example app', measureExample);
  const biggest = Math.max(...SIZES);
  const audit = guarded('audit', () => measureAudit(biggest >= 10000 ? memory[biggest].resilient.file : undefined, biggest * OBJECTS_PER_WORKLOAD));

  const checks = targetChecks({ times, memory, charts, findings, example, audit });

  log('');
  log('## Targets');
  for (const [what, ok, value] of checks) log(`${ok ? 'PASS' : 'MISS'}  ${what}: ${value}`);
  if (!audit.ran) log(`n/a   audit > ${TARGETS.auditObjectsPerSecond} objects/s: not measured (${auditGap(audit)})`);

  const markdown = renderMarkdown(info, SIZES, { times, memory, charts, findings, example, audit, bytes }, checks);
  log('');
  log(markdown);
  fs.writeFileSync(path.join(WORK, 'results.md'), markdown);
  fs.writeFileSync(path.join(WORK, 'results.json'), JSON.stringify({ date: new Date().toISOString(), machine: info, bytes, times, memory, charts, findings, example, audit, checks, sink }, null, 2));
  log(`(written to .bench/results.md and .bench/results.json)`);
}

main();
