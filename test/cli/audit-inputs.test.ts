/**
 * `audit` on what real repositories hold: Helm charts, kustomize bases, overlays and patches,
 * plain manifests, other YAML, empty and binary files. Each file it cannot audit is named with
 * the reason and skipped; the rest is audited.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { audit, buildIfStale, FIXTURES, ROOT } from './run';

beforeAll(buildIfStale, 120_000);

const REPO = path.join(FIXTURES, 'repo');
const at = (...p: string[]) => path.join(REPO, ...p);

describe('a repository mixing Helm, kustomize and plain manifests', () => {
  const r = audit([REPO]);
  const notes = r.stderr.trim().split('\n');

  test('exits 1 with the findings of what it could audit', () => {
    expect(r.code).toBe(1);
    const headers = r.stdout.split('\n').filter((l) => /^\S.*  \S/.test(l) && !l.includes(' audited: '));
    expect(headers).toEqual([
      `${at('deploy', 'base', 'deployment.yaml')}:2  Deployment checkout`,
      `${at('manifests', 'api.json')}:5  Deployment shop/api`,
      `${at('manifests', 'cache.yaml')}:15  StatefulSet shop/cache`,
    ]);
    expect(r.stdout).toMatch(/\n9 objects audited: \d+ errors, \d+ warnings, 0 suppressed; 15 inputs skipped\n$/);
  });

  test('names each skipped file and why, with the command that makes it auditable', () => {
    const chart = at('charts', 'web');
    expect(notes).toEqual([
      `cdk8s-resilient audit: note: ${at('charts', 'web', 'Chart.yaml')}: Helm chart metadata, not a manifest. Audit the rendered chart: helm template RELEASE ${chart} | cdk8s-resilient audit -`,
      `cdk8s-resilient audit: note: ${at('charts', 'web', 'templates', 'deployment.yaml')}:1: Helm template of the chart in ${chart} (uses include): not a manifest until Helm renders it. Audit the rendered manifests: helm template RELEASE ${chart} | cdk8s-resilient audit -`,
      `cdk8s-resilient audit: note: ${at('charts', 'web', 'templates', 'service.yaml')}:1: Helm template of the chart in ${chart} (uses include): not a manifest until Helm renders it. Audit the rendered manifests: helm template RELEASE ${chart} | cdk8s-resilient audit -`,
      `cdk8s-resilient audit: note: ${at('charts', 'web', 'values.yaml')}: Helm values, not a manifest. Audit the rendered chart: helm template RELEASE ${chart} | cdk8s-resilient audit -`,
      `cdk8s-resilient audit: note: ${at('config', 'app-settings.yaml')}: no Kubernetes object (no document has both apiVersion and kind)`,
      `cdk8s-resilient audit: note: ${at('deploy', 'base', 'kustomization.yaml')}:1: kustomization: the input of kustomize build, not a manifest. Audit what kustomize builds: kustomize build ${at('deploy', 'base')} | cdk8s-resilient audit -`,
      `cdk8s-resilient audit: note: ${at('deploy', 'overlays', 'prod', 'kustomization.yaml')}:1: kustomization: the input of kustomize build, not a manifest. Audit what kustomize builds: kustomize build ${at('deploy', 'overlays', 'prod')} | cdk8s-resilient audit -`,
      `cdk8s-resilient audit: note: ${at('deploy', 'overlays', 'prod', 'probe-timeout.yaml')}: a kustomize JSON patch (patchesJson6902) in ${at('deploy', 'overlays', 'prod', 'kustomization.yaml')}, not a manifest on its own. Audit what kustomize builds: kustomize build ${at('deploy', 'overlays', 'prod')} | cdk8s-resilient audit -`,
      `cdk8s-resilient audit: note: ${at('deploy', 'overlays', 'prod', 'replicas.yaml')}: a kustomize patch (patches) in ${at('deploy', 'overlays', 'prod', 'kustomization.yaml')}, not a manifest on its own. Audit what kustomize builds: kustomize build ${at('deploy', 'overlays', 'prod')} | cdk8s-resilient audit -`,
      `cdk8s-resilient audit: note: ${at('deploy', 'overlays', 'prod', 'resources.yaml')}: a kustomize patch (patchesStrategicMerge) in ${at('deploy', 'overlays', 'prod', 'kustomization.yaml')}, not a manifest on its own. Audit what kustomize builds: kustomize build ${at('deploy', 'overlays', 'prod')} | cdk8s-resilient audit -`,
      `cdk8s-resilient audit: note: ${at('deploy', 'overlays', 'prod', 'settings.yaml')}: a kustomize generator input in ${at('deploy', 'overlays', 'prod', 'kustomization.yaml')}, not a manifest on its own. Audit what kustomize builds: kustomize build ${at('deploy', 'overlays', 'prod')} | cdk8s-resilient audit -`,
      `cdk8s-resilient audit: note: ${at('deploy', 'overlays', 'staging', 'kustomization.yaml')}:1: kustomization: the input of kustomize build, not a manifest. Audit what kustomize builds: kustomize build ${at('deploy', 'overlays', 'staging')} | cdk8s-resilient audit -`,
      `cdk8s-resilient audit: note: ${at('deploy', 'overlays', 'staging', 'scale-to-one.yaml')}:2: Deployment without containers in its pod template: a partial object (a kustomize patch?) that cannot be applied as it is. Audit what kustomize builds: kustomize build DIR | cdk8s-resilient audit -`,
      `cdk8s-resilient audit: note: ${at('manifests', 'empty.json')}: is empty`,
      `cdk8s-resilient audit: note: ${at('manifests', 'empty.yaml')}: is empty`,
    ]);
  });

  test('no finding about templates, patches or values: none of those files is named in the findings', () => {
    expect(r.stdout).not.toMatch(/charts|overlays|object Object|NaN/);
  });

  test('the precision cases: a PrometheusRule with {{ }} in strings is audited, operator pods and paused workers are not flagged', () => {
    expect(r.stdout).not.toMatch(/service-selects-nothing|prometheus-k8s|mailer/);
    expect(audit([at('manifests', 'monitoring.yaml')])).toMatchObject({ code: 0, stdout: '3 objects audited: 0 errors, 0 warnings, 0 suppressed\n', stderr: '' });
  });

  test('wrong types get a type error, not a misreading', () => {
    expect(r.stdout).toContain('  error   field-type-invalid  spec.replicas (line 10)\n          replicas is "two" (string), not a whole number of 0 or more');
    expect(r.stdout).toContain('field-type-invalid  spec.template.spec.containers[0].readinessProbe.httpGet.port (line 20)\n          port is [8080] (a list)');
    expect(r.stdout).not.toMatch(/replicas is unset|named port "8080"/);
  });

  test('the same in JSON, SARIF and JUnit: every skipped file is in the report', () => {
    const json = JSON.parse(audit(['--format', 'json', REPO]).stdout);
    expect(json.skipped).toHaveLength(15);
    expect(json.skipped.map((s: any) => s.kind).sort()).toEqual([
      'empty', 'empty', 'helm-template', 'helm-template', 'kustomization', 'kustomization', 'kustomization',
      'kustomize-input', 'kustomize-input', 'kustomize-input', 'kustomize-input', 'not-kubernetes', 'not-kubernetes', 'not-kubernetes', 'partial-object',
    ]);
    const sarif = JSON.parse(audit(['--format', 'sarif', REPO]).stdout);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications).toHaveLength(15);
    const junit = audit(['--format', 'junit', REPO]).stdout;
    expect(junit).toMatch(/<testsuites name="cdk8s-resilient audit" tests="24" failures="3" errors="0" skipped="15">/);
  });
});

describe('Helm and kustomize output piped in is audited', () => {
  test('a rendered chart on stdin', () => {
    const rendered = fs.readFileSync(path.join(ROOT, FIXTURES, 'clean', 'app.yaml'), 'utf8').replace(/^/, '---\n# Source: web/templates/all.yaml\n');
    expect(audit(['-'], { input: rendered })).toMatchObject({ code: 0, stdout: '3 objects audited: 0 errors, 0 warnings, 0 suppressed\n' });
  });

  test('an unrendered template on stdin is named as one', () => {
    const template = fs.readFileSync(path.join(ROOT, REPO, 'charts', 'web', 'templates', 'deployment.yaml'), 'utf8');
    const r = audit(['-'], { input: template });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('cdk8s-resilient audit: note: -:1: Helm template (uses include): not a manifest until Helm renders it. Audit the rendered manifests: helm template RELEASE CHART_DIR | cdk8s-resilient audit -\n');
  });
});

describe('files that are not YAML', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-inputs-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('binary data is reported without echoing it, and the other files are audited', () => {
    fs.writeFileSync(path.join(dir, 'a-image.yaml'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x1b, 0x5b, 0x32, 0x4a]));
    fs.writeFileSync(path.join(dir, 'b-latin1.yaml'), Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n', 'latin1'));
    fs.copyFileSync(path.join(ROOT, FIXTURES, 'errors.yaml'), path.join(dir, 'c-errors.yaml'));
    const r = audit([dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe([
      `cdk8s-resilient audit: error: ${path.join(dir, 'a-image.yaml')}: is binary, not text (it contains NUL bytes) (skipped)`,
      `cdk8s-resilient audit: error: ${path.join(dir, 'b-latin1.yaml')}: is not UTF-8 text (binary data or another encoding) (skipped)`,
      '',
    ].join('\n'));
    expect(r.stdout).toMatch(/2 objects audited: 3 errors, 2 warnings, 0 suppressed; 2 inputs skipped \(2 unreadable or invalid\)\n$/);
    // Nothing of the binary content reached the terminal.
    expect(r.stdout + r.stderr).not.toMatch(/[\u0000-\u0008\u001b]/);
  });

  test('an empty .yaml and an empty .json are treated alike', () => {
    fs.writeFileSync(path.join(dir, 'a.yaml'), '');
    fs.writeFileSync(path.join(dir, 'b.json'), '\n  \n');
    fs.writeFileSync(path.join(dir, 'c.yaml'), '# only a comment\n---\n');
    const r = audit([dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe([
      `cdk8s-resilient audit: note: ${path.join(dir, 'a.yaml')}: is empty`,
      `cdk8s-resilient audit: note: ${path.join(dir, 'b.json')}: is empty`,
      `cdk8s-resilient audit: note: ${path.join(dir, 'c.yaml')}: holds no document (only comments or whitespace)`,
      '',
    ].join('\n'));
  });

  test('a kustomization.yaml without apiVersion and kind (kustomize does not need them) is named as a kustomization', () => {
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), '# overlay\nresources:\n  - ../base\npatches:\n  - path: replicas.yaml\n');
    fs.writeFileSync(path.join(dir, 'replicas.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n');
    const r = audit([dir]);
    expect(r.code).toBe(0);
    const hint = `Audit what kustomize builds: kustomize build ${dir} | cdk8s-resilient audit -`;
    expect(r.stderr).toBe([
      `cdk8s-resilient audit: note: ${path.join(dir, 'kustomization.yaml')}:2: kustomization: the input of kustomize build, not a manifest. ${hint}`,
      `cdk8s-resilient audit: note: ${path.join(dir, 'replicas.yaml')}: a kustomize patch (patches) in ${path.join(dir, 'kustomization.yaml')}, not a manifest on its own. ${hint}`,
      '',
    ].join('\n'));
    // Any other file of no Kubernetes object is still "not Kubernetes".
    fs.renameSync(path.join(dir, 'kustomization.yaml'), path.join(dir, 'settings.yaml'));
    expect(audit([path.join(dir, 'settings.yaml')]).stderr).toContain('settings.yaml: no Kubernetes object');
  });

  test('a directory named like a manifest is walked, not read as a file', () => {
    fs.mkdirSync(path.join(dir, 'x.yaml'));
    const r = audit([path.join(dir, 'x.yaml', '..', 'x.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('0 objects audited: 0 errors, 0 warnings, 0 suppressed\n');
  });

  test('one broken document of a stream does not hide the others', () => {
    const docs = ['apiVersion: v1\nkind: Service\nmetadata: { name: a }\n', 'kind: [unclosed\n', 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: b }\nspec: { maxReplicas: 3, scaleTargetRef: { kind: Deployment, name: b } }\n'];
    const r = audit(['-'], { input: docs.join('---\n') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cdk8s-resilient audit: error: -:6:\d+: invalid YAML: .* \(skipped\)\n$/);
    expect(r.stdout).toMatch(/^-:7 {2}HorizontalPodAutoscaler b\n {2}error {3}hpa-min-replicas-too-low/);
  });
});
