import { performance } from 'perf_hooks';
import { auditObjects, RULES } from '../../src/rules';
import { linkObjects } from '../../src/rules/links';
import { selectorMatches } from '../../src/rules/model';
import { appWith, deployment, edit, goodApp, hpa, labelsOf, pdb, service } from './fixtures';

describe('overrides by annotation', () => {
  const noSpread = (d: any) => { delete d.spec.template.spec.topologySpreadConstraints; };

  test('a suppression with a reason removes the finding and keeps it as suppressed', () => {
    const result = auditObjects(appWith((d) => {
      noSpread(d);
      d.metadata.annotations = { 'resilient.cdk8s.io/suppress.spread-missing': 'single-node edge cluster' };
    }));
    expect(result.findings).toEqual([]);
    expect(result.suppressed).toEqual([expect.objectContaining({ ruleId: 'spread-missing', reason: 'single-node edge cluster', severity: 'warning' })]);
  });

  test('pod template annotations count too', () => {
    const result = auditObjects(appWith((d) => {
      noSpread(d);
      d.spec.template.metadata.annotations['resilient.cdk8s.io/suppress.spread-missing'] = 'set through a Helm podAnnotations value';
    }));
    expect(result.findings).toEqual([]);
  });

  test('a severity annotation changes the severity and keeps its reason', () => {
    const result = auditObjects(appWith((d) => {
      d.spec.replicas = 1;
      d.metadata.annotations = { 'resilient.cdk8s.io/severity.replicas-too-few': 'warning: staging only' };
    }));
    expect(result.findings).toEqual([expect.objectContaining({ ruleId: 'replicas-too-few', severity: 'warning', severityReason: 'staging only' })]);
  });

  test('a suppression without a reason is not honoured, and is reported', () => {
    const ids = auditObjects(appWith((d) => {
      noSpread(d);
      d.metadata.annotations = { 'resilient.cdk8s.io/suppress.spread-missing': '' };
    })).findings.map((f) => f.ruleId);
    expect(ids.sort()).toEqual(['rule-override-invalid', 'spread-missing']);
  });

  test('a suppression applies to its own object only', () => {
    const [d, s, p] = goodApp();
    const result = auditObjects([
      edit(d, (x) => { x.metadata.annotations = { 'resilient.cdk8s.io/suppress.pdb-unhealthy-pods-block-drain': 'not about the Deployment' }; }),
      s,
      edit(p, (x) => { delete x.spec.unhealthyPodEvictionPolicy; }),
    ]);
    expect(result.findings.map((f) => f.ruleId)).toEqual(['pdb-unhealthy-pods-block-drain']);
  });
});

describe('options', () => {
  const oneReplica = appWith((d) => { d.spec.replicas = 1; });

  test('a rule can be turned off or given another severity', () => {
    expect(auditObjects(oneReplica, { severity: { 'replicas-too-few': 'off' } }).findings).toEqual([]);
    expect(auditObjects(oneReplica, { severity: { 'replicas-too-few': 'warning' } }).findings[0].severity).toBe('warning');
  });

  test('an unknown rule id is refused', () => {
    expect(() => auditObjects(oneReplica, { severity: { 'no-such-rule': 'off' } })).toThrow(/unknown rule id "no-such-rule"/);
  });
});

describe('model', () => {
  test('objects are matched within their namespace only', () => {
    const result = auditObjects([
      edit(deployment(), (d) => { d.metadata.namespace = 'a'; }),
      edit(service(), (s) => { s.metadata.namespace = 'a'; }),
      edit(pdb(), (p) => { p.metadata.namespace = 'b'; }),
    ]);
    expect(result.findings.map((f) => `${f.ruleId} ${f.object.namespace}`).sort()).toEqual(['pdb-missing a', 'pdb-selects-nothing b']);
  });

  test('an object without a namespace is in "default"', () => {
    const result = auditObjects([deployment(), service(), edit(pdb(), (p) => { p.metadata.namespace = 'default'; })]);
    expect(result.findings).toEqual([]);
  });

  test('objects a controller owns are skipped', () => {
    const replicaSet = edit(deployment(), (d) => {
      d.kind = 'ReplicaSet';
      d.metadata.name = 'web-5d8f7';
      d.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'x', controller: true }];
    });
    const result = auditObjects([...goodApp(), replicaSet]);
    expect(result.findings).toEqual([]);
    expect(result.objectCount).toBe(3);
  });

  test('HPA targets and selectors are linked once', () => {
    const objects = [...appWith((d) => { delete d.spec.replicas; }), hpa()];
    const web = linkObjects(objects).workloadAt[0]!;
    expect(web.services.map((s) => s.metadata?.name)).toEqual(['web']);
    expect(web.disruptionBudgets.map((s) => s.metadata?.name)).toEqual(['web']);
    expect(web.autoscalers.map((s) => s.metadata?.name)).toEqual(['web']);
  });

  test.each([
    [{ matchLabels: { a: '1' } }, { a: '1', b: '2' }, true],
    [{ matchLabels: { a: '1' } }, { a: '2' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] }, { a: '2' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, {}, true],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, {}, false],
    [{ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, { b: '1' }, true],
    [{}, { any: 'thing' }, true],
  ])('selector %j on %j: %s', (selector, labels, expected) => {
    expect(selectorMatches(selector as any, labels)).toBe(expected);
  });
});

test('findings carry the object, the field path and the rule\'s fix when the check gives none', () => {
  const [finding] = auditObjects(appWith((d) => { d.spec.template.spec.containers[0].image = 'web:latest'; })).findings;
  expect(finding).toMatchObject({
    ruleId: 'image-tag-mutable',
    object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    path: 'spec.template.spec.containers[0].image',
    pathSegments: ['spec', 'template', 'spec', 'containers', 0, 'image'],
    fix: RULES.find((r) => r.id === 'image-tag-mutable')!.fix,
  });
});

test('a large namespace is audited in near-linear time', () => {
  // Timed against itself rather than against a clock: 16 times the objects may cost about 16 times
  // the time (less while fixed costs dominate), while matching every budget and Service against
  // every workload costs 256 times. Each size is timed in turns, the fastest of three counts, so a
  // busy machine slows both sides alike.
  const namespace = (apps: number) => Array.from({ length: apps }, (_, i) => goodApp(`app-${i}`)).flat();
  const small = namespace(250);
  const large = namespace(4000);
  const fastest = { small: Infinity, large: Infinity };
  auditObjects(small); // warm up the JIT
  for (let round = 0; round < 3; round++) {
    for (const [size, objects] of [['small', small], ['large', large]] as const) {
      const started = performance.now();
      const result = auditObjects(objects);
      fastest[size] = Math.min(fastest[size], performance.now() - started);
      expect(result.objectCount).toBe(objects.length);
      expect(result.findings).toEqual([]);
    }
  }
  expect(large).toHaveLength(12000);
  expect(fastest.large / fastest.small).toBeLessThan(64);
  expect(labelsOf('x')).toBeDefined();
}, 120_000);
