/**
 * `npm run bench` (audit part): what `cdk8s-resilient audit` costs on a realistic mix of kinds
 * and sizes (bench/audit-mix.js), measured on the command as users run it. It is a measurement,
 * not a test: it prints PASS/MISS per target and exits 0 unless the benchmark itself breaks.
 *
 *   node bench/audit-bench.js [--quick]
 *
 * 1. Throughput: the CLI end to end on a YAML stream and the same objects as JSON, median of 3
 *    runs, process start included; objects per second of wall time and of CPU time (user +
 *    system, which a busy shared machine inflates less).
 * 2. Memory: peak resident set size of the CLI on 150,000 documents in one file, and on 100,000
 *    workloads (each with its Service, budget and autoscaler: 400,000 objects).
 * 3. In process: reading alone, and the rule engine alone on objects in memory.
 *
 * Results go to stdout and to .bench/audit-results.json and .bench/audit-results.md (git-ignored).
 */
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { mix } = require('./audit-mix');
const { supportedNode, rerunOnSupportedNode } = require('./stats');

if (supportedNode() !== process.execPath) process.exit(rerunOnSupportedNode(__filename));

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(ROOT, '.bench');
const BIN = path.join(ROOT, 'bin', 'cdk8s-resilient.js');
const quick = process.argv.includes('--quick');

const TARGETS = {
  objectsPerSecond: 20000,
  documentsInOneFile: 150000,
  workloads: 100000,
  peakBytes: 1024 ** 3,
};

function log(line = '') { process.stdout.write(`${line}\n`); }
const mib = (bytes) => `${Math.round(bytes / 1024 ** 2)} MiB`;
const rate = (n) => Math.round(n).toLocaleString('en-US');
function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Writes objects as a YAML stream (or one JSON array), without holding them. */
function writeManifest(file, objects, format) {
  const { stringify } = require('yaml');
  const fd = fs.openSync(file, 'w');
  let count = 0;
  let buffer = [];
  const flush = () => { fs.writeSync(fd, buffer.join('')); buffer = []; };
  if (format === 'json') buffer.push('[\n');
  for (const o of objects) {
    buffer.push(format === 'json' ? `${count > 0 ? ',\n' : ''}${JSON.stringify(o)}` : `---\n${stringify(o)}`);
    count++;
    if (buffer.length >= 1000) flush();
  }
  if (format === 'json') buffer.push('\n]\n');
  flush();
  fs.closeSync(fd);
  return count;
}

/** Runs the CLI under /usr/bin/time when there is one (peak RSS), else reports no memory. */
function runCli(args) {
  const time = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const started = process.hrtime.bigint();
  const child = time
    ? spawnSync(time, ['-f', 'RESOURCES %M %U %S', process.execPath, BIN, 'audit', ...args], { encoding: 'utf8', maxBuffer: 4 * 1024 ** 3, stdio: ['ignore', 'ignore', 'pipe'] })
    : spawnSync(process.execPath, [BIN, 'audit', ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const m = /RESOURCES (\d+) ([\d.]+) ([\d.]+)/.exec(child.stderr ?? '');
  if (child.status !== 0 && child.status !== 1) throw new Error(`audit exited ${child.status}: ${(child.stderr ?? '').slice(0, 2000)}`);
  return { status: child.status, wallSeconds, peakBytes: m ? Number(m[1]) * 1024 : undefined, cpuSeconds: m ? Number(m[2]) + Number(m[3]) : undefined };
}

function throughput(dir) {
  const n = quick ? 20000 : 60000;
  const results = {};
  for (const format of ['yaml', 'json']) {
    const file = path.join(dir, `mix.${format}`);
    const count = writeManifest(file, mix(n), format);
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(runCli(['--format', 'json', file]));
    const wall = median(runs.map((r) => r.wallSeconds));
    const cpu = runs[0].cpuSeconds !== undefined ? median(runs.map((r) => r.cpuSeconds)) : undefined;
    results[format] = { objects: count, bytes: fs.statSync(file).size, wallSeconds: wall, cpuSeconds: cpu, perSecond: count / wall, perCpuSecond: cpu ? count / cpu : undefined };
    log(`${format.toUpperCase().padEnd(4)} ${rate(count)} objects (${mib(fs.statSync(file).size)}): ${wall.toFixed(2)} s wall = ${rate(count / wall)} objects/s`
      + (cpu ? `; ${cpu.toFixed(2)} s CPU = ${rate(count / cpu)} objects/CPU-second` : ''));
    fs.rmSync(file);
  }
  return results;
}

function* workloads(n) {
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    const namespace = `team-${i % 50}`;
    // A fresh object each time: a shared one would be written with YAML anchors, which real manifests rarely use.
    const labels = () => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name });
    yield {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, labels: labels() },
      spec: {
        selector: { matchLabels: labels() },
        template: {
          metadata: { labels: labels() },
          spec: {
            containers: [{
              name: 'main', image: `registry.example.com/${name}:1.0.${i % 100}`,
              ports: [{ containerPort: 8080, name: 'http' }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
              resources: { requests: { cpu: '100m', memory: '128Mi' } },
            }],
          },
        },
      },
    };
    yield { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: labels(), ports: [{ port: 80, targetPort: 'http' }] } };
    yield { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace }, spec: { maxUnavailable: 1, selector: { matchLabels: labels() } } };
    yield { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace }, spec: { minReplicas: 2, maxReplicas: 8, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name } } };
  }
}

