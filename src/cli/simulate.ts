/**
 * `cdk8s-resilient simulate [options] PATH...`: argument parsing and output only; the engine
 * lives in src/simulate.
 *
 * Exit codes (as audit):
 *   0  every scenario passed (or was accepted or skipped)
 *   1  at least one scenario failed
 *   2  bad usage, unreadable input, a manifest the API server refused, or a cluster that cannot
 *      be reached or is refused (not all nodes simulated)
 *   3  an internal error of the tool
 */
import type { Command } from './command';
import type { SimulateOptions } from '../simulate';
import { SCENARIOS, ScenarioId } from '../simulate/types';

const USAGE = `usage: cdk8s-resilient simulate [options] PATH...

Applies the manifests to a cluster whose nodes are simulated (kwok) and watches, from the API
server, each workload's ready replicas through a rolling update, node drains (Eviction API, as
kubectl drain) and a zone outage; checks that StatefulSets keep their claims and order, that an
evicted Job pod is not counted against backoffLimit and that a CronJob's run completes. Each PATH
(file or directory) goes into a new namespace, deleted afterwards. See docs/simulate.md.

  --kubeconfig FILE          default: $KUBECONFIG, else ~/.kube/config
  --context NAME             kubeconfig context (default: its current-context)
  --format FORMAT            text (default) or json
  --scenarios LIST           comma-separated, from: ${SCENARIOS.join(', ')} (default: all)
  --zone ZONE                zone the outage takes down (default: the one holding most pods)
  --startup-seconds N        simulated start-up time of a pod before it is Ready (default 5)
  --job-seconds N            how long a simulated Job pod runs (default 10)
  --max-grace-period N       lower every terminationGracePeriodSeconds above N to N (a faster
                             run; the report notes each change) (default: keep them)
  --drain-timeout N          seconds one node's drain may take before it counts as blocked (120)
  --rollout-timeout N        longest wait for a rollout, scale or Job (300)
  --recovery-timeout N       longest wait for rescheduled pods after a drain or outage (120)
  --start-timeout N          longest wait for the workloads to be ready at first (120)
  --allow-real-cluster=CTX   run although not every node is simulated, on context CTX only
  --quiet                    no progress messages on stderr
  -h, --help                 this text

exit status: 0 passed, 1 a scenario failed, 2 bad usage or input, or a cluster that cannot be
reached or is refused, 3 internal error
`;

class UsageError extends Error {}

interface SimulateArgs {
  readonly options: SimulateOptions;
  readonly format: 'text' | 'json';
  readonly quiet: boolean;
  readonly help: boolean;
}

export function parseSimulateArgs(argv: readonly string[]): SimulateArgs {
  const paths: string[] = [];
  const timing: Record<string, number> = {};
  const settings: Record<string, number | string> = {};
  let format: 'text' | 'json' = 'text';
  let quiet = false;
  let help = false;
  let kubeconfig: string | undefined;
  let context: string | undefined;
  let allowRealCluster: string | undefined;
  let scenarios: ScenarioId[] | undefined;
  const seconds: Record<string, [Record<string, number | string>, string]> = {
    '--startup-seconds': [timing, 'startupSeconds'], '--job-seconds': [timing, 'jobSeconds'], '--max-grace-period': [timing, 'maxGracePeriodSeconds'],
    '--drain-timeout': [settings, 'drainTimeoutSeconds'], '--rollout-timeout': [settings, 'rolloutTimeoutSeconds'],
    '--recovery-timeout': [settings, 'recoveryTimeoutSeconds'], '--start-timeout': [settings, 'startTimeoutSeconds'],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    const value = (): string => {
      if (arg.includes('=')) return arg.slice(arg.indexOf('=') + 1);
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      return next;
    };
    if (name in seconds) {
      const v = value();
      if (!/^\d+$/.test(v)) throw new UsageError(`${name} takes whole seconds, not "${v}"`);
      const [target, key] = seconds[name];
      target[key] = Number(v);
    } else if (name === '--format') {
      const v = value();
      if (v !== 'text' && v !== 'json') throw new UsageError(`unknown format "${v}" (use text or json)`);
      format = v;
    } else if (name === '--kubeconfig') kubeconfig = value();
    else if (name === '--context') context = value();
    else if (name === '--zone') settings.zone = value();
    else if (name === '--allow-real-cluster') {
      if (!arg.includes('=')) throw new UsageError('--allow-real-cluster needs the context name: --allow-real-cluster=CONTEXT');
      allowRealCluster = value();
      if (!allowRealCluster) throw new UsageError('--allow-real-cluster needs the context name: --allow-real-cluster=CONTEXT');
    } else if (name === '--scenarios') {
      const list = value().split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = list.filter((s) => !SCENARIOS.includes(s as ScenarioId));
      if (unknown.length) throw new UsageError(`unknown scenario(s) ${unknown.join(', ')} (use ${SCENARIOS.join(', ')})`);
      scenarios = list as ScenarioId[];
    } else if (arg === '--quiet') quiet = true;
    else if (arg === '-h' || arg === '--help') help = true;
    else if (arg === '-' || arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else paths.push(arg);
  }
  return { options: { paths, kubeconfig, context, allowRealCluster, scenarios, timing, settings }, format, quiet, help };
}

export interface SimulateIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export async function runSimulate(argv: readonly string[], io: SimulateIo = process, handleSignals = false): Promise<number> {
  let args: SimulateArgs;
  try {
    args = parseSimulateArgs(argv);
  } catch (e) {
    io.stderr.write(`cdk8s-resilient simulate: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args.options.paths.length === 0) {
    io.stderr.write(`cdk8s-resilient simulate: no PATH given\n\n${USAGE}`);
    return 2;
  }
  // Loaded here so that `audit` and `--help` never load the engine.
  const engine = await import('../simulate');
  const { RefusedInputError } = await import('../simulate/session');
  try {
    const report = await engine.simulate({
      ...args.options,
      handleSignals,
      log: args.quiet ? undefined : (m) => io.stderr.write(`simulate: ${m}\n`),
    });
    io.stdout.write(args.format === 'json' ? engine.formatJson(report) : engine.formatText(report));
    return report.passed ? 0 : 1;
  } catch (e) {
    if (e instanceof engine.SimulateSetupError || e instanceof RefusedInputError) {
      io.stderr.write(`cdk8s-resilient simulate: ${(e as Error).message}\n`);
      return 2;
    }
    io.stderr.write(`cdk8s-resilient simulate: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 3;
  }
}

export const command: Command = {
  summary: 'run rollouts, drains and a zone outage on simulated nodes and judge availability',
  run: (argv) => runSimulate(argv, process, true),
};
