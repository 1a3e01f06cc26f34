/**
 * Health probes. Readiness decides whether a pod gets traffic; liveness decides whether it is
 * restarted; startup holds liveness off while a slow app boots. Liveness must be the more
 * tolerant of the two and must not depend on downstream services, or a slow database restarts
 * every pod at once.
 */
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { INT32_MAX, InvalidSetting, requireSetting, requireWholeNumber } from './errors';
import { ProbeHandlerSpec, ProbeSpec, sameProbe } from './probe-spec';
import { wholeSeconds } from './shutdown';

export { sameProbe };

/** When and how often a probe runs, and how many results decide. */
export interface ProbeTiming {
  /** @default depends on the probe: readiness 5 s, liveness 10 s, startup 5 s */
  readonly period?: Duration;
  /** Must not exceed the period. @default 1 second for readiness/startup, 3 seconds for liveness */
  readonly timeout?: Duration;
  /** @default readiness 3, liveness 6, startup derived from startupTimeout */
  readonly failureThreshold?: number;
  /** Only readiness may use more than 1 (Kubernetes requires 1 for liveness and startup). @default 1 */
  readonly successThreshold?: number;
  /** Prefer a startup probe to an initial delay. @default 0 */
  readonly initialDelay?: Duration;
}

export type { ProbeHandlerSpec, ProbeSpec } from './probe-spec';

/** Options of HealthCheck.httpGet(). */
export interface HttpCheckOptions extends ProbeTiming {
  /** Port number or declared port name. @default the container's first port */
  readonly port?: number | string;
  /** @default ConnectionScheme.HTTP */
  readonly scheme?: kplus.ConnectionScheme;
}

/** Options of HealthCheck.tcp(). */
export interface PortCheckOptions extends ProbeTiming {
  /** Port number or declared port name. @default the container's first port */
  readonly port?: number | string;
}

/** Options of HealthCheck.grpc(). */
export interface GrpcCheckOptions extends ProbeTiming {
  /** gRPC port: a number, which must be a declared container port. @default the container's first port */
  readonly port?: number;
  /** Service name sent in the gRPC health request. @default '' (the server's overall health) */
  readonly service?: string;
}

/** How a probe checks the container (HTTP, TCP, exec or gRPC), plus optional timing. */
export class HealthCheck {
  /**
   * An HTTP GET: any status from 200 to 399 is a success.
   * @param path the path to request, starting with "/"
   */
  public static httpGet(path: string, options: HttpCheckOptions = {}): HealthCheck {
    const problem = typeof path === 'string' && path.startsWith('/') ? undefined
      : new InvalidSetting('httpGet.path', path, 'must start with "/"', `use "/${path}"`);
    return new HealthCheck('httpGet', (port) => ({ httpGet: { path, port, ...(options.scheme ? { scheme: options.scheme } : {}) } }), options.port, options, true, problem);
  }

  /** A TCP connection to the port: the app accepts connections. */
  public static tcp(options: PortCheckOptions = {}): HealthCheck {
    return new HealthCheck('tcpSocket', (port) => ({ tcpSocket: { port } }), options.port, options);
  }

  /**
   * A command run inside the container: exit code 0 is a success. The image must have it.
   * @param command the program and its arguments
   */
  public static exec(command: string[], options: ProbeTiming = {}): HealthCheck {
    const problem = Array.isArray(command) && command.length > 0 && command.every((w) => typeof w === 'string') && command[0].length > 0 ? undefined
      : new InvalidSetting('exec.command', command, Array.isArray(command) && command.length === 0 ? 'is empty' : 'must be a list of strings with the program first', 'give the program and its arguments, e.g. ["/app/healthcheck"]');
    return new HealthCheck('exec', () => ({ exec: { command } }), undefined, options, false, problem);
  }

  /** gRPC health checking protocol (GA in Kubernetes 1.27). */
  public static grpc(options: GrpcCheckOptions = {}): HealthCheck {
    return new HealthCheck('grpc', (port) => ({ grpc: { port: port as number, ...(options.service ? { service: options.service } : {}) } }), options.port, options);
  }

  private constructor(
    /** @jsii ignore */
    public readonly type: 'httpGet' | 'tcpSocket' | 'exec' | 'grpc',
    private readonly render: (port: number | string) => ProbeHandlerSpec,
    /** @jsii ignore */
    public readonly port: number | string | undefined,
    /** @jsii ignore */
    public readonly timing: ProbeTiming,
    /** @jsii ignore */
    public readonly usesPort = true,
    /** A bad argument of the factory, raised by the construct that uses the check. */
    private readonly problem?: InvalidSetting,
  ) {}

