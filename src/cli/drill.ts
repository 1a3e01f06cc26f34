/**
 * `cdk8s-resilient drill MANIFEST --workload NAME [...]`: argument parsing and output only; the
 * engine lives in src/drill. Exit codes: 0 pass, 1 failed drill, 2 bad usage or a drill that
 * could not run (unreadable manifest, workload not found, no usable runtime).
 */
import type { DrillOptions, DrillReport } from '../drill';
import { parseStopSignal } from '../drill/signals';

const USAGE = `usage: cdk8s-resilient drill MANIFEST --workload [KIND/]NAME [options]

Plays the kubelet's stop sequence against one container of a manifest: start the process, wait
until it is ready, run preStop, send SIGTERM, wait out the grace period, SIGKILL if needed. Then
reports how it stopped and whether anything was left behind. MANIFEST - reads standard input.

options:
  --workload [KIND/]NAME   workload to drill, by metadata.name (required)
  --container NAME         container to drill (default: the main one: the one the
                           kubectl.kubernetes.io/default-container annotation names, the only one,
                           or the only one that is not a known sidecar; otherwise required)
  --runtime MODE           local | container | auto (default auto: local when the command can run
                           here, else a container through docker/podman when one works)
  --pid1 MODE              local runtime: auto | yes | no. yes = run as PID 1 of a new PID
                           namespace (needs root and util-linux unshare); auto = yes when possible,
                           unless the pod sets shareProcessNamespace
  --network MODE           local runtime: auto | pod | host. pod = a network namespace of the
                           container's own with a non-loopback address that probes and httpGet
                           hooks are sent to, as to a pod IP (needs root and iproute2); host = this
                           machine's network, probes to 127.0.0.1; auto = pod when possible
  --stop-signal SIGNAL     the signal that starts the shutdown, as an image's STOPSIGNAL sets it
                           (SIGQUIT for nginx; default SIGTERM)
  --command CMD            entrypoint to run instead of the manifest's command (needed when the
                           manifest relies on the image's ENTRYPOINT); a JSON array or words
                           separated by spaces; the manifest's args follow it
  --grace SECONDS          use instead of terminationGracePeriodSeconds
  --settle SECONDS         without a usable readiness/startup probe, wait this long after start
                           (default 2)
  --ready-timeout SECONDS  longest wait for the probe to pass (default 60)
  --leftover-wait SECONDS  let processes left behind run this long before killing them (default
                           0, as a container runtime kills them at once)
  --cwd DIR                local runtime: working directory
  --engine NAME            container runtime: docker | podman (default: the first that works)
  --format FORMAT          text | json (default text)
  -h, --help               this help

exit codes: 0 the workload stopped gracefully, 1 it did not, 2 the drill could not run
`;

class UsageError extends Error {}

/** Splits a command line into words; single and double quotes group, backslash escapes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new UsageError(`--command: unterminated ${quote} quote`);
  if (inWord) words.push(cur);
  return words;
}

function parseCommand(text: string): string[] {
  if (text.trim().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`--command: not a JSON array: ${(e as Error).message}`);
    }
    if (!Array.isArray(parsed) || !parsed.length || parsed.some((w) => typeof w !== 'string')) {
      throw new UsageError('--command: the JSON form must be a non-empty array of strings');
    }
    return parsed as string[];
  }
  const words = splitWords(text);
  if (!words.length) throw new UsageError('--command: empty');
  return words;
}

export interface DrillArgs {
  manifest: string;
  workload: string;
  container?: string;
  format: 'text' | 'json';
  options: Omit<DrillOptions, 'target'>;
}

const VALUE_OPTIONS = [
  'workload', 'container', 'runtime', 'pid1', 'network', 'stop-signal', 'command', 'grace', 'settle',
  'ready-timeout', 'leftover-wait', 'cwd', 'engine', 'format',
];

function stopSignal(value: string): string {
  try {
    return parseStopSignal(value).name;
  } catch (e) {
    throw new UsageError(`--stop-signal: ${(e as Error).message}`);
  }
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got '${value}')`);
  }
  return value as T;
}

function seconds(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} takes a number of seconds (got '${value}')`);
  return n;
}

/** Parses the drill's arguments; throws UsageError with a message for the user. `help` when asked. */
export function parseDrillArgs(argv: string[]): DrillArgs | 'help' {
  const values: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq > 0 ? eq : undefined);
      if (!VALUE_OPTIONS.includes(name)) throw new UsageError(`unknown option --${name}`);
      let value: string | undefined = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (name in values) throw new UsageError(`--${name} given twice`);
      values[name] = value;
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option ${a}`);
    } else positional.push(a);
  }
  if (positional.length !== 1) {
    throw new UsageError(positional.length ? `expected one manifest, got ${positional.length}: ${positional.join(' ')}` : 'missing MANIFEST');
  }
  if (!values.workload) throw new UsageError('missing --workload NAME');
  const options: Omit<DrillOptions, 'target'> = {
    runtime: values.runtime ? oneOf('runtime', values.runtime, ['local', 'container', 'auto'] as const) : 'auto',
    pid1: values.pid1 ? oneOf('pid1', values.pid1, ['auto', 'yes', 'no'] as const) : 'auto',
    network: values.network ? oneOf('network', values.network, ['auto', 'pod', 'host'] as const) : 'auto',
    stopSignal: values['stop-signal'] !== undefined ? stopSignal(values['stop-signal']) : undefined,
    commandOverride: values.command !== undefined ? parseCommand(values.command) : undefined,
    gracePeriodSeconds: values.grace !== undefined ? seconds('grace', values.grace) : undefined,
    settleSeconds: values.settle !== undefined ? seconds('settle', values.settle) : undefined,
    readyTimeoutSeconds: values['ready-timeout'] !== undefined ? seconds('ready-timeout', values['ready-timeout']) : undefined,
    leftoverWaitSeconds: values['leftover-wait'] !== undefined ? seconds('leftover-wait', values['leftover-wait']) : undefined,
    cwd: values.cwd,
    engine: values.engine ? oneOf('engine', values.engine, ['docker', 'podman'] as const) : undefined,
  };
  return {
    manifest: positional[0],
    workload: values.workload,
    container: values.container,
    format: values.format ? oneOf('format', values.format, ['text', 'json'] as const) : 'text',
    options,
  };
}

async function run(argv: string[]): Promise<number> {
  let args: DrillArgs | 'help';
  try {
    args = parseDrillArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`cdk8s-resilient drill: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  // loaded here so that `drill --help` stays instant
  const drill = await import('../drill');

  const onSignal = (sig: NodeJS.Signals) => {
    void drill.cleanupAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const target = drill.loadTarget(args.manifest, args.workload, args.container);
    const report: DrillReport = await drill.runDrill({ ...args.options, target });
    process.stdout.write(args.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : drill.formatReport(report));
    return report.verdict.status === 'pass' ? 0 : 1;
  } catch (e) {
    if (e instanceof drill.DrillInputError || e instanceof drill.DrillSetupError) {
      process.stderr.write(`cdk8s-resilient drill: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

export const command = {
  summary: "play the kubelet's stop sequence against a workload's container",
  run,
};
