/**
 * `cdk8s-resilient audit PATH...`: checks any Kubernetes manifests against the resilience rules.
 * Argument parsing, configuration and output only; reading, checking and formatting live in
 * src/rules/. Input streams through the audit one document at a time.
 *
 * Exit codes:
 *   0  no finding at or above the failing level (--fail-on, default error)
 *   1  at least one finding at or above it
 *   2  bad usage or configuration; no input could be read; or, with --fail-on-invalid, any
 *      input could not be read or parsed
 *   3  an internal error of the tool (a bug: please report it with the input)
 */
import type { Command } from './command';
import { AuditConfig, ConfigError, EMPTY_CONFIG, findConfigFile, loadConfig } from './audit-config';
import { RULES } from '../rules/catalogue';
import { Auditor, AuditOptions } from '../rules/engine';
import { ParallelOptions, ParallelPipeline } from '../rules/input/parallel';
import { CheckedObject, LocalChecker } from '../rules/local-check';
import { KubeObject } from '../rules/types';
import { ignoreMatcher } from '../rules/input/files';
import { forgetLines } from '../rules/input/locate';
import { InputNote, isInputError } from '../rules/input/notes';
import { DocumentPipeline, InlinePipeline } from '../rules/input/pipeline';
import { InputReader } from '../rules/input/reader';
import { junitChunks } from '../rules/junit';
import { COLOURS, formatNotes, jsonChunks, PLAIN, sarifChunks, textChunks } from '../rules/report';
import { formatTimeline } from '../rules/timeline';
import { Severity } from '../rules/types';

type Format = 'text' | 'json' | 'sarif' | 'junit';

export const EXIT = { ok: 0, findings: 1, badInput: 2, internal: 3 } as const;

interface AuditArgs {
  readonly paths: string[];
  readonly format: Format;
  readonly explain: boolean;
  readonly severity: Record<string, Severity | 'off'>;
  readonly listRules: boolean;
  readonly help: boolean;
  readonly failOn?: Severity;
  readonly failOnInvalid: boolean;
  readonly config?: string;
  readonly noConfig: boolean;
  readonly color?: boolean;
}

const USAGE = `usage: cdk8s-resilient audit [options] PATH...

Checks Kubernetes manifests against the resilience rules (docs/rules.md).

  PATH                  a manifest file, a directory (searched recursively for .yaml, .yml
                        and .json files) or - for stdin; multi-document YAML, JSON, kind: List
  --format FORMAT       text (default, grouped by object), json, sarif (SARIF 2.1.0) or junit
  --fail-on LEVEL       error (default) or warning: the lowest severity that exits 1
  --fail-on-invalid     exit 2 when any input cannot be read or parsed (default: report it,
                        skip it and audit the rest)
  --config FILE         read the configuration from FILE (default: .cdk8s-resilient.yaml in
                        this directory or above, up to the repository root)
  --no-config           use no configuration file
  --rule ID=LEVEL       run rule ID as error or warning, or turn it off (repeatable; wins
                        over the configuration file)
  --color, --no-color   colour the text output (default: when stdout is a terminal and
                        NO_COLOR is not set)
  --explain             print each workload's shutdown timeline instead of the findings
  --list-rules          print the rule table
  -h, --help            this text

Helm templates, kustomizations and their patches, and YAML without a Kubernetes object are
recognised and skipped with a note; audit what they render to instead:
  helm template RELEASE CHART | cdk8s-resilient audit -
  kustomize build DIR | cdk8s-resilient audit -

Objects can carry their own exceptions as annotations:
  resilient.cdk8s.io/suppress.<rule-id>: "<reason>"
  resilient.cdk8s.io/severity.<rule-id>: "warning: <reason>"

exit status: 0 nothing at or above the failing level, 1 findings at or above it, 2 bad usage or
configuration, no readable input, or (with --fail-on-invalid) unreadable input, 3 internal error
`;

class UsageError extends Error {}

