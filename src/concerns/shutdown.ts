/**
 * Graceful shutdown. The kubelet starts one clock when a pod is deleted: the preStop hook runs,
 * then SIGTERM is sent, then SIGKILL when terminationGracePeriodSeconds is over. preStop and the
 * app's own shutdown therefore share one budget, and the grace period is derived from both.
 */
import { Duration } from 'cdk8s';
import { requireSetting } from './errors';
import { HelperTool, requireTool, resolveToolbox, Toolbox } from './image-tools';

/** A Kubernetes lifecycle handler (the `lifecycle.preStop` / `postStart` value), as plain data. */
export interface LifecycleHandlerSpec {
  readonly exec?: { readonly command: string[] };
  readonly httpGet?: { readonly path: string; readonly port: number | string; readonly scheme?: string };
}

/** Seconds of pause before the app is told to stop, so endpoints and load balancers move traffic away. */
export const DEFAULT_DRAIN_PAUSE = Duration.seconds(5);
/** Time a typical stateless service needs after SIGTERM to finish in-flight requests. */
export const DEFAULT_APP_SHUTDOWN = Duration.seconds(20);
/** Slack on top of preStop + shutdown: signal delivery, slow disks and the kubelet's own timing. */
export const SHUTDOWN_SAFETY_MARGIN = Duration.seconds(5);

export interface DrainPauseOptions {
  /** How long to keep serving after the pod left the endpoints. @default 5 seconds */
  readonly drainPause?: Duration;
}

export interface NginxQuitOptions extends DrainPauseOptions {
  /** Where the nginx master writes its PID (nginx-unprivileged images use /tmp/nginx.pid). @default '/var/run/nginx.pid' */
  readonly pidFile?: string;
}

export interface HttpGetHookOptions {
  /** Port of the endpoint (a declared container port). */
  readonly port: number;
  /** How long the endpoint takes to answer; counted in the grace period. @default 5 seconds */
  readonly expectedDuration?: Duration;
  /** @default 'HTTP' */
  readonly scheme?: 'HTTP' | 'HTTPS';
}

/** What a hook is rendered against: the container's tools and its init process. */
export interface HookContext {
  readonly tools: Toolbox;
  /** Kind of the init process of the container ('shared-process-namespace', 'dumb-init' ...). */
  readonly initKind: string;
  /** Field path for error messages, e.g. "container.preStop". */
  readonly field: string;
}

/** The tools of a plain shell image, for rendering a hook outside a pod. */
const PLAIN_CONTEXT: HookContext = { tools: resolveToolbox(undefined, undefined), initKind: 'none', field: 'preStop' };

type Render = (ctx: HookContext) => LifecycleHandlerSpec | undefined;

/**
 * A lifecycle hook: what runs in preStop (or postStart), how long it is expected to take before
 * SIGTERM may be sent, and which helper tools it needs inside the image. The command is rendered
 * per container, so it uses the image's own tools or injected ones by absolute path.
 */
export class LifecycleHook {
  /** Keep serving for a short pause, then let the kubelet send SIGTERM. Needs `sleep`. */
  public static drainPause(options: DrainPauseOptions = {}): LifecycleHook {
    const pause = wholeSeconds(options.drainPause ?? DEFAULT_DRAIN_PAUSE, 'drainPause');
    return new LifecycleHook('drain-pause', ({ tools }) => ({ exec: { command: [...tools.argv('sleep'), String(pause)] } }), pause, ['sleep'],
      `pause ${pause}s so endpoints and load balancers stop sending traffic`);
  }

  /**
   * nginx: pause, then `nginx -s quit` (finish open requests, then exit) and wait until the master
   * is gone. Without the wait the kubelet would send SIGTERM right away, which makes nginx stop
   * fast and drop the requests that `quit` was meant to finish.
   */
  public static nginx(options: NginxQuitOptions = {}): LifecycleHook {
    const pause = wholeSeconds(options.drainPause ?? DEFAULT_DRAIN_PAUSE, 'drainPause');
    const pidFile = options.pidFile ?? '/var/run/nginx.pid';
    return new LifecycleHook('nginx', ({ tools }) => {
      const sleep = tools.word('sleep');
      const script = `${sleep} ${pause}; /usr/sbin/nginx -s quit; while kill -0 "$(${tools.word('cat')} ${pidFile} 2>/dev/null)" 2>/dev/null; do ${sleep} 1; done`;
      return { exec: { command: [...tools.argv('sh'), '-c', script] } };
    }, pause, ['sh', 'sleep', 'cat'], `pause ${pause}s, then nginx -s quit and wait for the master to exit`);
  }

