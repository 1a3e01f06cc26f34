/** Rules about health probes: traffic only to pods that can serve it, restarts only when stuck. */
import { ProbeSpec, sameProbe } from '../concerns/probe-spec';
import { ContainerAt, containersOf, declaredPorts, isObject, isPortName, listNames, LONG_RUNNING_KINDS, Workload, WORKLOAD_KINDS } from './model';
import { Rule } from './rule';
import { servingContainers } from './shutdown-rules';
import { Violation } from './types';

const GROUP = 'Probes';

/** Fields the API server fills in when a probe leaves them out. */
const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 };

/**
 * A probe as the API server stores it, with its keys in a fixed order so that two probes written
 * differently but meaning the same compare equal. The liveness-only terminationGracePeriodSeconds
 * does not change what is checked and is left out.
 */
export function canonicalProbe(probe: Record<string, any>): ProbeSpec {
  const { terminationGracePeriodSeconds: _ignored, ...rest } = probe;
  const filled: Record<string, any> = { ...PROBE_DEFAULTS, ...rest };
  if (isObject(filled.httpGet)) filled.httpGet = { path: '/', scheme: 'HTTP', ...filled.httpGet };
  return sortKeys(filled) as ProbeSpec;
}

/** One field of a probe as canonicalProbe fills it in, without building the canonical probe. */
function filledField(probe: Record<string, any>, key: keyof typeof PROBE_DEFAULTS): unknown {
  return Object.prototype.hasOwnProperty.call(probe, key) ? probe[key] : PROBE_DEFAULTS[key];
}

/** Seconds of failures before the probe gives up (periodSeconds x failureThreshold, defaults filled in). */
function probeTolerance(probe: Record<string, any>): number {
  return (filledField(probe, 'periodSeconds') as number) * (filledField(probe, 'failureThreshold') as number);
}

/** Numbers that differ make two probes differ: most pairs are told apart without canonicalising them. */
const QUICK_FIELDS = ['periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'] as const;
function surelyDifferent(a: Record<string, any>, b: Record<string, any>): boolean {
  return QUICK_FIELDS.some((key) => {
    const x = filledField(a, key);
    const y = filledField(b, key);
    return typeof x === 'number' && typeof y === 'number' && x !== y;
  });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
  return out;
}

/**
 * Containers that should prove readiness: those a Service sends traffic to. Without a Service
 * (in the audit) nothing routes traffic by readiness, so nothing is demanded.
 */
function trafficContainers(w: Workload): ContainerAt[] {
  return w.services.length > 0 ? servingContainers(w) : [];
}

export const readinessProbeMissing: Rule = {
  id: 'readiness-probe-missing',
  severity: 'error',
  group: GROUP,
  title: 'A container that a Service sends traffic to has no readiness probe',
  reason: 'Without a readiness probe a container counts as ready as soon as its process starts: Services send it requests while it is still booting, warming caches or connecting to its database, and a rollout moves on to the next pod before this one can serve. Only pods that a Service in the audit selects are checked.',
  fix: 'Add a readinessProbe that answers only when the app can serve (an HTTP health endpoint, a gRPC health check or at least a TCP check on the serving port).',
  kinds: LONG_RUNNING_KINDS,
  crossObject: true,
  check: ({ workload: w }) => trafficContainers(w!)
    .filter((c) => !isObject(c.container.readinessProbe))
    .map((c): Violation => ({
      path: [...c.path, 'readinessProbe'],
      message: `container "${c.name}" gets traffic from Service ${listNames(w!.services, (s) => String(s.metadata?.name))} but has no readiness probe, so it gets requests before it can answer them`,
    })),
};

export const livenessProbeMissing: Rule = {
  id: 'liveness-probe-missing',
  severity: 'warning',
  group: GROUP,
  title: 'The main container has no liveness probe',
  reason: 'A process that deadlocks or stops making progress without exiting is never restarted without a liveness probe: it keeps its place (and, if it still passes readiness, its traffic) until someone notices.',
  fix: 'Add a livenessProbe that checks only that the process itself is alive (e.g. a TCP check or a /livez endpoint that calls no dependency), more tolerant than readiness.',
  kinds: LONG_RUNNING_KINDS,
  crossObject: true,
  check: ({ workload: w }) => {
    const traffic = trafficContainers(w!);
    const candidates = traffic.length > 0 ? traffic : containersOf(w!).slice(0, 1);
    return candidates
      .filter((c) => !isObject(c.container.livenessProbe))
      .map((c): Violation => ({ path: [...c.path, 'livenessProbe'], message: `container "${c.name}" has no liveness probe, so a hung process is never restarted` }));
  },
};

function handlerKind(probe: Record<string, any>): string {
  return probe.httpGet ? 'httpGet' : probe.tcpSocket ? 'tcpSocket' : probe.exec ? 'exec' : probe.grpc ? 'grpc' : '';
}