  /**
   * The handler with its port resolved against the container's declared ports.
   * @jsii ignore
   */
  public handler(declaredPorts: DeclaredPort[], field: string): ProbeHandlerSpec {
    if (this.problem) throw new InvalidSetting(`${field}.${this.problem.field}`, this.problem.value, this.problem.problem, this.problem.fix);
    if (!this.usesPort) return this.render('');
    const port = this.port ?? declaredPorts[0]?.number;
    requireSetting(port !== undefined, `${field}.port`, port, 'is not set and the container declares no port',
      'declare the port on the container (portNumber or ports) or give the probe a port');
    if (this.type === 'grpc') {
      requireSetting(typeof port === 'number', `${field}.port`, port, 'must be a port number for gRPC probes (Kubernetes has no named gRPC port)', 'use the numeric port');
    }
    if (!isDeclared(port!, declaredPorts)) {
      throw new InvalidSetting(`${field}.port`, port, `is not a port the container declares (declared: ${declaredPorts.map((p) => p.name ? `${p.number}/${p.name}` : p.number).join(', ') || 'none'})`,
        'declare the port on the container, or probe a declared one');
    }
    return this.render(port!);
  }

  /** The same check with other timing. */
  public withTiming(timing: ProbeTiming): HealthCheck {
    return new HealthCheck(this.type, this.render, this.port, Object.assign({}, this.timing, timing), this.usesPort, this.problem);
  }
}

export interface DeclaredPort {
  readonly number: number;
  readonly name?: string;
}

function isDeclared(port: number | string, declared: DeclaredPort[]): boolean {
  return declared.some((p) => (typeof port === 'number' ? p.number === port : p.name === port));
}

/** A container's readiness, liveness and startup probes. */
export interface ProbesProps {
  /** @default TCP check on the first declared port, every 5 s, 3 failures */
  readonly readiness?: HealthCheck;
  /**
   * @default TCP check on the first declared port, every 10 s, 6 failures (60 s before a restart):
   * it only asks "is the process alive", never "are my dependencies up"
   */
  readonly liveness?: HealthCheck;
  /** @default the liveness check, every 5 s, for up to `startupTimeout` */
  readonly startup?: HealthCheck;
  /** How long the app may take to start before it is restarted. @default 60 seconds */
  readonly startupTimeout?: Duration;
}

export interface ProbePlan {
  readonly readinessProbe: ProbeSpec;
  readonly livenessProbe: ProbeSpec;
  readonly startupProbe: ProbeSpec;
}

export const DEFAULT_STARTUP_TIMEOUT = Duration.seconds(60);
const READINESS_DEFAULTS = { period: 5, timeout: 1, failureThreshold: 3 };
const LIVENESS_DEFAULTS = { period: 10, timeout: 3, failureThreshold: 6 };
const STARTUP_PERIOD = 5;

