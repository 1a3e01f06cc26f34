/**
 * The container runtime cannot run live here (no engine daemon); these tests cover its detection
 * against the real docker/podman clients, the runtime choice, and the commands it would issue.
 */
import { chooseRuntime, DrillSetupError, localRunProblem } from '../../src/drill';
import { buildRunArgs, detectEngine, parseInspect } from '../../src/drill/container-runtime';
import { DrillTarget } from '../../src/drill/types';

jest.setTimeout(60000);

const target: DrillTarget = {
  source: 'app.yaml: Deployment/web, container app',
  kind: 'Deployment',
  name: 'web',
  container: 'app',
  image: 'example/web:1.2',
  command: ['/app/bin/server', '--config', '/etc/app.yaml'],
  args: ['--port', '8080'],
  env: { MODE: 'prod' },
  workingDir: '/app',
  ports: [],
  shareProcessNamespace: false,
  notes: [],
};

describe('engine detection (real clients)', () => {
  let check: Awaited<ReturnType<typeof detectEngine>>;
  beforeAll(async () => {
    check = await detectEngine();
  });

  test('reports why no engine works, naming each engine tried', () => {
    if (check.ok) {
      // an engine answers on this machine: detection works the other way round
      expect(['docker', 'podman']).toContain(check.engine);
      return;
    }
    expect(check.reason).toMatch(/^docker: /);
    expect(check.reason).toMatch(/podman: /);
    expect(check.reason).not.toMatch(/no output|\{/);
  });

  test('a missing engine binary reads as not installed', async () => {
    const r = await detectEngine('podman');
    if (!r.ok) expect(r.reason).toMatch(/^podman: (not installed|.+)/);
  });
});

describe('runtime choice', () => {
  const noEngine = async () => ({ ok: false as const, reason: 'docker: Cannot connect to the Docker daemon' });
  const engine = async () => ({ ok: true as const, engine: 'docker' as const, version: '27.0' });

  test('auto runs locally when the command runs here, without asking the engine', async () => {
    const ask = jest.fn(noEngine);
    await expect(chooseRuntime('auto', undefined, ask)).resolves.toEqual({ runtime: 'local' });
    expect(ask).not.toHaveBeenCalled();
  });

  test('auto uses a working engine when the command does not run here', async () => {
    await expect(chooseRuntime('auto', 'no command', engine)).resolves.toEqual({ runtime: 'container', engine: 'docker', version: '27.0' });
  });

  test('auto with neither says both', async () => {
    await expect(chooseRuntime('auto', 'the local runtime needs an explicit command', noEngine)).rejects.toThrow(
      'the local runtime needs an explicit command; container runtime unavailable: docker: Cannot connect to the Docker daemon',
    );
  });

  test('container without an engine', async () => {
    const err = await chooseRuntime('container', undefined, noEngine).catch((e) => e);
    expect(err).toBeInstanceOf(DrillSetupError);
    expect(err.message).toBe('container runtime unavailable: docker: Cannot connect to the Docker daemon');
  });

  test('local with a problem', async () => {
    await expect(chooseRuntime('local', 'cannot', engine)).rejects.toThrow('cannot');
  });

  test('what the local runtime can run', () => {
    expect(localRunProblem({ ...target, command: undefined }, undefined, '/')).toMatch(
      /sets no command, so the entrypoint is whatever the image example\/web:1.2 defines.*needs an explicit command: pass --command/,
    );
    expect(localRunProblem(target, undefined, '/')).toMatch(/cannot run '\/app\/bin\/server': not an executable file here/);
    expect(localRunProblem(target, ['sh'], '/')).toBeUndefined();
  });
});

describe('engine commands', () => {
  test('run: command -> --entrypoint + words before args, env, workdir, no --init', () => {
    expect(buildRunArgs(target, 'drill-web-1')).toEqual([
      'run', '-d', '--name', 'drill-web-1', '--label', 'cdk8s-resilient.drill=1',
      '--entrypoint', '/app/bin/server',
      '-e', 'MODE=prod',
      '-w', '/app',
      'example/web:1.2',
      '--config', '/etc/app.yaml', '--port', '8080',
    ]);
  });

  test('run: args only replace CMD and keep the image ENTRYPOINT', () => {
    expect(buildRunArgs({ ...target, command: undefined, workingDir: undefined, env: {} }, 'n')).toEqual([
      'run', '-d', '--name', 'n', '--label', 'cdk8s-resilient.drill=1', 'example/web:1.2', '--port', '8080',
    ]);
  });

  test('inspect output', () => {
    const json = JSON.stringify([
      { State: { Running: false, Pid: 0, ExitCode: 137, OOMKilled: false }, NetworkSettings: { IPAddress: '', Networks: { bridge: { IPAddress: '172.17.0.2' } } } },
    ]);
    expect(parseInspect(json)).toEqual({ running: false, pid: 0, exitCode: 137, oomKilled: false, ip: '172.17.0.2' });
    expect(parseInspect('not json')).toBeUndefined();
  });
});
