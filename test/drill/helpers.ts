/**
 * Shared pieces of the drill tests: fixture paths, targets built by hand, temporary marker
 * directories, and a safety net that SIGKILLs every process carrying a test's token in its
 * environment (the drill passes the container env on, so every process it starts carries it).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { DrillTarget } from '../../src/drill/types';

export const ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(__dirname, 'fixtures');
export const APP = path.join(FIXTURES, 'app.js');
export const IGNORE_TERM = path.join(FIXTURES, 'ignore-term.sh');
export const NODE = process.execPath;
export const TOKEN_VAR = 'DRILL_TEST_TOKEN';

let counter = 0;

/** A fresh marker directory and a token unique to one test. */
export function scratch(label: string): { dir: string; token: string } {
  const token = `${label}-${process.pid}-${++counter}-${Date.now()}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `drill-${label}-`));
  return { dir, token };
}

export function marks(dir: string): Set<string> {
  return new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
}

/**
 * Pids of processes whose environment holds TOKEN_VAR=token, or, with `prefix`, a token that starts
 * with it and was made by this process (scratch() puts its pid in every token). Other test runs on
 * the same machine use the same labels: a safety net that matched the label alone SIGKILLed their
 * apps mid-drill (a stress run and another checkout's suite, side by side, each failed that way).
 */
export function taggedPids(token: string, prefix = false): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let env: string;
    try {
      env = fs.readFileSync(`/proc/${name}/environ`, 'latin1');
    } catch {
      continue;
    }
    const needle = `${TOKEN_VAR}=${token}`;
    const ours = `-${process.pid}-`;
    const hit = env.split('\0').some((kv) => (prefix ? kv.startsWith(needle) && kv.includes(ours) : kv === needle));
    if (hit && Number(name) !== process.pid) out.push(Number(name));
  }
  return out;
}

/** Live (non-zombie) tagged processes. */
export function liveTagged(token: string, prefix = false): number[] {
  return taggedPids(token, prefix).filter((pid) => {
    try {
      return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  });
}

export function killTagged(token: string, prefix = false): number {
  const pids = liveTagged(token, prefix);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  return pids.length;
}

/** Runs `fn` with a scratch dir and token; kills anything left with the token afterwards. */
export async function withScratch<T>(label: string, fn: (s: { dir: string; token: string }) => Promise<T>): Promise<T> {
  const s = scratch(label);
  try {
    return await fn(s);
  } finally {
    killTagged(s.token);
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
}

/** A target as the manifest reader would produce it, with the token and MARK_DIR in its env. */
export function makeTarget(s: { dir: string; token: string }, over: Partial<DrillTarget> = {}): DrillTarget {
  return {
    source: `test target ${s.token}`,
    kind: 'Deployment',
    name: 'app',
    container: 'app',
    image: 'example/app:1',
    command: [NODE, APP, 'handle'],
    ports: [],
    terminationGracePeriodSeconds: 2,
    readiness: { field: 'readinessProbe', probe: { exec: { command: ['test', '-e', path.join(s.dir, 'ready')] } } },
    shareProcessNamespace: false,
    notes: [],
    ...over,
    env: { MARK_DIR: s.dir, [TOKEN_VAR]: s.token, ...(over.env ?? {}) },
  };
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Builds lib/ when it is missing, so CLI tests run the compiled launcher like users do. */
export function ensureBuilt(): void {
  if (fs.existsSync(path.join(ROOT, 'lib', 'src', 'cli', 'drill.js'))) return;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
}
