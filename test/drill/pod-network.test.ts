/**
 * The container's own network (src/drill/netns.ts): a network namespace joined to this machine by
 * a veth pair, probes and httpGet hooks sent to the container's address as the kubelet sends them
 * to the pod IP. Real namespaces and interfaces; every one a test makes is checked to be gone.
 *
 * Several drills run at once here (test.concurrent) and other test files and other users may run
 * drills at the same time: names and subnets come from slots claimed with `ip netns add`, and
 * nothing here depends on which slot a drill gets.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runDrill } from '../../src/drill';
import {
  createPodNetwork, OWNER_DIR, parseListeners, reachability, slotNames, SLOTS, usedRanges,
} from '../../src/drill/netns';
import { DrillReport } from '../../src/drill/types';
import { machineOverhead, marginSeconds } from '../support/overhead';
import { needs } from '../support/prereqs';
import { APP, freePort, killTagged, makeTarget, marks, NODE, withScratch } from './helpers';

const COST = machineOverhead();
const GRACE = marginSeconds(2, COST.signalExitMs, COST.timerLagMs);

// a bound on a hang, not on speed
jest.setTimeout(180000);

const netns = needs('iproute2');

const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
const linkExists = (name: string) => spawnSync('ip', ['link', 'show', name], { stdio: 'ignore' }).status === 0;
/** Owner records of pod networks made by this process (a record names the owner's pid). */
const ownRecords = () =>
  (fs.existsSync(OWNER_DIR) ? fs.readdirSync(OWNER_DIR) : []).filter((f) => {
    try {
      return fs.readFileSync(path.join(OWNER_DIR, f), 'utf8').split(' ')[0] === String(process.pid);
    } catch {
      return false;
    }
  });

/** Asserts that the network a drill reported is gone: namespace, both veth ends, owner record. */
function expectRemoved(r: DrillReport) {
  const net = r.facts.runtime.network!;
  expect(net.mode).toBe('pod');
  expect(namespaces()).not.toMatch(new RegExp(`^${net.namespace}( |$)`, 'm'));
  expect(linkExists(net.hostInterface!)).toBe(false);
}

afterAll(() => {
  killTagged('podnet-', true);
  // nothing this file made may be left, whichever way its drills ended
  if (netns.ok) expect(ownRecords()).toEqual([]);
});

describe('pure parts', () => {
  test('slots name unique namespaces, interfaces of at most 15 characters and /30 subnets that do not overlap', () => {
    const seen = new Set<number>();
    for (const slot of [0, 1, 2, SLOTS - 2, SLOTS - 1, 12345]) {
      const n = slotNames(slot);
      expect(n.hostInterface.length).toBeLessThanOrEqual(15);
      expect(n.podInterface.length).toBeLessThanOrEqual(15);
      expect(n.subnet % 4).toBe(0);
      expect(seen.has(n.subnet)).toBe(false);
      seen.add(n.subnet);
    }
    expect(slotNames(0)).toMatchObject({ namespace: 'cdk8s-drill-0', hostAddress: '198.18.0.1', podAddress: '198.18.0.2' });
    expect(slotNames(SLOTS - 1)).toMatchObject({ hostAddress: '198.19.255.253', podAddress: '198.19.255.254' });
  });

  test('ranges in use are read from ip addr and ip route output; default routes are not ranges', () => {
    const text = [
      '2: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0',
      'default via 192.0.2.1 dev eth0',
      '198.18.0.4/30 dev cdkd1h proto kernel scope link src 198.18.0.5',
    ].join('\n');
    const ranges = usedRanges(text);
    const ip = (a: string) => a.split('.').reduce((x, y) => x * 256 + Number(y), 0);
    expect(ranges).toContainEqual([ip('192.0.2.0'), ip('192.0.2.255')]);
    expect(ranges).toContainEqual([ip('198.18.0.4'), ip('198.18.0.7')]);
    expect(ranges.some(([a, b]) => a === 0 && b === 2 ** 32 - 1)).toBe(false);
  });

  test('listeners and where the kubelet can reach them', () => {
    const ss = 'LISTEN 0 511 127.0.0.1:8080 0.0.0.0:*\nLISTEN 0 511 [::1]:8080 [::]:*\nLISTEN 0 4096 *:9090 *:*\nLISTEN 0 5 10.0.0.9:7070 0.0.0.0:*\n';
    const l = parseListeners(ss);
    expect(l).toEqual(['127.0.0.1:8080', '[::1]:8080', '*:9090', '10.0.0.9:7070']);
    expect(reachability(l, 8080, '198.18.0.2')).toEqual({ state: 'unreachable', on: ['127.0.0.1:8080', '[::1]:8080'] });
    expect(reachability(l, 9090, '198.18.0.2').state).toBe('reachable');
    expect(reachability(l, 7070, '198.18.0.2').state).toBe('unreachable');
    expect(reachability(l, 7070, '10.0.0.9').state).toBe('reachable');
    expect(reachability(l, 1234, '198.18.0.2')).toEqual({ state: 'none', on: [] });
    expect(reachability(['0.0.0.0:80', '[::]:80'], 80, '198.18.0.2').state).toBe('reachable');
  });
});