  /**
   * JVM: pause, then SIGTERM the JVM and wait until it has exited, so its shutdown hooks run to
   * completion inside the grace period. The JVM is reached as PID 1: it is the container's main
   * process, or dumb-init / tini forward the signal to it. No `pidof` or `ps` is needed; a shared
   * process namespace is refused because there PID 1 is the pod's pause process.
   */
  public static jvm(options: DrainPauseOptions = {}): LifecycleHook {
    const pause = wholeSeconds(options.drainPause ?? DEFAULT_DRAIN_PAUSE, 'drainPause');
    return new LifecycleHook('jvm', ({ tools, initKind, field }) => {
      requireSetting(initKind !== 'shared-process-namespace', field, 'jvm',
        'signals PID 1 (the JVM, or the init in front of it), but with a shared process namespace PID 1 is the pod\'s pause process',
        'use InitProcess.dumbInit(), InitProcess.tini() or InitProcess.none() with this preset, or LifecycleHook.drainPause() and let the kubelet\'s SIGTERM reach the JVM');
      const sleep = tools.word('sleep');
      const script = `${sleep} ${pause}; kill -TERM 1 && while kill -0 1 2>/dev/null; do ${sleep} 1; done`;
      return { exec: { command: [...tools.argv('sh'), '-c', script] } };
    }, pause, ['sh', 'sleep'], `pause ${pause}s, then SIGTERM the JVM (PID 1) and wait until it exits`);
  }

  /**
   * PostgreSQL: a "fast" shutdown (roll back open transactions, write a checkpoint, exit) that
   * waits up to `stopTimeout`. The kubelet's SIGTERM alone asks for a "smart" shutdown, which
   * waits for every client to disconnect and so often runs into SIGKILL.
   */
  public static postgres(options: { stopTimeout?: Duration } = {}): LifecycleHook {
    const timeout = wholeSeconds(options.stopTimeout ?? Duration.seconds(45), 'stopTimeout');
    return new LifecycleHook('postgres', ({ tools }) => ({ exec: { command: [...tools.argv('sh'), '-c', `pg_ctl stop -D "$PGDATA" -m fast -w -t ${timeout}`] } }),
      timeout, ['sh'], `pg_ctl stop -m fast, waiting up to ${timeout}s`);
  }

  /** Any command (the image must have it), with the time it takes before SIGTERM may follow. */
  public static command(command: string[], expectedDuration: Duration): LifecycleHook {
    requireSetting(command.length > 0, 'command', command, 'is empty', 'give the program and its arguments, e.g. ["/app/bin/drain"]');
    const seconds = wholeSeconds(expectedDuration, 'expectedDuration');
    return new LifecycleHook('command', () => ({ exec: { command } }), seconds, [], `run ${command.join(' ')}`);
  }

  /**
   * An HTTP GET to the app itself: needs no binary in the image. `expectedDuration` (how long the
   * endpoint takes to answer, e.g. while it drains) counts in the grace period.
   */
  public static httpGet(path: string, options: HttpGetHookOptions): LifecycleHook {
    requireSetting(path.startsWith('/'), 'httpGet.path', path, 'must start with "/"', `use "/${path}"`);
    const seconds = wholeSeconds(options.expectedDuration ?? DEFAULT_DRAIN_PAUSE, 'expectedDuration');
    const handler = { httpGet: { path, port: options.port, ...(options.scheme ? { scheme: options.scheme } : {}) } };
    return new LifecycleHook('http-get', () => handler, seconds, [], `GET ${path} on port ${options.port}`);
  }

  /** No hook: for workloads that receive no traffic through a Service. */
  public static none(): LifecycleHook {
    return new LifecycleHook('none', () => undefined, 0, [], 'no preStop hook');
  }

  private constructor(
    /** Which preset this is. */
    public readonly kind: string,
    private readonly render: Render,
    /** Seconds the hook takes before the app is asked to stop. */
    public readonly seconds: number,
    /** Helper tools the image must provide (or that must be injected) for the hook to run. */
    public readonly requiredTools: HelperTool[],
    /** One line for humans and for the shutdown budget annotation. */
    public readonly description: string,
  ) {}

