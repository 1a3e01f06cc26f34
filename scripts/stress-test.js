#!/usr/bin/env node
/**
 * The whole test suite, several times in a row, while every core is kept busy by other processes:
 * the proof that no test depends on an idle machine.
 *
 *   npm run test:stress                      build once, then 3 runs of jest with one busy loop per core
 *   node scripts/stress-test.js --runs 5 --burners 4 [-- JEST ARGS]
 *
 * Each burner is a separate process spinning at normal priority, so the tests compete for every
 * core as they would on a shared CI machine. Prints one line per run (passed, failed, seconds, the
 * failing tests, and the worst costs test/support/overhead.ts measured) and exits 1 if any run failed.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');

function parseArgs(argv) {
  const opts = { runs: 3, burners: os.availableParallelism ? os.availableParallelism() : os.cpus().length, jest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      opts.jest = argv.slice(i + 1);
      break;
    }
    if (a === '--runs' || a === '--burners') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < (a === '--runs' ? 1 : 0)) throw new Error(`${a} takes a whole number (got '${argv[i]}')`);
      opts[a.slice(2)] = n;
    } else {
      throw new Error(`unknown option ${a}`);
    }
  }
  return opts;
}

/** A busy loop in its own process; it ends by itself when this script is gone. */
function startBurner() {
  const loop = `
    const parent = ${process.pid};
    for (;;) {
      const until = Date.now() + 100;
      while (Date.now() < until) {}
      try { process.kill(parent, 0); } catch { process.exit(0); }
    }`;
  return spawn(process.execPath, ['-e', loop], { stdio: 'ignore' });
}

function summarizeOverhead(file) {
  if (!fs.existsSync(file)) return '';
  const rows = fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  if (!rows.length) return '';
  const worst = (k) => Math.max(...rows.map((r) => r[k] ?? 0));
  return `measured worst: node start ${worst('nodeStartMs')} ms, SIGTERM to exit ${worst('signalExitMs')} ms, ` +
    `nsenter ${worst('nsenterMs')} ms, timer lag ${worst('timerLagMs')} ms`;
}

function runJest(index, opts, tmp) {
  const results = path.join(tmp, `results-${index}.json`);
  const overheadLog = path.join(tmp, `overhead-${index}.jsonl`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [require.resolve('jest/bin/jest', { paths: [ROOT] }), '--ci', '--json', `--outputFile=${results}`, ...opts.jest], {
    cwd: ROOT,
    env: { ...process.env, TEST_OVERHEAD_LOG: overheadLog },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  let passed = 0;
  let failed = 1;
  const failures = [];
  try {
    const json = JSON.parse(fs.readFileSync(results, 'utf8'));
    passed = json.numPassedTests;
    failed = json.numFailedTests + json.numRuntimeErrorTestSuites;
    for (const file of json.testResults) {
      if (file.status === 'failed' && !file.assertionResults.some((a) => a.status === 'failed')) {
        failures.push(`${path.relative(ROOT, file.name)}: ${(file.message || '').split('\n').find((l) => l.trim()) || 'failed to run'}`);
      }
      for (const a of file.assertionResults) if (a.status === 'failed') failures.push(`${path.relative(ROOT, file.name)}: ${a.fullName}`);
    }
  } catch (e) {
    failures.push(`no jest results (${e.message}); exit ${r.status}; ${String(r.stderr).trim().split('\n').slice(-3).join(' | ')}`);
  }
  return { index, passed, failed, seconds, failures, overhead: summarizeOverhead(overheadLog), ok: r.status === 0 && failed === 0 };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = (line) => process.stdout.write(`${line}\n`);
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) return 1;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stress-'));
  const burners = Array.from({ length: opts.burners }, startBurner);
  const stop = () => {
    for (const b of burners) {
      try {
        b.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  process.on('exit', stop);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      stop();
      process.exit(130);
    });
  }

  log(`stress: ${opts.runs} runs of the whole suite with ${opts.burners} busy loop(s) on ${os.cpus().length} core(s); load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const runs = [];
  for (let i = 1; i <= opts.runs; i++) {
    const r = runJest(i, opts, tmp);
    runs.push(r);
    log(`stress: run ${i}: ${r.passed} passed, ${r.failed} failed in ${r.seconds} s; load average ${os.loadavg()[0].toFixed(2)}${r.overhead ? `; ${r.overhead}` : ''}`);
    for (const f of r.failures) log(`stress:   FAILED ${f}`);
  }
  stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  const bad = runs.filter((r) => !r.ok).length;
  log(bad ? `stress: FAIL: ${bad} of ${runs.length} runs failed` : `stress: PASS: ${runs.length} of ${runs.length} runs passed`);
  return bad ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (e) {
  process.stderr.write(`stress-test: ${e.message}\n`);
  process.exitCode = 2;
}