export const livenessSameAsReadiness: Rule = {
  id: 'liveness-same-as-readiness',
  severity: 'error',
  group: GROUP,
  title: 'The liveness probe is identical to the readiness probe',
  reason: 'Readiness answers "should this pod get traffic now", liveness "is this process beyond repair". When they are the same check, a pod that is merely overloaded or cut off from a dependency is restarted instead of taken out of traffic, and under load or during a database outage every replica restarts at once.',
  fix: 'Make liveness a cheaper, more tolerant check (a TCP check or a /livez endpoint that calls no dependency) with a higher failureThreshold than readiness.',
  kinds: LONG_RUNNING_KINDS,
  check: ({ workload: w }) => containersOf(w!)
    .filter((c) => isObject(c.container.readinessProbe) && isObject(c.container.livenessProbe)
      // Probes of different kinds (HTTP and TCP) differ: only same-kind ones need the full comparison.
      && handlerKind(c.container.readinessProbe) === handlerKind(c.container.livenessProbe)
      && !surelyDifferent(c.container.readinessProbe, c.container.livenessProbe)
      && sameProbe(canonicalProbe(c.container.readinessProbe), canonicalProbe(c.container.livenessProbe)))
    .map((c): Violation => ({
      path: [...c.path, 'livenessProbe'],
      message: `container "${c.name}" uses the same check for liveness as for readiness, so a busy pod is restarted instead of being taken out of traffic`,
    })),
};

export const livenessLessTolerant: Rule = {
  id: 'liveness-less-tolerant',
  severity: 'warning',
  group: GROUP,
  title: 'The liveness probe gives up sooner than the readiness probe',
  reason: 'When liveness fails faster than readiness (periodSeconds x failureThreshold), a struggling pod is restarted before it has even been taken out of traffic; restarts then add load to the remaining pods.',
  fix: 'Raise the liveness periodSeconds or failureThreshold so that liveness tolerates failures longer than readiness.',
  kinds: LONG_RUNNING_KINDS,
  check: ({ workload: w }) => {
    const out: Violation[] = [];
    for (const c of containersOf(w!)) {
      if (!isObject(c.container.readinessProbe) || !isObject(c.container.livenessProbe)) continue;
      const readiness = probeTolerance(c.container.readinessProbe);
      const liveness = probeTolerance(c.container.livenessProbe);
      if (liveness >= readiness) continue;
      out.push({
        path: [...c.path, 'livenessProbe'],
        message: `container "${c.name}" is restarted after ${liveness}s of liveness failures but leaves traffic only after ${readiness}s of readiness failures`,
        fix: `raise the liveness periodSeconds x failureThreshold to at least ${readiness}s`,
      });
    }
    return out;
  },
};

const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;
const HOOKS = ['preStop', 'postStart'] as const;

export const probePortUndeclared: Rule = {
  id: 'probe-port-undeclared',
  severity: 'error',
  group: GROUP,
  title: 'A probe or lifecycle hook targets a named port the container does not declare',
  reason: 'A named port is looked up in the container\'s own `ports`; when the container does not declare it, the name cannot be resolved and the probe or hook fails every time: the pod never becomes ready, or is restarted in a loop. (A numeric port is probed whether or not it is declared, so numbers are not checked; placeholders such as `${PORT}` are left to the field-type rule.)',
  fix: 'Declare the port in the container\'s `ports` with that name, or point the probe at a declared name or at a port number.',
  kinds: WORKLOAD_KINDS,
  check: ({ workload: w }) => {
    const out: Violation[] = [];
    for (const c of containersOf(w!)) {
      const own = declaredPorts(c.container);
      const handlers: Array<[ReadonlyArray<string>, unknown]> = [
        ...PROBES.map((p): [string[], unknown] => [[p], c.container[p]]),
        ...HOOKS.map((h): [string[], unknown] => [['lifecycle', h], c.container.lifecycle?.[h]]),
      ];
      for (const [field, handler] of handlers) {
        if (!isObject(handler)) continue;
        for (const type of ['httpGet', 'tcpSocket', 'grpc']) {
          const port = isObject(handler[type]) ? handler[type].port : undefined;
          // Numbers need no declaration; anything but a port name is the field-type rule's concern.
          if (typeof port !== 'string' || !isPortName(port)) continue;
          if (own.some((p) => p.name === port)) continue;
          const list = own.map((p) => (p.name ? `${p.number}/${p.name}` : String(p.number))).join(', ') || 'none';
          out.push({
            path: [...c.path, ...field, type, 'port'],
            message: `container "${c.name}" ${field.join('.')} checks the named port "${port}", which the container does not declare (declared: ${list}), so the check can never succeed`,
          });
        }
      }
    }
    return out;
  },
};

export const PROBE_RULES: Rule[] = [readinessProbeMissing, livenessProbeMissing, livenessSameAsReadiness, livenessLessTolerant, probePortUndeclared];
