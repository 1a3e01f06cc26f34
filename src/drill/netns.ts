/**
 * A network of the container's own, as a pod has: a named network namespace (`ip netns`) joined to
 * this machine by a veth pair, the container's end with a non-loopback address. Probes and httpGet
 * hooks go to that address from outside, as the kubelet sends them to the pod IP, so an app that
 * listens on 127.0.0.1 only fails here as it fails in a pod. Needs root and iproute2.
 *
 * Several drills may run at once (parallel test workers, other users): each claims a slot, and the
 * slot names the namespace, the interfaces and a /30 subnet of 198.18.0.0/15 (reserved for
 * benchmarking, RFC 2544, so it is not a network anyone reaches). `ip netns add` refuses a name
 * that exists, which makes claiming a slot atomic. A record of the owner (pid and start time) sits
 * beside it in OWNER_DIR, so a slot left behind by a drill that was SIGKILLed can be taken back.
 * Everything is removed by `remove()`, by `removeAllPodNetworks()` (the CLI's Ctrl-C handler) and,
 * as a last resort, when this process exits.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { findExecutable, spawnCollect } from './runtime';
import { readStat } from './proc';


const BASE = (198 << 24) | (18 << 16); // 198.18.0.0
export const SLOTS = 1 << 15; // /30 subnets in 198.18.0.0/15
export const OWNER_DIR = '/run/cdk8s-resilient-drill';
/** How many slots to try before giving up (each taken slot costs one `ip netns add`). */
const MAX_TRIES = 64;

export interface PodNetwork {
  readonly namespace: string;
  /** /run/netns/NAME, for nsenter --net= */
  readonly nsPath: string;
  readonly podAddress: string;
  readonly hostAddress: string;
  readonly hostInterface: string;
  /** Local addresses of the TCP sockets listening inside the namespace ("127.0.0.1:8080", "*:80"). */
  listeners(): Promise<string[]>;
  /** Removes the namespace, the veth pair and the owner record. Idempotent. */
  remove(): Promise<void>;
}

const ip4 = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
const parse4 = (text: string) => text.split('.').reduce((a, b) => a * 256 + Number(b), 0) >>> 0;

export function slotNames(slot: number) {
  const subnet = (BASE + slot * 4) >>> 0;
  return {
    namespace: `cdk8s-drill-${slot}`,
    hostInterface: `cdkd${slot}h`,
    podInterface: `cdkd${slot}p`,
    subnet,
    hostAddress: ip4(subnet + 1),
    podAddress: ip4(subnet + 2),
  };
}

/** IPv4 ranges [first, last] of addresses and routes in `ip -4 -o addr` / `ip -4 route` output. */
export function usedRanges(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of text.matchAll(/(?:^|\s)(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?(?=\s|$)/gm)) {
    const bits = m[2] === undefined ? 32 : Number(m[2]);
    if (bits === 0) continue; // a default route
    const size = 2 ** (32 - bits);
    const first = Math.floor(parse4(m[1]) / size) * size;
    out.push([first, first + size - 1]);
  }
  return out;
}

let supportCache: { ok: boolean; reason?: string } | undefined;

/** Whether a pod network can be made here: Linux, root, iproute2 (ip, ss), nsenter, veth support. */
export function podNetworkSupport(): { ok: boolean; reason?: string } {
  if (supportCache) return supportCache;
  if (process.platform !== 'linux') return (supportCache = { ok: false, reason: 'network namespaces need Linux' });
  if (process.getuid?.() !== 0) return (supportCache = { ok: false, reason: 'a network namespace (ip netns) needs root' });
  for (const tool of ['ip', 'ss', 'nsenter', 'unshare']) {
    if (!findExecutable(tool, process.env.PATH)) {
      return (supportCache = { ok: false, reason: `${tool} is not installed (${tool === 'nsenter' || tool === 'unshare' ? 'util-linux' : 'iproute2'})` });
    }
  }
  // a veth pair inside a throwaway namespace: nothing to clean up afterwards
  const r = spawnSync('unshare', ['--net', 'ip', 'link', 'add', 'cdkdcheck0', 'type', 'veth', 'peer', 'name', 'cdkdcheck1'], {
    encoding: 'utf8',
    timeout: 30000,
  });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
    return (supportCache = { ok: false, reason: `cannot create a veth pair: ${why}` });
  }
  return (supportCache = { ok: true });
}

async function ip(args: string[]): Promise<{ ok: boolean; error: string }> {
  const r = await spawnCollect(['ip', ...args], { timeoutMs: 30000 }).done;
  const error = (r.error ?? r.stderr).trim().split('\n')[0] ?? '';
  return { ok: r.code === 0, error: error || `ip ${args.join(' ')}: exit ${r.code ?? r.signal}` };
}

function ownerFile(slot: number) {
  return path.join(OWNER_DIR, String(slot));
}

function ownerAlive(slot: number): boolean | undefined {
  let text: string;
  try {
    text = fs.readFileSync(ownerFile(slot), 'utf8');
  } catch {
    return undefined; // no record: being set up right now, or made by hand; leave it alone
  }
  const [pid, start] = text.trim().split(/\s+/).map(Number);
  const stat = readStat(pid);
  return stat !== undefined && stat.startTime === start;
}

