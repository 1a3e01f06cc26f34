/**
 * The shutdown sequence of a pod read back from a manifest: how long each preStop hook takes, how
 * long the app needs after SIGTERM, the grace period, and whether SIGTERM reaches the app. The
 * grace-period rule and `audit --explain` both read these figures, so they always agree.
 *
 * Manifests do not say how long a hook or an app takes, so the figures are estimates, and each
 * carries the basis it was taken from:
 * - preStop: the `sleep N` calls of an exec hook (sleeps inside a shell loop are waits for the app
 *   to exit, which the app shutdown time covers); an httpGet hook counts the library's default
 *   drain pause; for the main container the library's shutdown-budget annotation, when larger.
 * - app shutdown: the `resilient.cdk8s.io/app-shutdown-seconds` annotation, else the library's
 *   shutdown-budget annotation, else the library's default for stateless services (20 s).
 */
import { analyzeSignalDelivery, detectInit, findShellWrapper, INIT_ENVIRONMENT, SignalDelivery } from '../concerns/init-process';
import { DEFAULT_APP_SHUTDOWN_SECONDS, DEFAULT_DRAIN_PAUSE_SECONDS } from '../concerns/shutdown-defaults';
import { SHUTDOWN_BUDGET_ANNOTATION } from '../concerns/annotations';
import { scriptSleeps } from '../concerns/shell-script';
import { APP_SHUTDOWN_ANNOTATION } from './annotations';
import { containersOf, FieldPath, isObject, Workload } from './model';
import { Assumptions } from './rule';

/** terminationGracePeriodSeconds when a pod spec leaves it out. */
export const KUBERNETES_DEFAULT_GRACE_SECONDS = 30;
/** One-time extension the kubelet grants a preStop hook still running when the grace period ends. */
export const PRESTOP_OVERRUN_EXTENSION_SECONDS = 2;

export interface HookEstimate {
  /** Seconds before SIGTERM follows; Infinity for `sleep infinity`. */
  readonly seconds: number;
  /** Where the figure comes from, for messages. */
  readonly basis: string;
  /** One line describing the hook. */
  readonly summary: string;
  /** True when the figure is a default assumed for the kind of hook, not read from it. */
  readonly assumed?: boolean;
}

/** How long a lifecycle handler (plain Kubernetes JSON) runs before the kubelet moves on. */
export function estimateHookSeconds(handler: unknown): HookEstimate | undefined {
  if (!isObject(handler)) return undefined;
  if (isObject(handler.exec)) {
    const argv = Array.isArray(handler.exec.command) ? handler.exec.command.map(String) : [];
    const summary = `exec ${shorten(argv.join(' '))}`;
    if (argv.length > 0 && basename(argv[0]) === 'sleep') {
      const seconds = sleepSeconds(argv.slice(1));
      return { seconds, basis: `\`sleep ${argv.slice(1).join(' ')}\``, summary };
    }
    const shell = findShellWrapper(argv);
    if (shell) {
      const { seconds, sleeps, loops } = scriptSleepSeconds(shell.script);
      const parts = [sleeps.length > 0 ? `\`${sleeps.join('`, `')}\` in the script` : 'no sleep in the script'];
      if (loops) parts.push('waits inside loops are counted as app shutdown');
      return { seconds, basis: parts.join('; '), summary };
    }
    return { seconds: 0, basis: 'a command with no sleep, assumed to return at once', summary };
  }
  if (isObject(handler.httpGet)) {
    const seconds = DEFAULT_DRAIN_PAUSE_SECONDS;
    return { seconds, basis: `an HTTP hook, assumed to take ${seconds}s`, summary: `GET ${handler.httpGet.path ?? '/'} on port ${handler.httpGet.port}`, assumed: true };
  }
  if (isObject(handler.sleep)) {
    const seconds = Number(handler.sleep.seconds) || 0;
    return { seconds, basis: `sleep action of ${seconds}s`, summary: `sleep ${seconds}s` };
  }
  return { seconds: 0, basis: 'a handler with no known duration', summary: Object.keys(handler).join(', ') || 'empty handler' };
}

/**
 * Reads the figures back from the library's shutdown-budget annotation, whose text planShutdown
 * writes: "grace 25s = preStop 5s + app shutdown 15s + margin 5s", or
 * "grace 60s (explicit) >= preStop 10s + app shutdown 40s".
 */
export function parseShutdownBudget(text: string | undefined): { graceSeconds?: number; preStopSeconds?: number; appShutdownSeconds?: number } {
  if (!text) return {};
  const pick = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return {
    graceSeconds: pick(/\bgrace (\d+)s/),
    preStopSeconds: pick(/\bpreStop (\d+)s/),
    appShutdownSeconds: pick(/\bapp shutdown (\d+)s/),
  };
}

export interface ContainerShutdown {
  readonly name: string;
  readonly index: number;
  readonly path: FieldPath;
  readonly preStop?: HookEstimate;
  /** undefined when the command is left to the image (unknown here). */
  readonly signal?: SignalDelivery & { readonly process: string };
}