/** The fixture's HTTP app on `port`, listening on `address`, probed and drained over HTTP. */
const httpTarget = (s: { dir: string; token: string }, port: number, address: string) =>
  makeTarget(s, {
    command: [NODE, APP, 'http', String(port), address],
    terminationGracePeriodSeconds: GRACE,
    ports: [{ name: 'http', containerPort: port }],
    readiness: { field: 'readinessProbe', probe: { httpGet: { port: 'http', path: '/ready' } } },
    preStop: { httpGet: { port: 'http', path: '/drain' } },
  });

netns.describe('probes and hooks go to the container address', () => {
  test.concurrent('an app that listens on loopback only fails its probe, at once, with where it listens', () =>
    withScratch('podnet-loopback', async (s) => {
      const port = await freePort();
      // a long ready timeout: ending at all shows the drill did not wait for it
      const r = await runDrill({ target: httpTarget(s, port, '127.0.0.1'), settleSeconds: 0.5, readyTimeoutSeconds: 600 });
      const address = r.facts.runtime.network!.address;
      expect(address).toMatch(/^198\.1[89]\./);
      expect(r.facts.startup).toMatchObject({
        how: 'unreachable',
        unreachable: { probe: 'readinessProbe', port, listeners: [`127.0.0.1:${port}`], podAddress: address },
      });
      expect(r.verdict.status).toBe('fail');
      expect(r.verdict.reason).toMatch(new RegExp(`^the app listens on 127\\.0\\.0\\.1:${port} only \\(loopback\\), and the kubelet sends probes`));
      expect(r.verdict.fix).toMatch(/0\.0\.0\.0/);
      // the hook went to the same address and was refused too
      expect(r.facts.preStop).toMatchObject({ outcome: 'failed', action: `httpGet http://${address}:${port}/drain` });
      expect(marks(s.dir).has('drain')).toBe(false);
      expectRemoved(r);
    }),
  );

  test.concurrent('the same app listening on every address passes, probed and drained at the pod address', () =>
    withScratch('podnet-any', async (s) => {
      const port = await freePort();
      const r = await runDrill({ target: httpTarget(s, port, '0.0.0.0'), settleSeconds: 0.5, readyTimeoutSeconds: 600 });
      const address = r.facts.runtime.network!.address;
      expect(r.facts.startup).toMatchObject({ how: 'probe', detail: `readinessProbe httpGet http://${address}:${port}/ready passed` });
      expect(r.facts.preStop).toMatchObject({ outcome: 'succeeded', httpStatus: 200, action: `httpGet http://${address}:${port}/drain` });
      expect(marks(s.dir).has('drain')).toBe(true);
      expect(r.verdict.status).toBe('pass');
      expectRemoved(r);
    }),
  );

  test.concurrent('drills at the same time get their own namespaces and subnets, and all are removed', () =>
    withScratch('podnet-many0', (s0) =>
      withScratch('podnet-many1', (s1) =>
        withScratch('podnet-many2', async (s2) => {
          const reports = await Promise.all(
            [s0, s1, s2].map((s) => runDrill({ target: makeTarget(s, { terminationGracePeriodSeconds: GRACE }), pid1: 'no', settleSeconds: 0.5 })),
          );
          const nets = reports.map((r) => r.facts.runtime.network!);
          expect(new Set(nets.map((n) => n.namespace)).size).toBe(3);
          expect(new Set(nets.map((n) => n.address)).size).toBe(3);
          for (const r of reports) {
            expect(r.verdict.status).toBe('pass');
            expectRemoved(r);
          }
        }),
      ),
    ),
  );

  test('a drill that stops with an error removes its network too', async () => {
    const before = ownRecords();
    await withScratch('podnet-error', async (s) => {
      const target = makeTarget(s, { readiness: { field: 'readinessProbe', probe: { exec: { command: ['no-such-probe-command'] } } } });
      await expect(runDrill({ target, readyTimeoutSeconds: 600 })).rejects.toThrow(/cannot run here/);
    });
    expect(ownRecords()).toEqual(before);
  });

  test('a slot left behind by a drill that is gone is taken back; a live one is not', async () => {
    // a slot claimed here and made to look abandoned: its owner record names a process that is not running
    let slot = 20000 + (process.pid % 10000);
    while (spawnSync('ip', ['netns', 'add', slotNames(slot).namespace], { stdio: 'ignore' }).status !== 0) slot = (slot + 1) % SLOTS;
    const n = slotNames(slot);
    fs.mkdirSync(OWNER_DIR, { recursive: true });
    fs.writeFileSync(path.join(OWNER_DIR, String(slot)), '999999999 1\n');
    const reclaimed = await createPodNetwork(slot);
    try {
      expect(reclaimed.namespace).toBe(n.namespace);
      expect(fs.readFileSync(path.join(OWNER_DIR, String(slot)), 'utf8').split(' ')[0]).toBe(String(process.pid));
      // now it is live (ours): the next claim from the same slot moves on
      const next = await createPodNetwork(slot);
      try {
        expect(next.namespace).not.toBe(n.namespace);
      } finally {
        await next.remove();
      }
    } finally {
      await reclaimed.remove();
    }
    expect(namespaces()).not.toMatch(new RegExp(`^${n.namespace}( |$)`, 'm'));
    expect(linkExists(n.hostInterface)).toBe(false);
  });
});

