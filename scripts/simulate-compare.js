#!/usr/bin/env node
'use strict';
/**
 * The numbers in docs/simulate.md: the same web container as a plain cdk8s-plus Deployment and
 * as a ResilientDeployment (3 replicas each), synthesized into two files and run through
 * `cdk8s-resilient simulate` with its default timing (start-up 5 s, the manifests' own grace
 * periods). Needs `npm run build` and a cluster (`npm run cluster -- up`).
 *
 *   node scripts/simulate-compare.js [simulate options...]
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { App, Chart } = require('cdk8s');
const kplus = require('cdk8s-plus-27');
const { ResilientDeployment, HealthCheck } = require('../lib/src');
const { runSimulate } = require('../lib/src/cli/simulate');
const { KUBECONFIG } = require('./cluster/control-plane');

const IMAGE = 'nginxinc/nginx-unprivileged:1.25.3';

function synth(dir, name, build) {
  const app = new App({ outdir: dir, outputFileExtension: '.yaml' });
  build(new Chart(app, name, { disableResourceNameHashes: true }));
  app.synth();
  return path.join(dir, `${name}.yaml`);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-compare-'));
  const plain = synth(dir, 'plain-cdk8s-plus', (chart) => {
    new kplus.Deployment(chart, 'web', {
      metadata: { name: 'web' },
      replicas: 3,
      containers: [{ image: IMAGE, portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/', { port: 8080 }) }],
    });
  });
  const resilient = synth(dir, 'resilient-deployment', (chart) => {
    new ResilientDeployment(chart, 'web', {
      name: 'web',
      replicas: 3,
      container: { image: IMAGE, portNumber: 8080, probes: { readiness: HealthCheck.httpGet('/', { port: 8080 }) } },
    });
  });
  const args = ['--kubeconfig', KUBECONFIG, ...process.argv.slice(2), plain, resilient];
  process.stderr.write(`cdk8s-resilient simulate ${args.join(' ')}\n`);
  process.exitCode = await runSimulate(args, process);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exitCode = 3;
});
