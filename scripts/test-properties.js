#!/usr/bin/env node
/**
 * Runs the property-based tests (test/properties) with more generated cases than `npm test` does.
 *
 *   npm run test:properties -- --runs 50000 [--seed 1414] [--sample-dir DIR]
 *
 * --runs N        total generated prop sets over all property files (npm test runs 2000)
 * --seed S        fast-check seed (default 1414, the one npm test uses)
 * --sample-dir D  write a bounded sample of accepted manifests to D as YAML (PROPERTY_SAMPLE_DIR),
 *                 e.g. for an API server dry-run
 */
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const args = process.argv.slice(2);
const env = { ...process.env };
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split('=');
  const value = () => inline ?? args[++i];
  if (flag === '--runs') env.PROPERTY_RUNS = value();
  else if (flag === '--seed') env.PROPERTY_SEED = value();
  else if (flag === '--sample-dir') env.PROPERTY_SAMPLE_DIR = path.resolve(value());
  else {
    console.error(`test-properties: unknown option ${args[i]} (use --runs N, --seed S, --sample-dir DIR)`);
    process.exit(2);
  }
}
if (env.PROPERTY_RUNS !== undefined && !/^\d+$/.test(env.PROPERTY_RUNS)) {
  console.error('test-properties: --runs takes a whole number');
  process.exit(2);
}
const jest = require.resolve('jest/bin/jest');
const result = spawnSync(process.execPath, [jest, 'test/properties', '--verbose'], { stdio: 'inherit', env, cwd: path.resolve(__dirname, '..') });
process.exit(result.status ?? 1);
