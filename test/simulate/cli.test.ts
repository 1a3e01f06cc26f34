/** `cdk8s-resilient simulate` arguments and exit codes that need no cluster. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseSimulateArgs, runSimulate } from '../../src/cli/simulate';

function io() {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: { write: (s: string) => { stdout += s; return true; } } as any, stderr: { write: (s: string) => { stderr += s; return true; } } as any },
    out: () => stdout,
    err: () => stderr,
  };
}

describe('simulate arguments', () => {
  test('timings, limits, scenarios and the real-cluster flag', () => {
    const a = parseSimulateArgs(['--startup-seconds', '2', '--max-grace-period=5', '--drain-timeout', '30', '--zone', 'zone-b', '--scenarios', 'start,node-drain', '--allow-real-cluster=prod', '--format', 'json', 'dist/']);
    expect(a.format).toBe('json');
    expect(a.options).toMatchObject({ paths: ['dist/'], allowRealCluster: 'prod', scenarios: ['start', 'node-drain'], timing: { startupSeconds: 2, maxGracePeriodSeconds: 5 }, settings: { drainTimeoutSeconds: 30, zone: 'zone-b' } });
  });

  test.each([
    [['--format', 'xml', 'x'], /unknown format "xml"/],
    [['--drain-timeout', 'soon', 'x'], /--drain-timeout takes whole seconds, not "soon"/],
    [['--scenarios', 'start,chaos', 'x'], /unknown scenario\(s\) chaos/],
    [['--allow-real-cluster', 'x'], /needs the context name/],
    [['--bogus', 'x'], /unknown option --bogus/],
    [[], /no PATH given/],
  ] as Array<[string[], RegExp]>)('%j exits 2 with a message', async (argv, message) => {
    const t = io();
    expect(await runSimulate(argv, t.io)).toBe(2);
    expect(t.err()).toMatch(message);
  });

  test('an unreachable cluster exits 2 naming it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-'));
    const kubeconfig = path.join(dir, 'config');
    fs.writeFileSync(kubeconfig, `current-context: gone
contexts: [{ name: gone, context: { cluster: c, user: u } }]
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]
users: [{ name: u, user: { token: t } }]
`);
    const manifest = path.join(dir, 'app.yaml');
    fs.writeFileSync(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n');
    const t = io();
    expect(await runSimulate(['--kubeconfig', kubeconfig, manifest], t.io)).toBe(2);
    expect(t.err()).toMatch(/cluster https:\/\/127\.0\.0\.1:1 \(context gone\) cannot be used: .*ECONNREFUSED/);
  });

  test('input without a Kubernetes object exits 2 before any cluster is asked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-'));
    fs.writeFileSync(path.join(dir, 'empty.yaml'), '# nothing\n');
    const t = io();
    expect(await runSimulate(['--kubeconfig', path.join(dir, 'missing'), dir], t.io)).toBe(2);
    expect(t.err()).toMatch(/no Kubernetes object found/);
  });

  test('a missing kubeconfig exits 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n');
    const t = io();
    expect(await runSimulate(['--kubeconfig', path.join(dir, 'missing'), dir], t.io)).toBe(2);
    expect(t.err()).toMatch(/missing/);
  });
});
