/**
 * Toolchain probe, TypeScript side: a cdk8s-plus-27 Deployment and Service that the Python, Java
 * and Go programs in test/lang build the same way. Its YAML is the reference they must match byte
 * for byte, which shows the same cdk8s and cdk8s-plus-27 JavaScript runs under every language.
 * Plain JavaScript so it runs without a compile step.
 *
 * Usage: node test/lang/probe/probe.js OUTDIR   (writes OUTDIR/probe.k8s.yaml)
 */
'use strict';
const { App, Chart, Duration, Size } = require('cdk8s');
const kplus = require('cdk8s-plus-27');

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: node test/lang/probe/probe.js OUTDIR');

const app = new App({ outdir });
const chart = new Chart(app, 'probe');
const web = new kplus.Deployment(chart, 'web', {
  replicas: 3,
  containers: [{
    image: 'registry.example.com/probe/web:1.0.0',
    ports: [{ number: 8080, name: 'http' }],
    readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080 }),
    resources: {
      cpu: { request: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
    },
    lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', '5']) },
  }],
  terminationGracePeriod: Duration.seconds(40),
});
web.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
app.synth();
