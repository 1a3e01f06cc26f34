/**
 * Margins for real-process tests, derived from what this machine costs right now rather than
 * from constants that hold on an idle machine only.
 *
 * Two sources:
 * - `machineOverhead()`: node start, SIGTERM-to-exit, spawn, nsenter and /proc scan costs,
 *   measured synchronously by a child process (test/support/measure-overhead.js) the first time a
 *   test file asks. Synchronous so a file can size its grace periods and timeouts when it defines
 *   its tests.
 * - `worstLagMs()`: how late this process's own event loop has run since the file was loaded.
 *   The drill runs in the test process; with several drills at once and both cores busy its loop
 *   falls behind by up to seconds, and every deadline it keeps moves by that much.
 *
 * A margin covers the measured costs on a path FACTOR times over (the caller names them, lag
 * included where the path waits on this process) and is never below the value the test used on an
 * idle machine (its floor), so an idle run is no slower than before.
 *
 * TEST_OVERHEAD_LOG=FILE appends each file's measurement as a JSON line (npm run test:stress sets it).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';

/** How many times over a measured cost a margin covers. */
export const FACTOR = 4;

export interface Overhead {
  readonly samples: number;
  /** spawn of `node app.js handle` until its SIGTERM handler is installed */
  readonly nodeStartMs: number;
  /** SIGTERM sent until the app's exit is seen */
  readonly signalExitMs: number;
  /** spawn of `true` until its exit is seen */
  readonly spawnMs: number;
  /** `nsenter --pid --mount -- true` into a PID namespace; null without root or unshare */
  readonly nsenterMs: number | null;
  /** one read of every /proc/PID/stat */
  readonly procScanMs: number;
  /** worst lateness of a 10 ms timer in the measuring process */
  readonly timerLagMs: number;
}

const APP = path.join(__dirname, '..', 'drill', 'fixtures', 'app.js');
const MEASURE = path.join(__dirname, 'measure-overhead.js');

let measured: Overhead | undefined;

export function machineOverhead(): Overhead {
  if (measured) return measured;
  const out = execFileSync(process.execPath, [MEASURE, APP, '3'], { encoding: 'utf8', timeout: 120000 });
  measured = JSON.parse(out) as Overhead;
  lastTick = undefined; // the wait above is not lag of the loop under test
  const log = process.env.TEST_OVERHEAD_LOG;
  if (log) {
    const file = path.relative(path.join(__dirname, '..', '..'), expect.getState().testPath ?? '?');
    fs.appendFileSync(log, JSON.stringify({ file, at: new Date().toISOString(), ...measured }) + '\n');
  }
  return measured;
}

// The lag monitor starts with the first tick after the test file has loaded (loading, compiling and
// machineOverhead() block the loop on purpose, before any test runs) and never keeps the process alive.
let worstLag = 0;
let lastTick: number | undefined;
const TICK_MS = 10;
setInterval(() => {
  const t = performance.now();
  if (lastTick !== undefined) worstLag = Math.max(worstLag, t - lastTick - TICK_MS);
  lastTick = t;
}, TICK_MS).unref();

/** Worst event-loop lag of this process since the file was loaded, in ms. */
export function worstLagMs(): number {
  return Math.max(0, Math.round(worstLag));
}

/** Milliseconds that cover `costsMs` (costs that add up on the path being timed) FACTOR times over; at least `floorMs`. */
export function marginMs(floorMs: number, ...costsMs: number[]): number {
  const cost = costsMs.reduce((a, b) => a + b, 0);
  return Math.max(floorMs, Math.ceil(FACTOR * cost));
}

/** The same in whole seconds (grace periods and probe timeouts are whole seconds). */
export function marginSeconds(floorSeconds: number, ...costsMs: number[]): number {
  return Math.max(floorSeconds, Math.ceil(marginMs(0, ...costsMs) / 1000));
}
