#!/usr/bin/env node
// Thin launcher: the commands live in the compiled library (lib/src/cli).
require('../lib/src/cli/main')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; })
  .catch((err) => { process.stderr.write(`cdk8s-resilient: ${err && err.message ? err.message : err}\n`); process.exitCode = 2; });
