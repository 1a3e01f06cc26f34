/**
 * What simulate changes in a cluster, and how it is undone: the namespaces it creates (labelled,
 * unique names), the nodes it cordons or takes down. `cleanUp()` reverts all of it; it runs at the
 * end, on errors, and on SIGINT/SIGTERM.
 */
import { ApiError, KubeClient, KubeObject } from './kube-client';
import { sleep } from './monitor';

export const MANAGED_BY = 'cdk8s-resilient-simulate';
export const RUN_LABEL = 'simulate.resilient.cdk8s.io/run';
/** A node carrying this label is down (the project's kwok stages keep it NotReady). */
export const OUTAGE_LABEL = 'simulate.resilient.cdk8s.io/outage';

interface Resource {
  readonly path: (namespace: string | undefined, name?: string) => string;
  readonly namespaced: boolean;
}

/** The API server refused an object of the input: the input is the problem, not the cluster. */
export class RefusedInputError extends Error {}

export class Session {
  public readonly namespaces: string[] = [];
  private readonly cordoned = new Set<string>();
  private readonly downNodes = new Set<string>();
  private readonly discovery = new Map<string, any[]>();
  private cleaning?: Promise<string[]>;

  constructor(public readonly client: KubeClient, public readonly runId: string) {}

  /** Where objects of `apiVersion`/`kind` live, from the API server's discovery. */
  public async resource(apiVersion: string, kind: string): Promise<Resource | undefined> {
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let resources = this.discovery.get(base);
    if (!resources) {
      resources = (await this.client.get(base))?.resources ?? [];
      this.discovery.set(base, resources!);
    }
    const r = resources!.find((x) => x.kind === kind && !String(x.name).includes('/'));
    if (!r) return undefined;
    return {
      namespaced: r.namespaced === true,
      path: (ns, name) => `${base}${r.namespaced ? `/namespaces/${ns}` : ''}/${r.name}${name ? `/${encodeURIComponent(name)}` : ''}`,
    };
  }

  /** Creates a namespace labelled as simulate's and waits for its default ServiceAccount. */
  public async createNamespace(name: string, input: string): Promise<void> {
    this.namespaces.push(name);
    await this.client.call('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, [RUN_LABEL]: this.runId },
        annotations: { 'simulate.resilient.cdk8s.io/input': input },
      },
    });
    for (let i = 0; i < 120; i++) {
      if (await this.client.get(`/api/v1/namespaces/${name}/serviceaccounts/default`)) return;
      await sleep(250);
    }
    throw new Error(`namespace ${name}: its default ServiceAccount did not appear within 30 s (is the controller manager running?)`);
  }

  /** Server-side applies one namespaced object; throws RefusedInputError with the server's words. */
  public async apply(object: KubeObject): Promise<any> {
    const r = await this.resource(object.apiVersion ?? '', object.kind ?? '');
    if (!r) throw new RefusedInputError(`${object.kind}/${object.metadata.name}: the cluster serves no ${object.apiVersion} ${object.kind}`);
    try {
      return await this.client.apply(r.path(object.metadata.namespace, object.metadata.name), object);
    } catch (e) {
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) throw new RefusedInputError(`the API server refused ${object.kind}/${object.metadata.name}: ${e.message.replace(/^PATCH \S+: /, '')}`);
      throw e;
    }
  }

  /** After cleanUp() began, nothing may be cordoned or taken down any more (a scenario still running). */
  private refuseAfterCleanUp(what: string): void {
    if (this.cleaning) throw new Error(`${what}: the session is being cleaned up`);
  }

  public async cordon(node: string, unschedulable: boolean): Promise<void> {
    if (unschedulable) {
      this.refuseAfterCleanUp(`cordon ${node}`);
      this.cordoned.add(node);
    }
    await this.client.mergePatch(`/api/v1/nodes/${node}`, { spec: { unschedulable: unschedulable ? true : null } });
    if (!unschedulable) this.cordoned.delete(node);
  }

  /**
   * Takes a node down: the outage label (the stages stop making it Ready) and a NotReady status,
   * as a kubelet that lost its node would report. `false` brings it back.
   */
  public async setDown(node: string, down: boolean): Promise<void> {
    if (down) {
      this.refuseAfterCleanUp(`take ${node} down`);
      this.downNodes.add(node);
      await this.client.mergePatch(`/api/v1/nodes/${node}`, { metadata: { labels: { [OUTAGE_LABEL]: 'true' } } });
      const now = new Date().toISOString();
      await this.client.strategicPatch(`/api/v1/nodes/${node}/status`, {
        status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'simulated zone outage (cdk8s-resilient simulate)', lastHeartbeatTime: now, lastTransitionTime: now }] },
      });
    } else {
      await this.client.mergePatch(`/api/v1/nodes/${node}`, { metadata: { labels: { [OUTAGE_LABEL]: null } } });
      this.downNodes.delete(node);
    }
  }

  /**
   * Reverts everything: nodes back up and uncordoned, namespaces deleted (their pods at once, as
   * nothing is measured any more). Runs once; later calls get the same promise. Resolves with the
   * problems met (empty when clean).
   */
  public cleanUp(waitSeconds = 60): Promise<string[]> {
    if (!this.cleaning) this.cleaning = this.revert(waitSeconds);
    return this.cleaning;
  }

  private async revert(waitSeconds: number): Promise<string[]> {
    const problems: string[] = [];
    const attempt = async (what: string, f: () => Promise<unknown>) => {
      try {
        await f();
      } catch (e) {
        problems.push(`${what}: ${(e as Error).message}`);
      }
    };
    for (const node of [...this.downNodes]) await attempt(`bring ${node} back`, () => this.setDown(node, false));
    for (const node of [...this.cordoned]) await attempt(`uncordon ${node}`, () => this.cordon(node, false));
    for (const ns of this.namespaces) {
      await attempt(`delete namespace ${ns}`, async () => {
        await this.client.delete(`/api/v1/namespaces/${ns}`, { propagationPolicy: 'Background' });
        // A terminating namespace admits no new pods; the old ones need not wait out their grace.
        await this.client.call('DELETE', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 }, undefined, [404]);
      });
    }
    const deadline = Date.now() + waitSeconds * 1000;
    for (const ns of this.namespaces) {
      while (Date.now() < deadline && await this.client.get(`/api/v1/namespaces/${ns}`).catch(() => undefined)) await sleep(500);
    }
    const left = [];
    for (const ns of this.namespaces) if (await this.client.get(`/api/v1/namespaces/${ns}`).catch(() => undefined)) left.push(ns);
    if (left.length) problems.push(`namespace(s) still terminating after ${waitSeconds} s: ${left.join(', ')} (they go away on their own)`);
    return problems;
  }
}
