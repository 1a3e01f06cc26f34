/**
 * The two sides of the benchmark: one service written with cdk8s-resilient, and the same
 * service written by hand with cdk8s-plus-27, the Kubernetes L1 classes and JSON patches.
 *
 * Both produce a Deployment, a Service, a PodDisruptionBudget and a HorizontalPodAutoscaler.
 * The hand-written side reproduces the library's defaults value for value (checked by
 * `checkEquivalence`), so the benchmark compares the cost of the same manifests.
 *
 * Plain JavaScript on purpose: it runs against the compiled library in lib/ and needs no build
 * step of its own.
 */
'use strict';

const { ApiObject, Duration, JsonPatch, Names, Size } = require('cdk8s');
const kplus = require('cdk8s-plus-27');
const { Construct } = require('constructs');
const k8s = require('cdk8s-plus-27/lib/imports/k8s');
const { ResilientDeployment } = require('../lib/src');

/** What every workload of the benchmark looks like; `i` varies names and image tags. */
function imageOf(i) {
  return `registry.example.com/team/svc-${i}:1.${i % 10}.0`;
}

/** The library side: one construct call. */
function resilient(chart, i) {
  return new ResilientDeployment(chart, `svc-${i}`, {
    autoscaling: { maxReplicas: 6 },
    container: { image: imageOf(i), portNumber: 8080 },
  });
}

/**
 * The hand-written side: what an engineer writes with cdk8s-plus-27 to get the same objects.
 * Where cdk8s-plus has an API it is used (probes, lifecycle, strategy, resources, grace period,
 * selector, Service); the rest is written as JSON patches or L1 objects.
 */
function handWritten(chart, i) {
  const id = `svc-${i}`;
  const scope = new Construct(chart, id);
  const name = Names.toDnsLabel(scope);
  const version = `1.${i % 10}.0`;
  const selector = { 'app.kubernetes.io/name': id, 'app.kubernetes.io/instance': name };
  const labels = { ...selector, 'app.kubernetes.io/version': version, 'app.kubernetes.io/managed-by': 'cdk8s' };

  const tcp = (period, timeout, failures) => kplus.Probe.fromTcpSocket({
    port: 8080,
    periodSeconds: Duration.seconds(period),
    timeoutSeconds: Duration.seconds(timeout),
    failureThreshold: failures,
    successThreshold: 1,
  });

  const deployment = new kplus.Deployment(scope, 'Deployment', {
    metadata: { name, labels },
    podMetadata: {
      labels,
      annotations: { 'resilient.cdk8s.io/shutdown-budget': 'grace 30s = preStop 5s + app shutdown 20s + margin 5s' },
    },
    select: false,
    replicas: 2,
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.percent(25),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    minReady: Duration.seconds(10),
    progressDeadline: Duration.seconds(600),
    terminationGracePeriod: Duration.seconds(30),
    containers: [{
      name: 'main',
      image: imageOf(i),
      portNumber: 8080,
      resources: {
        cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(1000) },
        memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
      },
      // cdk8s-plus's Capability enum has no ALL (and prefixes names with CAP_): a cast in TypeScript.
      securityContext: { capabilities: { drop: ['ALL'] } },
      readiness: tcp(5, 1, 3),
      liveness: tcp(10, 3, 6),
      startup: tcp(5, 3, 12),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', '5']) },
    }],
  });
  deployment.select(kplus.LabelSelector.of({ labels: selector }));

  // No cdk8s-plus API for these: JSON patches on the props form (before the L1 mapping).
  const spread = (topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
    matchLabelKeys: ['pod-template-hash'],
  });
  ApiObject.of(deployment).addJsonPatch(
    JsonPatch.remove('/spec/replicas'), // the HPA owns the replica count
    JsonPatch.add('/spec/revisionHistoryLimit', 5),
    JsonPatch.add('/spec/template/spec/containers/0/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    JsonPatch.add('/spec/template/spec/shareProcessNamespace', true),
    JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [spread('topology.kubernetes.io/zone'), spread('kubernetes.io/hostname')]),
    JsonPatch.add('/spec/template/spec/affinity', {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100,
          podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } },
        }],
      },
    }),
  );

  const service = new kplus.Service(scope, 'Service', {
    metadata: { name, labels },
    type: kplus.ServiceType.CLUSTER_IP,
    ports: [{ port: 8080, targetPort: 8080 }],
  });
  for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);

  new k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
    metadata: { name, labels },
    spec: {
      selector: { matchLabels: selector },
      maxUnavailable: k8s.IntOrString.fromNumber(1),
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });

  new k8s.KubeHorizontalPodAutoscalerV2(scope, 'Autoscaler', {
    metadata: { name, labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  });
  return scope;
}

const SIDES = { resilient, handWritten };

/** Objects each workload synthesizes to (Deployment, Service, PDB, HPA). */
const OBJECTS_PER_WORKLOAD = 4;

/** Same object with keys in a canonical order, for comparing manifests regardless of key order. */
function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out = {};
    for (const key of Object.keys(value).sort()) out[key] = canonical(value[key]);
    return out;
  }
  return value;
}

/**
 * Synthesizes a few workloads on each side and lists the differences between the manifests
 * (none expected). Returns an array of human-readable differences.
 */
function checkEquivalence(count = 3) {
  const { Testing, Chart } = require('cdk8s');
  const docs = {};
  for (const [side, build] of Object.entries(SIDES)) {
    const app = Testing.app();
    const chart = new Chart(app, 'bench');
    for (let i = 0; i < count; i++) build(chart, i);
    docs[side] = chart.toJson().map(canonical);
  }
  const differences = [];
  const a = docs.resilient;
  const b = docs.handWritten;
  if (a.length !== b.length) differences.push(`object count: resilient ${a.length}, hand-written ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    diff(a[i], b[i], `${a[i].kind}/${a[i].metadata && a[i].metadata.name}`, differences);
  }
  return differences;
}

function diff(a, b, path, out) {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) diff(a[key], b[key], `${path}.${key}`, out);
    return;
  }
  out.push(`${path}: resilient ${JSON.stringify(a)} vs hand-written ${JSON.stringify(b)}`);
}

module.exports = { SIDES, OBJECTS_PER_WORKLOAD, checkEquivalence, canonical };

if (require.main === module) {
  const differences = checkEquivalence();
  process.stdout.write(differences.length === 0 ? 'manifests identical (ignoring key order)\n' : `${differences.join('\n')}\n`);
}
