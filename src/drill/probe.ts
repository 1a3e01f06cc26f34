/**
 * Runs probes and HTTP/TCP actions against a running workload the way the kubelet does:
 * exec through the runtime, HTTP GET and TCP connect to the container's address.
 */
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import { resolvePort } from './manifest';
import { RunningWorkload } from './runtime';
import { ContainerPort, HttpGetAction, Probe, TcpSocketAction } from './types';

export interface ActionResult {
  readonly ok: boolean;
  readonly detail: string;
  readonly status?: number;
  readonly exitCode?: number | null;
  /** Set when the action cannot run at all here, so waiting for it to pass is pointless. */
  readonly cannotRun?: string;
  /** The socket error, when a connection failed (ECONNREFUSED, ETIMEDOUT ...). */
  readonly errorCode?: string;
}

/** Errors that say the target does not exist here, rather than that it is not answering yet. */
const UNRESOLVABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);

export function describeHttpGet(a: HttpGetAction, host: string, ports: ContainerPort[]): string {
  const scheme = (a.scheme ?? 'HTTP').toLowerCase();
  const port = resolvePort(a.port, ports) ?? a.port;
  const p = a.path ?? '/';
  return `${scheme}://${a.host ?? host}:${port}${p.startsWith('/') ? p : '/' + p}`;
}

/** One HTTP GET; any response counts as `answered`; `ok` follows the probe rule (200-399). */
export function httpGet(
  a: HttpGetAction,
  host: string,
  ports: ContainerPort[],
  timeoutMs: number,
): Promise<ActionResult & { answered: boolean }> {
  const port = resolvePort(a.port, ports);
  if (port === undefined) {
    const why = `port '${a.port}' is not a declared container port`;
    return Promise.resolve({ ok: false, answered: false, detail: why, cannotRun: why });
  }
  const url = describeHttpGet(a, host, ports);
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.27 (cdk8s-resilient drill)' };
  for (const h of a.httpHeaders ?? []) headers[h.name] = h.value;
  const lib = (a.scheme ?? 'HTTP') === 'HTTPS' ? https : http;
  return new Promise((resolve) => {
    const req = lib.get(url, { headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve({ ok: status >= 200 && status < 400, answered: true, status, detail: `GET ${url} -> ${status}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      const detail = `GET ${url}: ${e.message}`;
      resolve({ ok: false, answered: false, detail, errorCode: e.code, cannotRun: UNRESOLVABLE.has(e.code ?? '') ? detail : undefined });
    });
  });
}

export function tcpConnect(a: TcpSocketAction, host: string, ports: ContainerPort[], timeoutMs: number): Promise<ActionResult> {
  const port = resolvePort(a.port, ports);
  if (port === undefined) {
    const why = `port '${a.port}' is not a declared container port`;
    return Promise.resolve({ ok: false, detail: why, cannotRun: why });
  }
  const target = `${a.host ?? host}:${port}`;
  return new Promise((resolve) => {
    const socket = net.connect({ host: a.host ?? host, port, timeout: timeoutMs });
    socket.on('connect', () => {
      socket.destroy();
      resolve({ ok: true, detail: `connected to ${target}` });
    });
    socket.on('timeout', () => socket.destroy(new Error('timed out')));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const detail = `connect ${target}: ${e.message}`;
      resolve({ ok: false, detail, errorCode: e.code, cannotRun: UNRESOLVABLE.has(e.code ?? '') ? detail : undefined });
    });
  });
}

/** Whether the drill can run this probe at all (gRPC probes are not implemented). */
export function probeUsable(p: Probe): boolean {
  return Boolean(p.exec?.command?.length || p.httpGet || p.tcpSocket);
}

export function describeProbe(p: Probe, ports: ContainerPort[], host = 'localhost'): string {
  if (p.exec) return `exec ${p.exec.command.join(' ')}`;
  if (p.httpGet) return `httpGet ${describeHttpGet(p.httpGet, host, ports)}`;
  if (p.tcpSocket) return `tcpSocket ${p.tcpSocket.host ?? host}:${resolvePort(p.tcpSocket.port, ports) ?? p.tcpSocket.port}`;
  if (p.grpc) return `grpc :${p.grpc.port}`;
  return 'no action';
}

/** Runs a probe once. */
export async function runProbe(p: Probe, w: RunningWorkload, ports: ContainerPort[]): Promise<ActionResult> {
  const timeoutMs = Math.max(1, p.timeoutSeconds ?? 1) * 1000;
  if (p.exec) {
    const refusal = w.execRefusal(p.exec.command);
    if (refusal) return { ok: false, detail: refusal, cannotRun: refusal };
    const h = w.exec(p.exec.command);
    const timer = setTimeout(() => h.kill(), timeoutMs);
    const r = await h.done;
    clearTimeout(timer);
    if (r.error) return { ok: false, exitCode: r.code, detail: r.error, cannotRun: `${p.exec.command[0]}: ${r.error}` };
    // 126/127: the command (or one it runs) cannot be executed here, whatever the app does
    if (r.code === 126 || r.code === 127) {
      const said = r.stderr.trim().split('\n').pop();
      const why = `exit ${r.code} (${r.code === 127 ? 'command not found' : 'not executable'})${said ? `: ${said}` : ''}`;
      return { ok: false, exitCode: r.code, detail: why, cannotRun: why };
    }
    return { ok: r.code === 0, exitCode: r.code, detail: `exit ${r.code ?? r.signal}` };
  }
  const host = await w.networkHost();
  if (p.httpGet) return httpGet(p.httpGet, host, ports, timeoutMs);
  if (p.tcpSocket) return tcpConnect(p.tcpSocket, host, ports, timeoutMs);
  return { ok: false, detail: 'probe type not supported by the drill' };
}
