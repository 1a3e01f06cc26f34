#!/usr/bin/env node
/**
 * Measures, on this machine and under its load right now, the costs the real-process tests wait
 * for, and prints them as JSON (the worst of SAMPLES rounds, in milliseconds):
 *
 *   nodeStartMs    spawn of `node app.js handle` until it has installed its SIGTERM handler
 *   signalExitMs   SIGTERM sent until this process sees that app's exit (delivery, handler, exit, reaping)
 *   spawnMs        spawn of `true` until its exit is seen
 *   nsenterMs      `nsenter --pid --mount -- true` into a PID namespace (null without root/unshare)
 *   procScanMs     reading every /proc/PID/stat once (what the drill's process tracker does per sample)
 *   timerLagMs     how late a 10 ms interval timer of this process fired, at worst
 *
 *   node test/support/measure-overhead.js APP [SAMPLES]
 *
 * Run as a child process so a test file can take the numbers synchronously at load time, when it
 * defines its grace periods and timeouts (test/support/overhead.ts).
 */
'use strict';
const fs = require('fs');
const { spawn } = require('child_process');
const { performance } = require('perf_hooks');

const [app, samplesArg] = process.argv.slice(2);
const SAMPLES = Math.max(1, Number(samplesArg) || 3);
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function exitOf(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.on('exit', () => resolve());
    child.on('error', () => resolve());
  });
}

async function nodeApp() {
  const t0 = now();
  const child = spawn(process.execPath, [app, 'handle', '0'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, MARK_DIR: '' },
  });
  const exited = exitOf(child);
  await new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (/ready/.test(out)) resolve();
    });
    exited.then(resolve);
  });
  const nodeStartMs = now() - t0;
  const t1 = now();
  child.kill('SIGTERM');
  await exited;
  return { nodeStartMs, signalExitMs: now() - t1 };
}

async function spawnTrue(argv) {
  const t0 = now();
  const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
  await exitOf(child);
  return now() - t0;
}

function procScan() {
  const t0 = now();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      /* gone */
    }
  }
  return now() - t0;
}

/** nsenter into a fresh PID namespace, as the drill runs hooks and probes in pid1 mode. */
async function nsenter() {
  if (process.getuid?.() !== 0) return null;
  const holder = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', 'sleep', '60'], {
    stdio: 'ignore',
    detached: true,
  });
  const gone = exitOf(holder);
  try {
    let inner;
    for (let i = 0; i < 500 && inner === undefined; i++) {
      for (const name of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(name)) continue;
        try {
          const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          if (ppid === holder.pid && /\(sleep\)/.test(stat)) inner = Number(name);
        } catch {
          /* gone */
        }
      }
      if (inner === undefined) await sleep(10);
    }
    if (inner === undefined) return null;
    return await spawnTrue(['nsenter', `--target=${inner}`, '--pid', '--mount', '--', 'true']);
  } catch {
    return null;
  } finally {
    try {
      process.kill(-holder.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await gone;
  }
}

async function main() {
  let timerLagMs = 0;
  let last = now();
  const ticker = setInterval(() => {
    const t = now();
    timerLagMs = Math.max(timerLagMs, t - last - 10);
    last = t;
  }, 10);
  const worst = { nodeStartMs: 0, signalExitMs: 0, spawnMs: 0, nsenterMs: null, procScanMs: 0 };
  for (let i = 0; i < SAMPLES; i++) {
    const a = await nodeApp();
    worst.nodeStartMs = Math.max(worst.nodeStartMs, a.nodeStartMs);
    worst.signalExitMs = Math.max(worst.signalExitMs, a.signalExitMs);
    worst.spawnMs = Math.max(worst.spawnMs, await spawnTrue(['true']));
    worst.procScanMs = Math.max(worst.procScanMs, procScan());
    const ns = await nsenter();
    if (ns !== null) worst.nsenterMs = Math.max(worst.nsenterMs ?? 0, ns);
  }
  clearInterval(ticker);
  const round = (v) => (v === null ? null : Math.round(v));
  const out = Object.fromEntries(Object.entries({ ...worst, timerLagMs }).map(([k, v]) => [k, round(v)]));
  process.stdout.write(JSON.stringify({ samples: SAMPLES, ...out }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`measure-overhead: ${e.stack || e}\n`);
  process.exit(1);
});