describe('without a network namespace', () => {
  test.concurrent('the report says the pod-address check was skipped, and why', () =>
    withScratch('podnet-skipped', async (s) => {
      const port = await freePort();
      const r = await runDrill({
        target: httpTarget(s, port, '127.0.0.1'),
        settleSeconds: 0.5,
        podNetworkSupport: () => ({ ok: false, reason: 'a network namespace (ip netns) needs root' }),
      });
      expect(r.facts.runtime.network).toMatchObject({ mode: 'host', address: '127.0.0.1', skipped: 'a network namespace (ip netns) needs root' });
      expect(r.notes).toContain(
        'pod address not checked (a network namespace (ip netns) needs root): probes and httpGet hooks went to 127.0.0.1, ' +
          'so an app that listens on loopback only passes here but fails in a pod, where they go to the pod IP',
      );
      // this is the gap the check closes: the loopback-only app passes here
      expect(r.verdict.status).toBe('pass');
    }),
  );

  test('--network pod where it cannot be had is an error, not a silent fallback', async () => {
    await withScratch('podnet-refused', async (s) => {
      await expect(
        runDrill({ target: makeTarget(s), network: 'pod', podNetworkSupport: () => ({ ok: false, reason: 'a network namespace (ip netns) needs root' }) }),
      ).rejects.toThrow('--network pod: a network namespace of its own is unavailable: a network namespace (ip netns) needs root');
    });
  });
});
