#!/usr/bin/env node
/**
 * Audit throughput on generated manifests (run `npm run build` first):
 *
 *   node scripts/bench-audit.js [APPS]     default 2500 apps x 4 objects = 10,000 objects
 *
 * Each app is a Deployment, a Service, a PodDisruptionBudget and a HorizontalPodAutoscaler, spread
 * over 20 namespaces. Prints objects per second for the rule engine alone (objects in memory), for
 * reading + auditing YAML and JSON files, and for the CLI end to end (process start included).
 */
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const lib = (p) => require(path.join(ROOT, 'lib', 'src', p));
const { auditObjects, auditInputs } = lib('rules/engine');
const { readManifests } = lib('rules/manifests');
const { stringify } = require('yaml');

const apps = Number(process.argv[2] || 2500);

function app(i) {
  const name = `app-${i}`;
  const namespace = `team-${i % 20}`;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
  return [
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { 'resilient.cdk8s.io/app-shutdown-seconds': '15' } },
          spec: {
            terminationGracePeriodSeconds: 30,
            containers: [{
              name: 'main', image: `registry.example.com/${name}:1.0.${i}`,
              command: ['/usr/bin/dumb-init', '--', 'sh', '-c', 'cd /app && exec ./server'],
              ports: [{ containerPort: 8080, name: 'http' }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
              livenessProbe: { tcpSocket: { port: 8080 }, failureThreshold: 6 },
              lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '256Mi' } },
            }],
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: labels, ports: [{ port: 80, targetPort: 'http' }] } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace }, spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: labels } } },
    { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace }, spec: { minReplicas: 2, maxReplicas: 6, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name } } },
  ];
}

const objects = [];
for (let i = 0; i < apps; i++) objects.push(...app(i));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-audit-'));
const yamlFile = path.join(dir, 'all.yaml');
const jsonFile = path.join(dir, 'all.json');
fs.writeFileSync(yamlFile, objects.map((o) => stringify(o)).join('---\n'));
fs.writeFileSync(jsonFile, JSON.stringify(objects));

function time(label, run) {
  const started = process.hrtime.bigint();
  const result = run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const count = result.objectCount ?? objects.length;
  const findings = result.findings ? `, ${result.findings.length} findings` : '';
  console.log(`${label.padEnd(34)} ${count} objects in ${seconds.toFixed(2)}s = ${Math.round(count / seconds).toLocaleString('en-US')} objects/s${findings}`);
  return result;
}

console.log(`${objects.length} objects; YAML ${(fs.statSync(yamlFile).size / 1e6).toFixed(1)} MB, JSON ${(fs.statSync(jsonFile).size / 1e6).toFixed(1)} MB`);
time('rule engine (objects in memory)', () => auditObjects(objects));
time('read + audit JSON', () => auditInputs(readManifests([jsonFile])));
time('read + audit YAML', () => auditInputs(readManifests([yamlFile])));
for (const file of [jsonFile, yamlFile]) {
  time(`CLI end to end (${path.extname(file).slice(1)})`, () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'cdk8s-resilient.js'), 'audit', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`audit exited ${r.status}: ${r.stdout}${r.stderr}`);
    return { objectCount: Number(/^(\d+) objects audited/m.exec(r.stdout)[1]) };
  });
}
fs.rmSync(dir, { recursive: true, force: true });
