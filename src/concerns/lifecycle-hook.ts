/**
 * Lifecycle hooks (preStop, postStart) and their presets. A hook knows how long it takes before
 * SIGTERM may follow, which helper tools it needs in the image, and which paths it needs
 * writable.
 *
 * Factories never throw: they are called outside any construct, where an error could not say
 * where the hook is used. A bad argument is kept and raised by the construct that uses the hook,
 * with its path and field (`[shop/web] shutdown.preStop.command: [] is empty. Fix: ...`).
 * Presets with a drain pause take the profile's drainPause unless the pause is given here.
 */
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { wholeSeconds } from './durations';
import { InvalidSetting, requireSetting } from './errors';
import { HelperTool, requireTool, resolveToolbox, Toolbox } from './image-tools';
import { DEFAULT_DRAIN_PAUSE_SECONDS } from './shutdown-defaults';

/** A Kubernetes lifecycle handler (the `lifecycle.preStop` / `postStart` value), as plain data. */
export interface LifecycleHandlerSpec {
  readonly exec?: { readonly command: string[] };
  readonly httpGet?: { readonly path: string; readonly port: number | string; readonly scheme?: string };
}

/** Seconds of pause before the app is told to stop, so endpoints and load balancers move traffic away. */
export const DEFAULT_DRAIN_PAUSE = Duration.seconds(DEFAULT_DRAIN_PAUSE_SECONDS);

/** Options of the presets that pause before the app is asked to stop. */
export interface DrainPauseOptions {
  /** How long to keep serving after the pod left the endpoints. @default the profile's drainPause, else 5 seconds */
  readonly drainPause?: Duration;
}

/** Options of LifecycleHook.nginx(). */
export interface NginxQuitOptions extends DrainPauseOptions {
  /**
   * Where the nginx master writes its PID (nginx-unprivileged images use /tmp/nginx.pid). Its
   * directory must be writable: with a read-only root file system the construct mounts an
   * emptyDir there unless a volume is already mounted at or above it.
   * @default '/var/run/nginx.pid'
   */
  readonly pidFile?: string;
}

/** Options of LifecycleHook.httpGet(). */
export interface HttpGetHookOptions {
  /** Port of the endpoint (a declared container port). */
  readonly port: number;
  /** How long the endpoint takes to answer, counted in the grace period. @default 5 seconds */
  readonly expectedDuration?: Duration;
  /** @default ConnectionScheme.HTTP */
  readonly scheme?: kplus.ConnectionScheme;
}

/** Options of LifecycleHook.postgres(). */
export interface PostgresShutdownOptions {
  /** How long `pg_ctl stop -m fast` may wait for the server to stop. @default 45 seconds */
  readonly stopTimeout?: Duration;
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

interface HookSpec {
  readonly render: Render;
  readonly seconds: number;
  readonly requiredTools: HelperTool[];
  readonly description: string;
  readonly writablePaths?: string[];
}

/**
 * A lifecycle hook: what runs in preStop (or postStart), how long it is expected to take before
 * SIGTERM may be sent, and which helper tools it needs inside the image. The command is rendered
 * per container, so it uses the image's own tools or injected ones by absolute path.
 */
export class LifecycleHook {
  /** Keep serving for a short pause, then let the kubelet send SIGTERM. Needs `sleep`. */
  public static drainPause(options: DrainPauseOptions = {}): LifecycleHook {
    return LifecycleHook.pausing('drain-pause', options.drainPause, (pause) => ({
      render: ({ tools }) => ({ exec: { command: [...tools.argv('sleep'), String(pause)] } }),
      seconds: pause,
      requiredTools: ['sleep'],
      description: `pause ${pause}s so endpoints and load balancers stop sending traffic`,
    }));
  }

