/**
 * Real processes: copy the helpers the way the init container does, then run the app command and
 * the preStop hook the way the container would, with the helper volume at a temporary path.
 * Needs Debian's busybox-static, tini and dumb-init (scripts/prereqs.js; `npm test` installs them
 * when it can). Waits end when the awaited thing happens or the process under test dies; their
 * bounds only catch a hang and are sized from the node start measured on this machine now.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { HelperInjection, ImageTools, InitProcess, LifecycleHook, ResilientDeployment } from '../../src';
import { HELPERS_MOUNT_PATH } from '../../src/concerns/image-tools';
import { machineOverhead, marginMs } from '../support/overhead';
import { needs } from '../support/prereqs';
import { podSpecOf } from '../support/properties';
import { newChart, only, synth } from '../support/synth';

const APP = path.join(__dirname, '..', 'fixtures', 'sigterm-app.js');
const helpers = needs('busybox-static', 'tini', 'dumb-init');

let work: string | undefined;
let running: ChildProcess | undefined;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'helpers-'));
});
afterEach(() => {
  // clean up only what setup made: a failed setup leaves nothing to remove
  if (running?.pid && running.exitCode === null && running.signalCode === null) {
    try { process.kill(-running.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  running = undefined;
  if (work) fs.rmSync(work, { recursive: true, force: true });
  work = undefined;
});

/** A bound on waiting for node processes (app and child start one after the other) to act. */
const waitBoundMs = () => {
  const cost = machineOverhead();
  return marginMs(5000, 2 * cost.nodeStartMs, cost.signalExitMs, cost.timerLagMs);
};

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

/**
 * Waits until `file` exists; fails after `ms`, or at once if `from` (the process that writes it
 * or starts its writer) has died.
 */
async function waitFor(file: string, ms: number, from?: ChildProcess): Promise<void> {
  const end = Date.now() + ms;
  while (!fs.existsSync(file)) {
    if (from && (from.exitCode !== null || from.signalCode !== null)) {
      throw new Error(`waiting for ${file}: the process exited (${from.exitCode ?? from.signalCode})`);
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

helpers.describe('helpers injected into an image without a shell', () => {
  test.each([
    ['tini', InitProcess.tini()],
    ['dumb-init', InitProcess.dumbInit()],
  ])('%s and sleep injected: the copy, the preStop pause and SIGTERM through the init all work', async (_name, init) => {
    const pod = podFor(init);
    const dir = work!;
    const bound = waitBoundMs();
    const volume = path.join(dir, 'volume');
    fs.mkdirSync(volume);
    const markers = path.join(dir, 'markers');
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
    await waitFor(path.join(markers, 'app-ready'), bound, running);
    await waitFor(path.join(markers, 'child-ready'), bound, running);

    // 3. The kubelet runs preStop: the injected sleep pauses for the configured second.
    const preStop = pod.containers[0].lifecycle.preStop.exec.command.map(remap(volume));
    const started = Date.now();
    const hook = spawnSync(preStop[0], preStop.slice(1));
    expect(hook.status).toBe(0);
    // a lower bound: sleep cannot end early, however busy the machine
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    // 4. SIGTERM to the container's main process: the init forwards it to the app and its child.
    const exited = new Promise<number | null>((resolve) => running!.on('exit', (code) => resolve(code)));
    process.kill(running.pid!, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<string>((r) => { timer = setTimeout(() => r('timeout'), bound); })]);
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(fs.existsSync(path.join(markers, 'app-sigterm'))).toBe(true);
    await waitFor(path.join(markers, 'child-sigterm'), bound);
  }, 120000); // a bound on a hang, not on speed
});
