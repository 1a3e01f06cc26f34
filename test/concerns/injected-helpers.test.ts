/**
 * Real processes: copy the helpers the way the init container does, then run the app command and
 * the preStop hook the way the container would, with the helper volume at a temporary path.
 * Needs Debian's busybox-static, tini and dumb-init (installed by .ci/run).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { HELPERS_MOUNT_PATH, HelperInjection, ImageTools, InitProcess, LifecycleHook, ResilientDeployment } from '../../src';
import { podSpecOf } from '../support/properties';
import { newChart, only, synth } from '../support/synth';

const REQUIRED = ['/bin/busybox', '/usr/bin/tini-static', '/usr/bin/dumb-init'];
const APP = path.join(__dirname, '..', 'fixtures', 'sigterm-app.js');

let work: string;
let running: ChildProcess | undefined;

beforeAll(() => {
  const missing = REQUIRED.filter((p) => !fs.existsSync(p));
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: apt-get install busybox-static tini dumb-init (see .ci/run)`);
});
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'helpers-')); });
afterEach(() => {
  if (running?.pid && running.exitCode === null) {
    try { process.kill(-running.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  fs.rmSync(work, { recursive: true, force: true });
});

function podFor(init: InitProcess) {
  const chart = newChart();
  new ResilientDeployment(chart, 'api', {
    init,
    helpers: HelperInjection.fromImage({ image: 'helpers:1', busybox: '/bin/busybox', tini: '/usr/bin/tini-static', dumbInit: '/usr/bin/dumb-init' }),
    container: { image: 'api:1', command: [process.execPath, APP], portNumber: 8080, imageTools: ImageTools.none() },
    shutdown: { preStop: LifecycleHook.drainPause({ drainPause: Duration.seconds(1) }) },
  });
  return podSpecOf(only(synth(chart), 'Deployment'));
}

/** The volume is mounted at HELPERS_MOUNT_PATH in the pod; here it is a temporary directory. */
const remap = (volume: string) => (arg: string) => arg.split(HELPERS_MOUNT_PATH).join(volume);

async function waitFor(file: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!fs.existsSync(file)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test.each([
  ['tini', InitProcess.tini()],
  ['dumb-init', InitProcess.dumbInit()],
])('%s and sleep injected: the copy, the preStop pause and SIGTERM through the init all work', async (_name, init) => {
  const pod = podFor(init);
  const volume = path.join(work, 'volume');
  fs.mkdirSync(volume);
  const markers = path.join(work, 'markers');
  fs.mkdirSync(markers);

  // 1. The init container copies the helpers.
  const copy = pod.initContainers[0].command.map(remap(volume));
  const copied = spawnSync(copy[0], copy.slice(1), { encoding: 'utf8' });
  expect(copied.status).toBe(0);
  for (const used of [...pod.containers[0].command, ...pod.containers[0].lifecycle.preStop.exec.command].filter((a: string) => a.startsWith(HELPERS_MOUNT_PATH))) {
    fs.accessSync(remap(volume)(used), fs.constants.X_OK);
  }

  // 2. The container starts: init wrapper in front of the app.
  const command = [...pod.containers[0].command, ...(pod.containers[0].args ?? [])].map(remap(volume));
  expect(path.basename(command[0])).toBe(_name === 'tini' ? 'tini' : 'dumb-init');
  running = spawn(command[0], [...command.slice(1), markers], { detached: true, stdio: 'ignore' });
  await waitFor(path.join(markers, 'app-ready'), 5000);
  await waitFor(path.join(markers, 'child-ready'), 5000);

  // 3. The kubelet runs preStop: the injected sleep pauses for the configured second.
  const preStop = pod.containers[0].lifecycle.preStop.exec.command.map(remap(volume));
  const started = Date.now();
  const hook = spawnSync(preStop[0], preStop.slice(1));
  expect(hook.status).toBe(0);
  expect(Date.now() - started).toBeGreaterThanOrEqual(950);

  // 4. SIGTERM to the container's main process: the init forwards it to the app and its child.
  const exited = new Promise<number | null>((resolve) => running!.on('exit', (code) => resolve(code)));
  process.kill(running.pid!, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<string>((r) => { timer = setTimeout(() => r('timeout'), 5000); })]);
  clearTimeout(timer);
  expect(code).toBe(0);
  expect(fs.existsSync(path.join(markers, 'app-sigterm'))).toBe(true);
  await waitFor(path.join(markers, 'child-sigterm'), 2000);
}, 20000);