  /**
   * nginx: pause, then `nginx -s quit` (finish open requests, then exit) and wait until the master
   * is gone. Without the wait the kubelet would send SIGTERM right away, which makes nginx stop
   * fast and drop the requests that `quit` was meant to finish.
   */
  public static nginx(options: NginxQuitOptions = {}): LifecycleHook {
    const pidFile = options.pidFile ?? '/var/run/nginx.pid';
    return LifecycleHook.pausing('nginx', options.drainPause, (pause) => {
      requireSetting(typeof pidFile === 'string' && /^\/[^\s'"$`;&|]*[^/]$/.test(pidFile) && pidFile.lastIndexOf('/') > 0, 'pidFile', pidFile,
        'must be an absolute path of a file below a directory (no spaces or shell characters)', 'use e.g. "/tmp/nginx.pid"');
      return {
        render: ({ tools }) => {
          const sleep = tools.word('sleep');
          const script = `${sleep} ${pause}; /usr/sbin/nginx -s quit; while kill -0 "$(${tools.word('cat')} ${pidFile} 2>/dev/null)" 2>/dev/null; do ${sleep} 1; done`;
          return { exec: { command: [...tools.argv('sh'), '-c', script] } };
        },
        seconds: pause,
        requiredTools: ['sh', 'sleep', 'cat'],
        description: `pause ${pause}s, then nginx -s quit and wait for the master to exit`,
        writablePaths: [pidFile.slice(0, pidFile.lastIndexOf('/'))],
      };
    });
  }

  /**
   * JVM: pause, then SIGTERM the JVM and wait until it has exited, so its shutdown hooks run to
   * completion inside the grace period. The JVM is reached as PID 1: it is the container's main
   * process, or dumb-init / tini forward the signal to it. No `pidof` or `ps` is needed; a shared
   * process namespace is refused because there PID 1 is the pod's pause process.
   */
  public static jvm(options: DrainPauseOptions = {}): LifecycleHook {
    return LifecycleHook.pausing('jvm', options.drainPause, (pause) => ({
      render: ({ tools, initKind, field }) => {
        requireSetting(initKind !== 'shared-process-namespace', field, 'jvm',
          'signals PID 1 (the JVM, or the init in front of it), but with a shared process namespace PID 1 is the pod\'s pause process',
          'use InitProcess.dumbInit(), InitProcess.tini() or InitProcess.none() with this preset, or LifecycleHook.drainPause() and let the kubelet\'s SIGTERM reach the JVM');
        const sleep = tools.word('sleep');
        const script = `${sleep} ${pause}; kill -TERM 1 && while kill -0 1 2>/dev/null; do ${sleep} 1; done`;
        return { exec: { command: [...tools.argv('sh'), '-c', script] } };
      },
      seconds: pause,
      requiredTools: ['sh', 'sleep'],
      description: `pause ${pause}s, then SIGTERM the JVM (PID 1) and wait until it exits`,
    }));
  }

  /**
   * PostgreSQL: a "fast" shutdown (roll back open transactions, write a checkpoint, exit) that
   * waits up to `stopTimeout`. The kubelet's SIGTERM alone asks for a "smart" shutdown, which
   * waits for every client to disconnect and so often runs into SIGKILL.
   */
  public static postgres(options: PostgresShutdownOptions = {}): LifecycleHook {
    return LifecycleHook.checked('postgres', () => {
      const timeout = wholeSeconds(options.stopTimeout ?? Duration.seconds(45), 'stopTimeout');
      return {
        render: ({ tools }) => ({ exec: { command: [...tools.argv('sh'), '-c', `pg_ctl stop -D "$PGDATA" -m fast -w -t ${timeout}`] } }),
        seconds: timeout, requiredTools: ['sh'], description: `pg_ctl stop -m fast, waiting up to ${timeout}s`,
      };
    });
  }

  /** Any command (the image must have it), with the time it takes before SIGTERM may follow. */
  public static command(command: string[], expectedDuration: Duration): LifecycleHook {
    return LifecycleHook.checked('command', () => {
      requireSetting(Array.isArray(command) && command.length > 0, 'command', command, 'is empty', 'give the program and its arguments, e.g. ["/app/bin/drain"]');
      requireSetting(command.every((word) => typeof word === 'string') && command[0].length > 0, 'command', command,
        'must be a list of strings with the program first', 'give the program and its arguments, e.g. ["/app/bin/drain"]');
      const seconds = wholeSeconds(expectedDuration, 'expectedDuration');
      return { render: () => ({ exec: { command } }), seconds, requiredTools: [], description: `run ${command.join(' ')}` };
    });
  }

  /**
   * An HTTP GET to the app itself: needs no binary in the image. `expectedDuration` (how long the
   * endpoint takes to answer, e.g. while it drains) counts in the grace period.
   */
  public static httpGet(path: string, options: HttpGetHookOptions): LifecycleHook {
    return LifecycleHook.checked('http-get', () => {
      requireSetting(typeof path === 'string' && path.startsWith('/'), 'httpGet.path', path, 'must start with "/"', `use "/${path}"`);
      const seconds = wholeSeconds(options.expectedDuration ?? DEFAULT_DRAIN_PAUSE, 'expectedDuration');
      const handler = { httpGet: { path, port: options.port, ...(options.scheme ? { scheme: options.scheme } : {}) } };
      return { render: () => handler, seconds, requiredTools: [], description: `GET ${path} on port ${options.port}` };
    });
  }

  /** No hook: for workloads that receive no traffic through a Service. */
  public static none(): LifecycleHook {
    return new LifecycleHook('none', { render: () => undefined, seconds: 0, requiredTools: [], description: 'no preStop hook' });
  }

  private static checked(kind: string, build: () => HookSpec, withPause?: (pause: Duration) => LifecycleHook): LifecycleHook {
    try {
      return new LifecycleHook(kind, build(), undefined, withPause);
    } catch (e) {
      if (e instanceof InvalidSetting) return new LifecycleHook(kind, undefined, e, withPause);
      throw e;
    }
  }

  /** A preset with a drain pause: the given one, or the profile's when the construct resolves it. */
  private static pausing(kind: string, explicit: Duration | undefined, build: (pause: number) => HookSpec): LifecycleHook {
    const make = (pause: Duration) => () => build(wholeSeconds(pause, 'drainPause'));
    const fromProfile = explicit === undefined ? (pause: Duration) => LifecycleHook.checked(kind, make(pause)) : undefined;
    return LifecycleHook.checked(kind, make(explicit ?? DEFAULT_DRAIN_PAUSE), fromProfile);
  }

  private constructor(
    /** Which preset this is. */
    public readonly kind: string,
    private readonly spec: HookSpec | undefined,
    private readonly problem?: InvalidSetting,
    /** Set when the drain pause was not given, so the profile's may be used. */
    private readonly withPause?: (pause: Duration) => LifecycleHook,
  ) {}

  /** Seconds the hook takes before the app is asked to stop. */
  public get seconds(): number {
    return this.valid.seconds;
  }

  /**
   * Helper tools the image must provide (or that must be injected) for the hook to run.
   * @jsii ignore
   */
  public get requiredTools(): HelperTool[] {
    return this.valid.requiredTools;
  }

  /** One line for humans and for the shutdown budget annotation. */
  public get description(): string {
    return this.valid.description;
  }

  /** Directories the hook (or the program it manages) writes to, e.g. nginx's PID file directory. */
  public get writablePaths(): string[] {
    return [...(this.valid.writablePaths ?? [])];
  }

  /**
   * Whether the drain pause comes from the profile (it was not given to the preset).
   * @jsii ignore
   */
  public get takesProfileDrainPause(): boolean {
    return this.withPause !== undefined;
  }

  /**
   * The handler as rendered for a plain shell image.
   * @jsii ignore
   */
  public get handler(): LifecycleHandlerSpec | undefined {
    return this.valid.render(PLAIN_CONTEXT);
  }

  /**
   * Raises the problem found when the hook was made, as a setting of `field` (e.g.
   * "shutdown.preStop"), so the construct that uses the hook can name itself.
   * @jsii ignore
   */
  public check(field: string): void {
    if (this.problem) throw new InvalidSetting(`${field}.${this.problem.field}`, this.problem.value, this.problem.problem, this.problem.fix);
  }

  /**
   * This preset with `pause` as its drain pause, unless one was given to it.
   * @jsii ignore
   */
  public withDefaultDrainPause(pause: Duration | undefined): LifecycleHook {
    return pause !== undefined && this.withPause ? this.withPause(pause) : this;
  }

  /**
   * The handler for one container: checks that every tool it needs is there.
   * @jsii ignore
   */
  public renderFor(ctx: HookContext): LifecycleHandlerSpec | undefined {
    this.check(ctx.field);
    for (const tool of this.requiredTools) {
      requireTool(ctx.tools, tool, ctx.field, this.kind, this.kind === 'http-get' ? undefined : 'use LifecycleHook.httpGet(...) against an endpoint of the app, which needs no binary');
    }
    return this.valid.render(ctx);
  }

  private get valid(): HookSpec {
    if (this.problem) throw this.problem;
    return this.spec!;
  }
}
