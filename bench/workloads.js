/**
 * The three sides of the synth benchmark, each building one typical service per call: a
 * stateless app on port 8080 with HTTP readiness and liveness checks, two replicas, a Service,
 * a PodDisruptionBudget, a preStop pause and spreading over nodes and zones.
 *
 * - `resilient`: one ResilientDeployment (the construct adds the Service, PDB, preStop, startup
 *   probe, spreading and hardening).
 * - `handWritten`: what an engineer writes by hand with cdk8s-plus-27 for the same service, using
 *   its APIs the way its documentation shows (probes, preStop handler, rolling update, resources,
 *   `scheduling.spread`, `exposeViaService`) and an L1 PodDisruptionBudget. It is NOT a copy of the
 *   library's output: it has no topology spread constraints, no seccomp profile, no
 *   shutdown-budget annotation, and cdk8s-plus's own labels and defaults.
 * - `identical`: cdk8s-plus-27 plus JSON patches and L1 objects written to give exactly the
 *   library's objects (checked by `checkEquivalence`), so the library's own overhead is measured on
 *   the same bytes.
 *
 * Plain JavaScript on purpose: it runs against the compiled library in lib/ and needs no build
 * step of its own.
 */
'use strict';

const { ApiObject, Duration, JsonPatch, Names, Size } = require('cdk8s');
const kplus = require('cdk8s-plus-27');
const { Construct } = require('constructs');
const k8s = require('cdk8s-plus-27/lib/imports/k8s');
const { HealthCheck, ResilientDeployment } = require('../lib/src');

/** What every workload of the benchmark looks like; `i` varies names and image tags. */
function imageOf(i) {
  return `registry.example.com/team/svc-${i}:1.${i % 10}.0`;
}

/** The library side: one construct call. */
function resilient(chart, i) {
  return new ResilientDeployment(chart, `svc-${i}`, {
    container: {
      image: imageOf(i),
      portNumber: 8080,
      probes: {
        readiness: HealthCheck.httpGet('/ready', { port: 8080 }),
        liveness: HealthCheck.httpGet('/healthz', { port: 8080 }),
      },
    },
  });
}

/** Requests and limits, as a careful engineer sets them (the library's defaults, so both sides ask the same). */
const RESOURCES = {
  cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(1000) },
  memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
};

/**
 * The hand-written side: the same service as a cdk8s-plus user writes it, with the same
 * decisions (replicas, rollout, probes and their timing, preStop, grace period, resources,
 * spreading, PDB) through cdk8s-plus's own APIs.
 */
function handWritten(chart, i) {
  const id = `svc-${i}`;
  const http = (path, period, timeout, failures) => kplus.Probe.fromHttpGet(path, {
    port: 8080,
    periodSeconds: Duration.seconds(period),
    timeoutSeconds: Duration.seconds(timeout),
    failureThreshold: failures,
  });
  const deployment = new kplus.Deployment(chart, id, {
    metadata: { labels: { 'app.kubernetes.io/name': id } },
    replicas: 2,
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.percent(25),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    minReady: Duration.seconds(10),
    terminationGracePeriod: Duration.seconds(30),
    containers: [{
      name: 'main',
      image: imageOf(i),
      portNumber: 8080,
      resources: RESOURCES,
      readiness: http('/ready', 5, 1, 3),
      liveness: http('/healthz', 10, 3, 6),
      startup: http('/healthz', 5, 3, 12),
      lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', '5']) },
    }],
  });
  deployment.scheduling.spread({ topology: kplus.Topology.ZONE, weight: 100 });
  deployment.scheduling.spread({ topology: kplus.Topology.HOSTNAME, weight: 100 });
  deployment.exposeViaService({ ports: [{ port: 8080, targetPort: 8080 }] });
  new k8s.KubePodDisruptionBudget(chart, `${id}-pdb`, {
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: deployment.matchLabels } },
  });
  return deployment;
}

/**
 * The identical-output side: cdk8s-plus-27 where it has an API, JSON patches (applied before
 * the L1 mapping, so in props form) and an L1 object for the rest, reproducing the library's
 * objects value for value.
 */
