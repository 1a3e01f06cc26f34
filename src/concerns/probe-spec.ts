/**
 * Probes as plain Kubernetes data, and their comparison. Kept apart from probes.ts (which builds
 * probes from cdk8s Durations) so that the audit's rules load without cdk8s.
 */

/** What a probe checks. */
export interface ProbeHandlerSpec {
  readonly httpGet?: { readonly path: string; readonly port: number | string; readonly scheme?: string };
  readonly tcpSocket?: { readonly port: number | string };
  readonly exec?: { readonly command: string[] };
  readonly grpc?: { readonly port: number; readonly service?: string };
}

/** A probe as plain Kubernetes data. */
export interface ProbeSpec extends ProbeHandlerSpec {
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly initialDelaySeconds?: number;
}

/** Whether two probes check the same thing the same way (an unset initial delay is 0). */
export function sameProbe(a: ProbeSpec, b: ProbeSpec): boolean {
  return (a.initialDelaySeconds ?? 0) === (b.initialDelaySeconds ?? 0) && sameData(a, b, 'initialDelaySeconds');
}

/** Deep equality of plain data, key order included (as JSON.stringify of both would compare them); `skip` is a top-level key left out. */
function sameData(a: unknown, b: unknown, skip?: string): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => k !== skip && (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => k !== skip && (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameData((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]])) return false;
  }
  return true;
}
