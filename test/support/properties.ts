/**
 * Property assertions on synthesized objects: what must hold whatever the snapshot says, so the
 * intent survives refactors. Independent of the library's own rule table on purpose: a test that
 * re-used it could not catch a bug in it.
 */
import { KubeObject } from './synth';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export function podSpecOf(o: KubeObject): any {
  if (o.kind === 'CronJob') return o.spec.jobTemplate.spec.template.spec;
  return o.spec.template.spec;
}

export function podLabelsOf(o: KubeObject): Record<string, string> {
  if (o.kind === 'CronJob') return o.spec.jobTemplate.spec.template.metadata?.labels ?? {};
  return o.spec.template.metadata?.labels ?? {};
}

/** Seconds a preStop exec/httpGet hook takes before SIGTERM, read from `sleep N` in its command. */
export function preStopSeconds(container: any): number {
  const hook = container.lifecycle?.preStop;
  if (!hook) return 0;
  if (hook.httpGet) return 5;
  const text = (hook.exec?.command ?? []).join(' ');
  const sleeps = [...text.matchAll(/sleep\s+(\d+)/g)].map((m) => Number(m[1]));
  return sleeps.length ? Math.max(...sleeps) : 0;
}

export function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Asserts the invariants this library promises for every workload in `objects`. */
export function expectResilientInvariants(objects: KubeObject[], appShutdownSeconds: (workload: KubeObject) => number): void {
  for (const w of objects.filter((o) => WORKLOAD_KINDS.has(o.kind))) {
    const where = `${w.kind}/${w.metadata.name}`;
    const pod = podSpecOf(w);
    const labels = podLabelsOf(w);
    // Selector matches the pod labels.
    expect({ where, matches: matches(w.spec.selector.matchLabels, labels) }).toEqual({ where, matches: true });
    // The grace period covers preStop + the app's shutdown.
    const longestPreStop = Math.max(0, ...pod.containers.map(preStopSeconds));
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(longestPreStop + appShutdownSeconds(w));
    const main = pod.containers[0];
    // Probes exist, differ, and point at declared ports.
    expect(main.readinessProbe).toBeDefined();
    expect(main.livenessProbe).toBeDefined();
    expect(main.livenessProbe).not.toEqual(main.readinessProbe);
    expect(main.livenessProbe.periodSeconds * main.livenessProbe.failureThreshold)
      .toBeGreaterThanOrEqual(main.readinessProbe.periodSeconds * main.readinessProbe.failureThreshold);
    for (const probe of [main.readinessProbe, main.livenessProbe, main.startupProbe].filter(Boolean)) {
      expect(probe.timeoutSeconds).toBeLessThanOrEqual(probe.periodSeconds);
      const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
      if (port !== undefined) {
        const declared = (main.ports ?? []).some((p: any) => p.containerPort === port || p.name === port);
        expect({ where, port, declared }).toEqual({ where, port, declared: true });
      }
    }
    // Requests and limits on every container.
    for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
      expect(c.resources?.requests?.cpu).toBeDefined();
      expect(c.resources?.requests?.memory).toBeDefined();
      expect(c.resources?.limits?.cpu).toBeDefined();
      expect(c.resources?.limits?.memory).toBeDefined();
    }
    // Services and PDBs of this workload select exactly its pods.
    for (const svc of objects.filter((o) => o.kind === 'Service' && o.metadata.labels?.['app.kubernetes.io/instance'] === w.metadata.name)) {
      if (svc.spec.selector) expect(matches(svc.spec.selector, labels)).toBe(true);
    }
    for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget' && matches(o.spec.selector.matchLabels, labels))) {
      expect(pdb.spec.selector.matchLabels).toEqual(w.spec.selector.matchLabels);
      expectPdbNeverBlocksDrain(pdb, minReplicasOf(w, objects));
    }
  }
}

export function minReplicasOf(w: KubeObject, objects: KubeObject[]): number {
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === w.metadata.name && o.spec.scaleTargetRef.kind === w.kind);
  return hpa ? hpa.spec.minReplicas : w.spec.replicas;
}

export function expectPdbNeverBlocksDrain(pdb: KubeObject, minReplicas: number): void {
  const pods = (v: number | string) => (typeof v === 'number' ? v : Math.ceil((parseInt(v, 10) * minReplicas) / 100));
  if (pdb.spec.maxUnavailable !== undefined) expect(pods(pdb.spec.maxUnavailable)).toBeGreaterThanOrEqual(1);
  if (pdb.spec.minAvailable !== undefined) expect(pods(pdb.spec.minAvailable)).toBeLessThan(minReplicas);
  expect(pdb.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
}