export function parseAuditArgs(argv: readonly string[]): AuditArgs {
  const paths: string[] = [];
  const severity: Record<string, Severity | 'off'> = {};
  let format: Format = 'text';
  let explain = false;
  let listRules = false;
  let help = false;
  let failOn: Severity | undefined;
  let failOnInvalid = false;
  let config: string | undefined;
  let noConfig = false;
  let color: boolean | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const valueOf = (name: string): string => {
      const eq = arg.indexOf('=');
      if (eq > 0 && arg.slice(0, eq) === name) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      return next;
    };
    const is = (name: string) => arg === name || arg.startsWith(`${name}=`);
    if (is('--format')) {
      const value = valueOf('--format');
      if (value !== 'text' && value !== 'json' && value !== 'sarif' && value !== 'junit') throw new UsageError(`unknown format "${value}" (use text, json, sarif or junit)`);
      format = value;
    } else if (is('--rule')) {
      const value = valueOf('--rule');
      const m = /^([a-z0-9-]+)=(error|warning|off)$/.exec(value);
      if (!m) throw new UsageError(`--rule takes ID=error|warning|off, not "${value}"`);
      if (!RULES.some((r) => r.id === m[1])) throw new UsageError(`unknown rule id "${m[1]}" (see --list-rules)`);
      severity[m[1]] = m[2] as Severity | 'off';
    } else if (is('--fail-on')) {
      const value = valueOf('--fail-on');
      if (value !== 'error' && value !== 'warning') throw new UsageError(`--fail-on takes error or warning, not "${value}"`);
      failOn = value;
    } else if (arg === '--fail-on-invalid') {
      failOnInvalid = true;
    } else if (is('--config')) {
      config = valueOf('--config');
    } else if (arg === '--no-config') {
      noConfig = true;
    } else if (arg === '--color' || arg === '--colour' || arg === '--color=always') {
      color = true;
    } else if (arg === '--no-color' || arg === '--no-colour' || arg === '--color=never') {
      color = false;
    } else if (arg === '--color=auto') {
      color = undefined;
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
  if (config !== undefined && noConfig) throw new UsageError('--config and --no-config exclude each other');
  return { paths, format, explain, severity, listRules, help, failOn, failOnInvalid, config, noConfig, color };
}

export interface AuditIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  /** Stdin as text, instead of reading file descriptor 0. */
  readonly readStdin?: () => string;
  readonly env?: NodeJS.ProcessEnv;
  /** Where the configuration file search starts. @default process.cwd() */
  readonly workingDirectory?: string;
}

export async function runAudit(argv: readonly string[], io: AuditIo = process): Promise<number> {
  let args: AuditArgs;
  try {
    args = parseAuditArgs(argv);
  } catch (e) {
    io.stderr.write(`cdk8s-resilient audit: ${(e as Error).message}\n\n${USAGE}`);
    return EXIT.badInput;
  }
  if (args.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (args.listRules) {
    io.stdout.write(RULES.map((r) => `${r.id.padEnd(40)} ${r.severity.padEnd(8)} ${r.title}`).join('\n') + '\n');
    return EXIT.ok;
  }
  if (args.paths.length === 0) {
    io.stderr.write(`cdk8s-resilient audit: no PATH given (use - for stdin)\n\n${USAGE}`);
    return EXIT.badInput;
  }
  if (args.explain && (args.format === 'sarif' || args.format === 'junit')) {
    io.stderr.write(`cdk8s-resilient audit: --explain prints text or json, not ${args.format}\n`);
    return EXIT.badInput;
  }
  let config: AuditConfig;
  try {
    const file = args.noConfig ? undefined : (args.config ?? findConfigFile(io.workingDirectory ?? process.cwd()));
    config = file ? loadConfig(file) : EMPTY_CONFIG;
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr.write(`cdk8s-resilient audit: configuration: ${e.message}\n`);
      return EXIT.badInput;
    }
    throw e;
  }
  try {
    return audit(args, config, io);
  } catch (e) {
    io.stderr.write(`cdk8s-resilient audit: internal error: ${(e as Error)?.stack ?? String(e)}\n`
      + 'This is a bug in cdk8s-resilient, not a problem with your manifests; please report it with the input that caused it.\n');
    return EXIT.internal;
  } finally {
    forgetLines();
  }
}

