import * as fs from 'fs';
import NodeModule = require('module');
import * as path from 'path';
import { expectValidKubernetes, FieldShape, kubernetes127Fields, kubernetes127Type, validateKubernetes } from './k8s-validate';

const labels = { app: 'web' };

function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels },
    spec: {
      replicas: 3,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 30,
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
          ],
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              ports: [{ containerPort: 8080, name: 'http' }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
              lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
            },
          ],
        },
      },
    },
  };
}

function podTemplate(): any {
  return { spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: 'busybox', command: ['true'] }] } };
}

/** One valid object for each kind the project's constructs emit. */
function validObjects(): any[] {
  const selector = { matchLabels: labels };
  return [
    deployment(),
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        serviceName: 'db',
        selector,
        podManagementPolicy: 'Parallel',
        template: { metadata: { labels }, spec: { containers: [{ name: 'db', image: 'postgres:15' }] } },
        volumeClaimTemplates: [
          { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
        ],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: {
        selector,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: { metadata: { labels }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } },
      },
    },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' }, spec: { backoffLimit: 2, template: podTemplate() } },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { schedule: '0 3 * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: podTemplate() } } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { key: 'value' }, immutable: true },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web' }, automountServiceAccountToken: false },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'cache' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web' },
      spec: { maxUnavailable: 1, selector, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web' },
      spec: {
        podSelector: selector,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
      },
    },
  ];
}

function problemsOf(obj: any): string[] {
  return validateKubernetes([obj]);
}

