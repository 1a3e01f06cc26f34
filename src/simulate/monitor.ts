/**
 * Watches the pods of simulate's namespaces and keeps, per workload, the ready count after every
 * change the API server reports: so the lowest ready count of a scenario is exact, not sampled.
 */
import { isActive, isServing, matchesSelector, unschedulableReason } from './availability';
import { KubeClient } from './kube-client';
import { Workload } from './types';

/** When the monitor first saw a pod, and first saw it ready (milliseconds, this machine's clock). */
export interface PodTimes {
  readonly name: string;
  readonly seenAt: number;
  readyAt?: number;
}

/** Lowest ready and highest active pod counts of some workloads over a stretch of time. */
export class Window {
  public readonly lowest = new Map<Workload, number>();
  public readonly highestActive = new Map<Workload, number>();

  constructor(private readonly monitor: PodMonitor, public readonly workloads: readonly Workload[]) {
    this.observe();
  }

  /** Counts now and keeps the extremes. */
  public observe(): void {
    for (const w of this.workloads) {
      const ready = this.monitor.ready(w);
      const active = this.monitor.active(w);
      this.lowest.set(w, Math.min(this.lowest.get(w) ?? ready, ready));
      this.highestActive.set(w, Math.max(this.highestActive.get(w) ?? active, active));
    }
  }

  public close(): void {
    this.monitor.closeWindow(this);
  }
}

export class PodMonitor {
  private readonly pods = new Map<string, Map<string, any>>();
  private readonly watches = new Map<string, { stop: () => void }>();
  private readonly windows = new Set<Window>();
  private readonly listeners = new Set<() => void>();
  public readonly times = new Map<string, PodTimes>();
  private stopped = false;

  constructor(private readonly client: KubeClient) {}

  /** Lists and watches the pods of `namespace` (again after every end of the stream). */
  public async watchNamespace(namespace: string): Promise<void> {
    const list = (await this.client.call('GET', `/api/v1/namespaces/${namespace}/pods`)).body;
    const pods = new Map<string, any>();
    for (const p of list.items ?? []) pods.set(p.metadata.uid, p);
    this.pods.set(namespace, pods);
    for (const p of pods.values()) this.note(p);
    this.changed();
    const restart = () => {
      if (this.stopped) return;
      setTimeout(() => this.watchNamespace(namespace).catch(() => restart()), 200);
    };
    this.watches.set(namespace, this.client.watch(`/api/v1/namespaces/${namespace}/pods`, list.metadata.resourceVersion, (e) => {
      if (e.type === 'ERROR') return;
      if (e.type === 'DELETED') pods.delete(e.object.metadata.uid);
      else if (e.type === 'ADDED' || e.type === 'MODIFIED') {
        pods.set(e.object.metadata.uid, e.object);
        this.note(e.object);
      }
      this.changed();
    }, restart));
  }

  private note(pod: any): void {
    const uid = pod.metadata.uid;
    let t = this.times.get(uid);
    if (!t) {
      t = { name: pod.metadata.name, seenAt: Date.now() };
      this.times.set(uid, t);
    }
    if (t.readyAt === undefined && isServing(pod)) t.readyAt = Date.now();
  }

  private changed(): void {
    for (const w of this.windows) w.observe();
    for (const l of [...this.listeners]) l();
  }

  /** Every pod of `namespace` now (copies are not made: do not modify). */
  public podsIn(namespace: string): any[] {
    return [...(this.pods.get(namespace)?.values() ?? [])];
  }

  /** The pods a workload's selector matches. */
  public podsOf(w: Workload): any[] {
    return this.podsIn(w.namespace).filter((p) => matchesSelector(p.metadata?.labels, w.selector));
  }

  public ready(w: Workload): number {
    return this.podsOf(w).filter(isServing).length;
  }

  public active(w: Workload): number {
    return this.podsOf(w).filter(isActive).length;
  }

  /** The scheduler's message for each of the workload's pods that is Pending unscheduled. */
  public pending(w: Workload): string[] {
    return this.podsOf(w).map(unschedulableReason).filter((r): r is string => r !== undefined && r !== 'not scheduled yet');
  }

  /** Starts recording the extremes of `workloads` from now on. */
  public openWindow(workloads: readonly Workload[]): Window {
    const w = new Window(this, workloads);
    this.windows.add(w);
    return w;
  }

  public closeWindow(w: Window): void {
    this.windows.delete(w);
  }

  /**
   * Resolves true once `check()` holds (checked after every pod change and every `pollMs`, for
   * conditions on other objects), or false after `timeoutMs`.
   */
  public waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, pollMs = 1000): Promise<boolean> {
    return new Promise((resolve) => {
      let done = false;
      let busy = false;
      const finish = (value: boolean) => {
        if (done) return;
        done = true;
        this.listeners.delete(test);
        clearInterval(timer);
        clearTimeout(deadline);
        resolve(value);
      };
      const test = () => {
        if (done || busy) return;
        busy = true;
        Promise.resolve(check()).then((ok) => {
          busy = false;
          if (ok) finish(true);
        }, () => {
          busy = false;
        });
      };
      const timer = setInterval(test, pollMs);
      const deadline = setTimeout(() => finish(false), timeoutMs);
      this.listeners.add(test);
      test();
    });
  }

  public stop(): void {
    this.stopped = true;
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
  }
}

/** Pauses for `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
