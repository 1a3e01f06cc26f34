/**
 * The command as users run it: `node bin/cdk8s-resilient.js drill ...` against the compiled lib/
 * (built here when missing; `npm test` builds first).
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { detectEngine } from '../../src/drill/container-runtime';
import { OWNER_DIR, podNetworkSupport, slotNames } from '../../src/drill/netns';
import { machineOverhead, marginSeconds } from '../support/overhead';
import { APP, ensureBuilt, killTagged, liveTagged, NODE, ROOT, scratch, TOKEN_VAR } from './helpers';

// a bound on a hang, not on speed
jest.setTimeout(180000);

/** Grace period in the manifests: covers an app's exit after SIGTERM as measured here now (2 s when idle). */
const COST = machineOverhead();
const GRACE = marginSeconds(2, 100 + COST.signalExitMs, COST.timerLagMs);

const BIN = path.join(ROOT, 'bin', 'cdk8s-resilient.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], onStart?: (pid: number) => void, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(NODE, [BIN, 'drill', ...args], { cwd: ROOT, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin!.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (onStart && child.pid) onStart(child.pid);
  });
}

const s = scratch('cli');

function manifest(name: string, containers: Record<string, unknown>[], grace = GRACE): string {
  const docs = [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        template: {
          spec: {
            terminationGracePeriodSeconds: grace,
            containers: containers.map((c) => ({
              env: [
                { name: 'MARK_DIR', value: s.dir },
                { name: TOKEN_VAR, value: s.token },
              ],
              readinessProbe: { exec: { command: ['test', '-e', path.join(s.dir, 'ready')] } },
              ...c,
            })),
          },
        },
      },
    },
  ];
  const file = path.join(s.dir, name);
  fs.writeFileSync(file, docs.map((d) => YAML.stringify(d)).join('---\n'));
  return file;
}

beforeAll(() => ensureBuilt(), 120000);

afterEach(() => {
  killTagged(s.token);
  for (const m of ['ready', 'term', 'done']) fs.rmSync(path.join(s.dir, m), { force: true });
});

afterAll(() => {
  killTagged(s.token);
  fs.rmSync(s.dir, { recursive: true, force: true });
});

