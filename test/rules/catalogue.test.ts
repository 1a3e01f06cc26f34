/**
 * Every rule of the table has objects that fail it and objects that pass it. A rule added to the
 * table without fixtures here fails the first test.
 */
import { auditObjects, RULES } from '../../src/rules';
import { KubeObject } from '../../src/rules/types';
import {
  appWith, appWithContainer, container, cronJob, deployment, edit, goodApp, goodStatefulApp, headlessService, hpa, job,
  labelsOf, pdb, service, statefulSet,
} from './fixtures';

interface Cases {
  readonly fail: Record<string, KubeObject[]>;
  readonly pass: Record<string, KubeObject[]>;
}

const noAutoscalerReplicas = (d: any) => { delete d.spec.replicas; };

const FIXTURES: Record<string, Cases> = {
  'grace-period-too-short': {
    fail: {
      'grace 10s < preStop 5s + shutdown 15s': appWith((d) => { d.spec.template.spec.terminationGracePeriodSeconds = 10; }),
      'default grace 30s < sleep 15 + assumed 20s (a warning: the 20s is assumed)': appWith((d) => {
        delete d.spec.template.spec.terminationGracePeriodSeconds;
        delete d.spec.template.metadata.annotations;
        d.spec.template.spec.containers[0].lifecycle.preStop.exec.command = ['/bin/sh', '-c', 'sleep 15 && echo draining'];
      }),
      'preStop sleeps forever': appWithContainer((c) => { c.lifecycle.preStop.exec.command = ['sleep', 'infinity']; }),
      'budget annotation: preStop 45s + shutdown 10s > 50s': appWith((d) => {
        d.spec.template.metadata.annotations = { 'resilient.cdk8s.io/shutdown-budget': 'grace 60s = preStop 45s + app shutdown 10s + margin 5s' };
        d.spec.template.spec.terminationGracePeriodSeconds = 50;
        d.spec.template.spec.containers[0].lifecycle.preStop.exec.command = ['/bin/sh', '-c', 'pg_ctl stop -m fast -w -t 45'];
      }),
    },
    pass: {
      'grace 30s >= 5s + 15s': goodApp(),
      'the library states the shutdown in its budget annotation: 5s + 15s fits in 25s': appWith((d) => {
        d.spec.template.metadata.annotations = { 'resilient.cdk8s.io/shutdown-budget': 'grace 25s = preStop 5s + app shutdown 15s + margin 5s' };
        d.spec.template.spec.terminationGracePeriodSeconds = 25;
      }),
      'loop sleeps count as app shutdown': appWithContainer((c) => { c.lifecycle.preStop.exec.command = ['/bin/sh', '-c', 'sleep 5; app stop; while pidof app; do sleep 1; done']; }),
      'httpGet hook counts 5s': appWithContainer((c) => { c.lifecycle.preStop = { httpGet: { path: '/drain', port: 'http' } }; }),
    },
  },
  'prestop-missing': {
    fail: { 'behind a Service, no preStop': appWithContainer((c) => { delete c.lifecycle; }) },
    pass: {
      'preStop sleep': goodApp(),
      'no Service in front': [edit(deployment(), (d) => { delete d.spec.template.spec.containers[0].lifecycle; }), pdb()],
    },
  },
  'shell-without-exec': {
    fail: {
      'sh -c list without exec': appWithContainer((c) => { c.command = ['/bin/sh', '-c', 'cd /app && ./server']; }),
      'command sh, script in args': appWithContainer((c) => { c.command = ['sh']; c.args = ['-c', 'server --port 8080']; }),
      'tini without -g': appWithContainer((c) => { c.command = ['/sbin/tini', '--', 'sh', '-c', 'cd /app && server']; }),
      'dumb-init in single-child mode': appWithContainer((c) => { c.command = ['dumb-init', '-c', '--', 'sh', '-c', 'cd /app && server']; }),
      'dumb-init does not rescue it (drill evidence: the shell dies, dumb-init exits, the app is cut short)': appWithContainer((c) => { c.command = ['/usr/bin/dumb-init', '--', 'sh', '-c', 'cd /app && server']; }),
      'tini -g does not rescue it either': appWithContainer((c) => { c.command = ['tini', '-g', '--', 'sh', '-c', 'cd /app && server']; }),
      'bash with a command after the app': appWithContainer((c) => { c.command = ['bash', '-c', 'server; echo done']; }),
      'shared process namespace does not help a shell': appWith((d) => {
        d.spec.template.spec.shareProcessNamespace = true;
        d.spec.template.spec.containers[0].command = ['sh', '-c', 'setup; server'];
      }),
    },
    pass: {
      'exec at the end': appWithContainer((c) => { c.command = ['/bin/sh', '-c', 'cd /app && exec ./server']; }),
      'exec under dumb-init': appWithContainer((c) => { c.command = ['/usr/bin/dumb-init', '--', 'sh', '-c', 'cd /app && exec server']; }),
      'bash runs a lone command in place of itself': appWithContainer((c) => { c.command = ['bash', '-c', 'server --port 8080']; }),
      'bash runs the last command of an && chain in place of itself': appWithContainer((c) => { c.command = ['bash', '-c', 'cd /app && server']; }),
      'no shell': appWithContainer((c) => { c.command = ['/app/server']; }),
    },
  },
  'readiness-probe-missing': {
    fail: { 'serving container without readiness': appWithContainer((c) => { delete c.readinessProbe; }) },
    pass: {
      'readiness on the serving container': goodApp(),
      'no Service selects the pods (a bare Pod with ports, a worker)': [edit(deployment(), (d) => { delete d.spec.template.spec.containers[0].readinessProbe; }), pdb()],
      'sidecar without ports needs none': appWith((d) => { d.spec.template.spec.containers.push({ ...container({ name: 'log', ports: undefined, readinessProbe: undefined, livenessProbe: undefined, lifecycle: undefined }) }); }),
    },
  },
  'liveness-probe-missing': {
    fail: { 'no liveness': appWithContainer((c) => { delete c.livenessProbe; }) },
    pass: { 'liveness present': goodApp() },
  },
  'liveness-same-as-readiness': {
    fail: {
      'same check, other key order and defaults written out': appWithContainer((c) => {
        c.readinessProbe = { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10 };
        c.livenessProbe = { failureThreshold: 3, timeoutSeconds: 1, httpGet: { port: 8080, scheme: 'HTTP', path: '/health' } };
      }),
    },
    pass: { 'TCP liveness, HTTP readiness': goodApp() },
  },
  'liveness-less-tolerant': {
    fail: { 'liveness gives up after 5s, readiness after 15s': appWithContainer((c) => { c.livenessProbe = { tcpSocket: { port: 8080 }, periodSeconds: 5, failureThreshold: 1 }; }) },
    pass: { 'liveness 60s, readiness 15s': goodApp() },
  },
  'probe-port-undeclared': {
    fail: {
      'named port not declared': appWithContainer((c) => { c.readinessProbe.httpGet.port = 'metrics'; }),
      'httpGet preStop on an undeclared name': appWithContainer((c) => { c.lifecycle.preStop = { httpGet: { path: '/drain', port: 'admin' } }; }),
    },
    pass: {
      'declared name and number': goodApp(),
      'a number no container declares (Kubernetes probes it all the same)': appWithContainer((c) => { c.livenessProbe.tcpSocket.port = 9090; }),
      'a ${PORT} placeholder (the field-type rule names it)': appWithContainer((c) => { c.readinessProbe.httpGet.port = '${PORT}'; }),
      'a list instead of a port (the field-type rule reports it)': appWithContainer((c) => { c.readinessProbe.httpGet.port = [80]; }),
      'number declared by a sidecar': appWith((d) => {
        d.spec.template.spec.containers.push(container({ name: 'proxy', image: 'envoyproxy/envoy:v1.29.1', ports: [{ containerPort: 9901 }], readinessProbe: { tcpSocket: { port: 9901 } }, livenessProbe: { tcpSocket: { port: 9901 }, failureThreshold: 6 } }));
        d.spec.template.spec.containers[0].livenessProbe = { tcpSocket: { port: 9901 }, failureThreshold: 6 };
      }),
    },
  },
  'replicas-too-few': {
    fail: {
      'replicas 1': appWith((d) => { d.spec.replicas = 1; }),
      'replicas unset': appWith(noAutoscalerReplicas),
    },
    pass: {
      'replicas 3': goodApp(),
      'autoscaled': [...appWith(noAutoscalerReplicas), hpa()],
      'replicas 0: paused on purpose': appWith((d) => { d.spec.replicas = 0; }),
      'replicas "two": a type error, not "unset"': appWith((d) => { d.spec.replicas = 'two'; }),
    },
  },
  'hpa-replicas-conflict': {
    fail: {
      'replicas set while an HPA scales': [...goodApp(), hpa()],
      'two HPAs': [...appWith(noAutoscalerReplicas), hpa('web-cpu'), hpa('web-mem')],
    },
    pass: {
      'replicas left to the HPA': [...appWith(noAutoscalerReplicas), hpa()],
      'replicas 0 pauses the autoscaler on purpose': [...appWith((d) => { d.spec.replicas = 0; }), hpa()],
    },
  },
  'hpa-min-replicas-too-low': {
    fail: {
      'minReplicas 1': [...appWith(noAutoscalerReplicas), hpa('web', 'web', { minReplicas: 1, maxReplicas: 5 })],
      'minReplicas unset': [...appWith(noAutoscalerReplicas), hpa('web', 'web', { maxReplicas: 5 })],
    },
    pass: { 'minReplicas 2': [...appWith(noAutoscalerReplicas), hpa()] },
  },
  'pdb-missing': {
    fail: { 'three replicas, no budget': [deployment(), service()] },
    pass: { 'budget selects the pods': goodApp() },
  },
  'pdb-overlap': {
    fail: { 'two budgets on one workload': [...goodApp(), pdb('web-2', { matchLabels: { 'app.kubernetes.io/name': 'web' } })] },
    pass: { 'one budget': goodApp() },
  },
  'pdb-selects-nothing': {
    fail: { 'labels drifted': [...goodApp(), pdb('old', { matchLabels: { app: 'web-v1' } })] },
    pass: {
      'matches': goodApp(),
      'owned by an operator': [...goodApp(), edit(pdb('mon', { matchLabels: { app: 'rook-ceph-mon' } }), (p) => { p.metadata.ownerReferences = [{ apiVersion: 'ceph.rook.io/v1', kind: 'CephCluster', name: 'rook-ceph', uid: 'u' }]; })],
      'selects the pods of a Job': [job(), pdb('migrate', { matchLabels: labelsOf('migrate') })],
    },
  },
  'pdb-spans-workloads': {
    fail: {
      'one budget for two apps': [
        ...appWith((d) => { d.spec.template.metadata.labels['app.kubernetes.io/part-of'] = 'shop'; }, 'web').slice(0, 2),
        ...appWith((d) => { d.spec.template.metadata.labels['app.kubernetes.io/part-of'] = 'shop'; }, 'api').slice(0, 2),
        pdb('shop', { matchLabels: { 'app.kubernetes.io/part-of': 'shop' } }),
      ],
    },
    pass: { 'one budget per app': [...goodApp('web'), ...goodApp('api')] },
  },
  'pdb-blocks-eviction': {
    fail: {
      'maxUnavailable 0': [deployment(), service(), pdb('web', undefined, { maxUnavailable: 0 })],
      'maxUnavailable 0%': [deployment(), service(), pdb('web', undefined, { maxUnavailable: '0%' })],
      'minAvailable equal to replicas': [deployment(), service(), pdb('web', undefined, { minAvailable: 3 })],
      'minAvailable 100%': [deployment(), service(), pdb('web', undefined, { minAvailable: '100%' })],
      'minAvailable 2 with an HPA that may go down to 2': [...appWith(noAutoscalerReplicas).slice(0, 2), pdb('web', undefined, { minAvailable: 2 }), hpa()],
    },
    pass: {
      'maxUnavailable 1': goodApp(),
      'the workload is paused (replicas 0): no pod to evict': [edit(deployment(), (d) => { d.spec.replicas = 0; }), service(), pdb('web', undefined, { minAvailable: 1 })],
      'minAvailable below replicas': [deployment(), service(), pdb('web', undefined, { minAvailable: 2 })],
      'maxUnavailable 25%': [deployment(), service(), pdb('web', undefined, { maxUnavailable: '25%' })],
    },
  },
  'pdb-unhealthy-pods-block-drain': {
    fail: { 'default policy': [deployment(), service(), edit(pdb(), (p) => { delete p.spec.unhealthyPodEvictionPolicy; })] },
    pass: { 'AlwaysAllow': goodApp() },
  },
  'spread-missing': {
    fail: { 'no spreading': appWith((d) => { delete d.spec.template.spec.topologySpreadConstraints; }) },
    pass: {
      'topology spread on the node key': goodApp(),
      'preferred anti-affinity on the node key': appWith((d) => {
        delete d.spec.template.spec.topologySpreadConstraints;
        d.spec.template.spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labelsOf('web') } } }] } };
      }),
    },
  },
  'anti-affinity-unsatisfiable': {
    fail: {
      'one per zone, 3 replicas + surge': appWith((d) => {
        d.spec.template.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: labelsOf('web') } }] } };
      }),
      'one per region': appWith((d) => {
        d.spec.template.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'topology.kubernetes.io/region', labelSelector: { matchLabels: labelsOf('web') } }] } };
      }),
    },
    pass: {
      'one per zone, 2 replicas + 1 surge': appWith((d) => {
        d.spec.replicas = 2;
        d.spec.template.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: labelsOf('web') } }] } };
      }),
      'no anti-affinity': goodApp(),
    },
  },
  'anti-affinity-required': {
    fail: {
      'one per node, required': appWith((d) => {
        d.spec.template.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labelsOf('web') } }] } };
      }),
    },
    pass: {
      'preferred': appWith((d) => {
        d.spec.template.spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labelsOf('web') } } }] } };
      }),
      'required against other pods only': appWith((d) => {
        d.spec.template.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'noisy-batch' } } }] } };
      }),
    },
  },
  'statefulset-headless-service-missing': {
    fail: {
      'no serviceName': [edit(statefulSet(), (s) => { delete s.spec.serviceName; }), pdb('db')],
      'Service not in the set': [statefulSet(), pdb('db')],
      'Service not headless': [statefulSet(), edit(headlessService(), (s) => { delete s.spec.clusterIP; }), pdb('db')],
      'headless Service selects other pods': [statefulSet(), edit(headlessService(), (s) => { s.spec.selector = { app: 'other' }; }), pdb('db')],
    },
    pass: { 'headless Service selecting the pods': goodStatefulApp() },
  },
  'statefulset-pvc-deleted-on-scale-down': {
    fail: { 'whenScaled Delete': [edit(statefulSet(), (s) => { s.spec.persistentVolumeClaimRetentionPolicy.whenScaled = 'Delete'; }), headlessService(), pdb('db')] },
    pass: { 'Retain': goodStatefulApp() },
  },
  'job-deadline-missing': {
    fail: {
      'Job without deadline': [edit(job(), (j) => { delete j.spec.activeDeadlineSeconds; })],
      'CronJob without deadline': [edit(cronJob(), (c) => { delete c.spec.jobTemplate.spec.activeDeadlineSeconds; })],
    },
    pass: { 'Job': [job()], 'CronJob': [cronJob()] },
  },
  'job-backoff-limit-missing': {
    fail: {
      'Job': [edit(job(), (j) => { delete j.spec.backoffLimit; })],
      'CronJob': [edit(cronJob(), (c) => { delete c.spec.jobTemplate.spec.backoffLimit; })],
    },
    pass: { 'Job': [job()], 'CronJob': [cronJob()] },
  },
  'resource-requests-missing': {
    fail: {
      'no resources': appWithContainer((c) => { delete c.resources; }),
      'init container without requests': appWith((d) => { d.spec.template.spec.initContainers = [{ name: 'init', image: 'busybox:1.36', resources: { limits: { memory: '64Mi' } } }]; }),
    },
    pass: {
      'requests set': goodApp(),
      'limits count as requests': appWithContainer((c) => { c.resources = { limits: { cpu: '1', memory: '256Mi' } }; }),
    },
  },
  'memory-limit-missing': {
    fail: { 'no memory limit': appWithContainer((c) => { delete c.resources.limits; }) },
    pass: { 'memory limit': goodApp() },
  },
  'image-tag-mutable': {
    fail: {
      'no tag': appWithContainer((c) => { c.image = 'nginx'; }),
      'latest': appWithContainer((c) => { c.image = 'nginx:latest'; }),
      'registry port but no tag': appWithContainer((c) => { c.image = 'registry.example.com:5000/shop/web'; }),
    },
    pass: {
      'version tag': goodApp(),
      'registry port and tag': appWithContainer((c) => { c.image = 'registry.example.com:5000/shop/web:2.0.1'; }),
      'digest': appWithContainer((c) => { c.image = `nginx@sha256:${'a'.repeat(64)}`; }),
    },
  },
  'selector-mismatch': {
    fail: {
      'selector names another app': appWith((d) => { d.spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'other' } }; }),
      'no selector': appWith((d) => { delete d.spec.selector; }),
      'empty selector': appWith((d) => { d.spec.selector = {}; }),
      'matchExpressions excluding the pods': appWith((d) => { d.spec.selector = { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['web'] }] }; }),
    },
    pass: {
      'matchLabels subset of template labels': goodApp(),
      'matchExpressions': appWith((d) => { d.spec.selector = { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['web'] }] }; }),
    },
  },
  'service-selects-nothing': {
    fail: { 'selector drifted': [...goodApp(), service('web-old', { app: 'web' })] },
    pass: {
      'selects the pods': goodApp(),
      'no selector (endpoints by hand)': [...goodApp(), edit(service('external'), (s) => { delete s.spec.selector; })],
      'selects the pods of a Job': [job(), service('migrate', labelsOf('migrate'))],
      'managed by an operator': [edit(service('prometheus-operated', { 'app.kubernetes.io/name': 'prometheus' }), (s) => { s.metadata.labels = { 'app.kubernetes.io/managed-by': 'prometheus-operator' }; })],
      'a label value names a custom resource of the namespace (its operator runs the pods)': [
        { apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', metadata: { name: 'k8s' }, spec: { replicas: 2 } },
        service('prometheus-k8s', { 'app.kubernetes.io/name': 'prometheus', prometheus: 'k8s' }),
      ],
      'matches the pod template of a custom resource (an Argo Rollout)': [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'shop' }, spec: { template: { metadata: { labels: labelsOf('shop') } } } },
        service('shop'),
      ],
    },
  },
  'field-type-invalid': {
    fail: {
      'replicas "two"': appWith((d) => { d.spec.replicas = 'two'; }),
      'a port as a list': appWithContainer((c) => { c.readinessProbe.httpGet.port = [80]; }),
      'a quoted number as a probe port': appWithContainer((c) => { c.livenessProbe.tcpSocket.port = '8080'; }),
      'a label value that is a number': appWith((d) => { d.spec.template.metadata.labels.version = 1.5; }),
      'a containerPort placeholder (a warning)': appWithContainer((c) => { c.ports[0].containerPort = '${PORT}'; }),
      'minReplicas as a string': [...appWith(noAutoscalerReplicas), hpa('web', 'web', { minReplicas: '2', maxReplicas: 6 })],
    },
    pass: { 'every field of the right type': goodApp(), 'a Job': [job()], 'a StatefulSet': goodStatefulApp() },
  },
  'rule-override-invalid': {
    fail: {
      'suppression without reason': appWith((d) => { d.metadata.annotations = { 'resilient.cdk8s.io/suppress.spread-missing': ' ' }; }),
      'unknown rule id': appWith((d) => { d.metadata.annotations = { 'resilient.cdk8s.io/suppress.no-such-rule': 'because' }; }),
      'severity without reason': appWith((d) => { d.spec.template.metadata.annotations['resilient.cdk8s.io/severity.spread-missing'] = 'warning'; }),
    },
    pass: {
      'suppression with reason': appWith((d) => { d.metadata.annotations = { 'resilient.cdk8s.io/suppress.spread-missing': 'single-node test cluster' }; }),
      'severity with reason': appWith((d) => { d.metadata.annotations = { 'resilient.cdk8s.io/severity.spread-missing': 'error: we want it hard' }; }),
    },
  },
};