function audit(args: AuditArgs, config: AuditConfig, io: AuditIo): number {
  const env = io.env ?? process.env;
  const colour = args.format === 'text' && (args.color ?? (io.stdout.isTTY === true && !env.NO_COLOR));
  const palette = colour ? COLOURS : PLAIN;
  const options: AuditOptions = {
    severity: { ...config.rules, ...args.severity },
    assumptions: config.assumptions,
    timelines: args.explain,
    listObjects: args.format === 'junit',
  };
  const auditor = new Auditor(options);
  // The reference path (for tests that compare): js-yaml reads every YAML document, in this
  // thread, and the engine checks each object as it comes and finds every line afterwards.
  const reference = env.CDK8S_RESILIENT_AUDIT_REFERENCE === '1';
  const reader = new InputReader<CheckedObject | KubeObject | undefined>(args.paths, {
    ...(io.readStdin && args.paths.includes('-') ? { stdinText: io.readStdin() } : {}),
    ignored: ignoreMatcher(config.ignore, config.base),
    ...(reference ? { jsYamlOnly: true } : { pipeline: checkingPipeline(options, parallelOptions(env, args.explain)) }),
  });
  const notes: InputNote[] = [];
  try {
    reader.read((event) => {
      if ('object' in event) {
        if (reference) auditor.add(event.object as KubeObject, event.source);
        else auditor.accept(event.object as CheckedObject | undefined, event.source);
      } else {
        notes.push(event.note);
        // Text output reports skipped input as it happens; the other formats carry it in the report.
        if (args.format === 'text') io.stderr.write(formatNotes([event.note], colour ? COLOURS : PLAIN));
      }
    });
    const result = auditor.finish();
    const failOn = args.failOn ?? config.failOn ?? 'error';
    const failed = result.findings.some((f) => f.severity === 'error' || failOn === 'warning');
    const invalid = notes.some(isInputError);
    const nothingRead = reader.stats.filesUsable === 0 && invalid;
    if (args.explain) {
      const timelines = result.timelines ?? [];
      if (args.format === 'json') io.stdout.write(JSON.stringify(timelines, null, 2) + '\n');
      else io.stdout.write(timelines.length > 0 ? timelines.map(formatTimeline).join('\n\n') + '\n' : 'no workloads found\n');
    } else {
      const report = { findings: result.findings, suppressed: result.suppressed, objectCount: result.objectCount, notes };
      const chunks = args.format === 'json' ? jsonChunks(report)
        : args.format === 'sarif' ? sarifChunks(report)
          : args.format === 'junit' ? junitChunks({ ...report, objects: result.objects ?? [], failOn })
            : textChunks(report, palette);
      writeChunks(io.stdout, chunks);
    }
    if (nothingRead) {
      io.stderr.write('cdk8s-resilient audit: no input could be read\n');
      return EXIT.badInput;
    }
    if (args.failOnInvalid && invalid) return EXIT.badInput;
    return failed ? EXIT.findings : EXIT.ok;
  } finally {
    reader.dispose();
  }
}

/**
 * Threads that read and check documents: CDK8S_RESILIENT_AUDIT_THREADS (at most 16), else 1,
 * which reads everything in this thread. One is the default because a worker measured 25-45 %
 * more CPU in all and 40-70 MiB more memory for little wall-clock gain on 2 cores
 * (docs/benchmarks.md), and the 1 GiB bound for 100,000 workloads needs the headroom. Shutdown timelines (--explain) are not passed
 * between threads. CDK8S_RESILIENT_AUDIT_PARALLEL_FROM: characters read before workers start
 * (for tests; by default a few MiB, so small audits never start a thread).
 */
function parallelOptions(env: NodeJS.ProcessEnv, explain: boolean | undefined): ParallelOptions {
  const from = Number(env.CDK8S_RESILIENT_AUDIT_PARALLEL_FROM);
  return { threads: explain ? 1 : auditThreads(env), ...(Number.isInteger(from) && from >= 0 ? { startChars: from } : {}) };
}

/** Reads and checks documents: in this thread as each is handed over, or on several threads. */
function checkingPipeline(options: AuditOptions, parallel: ParallelOptions): DocumentPipeline<CheckedObject | undefined> {
  if (parallel.threads > 1) return new ParallelPipeline(options, parallel);
  // One thread: no batches or queue to keep, each document is checked as it is read.
  const checker = new LocalChecker(options);
  return new InlinePipeline((object) => checker.check(object));
}

export function auditThreads(env: NodeJS.ProcessEnv): number {
  const set = Number(env.CDK8S_RESILIENT_AUDIT_THREADS);
  if (Number.isInteger(set) && set >= 1) return Math.min(set, 16);
  return 1;
}

/** Writes a report piece by piece, in writes of about 1 MiB, so it is never one string. */
function writeChunks(out: NodeJS.WritableStream, chunks: Iterable<string>): void {
  let buffer: string[] = [];
  let size = 0;
  for (const chunk of chunks) {
    buffer.push(chunk);
    size += chunk.length;
    if (size >= 1 << 20) {
      out.write(buffer.join(''));
      buffer = [];
      size = 0;
    }
  }
  if (buffer.length > 0) out.write(buffer.join(''));
}

export const command: Command = {
  summary: 'check any Kubernetes manifest against the resilience rules',
  run: (argv) => runAudit(argv),
};
