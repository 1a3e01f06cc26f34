/**
 * Which manifests need a Pod Security level above `restricted`, and how a set of manifests is
 * split into namespaces by level. Everything not listed here must run under `restricted`.
 */
import { Manifest, PodSecurityLevel } from '../support/cluster';

export type PodSecurityException = { ref: string; level: PodSecurityLevel; why: string; documentedIn: string };

/**
 * Workloads whose pods need more than `restricted`, by `Kind/name`, with the level they get.
 * Each level is the least one that admits the workload (a test checks the levels below refuse it).
 */
export const POD_SECURITY_EXCEPTIONS: PodSecurityException[] = [
  {
    ref: 'DaemonSet/log-agent',
    level: 'privileged',
    why: 'hostPath volumes (/var/log, /var/lib/fluent-bit) are outside baseline; it also runs as uid 0',
    documentedIn: 'src/main.ts (the log agent) and README "Pod Security levels"',
  },
  {
    ref: 'DaemonSet/test-exporter',
    level: 'privileged',
    why: 'hostPort 9100 is outside baseline',
    documentedIn: 'the ResilientDaemonSet test "a hostPort exporter ..." (a node exporter, by design)',
  },
];

export const LEVELS: PodSecurityLevel[] = ['restricted', 'baseline', 'privileged'];

const refOf = (o: Manifest) => `${o.kind}/${o.metadata.name}`;

/** The ConfigMaps and Secrets a workload's pods mount or read, by name. */
function referencedConfig(workload: Manifest): Set<string> {
  const names = new Set<string>();
  const text = JSON.stringify(workload.spec ?? {});
  for (const m of text.matchAll(/"(?:configMap|configMapRef|configMapKeyRef|secret|secretRef|secretKeyRef)":\{[^}]*?"(?:name|secretName)":"([^"]+)"/g)) names.add(m[1]);
  return names;
}

/**
 * Splits manifests by the Pod Security level their namespace needs: an excepted workload goes
 * to its level with a copy of the ConfigMaps it references; everything else stays `restricted`.
 */
export function splitByLevel(objects: Manifest[]): Map<PodSecurityLevel, Manifest[]> {
  const byLevel = new Map<PodSecurityLevel, Manifest[]>();
  const add = (level: PodSecurityLevel, o: Manifest) => byLevel.set(level, [...(byLevel.get(level) ?? []), o]);
  const moved = new Set<Manifest>();
  for (const o of objects) {
    const exception = POD_SECURITY_EXCEPTIONS.find((e) => e.ref === refOf(o));
    if (!exception) continue;
    add(exception.level, o);
    moved.add(o);
    const config = referencedConfig(o);
    for (const c of objects) {
      if (c.kind === 'ConfigMap' && config.has(c.metadata.name)) add(exception.level, c);
    }
  }
  for (const o of objects) if (!moved.has(o)) add('restricted', o);
  return byLevel;
}

/** Pod Security warnings among kubectl's warnings. */
export function podSecurityWarnings(warnings: string[]): string[] {
  return warnings.filter((w) => /PodSecurity/.test(w));
}
