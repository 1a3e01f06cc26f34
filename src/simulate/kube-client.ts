/**
 * A small typed client for the Kubernetes API over HTTPS: what `simulate` needs and nothing more
 * (get, list, server-side apply, patch, delete, evict, watch). It speaks the REST API directly
 * with the kubeconfig's credentials, so simulate needs no kubectl.
 */
import * as http from 'http';
import * as https from 'https';
import { ClusterAccess } from './kubeconfig';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: any };
  spec?: any;
  status?: any;
  [field: string]: any;
}

export interface Response<T = any> {
  readonly status: number;
  readonly body: T;
}

/** An answer the caller did not expect: the HTTP status and the API server's message. */
export class ApiError extends Error {
  constructor(public readonly status: number, message: string) {
    super(message);
  }
}

/** The API server could not be reached at all (connection refused, TLS, timeout). */
export class UnreachableError extends Error {}

export type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: any };

const FIELD_MANAGER = 'cdk8s-resilient-simulate';

export class KubeClient {
  private readonly agent: https.Agent;

  constructor(public readonly access: ClusterAccess) {
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 16,
      ca: access.ca,
      cert: access.cert,
      key: access.key,
      rejectUnauthorized: !access.insecureSkipTlsVerify,
    });
  }

  /** One request; resolves with any HTTP status, rejects only when the server cannot be reached. */
  public request(method: string, path: string, body?: unknown, contentType = 'application/json', timeoutMs = 30000): Promise<Response> {
    const url = new URL(path, this.access.server);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    if (this.access.token) headers.authorization = `Bearer ${this.access.token}`;
    if (payload !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, headers, agent: this.agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: any = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON (a proxy's error page): keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('timeout', () => req.destroy(new UnreachableError(`${method} ${url.href}: no answer within ${timeoutMs} ms`)));
      req.on('error', (e) => reject(e instanceof UnreachableError ? e : new UnreachableError(`${this.access.server}: ${e.message}`)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Like request, but throws ApiError unless 2xx (or a status in `accept`). */
  public async call(method: string, path: string, body?: unknown, contentType?: string, accept: number[] = []): Promise<Response> {
    const res = await this.request(method, path, body, contentType);
    if ((res.status >= 200 && res.status < 300) || accept.includes(res.status)) return res;
    const message = typeof res.body === 'object' && res.body?.message ? res.body.message : String(res.body).slice(0, 300);
    throw new ApiError(res.status, `${method} ${path}: HTTP ${res.status}: ${message}`);
  }

  public async get<T = any>(path: string): Promise<T | undefined> {
    const res = await this.call('GET', path, undefined, undefined, [404]);
    return res.status === 404 ? undefined : res.body;
  }

  public async list<T = any>(path: string): Promise<T[]> {
    return (await this.call('GET', path)).body.items ?? [];
  }

  /** Server-side apply (force: simulate owns every object in its namespaces). */
  public async apply(path: string, object: unknown): Promise<any> {
    const query = `${path.includes('?') ? '&' : '?'}fieldManager=${FIELD_MANAGER}&force=true`;
    return (await this.call('PATCH', `${path}${query}`, object, 'application/apply-patch+yaml')).body;
  }

  public async mergePatch(path: string, patch: unknown): Promise<any> {
    return (await this.call('PATCH', path, patch, 'application/merge-patch+json')).body;
  }

  public async strategicPatch(path: string, patch: unknown): Promise<any> {
    return (await this.call('PATCH', path, patch, 'application/strategic-merge-patch+json')).body;
  }

  /** DELETE; a missing object is fine. */
  public async delete(path: string, options: Record<string, unknown> = {}): Promise<void> {
    await this.call('DELETE', path, { apiVersion: 'v1', kind: 'DeleteOptions', ...options }, undefined, [404]);
  }

  /**
   * Asks the Eviction API to evict a pod, as `kubectl drain` does. Resolves 'evicted', 'gone'
   * (404), or 'refused' with the API server's reason (429: a PodDisruptionBudget allows no
   * disruption now; 500: several budgets select the pod).
   */
  public async evict(namespace: string, name: string): Promise<{ outcome: 'evicted' | 'gone' | 'refused'; message: string }> {
    const res = await this.request('POST', `/api/v1/namespaces/${namespace}/pods/${name}/eviction`, {
      apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace },
    });
    const message = typeof res.body === 'object' && res.body?.message ? String(res.body.message) : '';
    if (res.status >= 200 && res.status < 300) return { outcome: 'evicted', message };
    if (res.status === 404) return { outcome: 'gone', message };
    if (res.status === 429 || res.status === 500) return { outcome: 'refused', message };
    throw new ApiError(res.status, `evict ${namespace}/${name}: HTTP ${res.status}: ${message}`);
  }

  /**
   * Watches a collection from `resourceVersion`; calls `onEvent` per event until stop() or the
   * server ends the stream (then `onEnd`, so the caller can list and watch again).
   */
  public watch(path: string, resourceVersion: string, onEvent: (e: WatchEvent) => void, onEnd: (error?: Error) => void): { stop: () => void } {
    const url = new URL(`${path}${path.includes('?') ? '&' : '?'}watch=true&resourceVersion=${resourceVersion}&timeoutSeconds=240`, this.access.server);
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    if (this.access.token) headers.authorization = `Bearer ${this.access.token}`;
    let stopped = false;
    const req = https.request(url, { method: 'GET', headers, agent: this.agent }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        onEnd(new ApiError(res.statusCode ?? 0, `watch ${path}: HTTP ${res.statusCode}`));
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line) onEvent(JSON.parse(line));
          newline = buffer.indexOf('\n');
        }
      });
      res.on('end', () => {
        if (!stopped) onEnd();
      });
    });
    req.on('error', (e) => {
      if (!stopped) onEnd(e);
    });
    req.end();
    return {
      stop: () => {
        stopped = true;
        req.destroy();
      },
    };
  }

  /** Closes idle connections (so the process can exit). */
  public close(): void {
    this.agent.destroy();
  }
}
