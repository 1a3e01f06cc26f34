/**
 * A realistic mix of Kubernetes objects for the audit benchmark: the kinds, proportions and sizes
 * found in application and platform repositories (many small objects such as ServiceAccounts,
 * RBAC and Services; workloads with sidecars, env and volumes; ConfigMaps with real payloads; a
 * few large CustomResourceDefinitions and custom resources), with and without the problems the
 * rules look for. Deterministic: the same seed gives the same objects.
 *
 *   const { mix } = require('./audit-mix');
 *   for (const object of mix(100000)) ...        // a generator: nothing is held in memory
 *
 *   node bench/audit-mix.js 1000 > mix.yaml      // writes a multi-document YAML stream
 */
'use strict';

/** Share of each kind, in percent (summing to 100), close to what public repositories hold. */
const KINDS = [
  ['Deployment', 14], ['StatefulSet', 3], ['DaemonSet', 2], ['Job', 2], ['CronJob', 2], ['Pod', 1],
  ['Service', 15], ['ConfigMap', 11], ['Secret', 4], ['ServiceAccount', 9], ['Role', 5], ['RoleBinding', 5],
  ['ClusterRole', 3], ['ClusterRoleBinding', 3], ['Ingress', 3], ['NetworkPolicy', 3], ['HorizontalPodAutoscaler', 4],
  ['PodDisruptionBudget', 5], ['CustomResourceDefinition', 1], ['ServiceMonitor', 3], ['PrometheusRule', 1],
  ['Namespace', 1],
];

