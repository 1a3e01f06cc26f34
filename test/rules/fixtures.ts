/**
 * Plain Kubernetes objects for the rule tests: a well-behaved app (Deployment, Service, PDB) that
 * passes every rule, and small helpers to break one thing at a time.
 */
import { KubeObject } from '../../src/rules/types';

export type Obj = Record<string, any>;

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/** A copy of `object` changed by `change`. */
export function edit<T extends Obj>(object: T, change: (copy: any) => void): T {
  const copy = clone(object);
  change(copy);
  return copy;
}

export function labelsOf(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
}

export function container(overrides: Obj = {}): Obj {
  return {
    name: 'main',
    image: 'registry.example.com/shop/web:1.2.3',
    ports: [{ containerPort: 8080, name: 'http' }],
    readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 10, failureThreshold: 6 },
    lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '256Mi' } },
    ...overrides,
  };
}

export function podSpec(name: string, overrides: Obj = {}): Obj {
  return {
    terminationGracePeriodSeconds: 30,
    containers: [container()],
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labelsOf(name) } },
    ],
    ...overrides,
  };
}

export function deployment(name = 'web', overrides: Obj = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: labelsOf(name) },
    spec: {
      replicas: 3,
      selector: { matchLabels: labelsOf(name) },
      template: {
        metadata: { labels: labelsOf(name), annotations: { 'resilient.cdk8s.io/app-shutdown-seconds': '15' } },
        spec: podSpec(name),
      },
      ...overrides,
    },
  };
}

export function service(name = 'web', selector: Record<string, string> = labelsOf(name), extra: Obj = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector, ports: [{ port: 80, targetPort: 'http' }], ...extra },
  };
}

export function pdb(name = 'web', selector: Obj = { matchLabels: labelsOf(name) }, spec: Obj = { maxUnavailable: 1 }): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name },
    spec: { selector, unhealthyPodEvictionPolicy: 'AlwaysAllow', ...spec },
  };
}

export function hpa(name = 'web', target = 'web', spec: Obj = { minReplicas: 2, maxReplicas: 6 }): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, ...spec },
  };
}

/** A Deployment behind a Service, with its PodDisruptionBudget: passes every rule. */
export function goodApp(name = 'web'): KubeObject[] {
  return [deployment(name), service(name), pdb(name)];
}

/** goodApp with the Deployment changed. */
export function appWith(change: (d: any) => void, name = 'web'): KubeObject[] {
  const [d, ...rest] = goodApp(name);
  return [edit(d, change), ...rest];
}

/** goodApp with the main container changed. */
export function appWithContainer(change: (c: any) => void): KubeObject[] {
  return appWith((d) => change(d.spec.template.spec.containers[0]));
}

export function statefulSet(name = 'db', overrides: Obj = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      replicas: 3,
      serviceName: `${name}-headless`,
      selector: { matchLabels: labelsOf(name) },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: labelsOf(name), annotations: { 'resilient.cdk8s.io/app-shutdown-seconds': '20' } },
        spec: podSpec(name, { terminationGracePeriodSeconds: 40, containers: [container({ image: 'postgres:16.4', ports: [{ containerPort: 5432, name: 'pg' }], readinessProbe: { exec: { command: ['pg_isready'] } }, livenessProbe: { tcpSocket: { port: 'pg' }, failureThreshold: 6 } })] }),
      },
      ...overrides,
    },
  };
}

export function headlessService(name = 'db'): KubeObject {
  return service(`${name}-headless`, labelsOf(name), { clusterIP: 'None', ports: [{ port: 5432, targetPort: 'pg' }] });
}

export function goodStatefulApp(name = 'db'): KubeObject[] {
  return [statefulSet(name), headlessService(name), pdb(name)];
}

export function job(name = 'migrate', overrides: Obj = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: 600,
      template: {
        metadata: { labels: labelsOf(name) },
        spec: {
          restartPolicy: 'Never',
          containers: [container({ image: 'registry.example.com/shop/migrate:1.2.3', ports: undefined, readinessProbe: undefined, livenessProbe: undefined, lifecycle: undefined })],
        },
      },
      ...overrides,
    },
  };
}

export function cronJob(name = 'report', jobSpec: Obj = {}): KubeObject {
  const j = job(name);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: { schedule: '0 3 * * *', jobTemplate: { spec: { ...j.spec, ...jobSpec } } },
  };
}
