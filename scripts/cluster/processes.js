'use strict';
/**
 * Starting and stopping the cluster's processes, and the small waits between them.
 *
 * Every process is started detached in a process group of its own, with its output in a log
 * file, so it outlives the command that started it (jest's global setup, `npm run cluster -- up`)
 * and can be stopped later from the PIDs in .cluster/state.json. Before signalling a PID, the
 * stop checks that it still runs one of the cluster's binaries: a PID the system has handed to
 * someone else since is left alone.
 */
const fs = require('fs');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `binary args` detached, output appended to `logFile`; returns the PID. */
function startProcess(binary, args, logFile) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  child.unref();
  if (!child.pid) throw new Error(`could not start ${binary}`);
  return child.pid;
}

/** The command line of a running PID, or undefined once it has exited. */
function commandLine(pid) {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!raw) return undefined; // a zombie: exited, not yet reaped
    return raw.split('\0').filter(Boolean);
  } catch {
    try {
      process.kill(pid, 0);
      return []; // alive, but no /proc to read (not Linux)
    } catch {
      return undefined;
    }
  }
}

/** Whether `pid` still runs `binary` (the same file the cluster started). */
function runs(pid, binary) {
  const argv = commandLine(pid);
  if (argv === undefined) return false;
  if (argv.length === 0) return true;
  return argv[0] === binary || path.basename(argv[0]) === path.basename(binary);
}

/**
 * Stops the processes in the order given (the reverse of starting them): SIGTERM to each process
 * group, then SIGKILL to what is left after `graceMs`.
 */
async function stopProcesses(processes, { graceMs = 10000 } = {}) {
  const ours = processes.filter((p) => p.pid && runs(p.pid, p.binary));
  for (const p of ours) signalGroup(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && ours.some((p) => runs(p.pid, p.binary))) await sleep(100);
  for (const p of ours) if (runs(p.pid, p.binary)) signalGroup(p.pid, 'SIGKILL');
  return ours.map((p) => p.name);
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** `count` distinct free TCP ports on 127.0.0.1 (held open together so they differ). */
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** The last lines of a log file, for error messages. */
function tail(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Polls `check` until it returns a truthy value; fails early if a watched process has exited
 * and after `timeoutMs`. The error names what was awaited and shows the process's log tail.
 */
async function waitFor(what, check, { timeoutMs, watch = [], intervalMs = 200 }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    for (const p of watch) {
      if (!runs(p.pid, p.binary)) {
        throw new Error(`${p.name} exited while waiting for ${what}; last lines of ${p.log}:\n${tail(p.log)}`);
      }
    }
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const logs = watch.map((p) => `--- ${p.log}\n${tail(p.log, 8)}`).join('\n');
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}\n${logs}`);
    }
    await sleep(intervalMs);
  }
}

module.exports = { startProcess, stopProcesses, runs, freePorts, waitFor, tail, sleep };