describe('expectValidKubernetes', () => {
  test('accepts valid objects of every supported kind', () => {
    const objects = validObjects();
    expect(validateKubernetes(objects)).toEqual([]);
    expect(() => expectValidKubernetes(objects)).not.toThrow();
  });

  test('accepts an empty list', () => {
    expect(() => expectValidKubernetes([])).not.toThrow();
  });

  describe('unknown fields (kubernetes-models alone would accept these)', () => {
    test('a bogus container field', () => {
      const d = deployment();
      d.spec.template.spec.containers[0].bogus = 1;
      expect(() => expectValidKubernetes([d])).toThrow(
        'Deployment/web (apps/v1, objects[0]): spec.template.spec.containers[0].bogus: unknown field (Kubernetes 1.27 Container has no such field)',
      );
    });

    test('a misspelled spec field', () => {
      const d = deployment();
      d.spec.replicass = 2;
      expect(problemsOf(d)).toEqual([
        'Deployment/web (apps/v1, objects[0]): spec.replicass: unknown field (Kubernetes 1.27 DeploymentSpec has no such field)',
      ]);
    });

    test('unknown fields at the top level, in metadata, and inside maps and lists', () => {
      const d = deployment();
      d.replicas = 3;
      d.metadata.label = { a: 'b' };
      d.spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabel = labels;
      const hpa = validObjects().find((o) => o.kind === 'HorizontalPodAutoscaler');
      hpa.spec.metrics[0].resource.target.averageUtilisation = 70;
      expect(validateKubernetes([d, hpa])).toEqual([
        expect.stringMatching(/objects\[0\]\): metadata\.label: unknown field \(Kubernetes 1\.27 ObjectMeta/),
        expect.stringMatching(/objects\[0\]\): replicas: unknown field \(Kubernetes 1\.27 Deployment has/),
        expect.stringMatching(/objects\[0\]\): spec\.template\.spec\.topologySpreadConstraints\[0\]\.labelSelector\.matchLabel: unknown field/),
        expect.stringMatching(/^HorizontalPodAutoscaler\/web .*: spec\.metrics\[0\]\.resource\.target\.averageUtilisation: unknown field/),
      ]);
    });

    test('fields that only exist in Kubernetes releases after 1.27', () => {
      const d = deployment();
      d.spec.template.spec.containers[0].restartPolicy = 'Always'; // sidecar containers, 1.28
      d.spec.template.spec.containers[0].lifecycle.stopSignal = 'SIGTERM'; // 1.33
      const svc = validObjects().find((o) => o.kind === 'Service');
      svc.spec.trafficDistribution = 'PreferClose'; // 1.30
      expect(validateKubernetes([d, svc])).toEqual([
        expect.stringContaining('spec.template.spec.containers[0].lifecycle.stopSignal: unknown field'),
        expect.stringContaining('spec.template.spec.containers[0].restartPolicy: unknown field'),
        expect.stringContaining('Service/web (v1, objects[1]): spec.trafficDistribution: unknown field'),
      ]);
    });

    test('status is not part of a manifest', () => {
      const d = deployment();
      d.status = { replicas: 3 };
      expect(problemsOf(d)).toEqual([expect.stringContaining(': status: unknown field')]);
    });

    test('free-form values are not mistaken for unknown fields', () => {
      const d = deployment();
      d.metadata.annotations = { 'example.com/any-key': 'v' };
      d.spec.template.spec.nodeSelector = { 'kubernetes.io/os': 'linux' };
      d.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'] = 1;
      expect(problemsOf(d)).toEqual([]);
    });
  });

  describe('wrong types', () => {
    test('a string where an integer is required', () => {
      const d = deployment();
      d.spec.replicas = 'three';
      expect(() => expectValidKubernetes([d])).toThrow('Deployment/web (apps/v1, objects[0]): spec.replicas: must be integer');
    });

    test('an object where a list is required, deep in the pod template', () => {
      const d = deployment();
      d.spec.template.spec.containers[0].ports = { containerPort: 8080 };
      expect(problemsOf(d)).toEqual([expect.stringContaining('spec.template.spec.containers[0].ports: must be array')]);
    });

    test('a boolean for an int-or-string', () => {
      const pdb = validObjects().find((o) => o.kind === 'PodDisruptionBudget');
      pdb.spec.maxUnavailable = true;
      expect(problemsOf(pdb)).toEqual(['PodDisruptionBudget/web (policy/v1, objects[0]): spec.maxUnavailable: must be string or integer']);
    });

    test('a value outside an enum', () => {
      const svc = validObjects().find((o) => o.kind === 'Service');
      svc.spec.type = 'Balancer';
      expect(problemsOf(svc)).toEqual([expect.stringContaining('spec.type: must be one of "ClusterIP"')]);
    });
  });

  describe('missing required fields', () => {
    test('container name', () => {
      const d = deployment();
      delete d.spec.template.spec.containers[0].name;
      expect(() => expectValidKubernetes([d])).toThrow('spec.template.spec.containers[0].name: required field is missing');
    });

    test('deployment selector and HPA scale target', () => {
      const d = deployment();
      delete d.spec.selector;
      const hpa = validObjects().find((o) => o.kind === 'HorizontalPodAutoscaler');
      delete hpa.spec.scaleTargetRef;
      expect(validateKubernetes([d, hpa])).toEqual([
        'Deployment/web (apps/v1, objects[0]): spec.selector: required field is missing',
        'HorizontalPodAutoscaler/web (autoscaling/v2, objects[1]): spec.scaleTargetRef: required field is missing',
      ]);
    });
  });

  test('requires what 1.27 requires, even where newer Kubernetes relaxed it', () => {
    const sts = validObjects().find((o) => o.kind === 'StatefulSet');
    delete sts.spec.serviceName; // optional in later releases, so kubernetes-models 5 does not object
    expect(problemsOf(sts)).toEqual(['StatefulSet/db (apps/v1, objects[0]): spec.serviceName: required field is missing']);
  });

  describe('kinds', () => {
    test('a kind that does not exist fails', () => {
      expect(() => expectValidKubernetes([{ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w' } }])).toThrow(
        'Widget/w (v1, objects[0]): unknown kind: Kubernetes 1.27 has no Widget in v1',
      );
    });

    test('a kind in the wrong API group or version fails', () => {
      const d = deployment();
      d.apiVersion = 'extensions/v1beta1';
      const hpa = validObjects().find((o) => o.kind === 'HorizontalPodAutoscaler');
      hpa.apiVersion = 'autoscaling/v2beta2'; // removed in 1.26
      expect(validateKubernetes([d, hpa])).toEqual([
        expect.stringContaining('unknown kind: Kubernetes 1.27 has no Deployment in extensions/v1beta1'),
        expect.stringContaining('unknown kind: Kubernetes 1.27 has no HorizontalPodAutoscaler in autoscaling/v2beta2'),
      ]);
    });

    test('an API that only exists after 1.27 fails', () => {
      const claim = { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'c' }, spec: {} };
      expect(problemsOf(claim)).toEqual([expect.stringContaining('unknown kind: Kubernetes 1.27 has no ResourceClaim in resource.k8s.io/v1')]);
    });

    test('things that are not Kubernetes objects fail', () => {
      expect(validateKubernetes([null, { kind: 'Deployment' }, 'x'])).toEqual([
        expect.stringContaining('objects[0]): not a Kubernetes object'),
        expect.stringContaining('objects[1]): not a Kubernetes object'),
        expect.stringContaining('objects[2]): not a Kubernetes object'),
      ]);
    });
  });

  test('the failure message names every offending object and path', () => {
    const good = validObjects();
    const bad = deployment();
    bad.metadata.name = 'broken';
    bad.spec.replicas = -1.5;
    bad.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
    let message = '';
    try {
      expectValidKubernetes([...good, bad]);
    } catch (e: any) {
      message = e.message;
    }
    expect(message).toMatch(/^expected valid Kubernetes 1\.27 objects, found 2 problem\(s\):\n/);
    expect(message).toContain('Deployment/broken (apps/v1, objects[12]): spec.replicas: must be integer');
    expect(message).toContain('Deployment/broken (apps/v1, objects[12]): spec.template.spec.containers[0].imagePullPolicy: must be one of "Always"');
  });

  test('is fast once loaded: later calls read no file and load no module', () => {
    // what made it slow would be reading the 1.27 inventory or loading models again; a clock
    // on a busy machine would say more about the machine than about that
    const objects = validObjects();
    expect(validateKubernetes(objects)).toEqual([]);
    const coreFs: typeof fs = require('fs'); // the module object itself: `import * as` gives a frozen view of it
    const reads = jest.spyOn(coreFs, 'readFileSync');
    const exists = jest.spyOn(coreFs, 'existsSync');
    // models load through Node's own module system (see modelFor), so its cache is the one to watch
    const nodeCache = (NodeModule as unknown as { _cache: Record<string, unknown> })._cache;
    const loaded = Object.keys(nodeCache).length;
    try {
      for (let i = 0; i < 50; i++) expect(validateKubernetes(objects)).toEqual([]);
      expect(reads).not.toHaveBeenCalled();
      expect(exists).not.toHaveBeenCalled();
      expect(Object.keys(nodeCache)).toHaveLength(loaded);
    } finally {
      reads.mockRestore();
      exists.mockRestore();
    }
  });
});

/**
 * The unknown-field check reads its field inventory from cdk8s-plus-27's generated 1.27 module.
 * Where the project's strict 1.27 JSON schemas are available (a sibling ../shared checkout; not
 * in a fresh clone), prove that inventory lists exactly the fields those schemas allow.
 */
const STRICT_SCHEMAS = path.resolve(__dirname, '../../../shared/k8s/v1.27.0/standalone-strict');
(fs.existsSync(STRICT_SCHEMAS) ? describe : describe.skip)('field inventory agrees with the strict 1.27 JSON schemas', () => {
  const files = fs.existsSync(STRICT_SCHEMAS) ? fs.readdirSync(STRICT_SCHEMAS).filter((f) => f.endsWith('.json')) : [];

  /**
   * Walks schema and inventory side by side. For whole API objects (the root, or an embedded
   * PersistentVolumeClaim template) the inventory's props type leaves out apiVersion/kind
   * (accepted separately) and status (deliberately rejected in manifests).
   */
  function compareFields(schema: any, fields: ReadonlyMap<string, FieldShape>, apiObject: boolean, at: string, out: string[]): void {
    const props = { ...(schema.properties ?? {}) };
    if (apiObject) for (const k of ['apiVersion', 'kind', 'status']) delete props[k];
    const required = [...fields].filter(([, f]) => f.required).map(([k]) => k).sort();
    const schemaRequired = [...(schema.required ?? [])].filter((k: string) => k in props).sort();
    if (required.join() !== schemaRequired.join()) out.push(`${at || '(root)'}: required ${required.join(',')} vs ${schemaRequired.join(',')} in the JSON schema`);
    for (const key of Object.keys(props)) {
      if (!fields.has(key)) out.push(`${at}${key}: in the JSON schema only`);
    }
    for (const [key, shape] of fields) {
      const sub = props[key];
      if (!sub) {
        out.push(`${at}${key}: in the inventory only`);
        continue;
      }
      if (shape.shape === 'leaf') continue;
      const next = shape.shape === 'object' ? sub : shape.shape === 'array' ? sub.items : sub.additionalProperties;
      if (!next || typeof next !== 'object' || !next.properties) {
        out.push(`${at}${key}: inventory expects a ${shape.shape} of ${shape.type}, the schema does not`);
        continue;
      }
      const sep = shape.shape === 'object' ? '.' : shape.shape === 'array' ? '[].' : '{}.';
      compareFields(next, kubernetes127Type(shape.type)!, /^Kube\w+Props$/.test(shape.type), `${at}${key}${sep}`, out);
    }
  }

  test.each(files)('%s', (file) => {
    const schema = JSON.parse(fs.readFileSync(path.join(STRICT_SCHEMAS, file), 'utf-8'));
    const gvk = schema['x-kubernetes-group-version-kind'][0];
    const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    const fields = kubernetes127Fields(apiVersion, gvk.kind);
    expect(fields).toBeDefined();
    const diffs: string[] = [];
    compareFields(schema, fields!, true, '', diffs);
    expect(diffs).toEqual([]);
  });
});