/** A small, fast, seeded generator (mulberry32). */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function* mix(count, seed = 17) {
  const rnd = random(seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const chance = (p) => rnd() < p;
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const table = [];
  for (const [kind, share] of KINDS) for (let i = 0; i < share; i++) table.push(kind);
  for (let i = 0; i < count; i++) {
    const app = `app-${Math.floor(i / 12)}`;
    const namespace = `team-${Math.floor(i / 12) % 40}`;
    yield make(table[Math.floor(rnd() * table.length)], app, namespace, i);
  }

  function labels(app) {
    return { 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': app, 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': pick(['Helm', 'kustomize', 'cdk8s']) };
  }
  function meta(name, namespace, app, extra = {}) {
    return { name, namespace, labels: labels(app), ...extra };
  }
  function env(n) {
    const out = [];
    for (let i = 0; i < n; i++) {
      out.push(chance(0.2)
        ? { name: `SECRET_${i}`, valueFrom: { secretKeyRef: { name: 'credentials', key: `key-${i}` } } }
        : { name: `SETTING_${i}`, value: `value-${i}-${int(0, 99999)}` });
    }
    return out;
  }
  function container(app, i, main) {
    const port = pick([8080, 8443, 3000, 9090]);
    const c = {
      name: main ? 'main' : pick(['sidecar', 'proxy', 'exporter', 'log-shipper']),
      image: chance(0.1) ? `registry.example.com/${app}:latest` : `registry.example.com/${app}:1.${int(0, 30)}.${int(0, 9)}`,
      args: chance(0.5) ? ['--config=/etc/app/config.yaml', `--port=${port}`, '--log-level=info'] : undefined,
      ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }, ...(chance(0.3) ? [{ name: 'metrics', containerPort: 9102 }] : [])],
      env: env(int(2, 25)),
      volumeMounts: [{ name: 'config', mountPath: '/etc/app' }, ...(chance(0.3) ? [{ name: 'data', mountPath: '/var/lib/app' }] : [])],
    };
    if (chance(0.7)) c.readinessProbe = { httpGet: { path: '/ready', port: chance(0.5) ? 'http' : port }, periodSeconds: 5 };
    if (chance(0.6)) c.livenessProbe = chance(0.2) && c.readinessProbe ? JSON.parse(JSON.stringify(c.readinessProbe)) : { tcpSocket: { port }, periodSeconds: 10, failureThreshold: 6 };
    if (chance(0.75)) c.resources = { requests: { cpu: `${int(1, 10) * 50}m`, memory: `${int(1, 16) * 64}Mi` }, ...(chance(0.7) ? { limits: { memory: `${int(4, 32) * 64}Mi` } } : {}) };
    if (main && chance(0.3)) c.lifecycle = { preStop: { exec: { command: chance(0.8) ? ['sleep', String(int(3, 15))] : ['/bin/sh', '-c', 'sleep 5; kill -TERM 1'] } } };
    if (main && chance(0.2)) c.command = chance(0.5) ? ['/bin/sh', '-c', `cd /app && ${chance(0.5) ? 'exec ' : ''}./server`] : ['/app/server'];
    c.securityContext = { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
    return c;
  }
  function podSpec(app, i, sidecars) {
    const spec = {
      serviceAccountName: app,
      containers: [container(app, i, true)],
      volumes: [{ name: 'config', configMap: { name: `${app}-config` } }, { name: 'data', emptyDir: {} }],
    };
    for (let s = 0; s < sidecars; s++) spec.containers.push(container(app, i, false));
    if (chance(0.6)) spec.terminationGracePeriodSeconds = pick([10, 30, 30, 60, 120]);
    if (chance(0.5)) spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': app } } }];
    if (chance(0.1)) spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': app } } }] } };
    if (chance(0.3)) spec.nodeSelector = { 'kubernetes.io/os': 'linux' };
    if (chance(0.3)) spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'apps', effect: 'NoSchedule' }];
    return spec;
  }
  function template(app, i, sidecars = chance(0.3) ? int(1, 2) : 0) {
    return { metadata: { labels: labels(app), annotations: { 'prometheus.io/scrape': 'true', 'checksum/config': hex(64) } }, spec: podSpec(app, i, sidecars) };
  }
  function hex(n) {
    let s = '';
    while (s.length < n) s += Math.floor(rnd() * 0xffffffff).toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
  function text(lines) {
    const out = [];
    for (let i = 0; i < lines; i++) out.push(`setting_${i}: ${pick(['true', 'false', String(int(0, 10000)), `"${hex(12)}"`])}  # ${pick(['tuned for prod', 'see runbook', 'default', 'do not change'])}`);
    return out.join('\n') + '\n';
  }
  function crdSchema(depth, width) {
    const properties = {};
    for (let i = 0; i < width; i++) {
      properties[`field${i}`] = depth > 0 && chance(0.25)
        ? { type: 'object', description: `Nested settings group ${i}.`, properties: crdSchema(depth - 1, width).properties }
        : { type: pick(['string', 'integer', 'boolean']), description: `Field ${i}: what it configures, in one sentence long enough to be realistic.` };
    }
    return { type: 'object', properties };
  }

  function make(kind, app, namespace, i) {
    const name = `${app}-${kind.toLowerCase()}-${i}`;
    const sel = { 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': app };
    switch (kind) {
      case 'Deployment':
        return { apiVersion: 'apps/v1', kind, metadata: meta(app, namespace, app), spec: {
          ...(chance(0.8) ? { replicas: pick([0, 1, 2, 3, 3, 5]) } : {}), revisionHistoryLimit: 5, selector: { matchLabels: sel },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } }, template: template(app, i) } };
      case 'StatefulSet':
        return { apiVersion: 'apps/v1', kind, metadata: meta(`${app}-db`, namespace, app), spec: {
          replicas: pick([1, 3]), serviceName: `${app}-db-headless`, selector: { matchLabels: sel }, template: template(app, i, 0),
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } }] } };
      case 'DaemonSet':
        return { apiVersion: 'apps/v1', kind, metadata: meta(`${app}-agent`, namespace, app), spec: { selector: { matchLabels: sel }, template: template(app, i, 0), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } } };
      case 'Job':
        return { apiVersion: 'batch/v1', kind, metadata: meta(`${app}-migrate-${i}`, namespace, app), spec: { backoffLimit: 2, ...(chance(0.5) ? { activeDeadlineSeconds: 600 } : {}), template: { ...template(app, i, 0), spec: { ...podSpec(app, i, 0), restartPolicy: 'Never' } } } };
      case 'CronJob':
        return { apiVersion: 'batch/v1', kind, metadata: meta(`${app}-report`, namespace, app), spec: { schedule: '17 3 * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { backoffLimit: 1, template: { ...template(app, i, 0), spec: { ...podSpec(app, i, 0), restartPolicy: 'OnFailure' } } } } } };
      case 'Pod':
        return { apiVersion: 'v1', kind, metadata: meta(`${app}-debug-${i}`, namespace, app), spec: podSpec(app, i, 0) };
      case 'Service':
        return { apiVersion: 'v1', kind, metadata: meta(chance(0.2) ? `${app}-db-headless` : app, namespace, app), spec: {
          ...(chance(0.2) ? { clusterIP: 'None' } : { type: 'ClusterIP' }), selector: chance(0.1) ? { app: `${app}-old` } : sel,
          ports: [{ name: 'http', port: 80, targetPort: chance(0.5) ? 'http' : 8080, protocol: 'TCP' }] } };
      case 'ConfigMap':
        return { apiVersion: 'v1', kind, metadata: meta(`${app}-config`, namespace, app), data: { 'config.yaml': text(int(5, 120)), 'LOG_LEVEL': 'info' } };
      case 'Secret':
        return { apiVersion: 'v1', kind, metadata: meta('credentials', namespace, app), type: 'Opaque', data: { username: Buffer.from(app).toString('base64'), password: hex(44) } };
      case 'ServiceAccount':
        return { apiVersion: 'v1', kind, metadata: meta(app, namespace, app, { annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::123456789012:role/${app}` } }) };
      case 'Role': case 'ClusterRole':
        return { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: kind === 'Role' ? meta(app, namespace, app) : { name: `${app}-${i}`, labels: labels(app) }, rules: [
          { apiGroups: [''], resources: ['pods', 'services', 'endpoints', 'configmaps'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
          ...(chance(0.5) ? [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }] : []),
        ] };
      case 'RoleBinding': case 'ClusterRoleBinding':
        return { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: kind === 'RoleBinding' ? meta(app, namespace, app) : { name: `${app}-${i}`, labels: labels(app) },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: kind === 'RoleBinding' ? 'Role' : 'ClusterRole', name: app }, subjects: [{ kind: 'ServiceAccount', name: app, namespace }] };
      case 'Ingress':
        return { apiVersion: 'networking.k8s.io/v1', kind, metadata: meta(app, namespace, app, { annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' } }), spec: {
          ingressClassName: 'nginx', tls: [{ hosts: [`${app}.example.com`], secretName: `${app}-tls` }],
          rules: [{ host: `${app}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: app, port: { name: 'http' } } } }] } }] } };
      case 'NetworkPolicy':
        return { apiVersion: 'networking.k8s.io/v1', kind, metadata: meta(app, namespace, app), spec: { podSelector: { matchLabels: sel }, policyTypes: ['Ingress'],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }] } };
      case 'HorizontalPodAutoscaler':
        return { apiVersion: 'autoscaling/v2', kind, metadata: meta(app, namespace, app), spec: { minReplicas: pick([1, 2, 3]), maxReplicas: 10,
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app }, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] } };
      case 'PodDisruptionBudget':
        return { apiVersion: 'policy/v1', kind, metadata: meta(app, namespace, app), spec: { ...(chance(0.8) ? { maxUnavailable: 1 } : { minAvailable: pick([1, 2, '50%']) }),
          ...(chance(0.5) ? { unhealthyPodEvictionPolicy: 'AlwaysAllow' } : {}), selector: { matchLabels: sel } } };
      case 'CustomResourceDefinition':
        return { apiVersion: 'apiextensions.k8s.io/v1', kind, metadata: { name: `widgets${i}.example.com` }, spec: { group: 'example.com', scope: 'Namespaced',
          names: { kind: `Widget${i}`, plural: `widgets${i}`, singular: `widget${i}`, listKind: `Widget${i}List` },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: crdSchema(2, 8), status: crdSchema(1, 4) } } } }] } };
      case 'ServiceMonitor':
        return { apiVersion: 'monitoring.coreos.com/v1', kind, metadata: meta(app, namespace, app), spec: { selector: { matchLabels: sel }, endpoints: [{ port: 'metrics', interval: '30s', path: '/metrics' }] } };
      case 'PrometheusRule':
        return { apiVersion: 'monitoring.coreos.com/v1', kind, metadata: meta(app, namespace, app), spec: { groups: [{ name: app, rules: [
          { alert: 'HighErrorRate', expr: `sum(rate(http_requests_total{job="${app}",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="${app}"}[5m])) > 0.05`, for: '10m', labels: { severity: 'page' },
            annotations: { summary: '{{ $labels.job }} returns errors', description: 'Error rate is {{ $value | humanizePercentage }} on {{ $labels.instance }}.' } },
        ] }] } };
      case 'Namespace':
        return { apiVersion: 'v1', kind, metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } };
      default:
        throw new Error(kind);
    }
  }
}

module.exports = { mix, KINDS };

if (require.main === module) {
  const { stringify } = require('yaml');
  const n = Number(process.argv[2] || 1000);
  for (const o of mix(n)) process.stdout.write(`---\n${stringify(o)}`);
}