/** Readiness, liveness and startup probes for one container. */
export function planProbes(props: ProbesProps, declaredPorts: DeclaredPort[], field: string): ProbePlan {
  const needsDefault = !props.readiness || !props.liveness;
  requireSetting(!needsDefault || declaredPorts.length > 0, `${field}.probes`, undefined,
    'cannot get default probes because the container declares no port',
    'declare the port the app listens on, or give probes.readiness and probes.liveness (e.g. HealthCheck.exec([...]))');

  const readiness = toProbe(props.readiness ?? HealthCheck.tcp(), READINESS_DEFAULTS, declaredPorts, `${field}.probes.readiness`);
  const livenessCheck = props.liveness ?? HealthCheck.tcp();
  const liveness = toProbe(livenessCheck, LIVENESS_DEFAULTS, declaredPorts, `${field}.probes.liveness`);

  const startupTimeout = wholeSeconds(props.startupTimeout ?? DEFAULT_STARTUP_TIMEOUT, `${field}.probes.startupTimeout`);
  requireSetting(startupTimeout > 0, `${field}.probes.startupTimeout`, `${startupTimeout}s`, 'must be positive', 'use at least Duration.seconds(10)');
  const startupCheck = props.startup ?? livenessCheck;
  const startupPeriod = startupCheck.timing.period ? wholeSeconds(startupCheck.timing.period, `${field}.probes.startup.period`) : STARTUP_PERIOD;
  // A startup probe that reuses the liveness check also gets its time to answer: a check that
  // liveness accepts in 3 s must not fail every startup attempt under a 1 s timeout.
  const startup = toProbe(startupCheck, {
    period: startupPeriod,
    timeout: props.startup === undefined ? Math.min(liveness.timeoutSeconds, startupPeriod) : READINESS_DEFAULTS.timeout,
    failureThreshold: Math.max(1, Math.ceil(startupTimeout / startupPeriod)),
  }, declaredPorts, `${field}.probes.startup`, props.startup === undefined);

  requireSetting(liveness.successThreshold === 1, `${field}.probes.liveness.successThreshold`, liveness.successThreshold, 'must be 1 (Kubernetes rejects anything else for liveness)', 'remove successThreshold from the liveness check');
  requireSetting(startup.successThreshold === 1, `${field}.probes.startup.successThreshold`, startup.successThreshold, 'must be 1 (Kubernetes rejects anything else for startup)', 'remove successThreshold from the startup check');
  requireSetting(!sameProbe(readiness, liveness), `${field}.probes.liveness`, liveness,
    'is identical to the readiness probe, so a pod that is merely busy or cut off from a dependency is restarted instead of just taken out of traffic',
    'make liveness a cheaper check (e.g. HealthCheck.tcp() or a /livez endpoint that does not call dependencies) with a higher failureThreshold');
  if (toleranceSeconds(liveness) < toleranceSeconds(readiness)) {
    throw new InvalidSetting(`${field}.probes.liveness`, `${toleranceSeconds(liveness)}s of failures`,
      `restarts the container sooner than readiness (${toleranceSeconds(readiness)}s) takes it out of traffic`,
      'raise the liveness failureThreshold or period so liveness is the more tolerant probe');
  }
  return { readinessProbe: readiness, livenessProbe: liveness, startupProbe: startup };
}

/** Seconds of consecutive failures before the probe acts. */
export function toleranceSeconds(probe: ProbeSpec): number {
  return probe.periodSeconds * probe.failureThreshold;
}

function toProbe(check: HealthCheck, defaults: { period: number; timeout: number; failureThreshold: number }, ports: DeclaredPort[], field: string, derivedThreshold = false): ProbeSpec {
  const t = check.timing;
  const periodSeconds = t.period ? wholeSeconds(t.period, `${field}.period`) : defaults.period;
  const timeoutSeconds = t.timeout ? wholeSeconds(t.timeout, `${field}.timeout`) : Math.min(defaults.timeout, periodSeconds);
  const failureThreshold = derivedThreshold ? defaults.failureThreshold : (t.failureThreshold ?? defaults.failureThreshold);
  const successThreshold = t.successThreshold ?? 1;
  if (periodSeconds < 1) throw new InvalidSetting(`${field}.period`, `${periodSeconds}s`, 'must be at least 1 second', 'use Duration.seconds(1) or more');
  if (timeoutSeconds < 1) throw new InvalidSetting(`${field}.timeout`, `${timeoutSeconds}s`, 'must be at least 1 second', 'use Duration.seconds(1) or more');
  if (timeoutSeconds > periodSeconds) {
    throw new InvalidSetting(`${field}.timeout`, `${timeoutSeconds}s`, `is longer than the period (${periodSeconds}s), so checks would overlap`, `use a timeout of at most ${periodSeconds}s or a longer period`);
  }
  if (!isCount(failureThreshold)) requireWholeNumber(failureThreshold, `${field}.failureThreshold`, 1, 'use 1 or more');
  if (!isCount(successThreshold)) requireWholeNumber(successThreshold, `${field}.successThreshold`, 1, 'use 1');
  const initialDelaySeconds = t.initialDelay ? wholeSeconds(t.initialDelay, `${field}.initialDelay`) : undefined;
  // Copied key by key: on Node 20 a copy made by a spread takes a slow path for every key added to it.
  const probe: Record<string, unknown> = Object.assign({}, check.handler(ports, field)) as Record<string, unknown>;
  if (initialDelaySeconds) probe.initialDelaySeconds = initialDelaySeconds;
  probe.periodSeconds = periodSeconds;
  probe.timeoutSeconds = timeoutSeconds;
  probe.failureThreshold = failureThreshold;
  probe.successThreshold = successThreshold;
  return probe as unknown as ProbeSpec;
}

/** A whole number from 1 to the int32 maximum (what requireWholeNumber accepts with min 1). */
function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= INT32_MAX;
}