function ruleIds(objects: KubeObject[]): string[] {
  return auditObjects(objects).findings.map((f) => f.ruleId);
}

test('every rule in the table has failing and passing fixtures', () => {
  for (const rule of RULES) {
    const cases = FIXTURES[rule.id];
    expect({ rule: rule.id, fail: Object.keys(cases?.fail ?? {}).length > 0, pass: Object.keys(cases?.pass ?? {}).length > 0 })
      .toEqual({ rule: rule.id, fail: true, pass: true });
  }
  expect(Object.keys(FIXTURES).sort()).toEqual(RULES.map((r) => r.id).sort());
});

test('the well-behaved fixtures pass every rule', () => {
  for (const objects of [goodApp(), goodStatefulApp(), [job()], [cronJob()]]) {
    expect(auditObjects(objects).findings).toEqual([]);
  }
});

describe.each(Object.entries(FIXTURES))('%s', (id, cases) => {
  test.each(Object.entries(cases.fail))('fails: %s', (_name, objects) => {
    const findings = auditObjects(objects).findings.filter((f) => f.ruleId === id);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.message).not.toBe('');
      expect(f.fix).not.toBe('');
      // A finding that rests on an assumption the manifest does not state is a warning.
      expect(f.severity).toBe(f.assumption ? 'warning' : RULES.find((r) => r.id === id)!.severity);
    }
  });
  test.each(Object.entries(cases.pass))('passes: %s', (_name, objects) => {
    expect(ruleIds(objects)).not.toContain(id);
  });
});
