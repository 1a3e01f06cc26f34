/**
 * `cdk8s-resilient audit PATH...`: checks any Kubernetes manifests against the resilience rules.
 * Argument parsing and output only; reading, checking and formatting live in src/rules/.
 *
 * Exit codes: 0 no error found, 1 at least one error, 2 input unreadable or unparsable, or bad usage.
 */
import type { Command } from './command';
import { auditInputs } from '../rules/engine';
import { ManifestError, readManifests } from '../rules/manifests';
import { RULES } from '../rules/catalogue';
import { formatJson, formatSarif, formatText } from '../rules/report';
import { formatTimeline, shutdownTimelines } from '../rules/timeline';
import { Severity } from '../rules/types';

type Format = 'text' | 'json' | 'sarif';

interface AuditArgs {
  readonly paths: string[];
  readonly format: Format;
  readonly explain: boolean;
  readonly severity: Record<string, Severity | 'off'>;
  readonly listRules: boolean;
  readonly help: boolean;
}

const USAGE = `usage: cdk8s-resilient audit [options] PATH...

Checks Kubernetes manifests against the resilience rules (docs/rules.md).

  PATH                  a manifest file, a directory (searched recursively for .yaml, .yml
                        and .json files) or - for stdin; multi-document YAML, JSON, kind: List
  --format FORMAT       text (default, grouped by object), json or sarif (SARIF 2.1.0)
  --explain             print each workload's shutdown timeline instead of the findings
  --rule ID=LEVEL       run rule ID as error or warning, or turn it off (repeatable)
  --list-rules          print the rule table
  -h, --help            this text

Objects can carry their own exceptions as annotations:
  resilient.cdk8s.io/suppress.<rule-id>: "<reason>"
  resilient.cdk8s.io/severity.<rule-id>: "warning: <reason>"

exit status: 0 no errors, 1 errors found, 2 input unreadable or invalid, or bad usage
`;

class UsageError extends Error {}

export function parseAuditArgs(argv: readonly string[]): AuditArgs {
  const paths: string[] = [];
  const severity: Record<string, Severity | 'off'> = {};
  let format: Format = 'text';
  let explain = false;
  let listRules = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const valueOf = (name: string): string => {
      const eq = arg.indexOf('=');
      if (eq > 0 && arg.slice(0, eq) === name) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      return next;
    };
    if (arg === '--format' || arg.startsWith('--format=')) {
      const value = valueOf('--format');
      if (value !== 'text' && value !== 'json' && value !== 'sarif') throw new UsageError(`unknown format "${value}" (use text, json or sarif)`);
      format = value;
    } else if (arg === '--rule' || arg.startsWith('--rule=')) {
      const value = valueOf('--rule');
      const m = /^([a-z0-9-]+)=(error|warning|off)$/.exec(value);
      if (!m) throw new UsageError(`--rule takes ID=error|warning|off, not "${value}"`);
      if (!RULES.some((r) => r.id === m[1])) throw new UsageError(`unknown rule id "${m[1]}" (see --list-rules)`);
      severity[m[1]] = m[2] as Severity | 'off';
    } else if (arg === '--explain') {
      explain = true;
    } else if (arg === '--list-rules') {
      listRules = true;
    } else if (arg === '-h' || arg === '--help') {
      help = true;
    } else if (arg === '-' || !arg.startsWith('-')) {
      paths.push(arg);
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  return { paths, format, explain, severity, listRules, help };
}

export async function runAudit(argv: readonly string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; readStdin?: () => string } = process): Promise<number> {
  let args: AuditArgs;
  try {
    args = parseAuditArgs(argv);
  } catch (e) {
    io.stderr.write(`cdk8s-resilient audit: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args.listRules) {
    io.stdout.write(RULES.map((r) => `${r.id.padEnd(40)} ${r.severity.padEnd(8)} ${r.title}`).join('\n') + '\n');
    return 0;
  }
  if (args.paths.length === 0) {
    io.stderr.write(`cdk8s-resilient audit: no PATH given (use - for stdin)\n\n${USAGE}`);
    return 2;
  }
  if (args.explain && args.format === 'sarif') {
    io.stderr.write('cdk8s-resilient audit: --explain prints text or json, not sarif\n');
    return 2;
  }

  let inputs;
  try {
    inputs = readManifests(args.paths, io.readStdin);
  } catch (e) {
    if (e instanceof ManifestError) {
      io.stderr.write(`cdk8s-resilient audit: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const result = auditInputs(inputs, { severity: args.severity });
  const failed = result.findings.some((f) => f.severity === 'error');

  if (args.explain) {
    const timelines = shutdownTimelines(result.model);
    if (args.format === 'json') io.stdout.write(JSON.stringify(timelines, null, 2) + '\n');
    else io.stdout.write(timelines.length > 0 ? timelines.map(formatTimeline).join('\n\n') + '\n' : 'no workloads found\n');
    return failed ? 1 : 0;
  }
  const output = args.format === 'json' ? formatJson(result) : args.format === 'sarif' ? formatSarif(result) : formatText(result);
  io.stdout.write(output);
  return failed ? 1 : 0;
}

export const command: Command = {
  summary: 'check any Kubernetes manifest against the resilience rules',
  run: (argv) => runAudit(argv),
};
