/**
 * Preloaded (`node -r ./bench/cpu-at-exit.js ...`) by the example-app measurement: prints the
 * process's CPU time (user + system, module loading included) to stderr at exit. On a busy shared
 * machine CPU time moves much less than wall time, so the benchmark reports both.
 */
'use strict';

process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\nCPU_MS ${(user + system) / 1000}\n`);
});