function memory(dir) {
  const out = {};
  const cases = [
    ['documentsInOneFile', () => mix(quick ? 30000 : TARGETS.documentsInOneFile), quick ? 30000 : TARGETS.documentsInOneFile, 'documents of the mix in one YAML file'],
    ['workloads', () => workloads(quick ? 20000 : TARGETS.workloads), quick ? 20000 : TARGETS.workloads, 'workloads (Deployment, Service, PDB, HPA each) in one YAML file'],
  ];
  for (const [key, objects, n, what] of cases) {
    const file = path.join(dir, `${key}.yaml`);
    const count = writeManifest(file, objects(), 'yaml');
    const r = runCli(['--format', 'json', file]);
    out[key] = { n, objects: count, bytes: fs.statSync(file).size, ...r };
    log(`${rate(n)} ${what} (${rate(count)} objects, ${mib(fs.statSync(file).size)}): ${r.wallSeconds.toFixed(1)} s, peak RSS ${r.peakBytes ? mib(r.peakBytes) : 'unknown'}`);
    fs.rmSync(file);
  }
  return out;
}

function inProcess() {
  const lib = (p) => require(path.join(ROOT, 'lib', 'src', p));
  const { auditObjects } = lib('rules/engine');
  const objects = [...mix(20000)];
  const cpu0 = process.cpuUsage();
  const result = auditObjects(objects);
  const c = process.cpuUsage(cpu0);
  const seconds = (c.user + c.system) / 1e6;
  log(`rule engine alone (20,000 objects in memory): ${seconds.toFixed(2)} s CPU = ${rate(20000 / seconds)} objects/CPU-second, ${rate(result.findings.length)} findings`);
  return { engineObjectsPerCpuSecond: 20000 / seconds };
}

function main() {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'src', 'cli', 'audit.js'))) throw new Error('run npm run build first');
  fs.mkdirSync(WORK, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-bench-'));
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const threads = process.env.CDK8S_RESILIENT_AUDIT_THREADS ? `${process.env.CDK8S_RESILIENT_AUDIT_THREADS} audit threads` : '1 audit thread (the default)';
  log(`# Audit benchmark (${os.cpus().length} CPUs, ${threads}, Node ${process.version}, load average ${load}${quick ? ', --quick' : ''})`);
  log('');
  try {
    log('## Throughput (CLI end to end, --format json, median of 3)');
    const speed = throughput(dir);
    log('');
    log('## Memory (CLI, peak resident set size)');
    const mem = memory(dir);
    log('');
    log('## In process');
    const engine = inProcess();
    const checks = [
      [`YAML >= ${rate(TARGETS.objectsPerSecond)} objects/s (wall)`, speed.yaml.perSecond >= TARGETS.objectsPerSecond, `${rate(speed.yaml.perSecond)}`],
      [`JSON >= ${rate(TARGETS.objectsPerSecond)} objects/s (wall)`, speed.json.perSecond >= TARGETS.objectsPerSecond, `${rate(speed.json.perSecond)}`],
      [`${rate(mem.documentsInOneFile.n)} documents in one file < 1 GiB`, (mem.documentsInOneFile.peakBytes ?? Infinity) < TARGETS.peakBytes, mem.documentsInOneFile.peakBytes ? mib(mem.documentsInOneFile.peakBytes) : 'unknown'],
      [`${rate(mem.workloads.n)} workloads < 1 GiB`, (mem.workloads.peakBytes ?? Infinity) < TARGETS.peakBytes, mem.workloads.peakBytes ? mib(mem.workloads.peakBytes) : 'unknown'],
    ];
    log('');
    log('## Targets');
    for (const [name, ok, value] of checks) log(`${ok ? 'PASS' : 'MISS'}  ${name}: ${value}`);
    const md = ['| Target | Result | |', '|---|---|---|', ...checks.map(([name, ok, value]) => `| ${name} | ${value} | ${ok ? 'PASS' : 'MISS'} |`)].join('\n');
    fs.writeFileSync(path.join(WORK, 'audit-results.md'), `Load average at start: ${load}${quick ? ' (--quick)' : ''}\n\n${md}\n`);
    fs.writeFileSync(path.join(WORK, 'audit-results.json'), JSON.stringify({ date: new Date().toISOString(), load, quick, speed, memory: mem, engine, checks }, null, 2));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
