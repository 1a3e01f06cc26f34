import { App, Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  HelperInjection, ImageTools, LifecycleHook, ResilienceProfile, ResilientDeployment, ResilientStatefulSet, Severity,
} from '../../src';
import { SettingsResolver } from '../../src/profiles/profile';
import { exampleProfile, ShopChart } from '../../src/main';
import { expectValidKubernetes } from '../support/k8s-validate';
import { podSpecOf } from '../support/properties';
import { KubeObject, only } from '../support/synth';

const container = { image: 'example/web:1.0.0', portNumber: 8080 };

function chartIn(app: App, id: string): Chart {
  return new Chart(app, id, { disableResourceNameHashes: true });
}

const acme = ResilienceProfile.production().extend('acme', {
  drainPause: Duration.seconds(15),
  priorityClassName: 'acme-standard',
  zoneTopologyKey: 'acme.example.com/zone',
  resources: { memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) } },
});

describe('precedence: props > chart profile > app profile > library defaults', () => {
  test('each layer wins over the ones below it, setting by setting', () => {
    const app = Testing.app();
    acme.applyTo(app);
    const plain = chartIn(app, 'plain');
    const special = chartIn(app, 'special');
    acme.extend('acme-batch', { drainPause: Duration.seconds(2), priorityClassName: 'acme-batch' }).applyTo(special);

    new ResilientDeployment(plain, 'a', { container });
    new ResilientDeployment(special, 'b', { container });
    new ResilientDeployment(special, 'c', { container, priorityClassName: 'own-class', shutdown: { preStop: LifecycleHook.drainPause({ drainPause: Duration.seconds(1) }) } });
    const [a, b, c] = [plain, special, special].map((chart, i) => podSpecOf(only(Testing.synth(chart) as KubeObject[], 'Deployment', `${chart.node.id}-${'abc'[i]}`)));

    expect(a.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '15']); // app profile
    expect(b.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '2']); // chart profile
    expect(c.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '1']); // props
    expect([a.priorityClassName, b.priorityClassName, c.priorityClassName]).toEqual(['acme-standard', 'acme-batch', 'own-class']);
    // Not set by the chart profile: inherited from the app profile; not set anywhere: library default.
    expect(b.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual(['acme.example.com/zone', 'kubernetes.io/hostname']);
    expect(a.containers[0].resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '512Mi' } });
  });

  test('the effective settings say which layer each value came from', () => {
    const app = Testing.app();
    acme.applyTo(app);
    const special = chartIn(app, 'special');
    acme.extend('acme-batch', { priorityClassName: 'acme-batch' }).applyTo(special);
    new ResilientDeployment(special, 'web', { container, replicas: 3 });
    const text = ResilienceProfile.explain(app);
    expect(text).toContain('special/web (ResilientDeployment)');
    expect(text).toMatch(/replicas\s+3\s+props/);
    expect(text).toMatch(/priorityClassName\s+acme-batch\s+chart profile "acme-batch"/);
    expect(text).toMatch(/drainPause\s+15s\s+chart profile "acme-batch"/); // extend() carries the parent's settings
    expect(text).toMatch(/placement\.nodeTopologyKey\s+kubernetes\.io\/hostname\s+library default/);
    expect(text).toMatch(/container\.resources\s+cpu 250m\/1000m, memory 512Mi\/512Mi\s+chart profile "acme-batch"/);
  });

  test('a sidecar does not inherit the main container\'s resources, only the profile\'s', () => {
    const app = Testing.app();
    acme.applyTo(app);
    const chart = chartIn(app, 'c');
    new ResilientDeployment(chart, 'web', {
      container: { ...container, resources: { cpu: { request: kplus.Cpu.millis(900), limit: kplus.Cpu.millis(900) } } },
      sidecars: [{ name: 'proxy', image: 'example/proxy:1.0.0' }],
    });
    const pod = podSpecOf(only(Testing.synth(chart) as KubeObject[], 'Deployment'));
    expect(pod.containers[1].resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '512Mi' } });
  });

  test('an organisation profile for distroless images injects its helpers everywhere', () => {
    const app = Testing.app();
    ResilienceProfile.production().extend('distroless-org', {
      imageTools: ImageTools.none(),
      helpers: HelperInjection.busybox('registry.example.com/platform/busybox:1.36.1-musl'),
    }).applyTo(app);
    const chart = chartIn(app, 'c');
    new ResilientDeployment(chart, 'web', { container });
    const objects = Testing.synth(chart) as KubeObject[];
    expectValidKubernetes(objects);
    const pod = podSpecOf(only(objects, 'Deployment'));
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['/cdk8s-resilient/busybox', 'sleep', '5']);
    expect(pod.initContainers[0].image).toBe('registry.example.com/platform/busybox:1.36.1-musl');
  });
});