export interface PodShutdown {
  readonly graceSeconds: number;
  /** False when the pod spec leaves terminationGracePeriodSeconds to the Kubernetes default. */
  readonly graceExplicit: boolean;
  readonly appShutdownSeconds: number;
  readonly appShutdownBasis: string;
  /** True when no annotation states the app shutdown time and the default is assumed. */
  readonly appShutdownAssumed: boolean;
  readonly containers: ContainerShutdown[];
}

export function podShutdown(w: Workload, assumptions: Assumptions = {}): PodShutdown {
  const grace = w.podSpec.terminationGracePeriodSeconds;
  const graceExplicit = typeof grace === 'number';
  const budget = parseShutdownBudget(w.podAnnotations[SHUTDOWN_BUDGET_ANNOTATION] ?? w.object.metadata?.annotations?.[SHUTDOWN_BUDGET_ANNOTATION]);
  const declared = w.podAnnotations[APP_SHUTDOWN_ANNOTATION] ?? w.object.metadata?.annotations?.[APP_SHUTDOWN_ANNOTATION];
  let appShutdownSeconds: number;
  let appShutdownBasis: string;
  let appShutdownAssumed = false;
  if (declared !== undefined && /^\d+$/.test(String(declared).trim())) {
    appShutdownSeconds = Number(declared);
    appShutdownBasis = `from the ${APP_SHUTDOWN_ANNOTATION} annotation`;
  } else if (budget.appShutdownSeconds !== undefined) {
    appShutdownSeconds = budget.appShutdownSeconds;
    appShutdownBasis = `from the ${SHUTDOWN_BUDGET_ANNOTATION} annotation`;
  } else if (assumptions.appShutdownSeconds !== undefined) {
    appShutdownSeconds = assumptions.appShutdownSeconds;
    appShutdownBasis = 'from the configuration file (assumptions.appShutdownSeconds)';
  } else {
    appShutdownSeconds = DEFAULT_APP_SHUTDOWN_SECONDS;
    appShutdownBasis = `assumed: no ${APP_SHUTDOWN_ANNOTATION} annotation or configuration states it`;
    appShutdownAssumed = true;
  }
  const shareProcessNamespace = w.podSpec.shareProcessNamespace === true;
  const containers = containersOf(w).map(({ container, name, index, path }): ContainerShutdown => {
    let preStop = estimateHookSeconds(container.lifecycle?.preStop);
    if (preStop && index === 0 && budget.preStopSeconds !== undefined && budget.preStopSeconds > preStop.seconds) {
      preStop = { ...preStop, seconds: budget.preStopSeconds, basis: `${budget.preStopSeconds}s from the ${SHUTDOWN_BUDGET_ANNOTATION} annotation` };
    }
    return { name, index, path, preStop, signal: signalOf(container, shareProcessNamespace) };
  });
  return {
    graceSeconds: graceExplicit ? grace : KUBERNETES_DEFAULT_GRACE_SECONDS,
    graceExplicit,
    appShutdownSeconds,
    appShutdownBasis,
    appShutdownAssumed,
    containers,
  };
}

/** Whether SIGTERM reaches the app of a container whose command the manifest sets. */
export function signalOf(container: Record<string, any>, shareProcessNamespace: boolean): (SignalDelivery & { process: string; init?: string }) | undefined {
  if (!Array.isArray(container.command) || container.command.length === 0) return undefined;
  const argv = [...container.command, ...(Array.isArray(container.args) ? container.args : [])].map(String);
  const env: Record<string, string> = {};
  // Only the variables detectInit reads: a container has dozens of others.
  if (Array.isArray(container.env)) {
    for (const e of container.env) {
      if (!isObject(e) || typeof e.value !== 'string') continue;
      const name = String(e.name);
      if (INIT_ENVIRONMENT.includes(name)) env[name] = e.value;
    }
  }
  const detected = detectInit(argv, { shareProcessNamespace, env });
  const delivery = analyzeSignalDelivery(detected.command, detected.init);
  // The runtime signals the container's main process: the init when there is one.
  const process = detected.binary
    ? `${basename(argv[0])}${detected.init.signalsProcessGroup ? ', which signals the whole process group' : ', which forwards it to its child only'}`
    : basename(detected.command[0] ?? '');
  return { ...delivery, process, ...(detected.binary ? { init: detected.binary } : {}) };
}

function sleepSeconds(args: string[]): number {
  let total = 0;
  for (const arg of args) {
    if (arg === 'infinity' || arg === 'inf') return Infinity;
    const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
    if (!m) break;
    total += Number(m[1]) * ({ '': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86400 } as Record<string, number>)[m[2]];
  }
  return total;
}

/**
 * The seconds the script's own sleeps take. Sleeps inside loops wait for the app to exit (the app
 * shutdown time covers them); backgrounded ones do not hold the hook.
 */
function scriptSleepSeconds(script: string): { seconds: number; sleeps: string[]; loops: boolean } {
  const found = scriptSleeps(script);
  const counted = found.filter((s) => !s.inLoop && !s.background && sleepSeconds(s.args) > 0);
  return {
    seconds: counted.reduce((sum, s) => sum + sleepSeconds(s.args), 0),
    sleeps: counted.map((s) => ['sleep', ...s.args].join(' ')),
    loops: found.some((s) => s.inLoop),
  };
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function shorten(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