function identical(chart, i) {
  const id = `svc-${i}`;
  const scope = new Construct(chart, id);
  const name = Names.toDnsLabel(scope);
  const version = `1.${i % 10}.0`;
  const selector = { 'app.kubernetes.io/name': id, 'app.kubernetes.io/instance': name };
  const labels = { ...selector, 'app.kubernetes.io/version': version, 'app.kubernetes.io/managed-by': 'cdk8s' };

  const http = (path, period, timeout, failures) => kplus.Probe.fromHttpGet(path, {
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
      resources: RESOURCES,
      // cdk8s-plus's Capability enum has no ALL (and prefixes names with CAP_): a cast in TypeScript.
      securityContext: { capabilities: { drop: ['ALL'] } },
      readiness: http('/ready', 5, 1, 3),
      liveness: http('/healthz', 10, 3, 6),
      startup: http('/healthz', 5, 3, 12),
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
  const container = '/spec/template/spec/containers/0';
  ApiObject.of(deployment).addJsonPatch(
    JsonPatch.add('/spec/revisionHistoryLimit', 5),
    // cdk8s-plus writes `scheme: HTTP`, the API server's default; the library leaves it out.
    JsonPatch.remove(`${container}/readinessProbe/httpGet/scheme`),
    JsonPatch.remove(`${container}/livenessProbe/httpGet/scheme`),
    JsonPatch.remove(`${container}/startupProbe/httpGet/scheme`),
    JsonPatch.add(`${container}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
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
  // Values cdk8s-plus writes that equal the API server's defaults; the library leaves them out.
  // (Props-form names: the patches run before the L1 mapping.)
  ApiObject.of(deployment).addJsonPatch(
    JsonPatch.remove('/spec/template/spec/dnsPolicy'),
    JsonPatch.remove('/spec/template/spec/hostNetwork'),
    JsonPatch.remove('/spec/template/spec/restartPolicy'),
    JsonPatch.remove('/spec/template/spec/setHostnameAsFqdn'),
    JsonPatch.remove('/spec/template/spec/securityContext/fsGroupChangePolicy'),
    JsonPatch.remove(`${container}/securityContext/privileged`),
  );

  const service = new kplus.Service(scope, 'Service', {
    metadata: { name, labels },
    type: kplus.ServiceType.CLUSTER_IP,
    ports: [{ port: 8080, targetPort: 8080 }],
  });
  for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
  ApiObject.of(service).addJsonPatch(JsonPatch.remove('/spec/externalIPs'));

  new k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
    metadata: { name, labels },
    spec: {
      selector: { matchLabels: selector },
      maxUnavailable: k8s.IntOrString.fromNumber(1),
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
  return scope;
}

const SIDES = { resilient, handWritten, identical };

/** Objects each workload synthesizes to (Deployment, Service, PDB). */
const OBJECTS_PER_WORKLOAD = 3;

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

/** The objects `count` workloads of one side synthesize to. */
function synthesize(side, count) {
  const { Testing, Chart } = require('cdk8s');
  const app = Testing.app();
  const chart = new Chart(app, 'bench');
  for (let i = 0; i < count; i++) SIDES[side](chart, i);
  return chart.toJson();
}

/**
 * Synthesizes a few workloads on the library side and the identical-output side and lists the
 * differences between the manifests (none expected). Returns human-readable differences.
 */
function checkEquivalence(count = 3) {
  const a = synthesize('resilient', count).map(canonical);
  const b = synthesize('identical', count).map(canonical);
  const differences = [];
  if (a.length !== b.length) differences.push(`object count: resilient ${a.length}, identical ${b.length}`);
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
  out.push(`${path}: resilient ${JSON.stringify(a)} vs identical ${JSON.stringify(b)}`);
}

/** YAML bytes per workload of each side (one chart of `count` workloads). */
function bytesPerWorkload(count = 10) {
  const { Yaml } = require('cdk8s');
  const out = {};
  for (const side of Object.keys(SIDES)) out[side] = Yaml.stringify(...synthesize(side, count)).length / count;
  return out;
}

module.exports = { SIDES, OBJECTS_PER_WORKLOAD, checkEquivalence, canonical, bytesPerWorkload, synthesize };

if (require.main === module) {
  const differences = checkEquivalence();
  process.stdout.write(differences.length === 0 ? 'resilient and identical: same objects (ignoring key order)\n' : `${differences.join('\n')}\n`);
  const bytes = bytesPerWorkload();
  process.stdout.write(`YAML bytes per workload: ${Object.entries(bytes).map(([side, b]) => `${side} ${Math.round(b)}`).join(', ')}\n`);
}