async function removeSlot(slot: number): Promise<void> {
  const n = slotNames(slot);
  await ip(['netns', 'del', n.namespace]);
  await ip(['link', 'del', n.hostInterface]);
  fs.rmSync(ownerFile(slot), { force: true });
}

const live = new Map<number, PodNetwork>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // last resort (an uncaught error, process.exit): only synchronous work is possible here
  process.on('exit', () => {
    for (const slot of live.keys()) {
      const n = slotNames(slot);
      spawnSync('ip', ['netns', 'del', n.namespace], { stdio: 'ignore', timeout: 5000 });
      spawnSync('ip', ['link', 'del', n.hostInterface], { stdio: 'ignore', timeout: 5000 });
      fs.rmSync(ownerFile(slot), { force: true });
    }
  });
}

/** Removes every pod network this process made and has not removed yet. */
export async function removeAllPodNetworks(): Promise<void> {
  await Promise.all([...live.values()].map((n) => n.remove()));
}

/** Parses `ss -Hltn` output: the local address of each listening socket. */
export function parseListeners(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4 && f[0] === 'LISTEN')
    .map((f) => f[3]);
}

/**
 * Whether something listens on `port` at an address the kubelet reaches (any address, or the pod's).
 * `none`: nothing listens on the port at all.
 */
export function reachability(listeners: string[], port: number, podAddress: string): { state: 'reachable' | 'unreachable' | 'none'; on: string[] } {
  const on = listeners.filter((l) => l.endsWith(`:${port}`));
  const host = (l: string) => l.slice(0, l.lastIndexOf(':')).replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const everywhere = new Set(['0.0.0.0', '*', '::', podAddress, `::ffff:${podAddress}`]);
  if (!on.length) return { state: 'none', on };
  return { state: on.some((l) => everywhere.has(host(l))) ? 'reachable' : 'unreachable', on };
}

/**
 * Claims a slot and sets up its namespace and veth pair. Throws with the reason when it cannot.
 * @param firstSlot where to start looking (default: a random slot, so concurrent drills rarely meet)
 */
export async function createPodNetwork(firstSlot?: number): Promise<PodNetwork> {
  const inUse = await spawnCollect(['sh', '-c', 'ip -4 -o addr show; ip -4 route show'], { timeoutMs: 30000 }).done;
  const used = usedRanges(inUse.output);
  fs.mkdirSync(OWNER_DIR, { recursive: true });
  const start = firstSlot ?? Math.floor(Math.random() * SLOTS);
  let lastError = '';
  for (let i = 0; i < MAX_TRIES; i++) {
    const slot = (start + i) % SLOTS;
    const n = slotNames(slot);
    if (used.some(([a, b]) => a <= n.subnet + 3 && n.subnet <= b)) continue;
    let claim = await ip(['netns', 'add', n.namespace]);
    if (!claim.ok && /exists/i.test(claim.error) && ownerAlive(slot) === false) {
      await removeSlot(slot); // left behind by a drill that is gone
      claim = await ip(['netns', 'add', n.namespace]);
    }
    if (!claim.ok) {
      lastError = claim.error;
      if (/exists/i.test(claim.error)) continue;
      throw new Error(`ip netns add ${n.namespace}: ${claim.error}`);
    }
    const self = readStat(process.pid);
    fs.writeFileSync(ownerFile(slot), `${process.pid} ${self?.startTime ?? 0}\n`);
    let removed = false;
    const network: PodNetwork = {
      namespace: n.namespace,
      nsPath: `/run/netns/${n.namespace}`,
      podAddress: n.podAddress,
      hostAddress: n.hostAddress,
      hostInterface: n.hostInterface,
      async listeners() {
        const r = await spawnCollect(['nsenter', `--net=${this.nsPath}`, '--', 'ss', '-Hltn'], { timeoutMs: 30000 }).done;
        return parseListeners(r.output);
      },
      async remove() {
        if (removed) return;
        removed = true;
        await removeSlot(slot);
        live.delete(slot);
      },
    };
    live.set(slot, network);
    installExitHook();
    const steps: string[][] = [
      ['link', 'add', n.hostInterface, 'type', 'veth', 'peer', 'name', n.podInterface, 'netns', n.namespace],
      ['addr', 'add', `${n.hostAddress}/30`, 'dev', n.hostInterface],
      ['link', 'set', n.hostInterface, 'up'],
      ['-n', n.namespace, 'addr', 'add', `${n.podAddress}/30`, 'dev', n.podInterface],
      ['-n', n.namespace, 'link', 'set', n.podInterface, 'up'],
      ['-n', n.namespace, 'link', 'set', 'lo', 'up'],
      // this machine's own addresses are reachable through its end of the pair; nothing beyond it is
      ['-n', n.namespace, 'route', 'add', 'default', 'via', n.hostAddress],
    ];
    for (const [index, step] of steps.entries()) {
      let r = await ip(step);
      if (!r.ok && index === 0 && /exists/i.test(r.error)) {
        await ip(['link', 'del', n.hostInterface]); // a stale end of this slot's pair
        r = await ip(step);
      }
      if (!r.ok) {
        await network.remove();
        throw new Error(`ip ${step.join(' ')}: ${r.error}`);
      }
    }
    return network;
  }
  throw new Error(`no free network slot in 198.18.0.0/15 after ${MAX_TRIES} tries${lastError ? ` (last: ${lastError})` : ''}`);
}