describe('weakening a rule needs an explicit statement', () => {
  test('a derived profile that allows one replica still fails synth on the error rule', () => {
    const app = Testing.app();
    ResilienceProfile.production().extend('lean', { replicas: 1, minReplicas: 1, disruptionBudgets: false }).applyTo(app);
    const chart = chartIn(app, 'c');
    new ResilientDeployment(chart, 'web', { container });
    expect(() => Testing.synth(chart)).toThrow('replicas-too-few');
  });

  test('saying so, with a reason, lowers it and the reason is kept in the manifest', () => {
    const app = Testing.app();
    ResilienceProfile.production().extend('lean', {
      replicas: 1, minReplicas: 1, disruptionBudgets: false,
      ruleSeverities: { 'replicas-too-few': { severity: Severity.WARNING, reason: 'preview environments run one pod' } },
    }).applyTo(app);
    const chart = chartIn(app, 'c');
    new ResilientDeployment(chart, 'web', { container });
    const objects = Testing.synth(chart) as KubeObject[];
    const d = only(objects, 'Deployment');
    expect(d.spec.replicas).toBe(1);
    expect(objects.map((o) => o.kind)).toEqual(['Deployment', 'Service']);
    expect(d.metadata.annotations!['resilient.cdk8s.io/severity.replicas-too-few']).toBe('warning: preview environments run one pod (profile lean)');
  });

  test('a rule change without a reason is refused', () => {
    // Made outside any construct, the profile is checked where it is applied, with that path.
    const sloppy = ResilienceProfile.production().extend('sloppy', { ruleSeverities: { 'pdb-missing': { severity: Severity.OFF, reason: ' ' } } });
    expect(() => sloppy.applyTo(Testing.app()))
      .toThrow('[] profile "sloppy".ruleSeverities.pdb-missing.reason: " " is empty: a profile that changes a rule must say why');
  });

  test('an unknown rule id is refused when the profile is applied', () => {
    const app = Testing.app();
    const profile = ResilienceProfile.production().extend('typo', { ruleSeverities: { 'replica-too-few': { severity: Severity.WARNING, reason: 'x' } } });
    expect(() => profile.applyTo(app)).toThrow('Rules.setSeverity: "replica-too-few" is not a rule id');
  });

  test('development: one replica, no PDB, and findings are warnings, not failures', () => {
    const app = Testing.app();
    ResilienceProfile.development().applyTo(app);
    const chart = chartIn(app, 'c');
    new ResilientDeployment(chart, 'web', { container: { ...container, image: 'example/web:latest' } });
    const objects = Testing.synth(chart) as KubeObject[];
    expect(objects.map((o) => o.kind)).toEqual(['Deployment', 'Service']);
    expect(only(objects, 'Deployment').spec.replicas).toBe(1);
    expect(only(objects, 'Deployment').metadata.annotations!['resilient.cdk8s.io/severity.all']).toBe('warning: development profile: findings are reported, not enforced (profile development)');
  });
});

describe('applying profiles', () => {
  test('after workloads were created is refused: they would not see it', () => {
    const app = Testing.app();
    const chart = chartIn(app, 'c');
    new ResilientStatefulSet(chart, 'db', { container: { image: 'example/db:1.0.0', portNumber: 5432 } });
    expect(() => ResilienceProfile.development().applyTo(chart)).toThrow('[c] profile: "development" is applied after workloads were created (c/db), which would not see it. Fix: apply the profile right after creating the App or Chart');
  });

  test('twice on one scope is refused', () => {
    const app = Testing.app();
    ResilienceProfile.production().applyTo(app);
    expect(() => ResilienceProfile.development().applyTo(app)).toThrow('profile "production" is already applied here');
  });

  test('a profile with a bad minimum is refused where it is applied, with the path', () => {
    const zero = ResilienceProfile.production().extend('zero', { minReplicas: 0 });
    expect(() => zero.applyTo(Testing.app())).toThrow('[] profile "zero".minReplicas: 0 must be at least 1');
    expect(() => zero.applyTo(chartIn(Testing.app(), 'c'))).toThrow('[c] profile "zero".minReplicas: 0 must be at least 1');
  });

  test('resolvers are per construct and read the layers once', () => {
    const app = Testing.app();
    acme.applyTo(app);
    const d = new ResilientDeployment(chartIn(app, 'c'), 'web', { container });
    expect(SettingsResolver.of(d).fromProfiles('drainPause')!.toSeconds()).toBe(15);
  });
});

describe('the example app under both profiles', () => {
  function shopWith(profile: ResilienceProfile): KubeObject[] {
    const app = Testing.app();
    profile.applyTo(app);
    return Testing.synth(new ShopChart(app, 'shop')) as KubeObject[];
  }

  test('production (the default)', () => {
    const objects = shopWith(exampleProfile(Testing.app(), {}));
    expectValidKubernetes(objects);
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.metadata.name)).toEqual(['web', 'api', 'db']);
    // Production is the library's defaults: the same output as the example with no profile at all
    // (pinned by test/example.test.ts).
    expect(objects).toEqual(Testing.synth(new ShopChart(Testing.app(), 'shop')));
  });

  test('development (RESILIENCE_PROFILE=development)', () => {
    const profile = exampleProfile(Testing.app(), { RESILIENCE_PROFILE: 'development' });
    expect(profile.name).toBe('development');
    const objects = shopWith(profile);
    expectValidKubernetes(objects);
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(objects).toMatchSnapshot();
  });

  test('the profile can come from the app context too, and a wrong name is refused', () => {
    const app = Testing.app();
    app.node.setContext('resilience-profile', 'development');
    expect(exampleProfile(app, {}).name).toBe('development');
    expect(() => exampleProfile(Testing.app(), { RESILIENCE_PROFILE: 'staging' }))
      .toThrow('RESILIENCE_PROFILE: "staging" is not a profile of this example. Fix: use "production" (the default) or "development"');
  });
});
