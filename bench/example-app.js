/**
 * `npm run bench`, part 3: the example app (src/main.ts, built to lib/src/main.js), process start
 * to files written, module loading included, beside an empty Node process and `cdk8s synth`
 * around the same app. Runs on the Node that runs the bench (synth-bench.js picks a supported one).
 */
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(ROOT, '.bench');

const { log, median, ms } = require('./stats');

function timeCommand(command, argv, env, runs) {
  const times = [];
  const cpu = [];
  let status = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const child = spawnSync(command, argv, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 ** 2 });
    times.push(performance.now() - t0);
    status = child.status;
    if (child.status !== 0) throw new Error(`${command} ${argv.join(' ')} failed (${child.status}): ${child.stderr}`);
    const reported = /CPU_MS ([\d.]+)/.exec(child.stderr);
    if (reported) cpu.push(Number(reported[1]));
  }
  const result = { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), runs, status };
  return cpu.length ? { ...result, medianMs: median(cpu), minMs: Math.min(...cpu), maxMs: Math.max(...cpu) } : result;
}

function measureExample() {
  log('');
  log('## Example app (src/main.ts, already built), process start to files written');
  if (!fs.existsSync(path.join(ROOT, 'lib/src/main.js'))) throw new Error('lib/src/main.js is missing: run npm run build');
  const cli = path.join(ROOT, 'node_modules/.bin/cdk8s');
  const out = (name) => path.join(WORK, name);
  const runs = 7;
  const cpuHook = ['-r', path.join(__dirname, 'cpu-at-exit.js')];
  // The example app keeps compiled code in Node's compile cache (src/startup-cache.ts): the first
  // synth after an install compiles, later ones reuse it. A cache of the bench's own shows both.
  const compileCache = out('compile-cache');
  fs.rmSync(compileCache, { recursive: true, force: true });
  const cached = { NODE_COMPILE_CACHE: compileCache };
  const results = {
    nodeOnly: timeCommand(process.execPath, ['-e', '0'], {}, runs),
    appFirst: timeCommand(process.execPath, ['lib/src/main.js'], { CDK8S_OUTDIR: out('example-node'), ...cached }, 1),
    appOnly: timeCommand(process.execPath, ['lib/src/main.js'], { CDK8S_OUTDIR: out('example-node'), ...cached }, runs),
    cdk8sSynth: timeCommand(cli, ['synth', '--no-check-upgrade', '--output', out('example-cli')], cached, runs),
    // The same commands once more for their CPU time (user + system): steadier on a busy machine.
    nodeCpu: timeCommand(process.execPath, [...cpuHook, '-e', '0'], {}, runs),
    appCpu: timeCommand(process.execPath, [...cpuHook, 'lib/src/main.js'], { CDK8S_OUTDIR: out('example-node'), ...cached }, runs),
  };
  const a = fs.readFileSync(path.join(out('example-node'), 'shop.k8s.yaml'), 'utf8');
  const b = fs.readFileSync(path.join(out('example-cli'), 'shop.k8s.yaml'), 'utf8');
  if (a !== b) throw new Error('cdk8s synth and node lib/src/main.js wrote different manifests');
  results.cliOverheadMs = results.cdk8sSynth.medianMs - results.appOnly.medianMs;
  log(`empty node process:            ${ms(results.nodeOnly.medianMs)} (median of ${runs}; CPU ${ms(results.nodeCpu.medianMs)})`);
  log(`node lib/src/main.js:          ${ms(results.appOnly.medianMs)} [${ms(results.appOnly.minMs)}..${ms(results.appOnly.maxMs)}] (CPU ${ms(results.appCpu.medianMs)}; `
    + `first run, empty compile cache: ${ms(results.appFirst.medianMs)})`);
  log(`cdk8s synth --no-check-upgrade: ${ms(results.cdk8sSynth.medianMs)} [${ms(results.cdk8sSynth.minMs)}..${ms(results.cdk8sSynth.maxMs)}]`
    + ` (cdk8s-cli's own share: ${ms(results.cliOverheadMs)})`);
  return results;
}


module.exports = { measureExample };