  /** The handler as rendered for a plain shell image. */
  public get handler(): LifecycleHandlerSpec | undefined {
    return this.render(PLAIN_CONTEXT);
  }

  /** The handler for one container: checks that every tool it needs is there. */
  public renderFor(ctx: HookContext): LifecycleHandlerSpec | undefined {
    for (const tool of this.requiredTools) {
      requireTool(ctx.tools, tool, ctx.field, this.kind, this.kind === 'http-get' ? undefined : 'use LifecycleHook.httpGet(...) against an endpoint of the app, which needs no binary');
    }
    return this.render(ctx);
  }
}

export interface ShutdownProps {
  /**
   * What runs before SIGTERM.
   * @default LifecycleHook.drainPause() for workloads that serve traffic
   */
  readonly preStop?: LifecycleHook;
  /**
   * How long the app needs after SIGTERM to finish its work and exit.
   * @default 20 seconds (stateless); workloads may pass their own default
   */
  readonly appShutdown?: Duration;
  /**
   * An explicit terminationGracePeriodSeconds. Must cover preStop + appShutdown.
   * @default preStop + appShutdown + 5 s safety margin
   */
  readonly terminationGracePeriod?: Duration;
}

export interface ShutdownDefaults {
  readonly preStop: LifecycleHook;
  readonly appShutdown: Duration;
}

export interface ShutdownPlan {
  readonly preStop: LifecycleHook;
  readonly preStopSeconds: number;
  readonly appShutdownSeconds: number;
  readonly marginSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  /** e.g. "grace 30s = preStop 5s + app shutdown 20s + margin 5s" */
  readonly explanation: string;
}

/** Derives the grace period from the preStop hook and the app's shutdown time. */
export function planShutdown(props: ShutdownProps = {}, defaults: ShutdownDefaults, sidecarHooks: LifecycleHook[] = []): ShutdownPlan {
  const preStop = props.preStop ?? defaults.preStop;
  const appShutdownSeconds = wholeSeconds(props.appShutdown ?? defaults.appShutdown, 'shutdown.appShutdown');
  // Every container's preStop runs in parallel on the same clock; the longest one counts.
  const preStopSeconds = Math.max(preStop.seconds, ...sidecarHooks.map((h) => h.seconds));
  const needed = preStopSeconds + appShutdownSeconds;
  if (props.terminationGracePeriod !== undefined) {
    const explicit = wholeSeconds(props.terminationGracePeriod, 'shutdown.terminationGracePeriod');
    requireSetting(explicit >= needed, 'shutdown.terminationGracePeriod', `${explicit}s`,
      `is shorter than preStop (${preStopSeconds}s) + appShutdown (${appShutdownSeconds}s) = ${needed}s, so the kubelet would SIGKILL the app mid-shutdown`,
      `leave terminationGracePeriod unset to derive ${needed + SHUTDOWN_SAFETY_MARGIN.toSeconds()}s, set it to at least ${needed}s, or shorten preStop/appShutdown`);
    return {
      preStop, preStopSeconds, appShutdownSeconds, marginSeconds: explicit - needed,
      terminationGracePeriodSeconds: explicit,
      explanation: `grace ${explicit}s (explicit) >= preStop ${preStopSeconds}s + app shutdown ${appShutdownSeconds}s`,
    };
  }
  const margin = SHUTDOWN_SAFETY_MARGIN.toSeconds();
  const grace = needed + margin;
  return {
    preStop, preStopSeconds, appShutdownSeconds, marginSeconds: margin,
    terminationGracePeriodSeconds: grace,
    explanation: `grace ${grace}s = preStop ${preStopSeconds}s + app shutdown ${appShutdownSeconds}s + margin ${margin}s`,
  };
}

/** Durations in pod specs are whole seconds; refuse fractions rather than round them silently. */
export function wholeSeconds(duration: Duration, field: string): number {
  const ms = duration.toMilliseconds();
  const shown = `${ms / 1000}s`;
  requireSetting(ms >= 0, field, shown, 'is negative', 'use a duration of zero or more seconds');
  requireSetting(ms % 1000 === 0, field, shown, 'is not a whole number of seconds (Kubernetes counts these in seconds)', `use Duration.seconds(${Math.ceil(ms / 1000)})`);
  return ms / 1000;
}