describe('usage', () => {
  test('--help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: cdk8s-resilient drill MANIFEST --workload \[KIND\/\]NAME/);
  });

  test.each([
    [[], 'missing MANIFEST'],
    [['m.yaml'], 'missing --workload NAME'],
    [['m.yaml', '--workload', 'web', '--runtime', 'vm'], "--runtime must be one of local, container, auto (got 'vm')"],
    [['m.yaml', '--workload', 'web', '--grace', 'soon'], "--grace takes a number of seconds (got 'soon')"],
    [['m.yaml', '--workload', 'web', '--fast'], 'unknown option --fast'],
    [['m.yaml', '--workload', 'web', '--command', '["x", 1]'], '--command: the JSON form must be a non-empty array of strings'],
    [['m.yaml', '--workload', 'web', '--stop-signal', 'SIGFOO'], "--stop-signal: 'SIGFOO' is not a signal (examples: SIGTERM, SIGQUIT, SIGINT, 15)"],
    [['m.yaml', '--workload', 'web', '--stop-signal', 'STOP'], '--stop-signal: SIGSTOP pauses a process instead of stopping it; it cannot be a stop signal'],
    [['m.yaml', '--workload', 'web', '--network', 'wifi'], "--network must be one of auto, pod, host (got 'wifi')"],
  ])('%j -> exit 2: %s', async (args, message) => {
    const r = await cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`cdk8s-resilient drill: ${message}`);
  });

  test('unreadable manifest names the file', async () => {
    const file = path.join(s.dir, 'nope.yaml');
    const r = await cli([file, '--workload', 'web']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(`cdk8s-resilient drill: cannot read manifest ${file}: ENOENT`);
  });

  test('two containers and no telling which is the main one: exit 2, asking for --container', async () => {
    const file = manifest('two-apps.yaml', [
      { name: 'api', image: 'x', command: [NODE, APP] },
      { name: 'worker', image: 'x', command: [NODE, APP] },
    ]);
    const r = await cli([file, '--workload', 'web']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `cdk8s-resilient drill: ${file}: Deployment/web has 2 containers (api, worker) and which one is the main one is not clear: ` +
        'pass --container NAME, or set the kubectl.kubernetes.io/default-container annotation on the pod template\n',
    );
  });

  test('unknown workload lists what the file holds', async () => {
    const file = manifest('two.yaml', [{ name: 'app', image: 'x', command: [NODE, APP] }]);
    const r = await cli([file, '--workload', 'svc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(`${file}: no workload named 'svc'`);
    expect(r.stderr).toMatch('workloads in the file: Deployment/web');
  });
});

describe('drills', () => {
  test('a graceful app: exit 0 and a readable report', async () => {
    const file = manifest('good.yaml', [{ name: 'app', image: 'x', command: ['sh', '-c', `exec ${NODE} ${APP} handle 100`] }]);
    const r = await cli([file, '--workload', 'web']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Shutdown drill: .*good\.yaml: Deployment\/web, container app\n/);
    expect(r.stdout).toMatch(/\n {2}runtime +local process, /);
    expect(r.stdout).toMatch(/\n {2}exit +exit code 0, \d+\.\d\d s after SIGTERM( \(PID 1 called exit \d+\.\d\d s after it\))?\n/);
    expect(r.stdout).toMatch(/\n {2}SIGKILL +not needed\n/);
    expect(r.stdout).toMatch(/\n {2}verdict +PASS\n/);
    expect(liveTagged(s.token)).toEqual([]);
  });

  test('the manifest from standard input (-), the main container picked past a sidecar', async () => {
    const file = manifest('stdin.yaml', [
      { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.20.0', command: ['sleep', '600'] },
      { name: 'app', image: 'x', command: [NODE, APP, 'handle', '100'] },
    ]);
    const r = await cli(['-', '--workload', 'web', '--format', 'json'], undefined, fs.readFileSync(file, 'utf8'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.target).toMatchObject({ source: 'stdin: Deployment/web, container app', container: 'app' });
    expect(report.notes).toContain('container app picked as the main one: istio-proxy looks like a sidecar');
    expect(liveTagged(s.token)).toEqual([]);
  });

  test('--stop-signal: the app that stops on SIGQUIT gets SIGQUIT', async () => {
    const file = manifest('quit.yaml', [{ name: 'app', image: 'x', command: [NODE, APP, 'on-signal', 'SIGQUIT'] }]);
    const r = await cli([file, '--workload', 'web', '--stop-signal', 'QUIT']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}SIGQUIT +sent \d+\.\d\d s after the stop began, to node \(pid \d+\)(, PID 1)?, handles SIGQUIT\n/);
    expect(r.stdout).toMatch(/\n {2}note +stop signal SIGQUIT \(given with --stop-signal\)/);
    expect(fs.existsSync(path.join(s.dir, 'term'))).toBe(true);
  });

  test('sh -c without exec: exit 1, JSON says why', async () => {
    const file = manifest('shell.yaml', [{ name: 'app', image: 'x', command: ['sh', '-c', `${NODE} ${APP} handle 100`] }]);
    const r = await cli([file, '--workload', 'deployment/web', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.verdict.status).toBe('fail');
    expect(report.verdict.reason).toMatch(/^SIGTERM reached a shell that did not forward it/);
    expect(report.verdict.fix).toMatch(/exec/);
    expect(['pid1', 'plain']).toContain(report.facts.runtime.mode);
    expect(liveTagged(s.token)).toEqual([]);
  });

  test('no command in the manifest: exit 2 unless --command gives one', async () => {
    const file = manifest('nocmd.yaml', [{ name: 'app', image: 'example/app:1', args: [APP, 'handle'] }]);
    const engine = await detectEngine();
    if (!engine.ok) {
      const r = await cli([file, '--workload', 'web']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/sets no command, so the entrypoint is whatever the image example\/app:1 defines/);
      expect(r.stderr).toMatch(/the local runtime needs an explicit command: pass --command; container runtime unavailable: docker: /);
    }
    const ok = await cli([file, '--workload', 'web', '--runtime', 'local', '--command', NODE, '--format', 'json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).command).toEqual([NODE, APP, 'handle']);
  });

  test('--runtime container without an engine: exit 2 and the engine error', async () => {
    const engine = await detectEngine();
    if (engine.ok) return; // covered where no engine runs
    const file = manifest('container.yaml', [{ name: 'app', image: 'example/app:1', command: [NODE, APP] }]);
    const r = await cli([file, '--workload', 'web', '--runtime', 'container']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cdk8s-resilient drill: container runtime unavailable: ${engine.reason}\n`);
  });

  test('interrupting the command kills what it started and removes its network', async () => {
    const file = manifest('stuck.yaml', [{ name: 'app', image: 'x', command: [NODE, APP, 'stuck'] }], 30);
    /** The pod network slot the command claimed (its owner record names the command's pid). */
    let slot: string | undefined;
    const r = await cli([file, '--workload', 'web'], (pid) => {
      const started = Date.now();
      const timer = setInterval(() => {
        slot ??= (fs.existsSync(OWNER_DIR) ? fs.readdirSync(OWNER_DIR) : []).find((f) => {
          try {
            return fs.readFileSync(path.join(OWNER_DIR, f), 'utf8').split(' ')[0] === String(pid);
          } catch {
            return false;
          }
        });
        if (fs.existsSync(path.join(s.dir, 'term')) || Date.now() - started > 20000) {
          clearInterval(timer);
          process.kill(pid, 'SIGINT');
        }
      }, 50);
    });
    expect(r.code).toBe(130);
    expect(liveTagged(s.token)).toEqual([]);
    if (podNetworkSupport().ok) {
      // the record is written before the app starts, and the app had handled SIGTERM when SIGINT came
      expect(slot).toBeDefined();
      const n = slotNames(Number(slot));
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toMatch(new RegExp(`^${n.namespace}( |$)`, 'm'));
      expect(spawnSync('ip', ['link', 'show', n.hostInterface], { stdio: 'ignore' }).status).not.toBe(0);
      expect(fs.existsSync(path.join(OWNER_DIR, slot!))).toBe(false);
    }
  });
});

describe('the example app, when it has been synthesized', () => {
  const dist = path.join(ROOT, 'dist');
  const files = fs.existsSync(dist) ? fs.readdirSync(dist).filter((f) => f.endsWith('.k8s.yaml')) : [];
  const workloads = files.flatMap((f) =>
    YAML.parseAllDocuments(fs.readFileSync(path.join(dist, f), 'utf8'))
      .map((d) => d.toJS())
      .filter((o) => o && ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'].includes(o.kind))
      .map((o) => [f, `${o.kind}/${o.metadata.name}`] as const),
  );
  const each = workloads.length ? test.each(workloads) : test.skip.each([['(no dist/*.k8s.yaml)', '']]);

  each('%s %s: drills or says clearly why it cannot', async (f, workload) => {
    const r = await cli([path.join(dist, f), '--workload', workload, '--format', 'json', '--grace', '2', '--settle', '0.5', '--ready-timeout', '3']);
    expect([0, 1, 2]).toContain(r.code);
    if (r.code === 2) {
      expect(r.stderr).toMatch(/^cdk8s-resilient drill: .*(command|runtime|cannot run)/);
    } else {
      const report = JSON.parse(r.stdout);
      expect(report.target.source).toContain(workload);
      expect(['pass', 'fail']).toContain(report.verdict.status);
      expect(report.verdict.reason.length).toBeGreaterThan(10);
    }
  });
});
