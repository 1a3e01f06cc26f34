import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ResilientDeployment, ResilientDeploymentProps, Severity } from '../../src';
import { attachResilienceRules, auditObjects, Rules } from '../../src/rules';
import { ShopChart } from '../../src/main';

function chart(): Chart {
  return new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
}

function web(scope: Construct, props: Partial<ResilientDeploymentProps> = {}): ResilientDeployment {
  return new ResilientDeployment(scope, 'web', {
    name: 'web',
    replicas: 3,
    container: { image: 'registry.example.com/web:1.0.0', portNumber: 8080 },
    ...props,
  } as ResilientDeploymentProps);
}

function synthError(c: Chart): string {
  try {
    Testing.synth(c);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synth did not fail');
}

describe('synth-time rules on ResilientDeployment', () => {
  test('a clean deployment synthesizes and audits clean', () => {
    const c = chart();
    web(c);
    const objects = Testing.synth(c);
    expect(auditObjects(objects).findings).toEqual([]);
  });

  test('an error fails the synth with the construct path, the rule id, the message and the fix', () => {
    const c = chart();
    web(c, { container: { image: 'nginx:latest', portNumber: 8080 } });
    expect(synthError(c)).toMatch(/^Validation failed with the following errors:\n {2}\[test\/web\] image-tag-mutable: Deployment web: container "main" runs "nginx:latest", tagged latest\. Fix: Pin a version tag/);
  });

  test('a suppression with a reason lets the synth pass and is kept in the output', () => {
    const c = chart();
    const d = web(c, { container: { image: 'nginx:latest', portNumber: 8080 } });
    Rules.of(d).suppress('image-tag-mutable', 'throwaway preview environment');
    const objects = Testing.synth(c);
    for (const o of objects) expect(o.metadata.annotations['resilient.cdk8s.io/suppress.image-tag-mutable']).toBe('throwaway preview environment');
    const result = auditObjects(objects);
    expect(result.findings).toEqual([]);
    expect(result.suppressed.map((s) => s.ruleId)).toEqual(['image-tag-mutable']);
  });

  test('each synth audits afresh, even twice in one synchronous block', () => {
    const c = chart();
    const d = web(c, { container: { image: 'nginx:latest', portNumber: 8080 } });
    expect(() => Testing.synth(c)).toThrow(/image-tag-mutable/);
    Rules.of(d).suppress('image-tag-mutable', 'preview');
    expect(() => Testing.synth(c)).not.toThrow();
  });

  test('a suppression set on the chart applies to constructs added afterwards', () => {
    const c = chart();
    Rules.of(c).suppress('image-tag-mutable', 'preview chart');
    web(c, { container: { image: 'nginx', portNumber: 8080 } });
    expect(() => Testing.synth(c)).not.toThrow();
  });

  test('a lowered severity prints a warning instead of failing, and is written as an annotation', () => {
    const c = chart();
    const d = web(c, { disruptionBudget: { enabled: false } });
    Rules.of(d).setSeverity('pdb-missing', Severity.WARNING, 'budget managed by the platform team');
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => { writes.push(String(chunk)); return true; });
    let objects: any[];
    try {
      objects = Testing.synth(c);
    } finally {
      spy.mockRestore();
    }
    expect(writes.join('')).toMatch(/^\[test\/web\] warning pdb-missing: Deployment web: .*\(severity changed: budget managed by the platform team\)\n$/);
    expect(objects[0].metadata.annotations['resilient.cdk8s.io/severity.pdb-missing']).toBe('warning: budget managed by the platform team');
    // The audit honours the annotation the same way.
    expect(auditObjects(objects).findings.map((f) => [f.ruleId, f.severity])).toEqual([['pdb-missing', 'warning']]);
  });

  test('the nearest override wins', () => {
    const c = chart();
    const d = web(c, { container: { image: 'nginx', portNumber: 8080 } });
    Rules.of(c).setSeverity('image-tag-mutable', Severity.WARNING, 'chart-wide');
    Rules.of(d).suppress('image-tag-mutable', 'this one is fine');
    const objects = Testing.synth(c);
    expect(objects[0].metadata.annotations).toMatchObject({ 'resilient.cdk8s.io/suppress.image-tag-mutable': 'this one is fine' });
    expect(objects[0].metadata.annotations['resilient.cdk8s.io/severity.image-tag-mutable']).toBeUndefined();
  });

  test('a suppression without a reason, or of an unknown rule, is refused at once', () => {
    const c = chart();
    const d = web(c);
    expect(() => Rules.of(d).suppress('spread-missing', ' ')).toThrow(/^\[test\/web\] Rules\.suppress\("spread-missing"\)\.reason: " " is empty: an exception must say why/);
    expect(() => Rules.of(d).suppress('no-such-rule', 'x')).toThrow(/\[test\/web\] Rules\.suppress: "no-such-rule" is not a rule id/);
    expect(() => Rules.of(d).setSeverity('spread-missing', 'info' as any, 'x')).toThrow(/is not a severity/);
  });

  test('cross-object rules see the other objects of the chart', () => {
    const c = chart();
    const d = web(c);
    // A second budget over the same pods, written by hand elsewhere in the chart.
    new ApiObject(c, 'extra-pdb', {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web-extra' },
      spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: d.selectorLabels } },
    } as any);
    expect(synthError(c)).toMatch(/\[test\/web\] pdb-overlap: Deployment web: PodDisruptionBudgets web, web-extra all select/);
  });

  test('findings about objects outside the construct are not reported by it', () => {
    const c = chart();
    web(c);
    new kplus.Deployment(c, 'plain', { containers: [{ image: 'nginx', portNumber: 80 }] });
    expect(() => Testing.synth(c)).not.toThrow();
  });

  test('attachResilienceRules works on any construct', () => {
    const c = chart();
    const group = new Construct(c, 'group');
    // A Service selects the pods, so readiness is demanded (it is only where a Service sends traffic).
    new kplus.Deployment(group, 'plain', { replicas: 1, containers: [{ image: 'nginx:1.25.3', portNumber: 80 }] }).exposeViaService();
    attachResilienceRules(group);
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const message = synthError(c);
      expect(message).toMatch(/\n {2}\[test\/group\] replicas-too-few: Deployment test-group-plain: replicas 1: one node drain/);
      expect(message).toMatch(/\n {2}\[test\/group\] readiness-probe-missing: /);
      expect(spy).toHaveBeenCalledWith(expect.stringMatching(/^\[test\/group\] warning liveness-probe-missing: /));
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the example app', () => {
  test('synthesizes and audits with no findings', () => {
    const objects = Testing.synth(new ShopChart(new App({ outdir: Testing.app().outdir }), 'shop'));
    const result = auditObjects(objects);
    expect(result.findings.map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name}: ${f.message}`)).toEqual([]);
  });
});
