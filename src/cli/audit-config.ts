/**
 * The audit's configuration file, found the way linters find theirs: `--config FILE`, else the
 * first `.cdk8s-resilient.yaml` (or `.yml`) in the current directory or above it, up to the
 * repository root (the directory holding `.git`) or the filesystem root.
 *
 *   # .cdk8s-resilient.yaml
 *   rules:                        # a level per rule id: error, warning or off
 *     image-tag-mutable: warning
 *     spread-missing: off
 *   assumptions:
 *     appShutdownSeconds: 15      # how long apps take to stop after SIGTERM (stated, not assumed)
 *   ignore:                       # globs, relative to this file's directory
 *     - charts/**
 *     - "**\/testdata/**"
 *   failOn: warning               # the lowest severity that fails the audit (default error)
 *
 * A mistake in the file is an error naming the file, the key and the fix: a configuration that
 * is silently half-applied is worse than none.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isRuleId } from '../rules/catalogue';
import { jsYaml } from '../rules/input/lazy-modules';
import { isObject } from '../rules/model';
import { Assumptions } from '../rules/rule';
import { Severity } from '../rules/types';

export const CONFIG_FILES = ['.cdk8s-resilient.yaml', '.cdk8s-resilient.yml'];

export interface AuditConfig {
  /** The file it was read from; undefined when there is none. */
  readonly file?: string;
  readonly rules: Readonly<Record<string, Severity | 'off'>>;
  readonly assumptions: Assumptions;
  /** Globs, resolved against `base`. */
  readonly ignore: readonly string[];
  readonly base: string;
  readonly failOn?: Severity;
}

export class ConfigError extends Error {}

export const EMPTY_CONFIG: AuditConfig = { rules: {}, assumptions: {}, ignore: [], base: process.cwd() };

/** The configuration file that applies in `cwd`, if any. */
export function findConfigFile(cwd: string = process.cwd()): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of CONFIG_FILES) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    if (fs.existsSync(path.join(dir, '.git')) || path.dirname(dir) === dir) return undefined;
  }
}

export function loadConfig(file: string): AuditConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    const jsyaml = jsYaml();
    value = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
  } catch (e) {
    const mark = (e as { mark?: { line: number } }).mark;
    throw new ConfigError(`${file}${mark ? `:${mark.line + 1}` : ''}: invalid YAML: ${String((e as { reason?: string }).reason ?? (e as Error).message).split('\n')[0]}`);
  }
  return parseConfig(value ?? {}, file);
}

const KEYS = ['rules', 'assumptions', 'ignore', 'failOn'];

/** Checks and reads a parsed configuration; `file` names it in errors and anchors `ignore`. */
export function parseConfig(value: unknown, file: string): AuditConfig {
  const fail = (key: string, problem: string, fix: string): never => {
    throw new ConfigError(`${file}: ${key}: ${problem}. Fix: ${fix}`);
  };
  if (!isObject(value)) fail('(top level)', `is ${JSON.stringify(value)}, not a mapping`, `write keys such as ${KEYS.join(', ')}`);
  const config = value as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (!KEYS.includes(key)) fail(key, 'is not a setting', `use ${KEYS.join(', ')}`);
  }
  const rules: Record<string, Severity | 'off'> = {};
  if (config.rules !== undefined && config.rules !== null) {
    if (!isObject(config.rules)) fail('rules', 'is not a mapping', 'write rule-id: error|warning|off, one per line');
    for (const [id, level] of Object.entries(config.rules as Record<string, unknown>)) {
      if (!isRuleId(id)) fail(`rules.${id}`, 'names no rule', 'use an id from `cdk8s-resilient audit --list-rules`');
      // YAML reads a bare `off` as a string under the core schema; `false` means off too.
      const normalised = level === false ? 'off' : level;
      if (normalised !== 'error' && normalised !== 'warning' && normalised !== 'off') fail(`rules.${id}`, `is ${JSON.stringify(level)}`, 'use error, warning or off');
      rules[id] = normalised as Severity | 'off';
    }
  }
  const assumptions: { appShutdownSeconds?: number } = {};
  if (config.assumptions !== undefined && config.assumptions !== null) {
    if (!isObject(config.assumptions)) fail('assumptions', 'is not a mapping', 'write appShutdownSeconds: <seconds>');
    for (const [key, v] of Object.entries(config.assumptions as Record<string, unknown>)) {
      if (key !== 'appShutdownSeconds') fail(`assumptions.${key}`, 'is not an assumption the rules use', 'use appShutdownSeconds');
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(`assumptions.${key}`, `is ${JSON.stringify(v)}`, 'write a whole number of seconds, e.g. 20');
      assumptions.appShutdownSeconds = v as number;
    }
  }
  const ignore: string[] = [];
  if (config.ignore !== undefined && config.ignore !== null) {
    if (!Array.isArray(config.ignore)) fail('ignore', 'is not a list', 'write a list of globs, e.g. - charts/**');
    for (const [i, glob] of (config.ignore as unknown[]).entries()) {
      if (typeof glob !== 'string' || glob.trim() === '') fail(`ignore[${i}]`, `is ${JSON.stringify(glob)}`, 'write a glob such as charts/** or **/testdata/**');
      ignore.push((glob as string).trim());
    }
  }
  let failOn: Severity | undefined;
  if (config.failOn !== undefined && config.failOn !== null) {
    if (config.failOn !== 'error' && config.failOn !== 'warning') fail('failOn', `is ${JSON.stringify(config.failOn)}`, 'use error or warning');
    failOn = config.failOn as Severity;
  }
  return { file, rules, assumptions, ignore, base: path.dirname(path.resolve(file)), ...(failOn ? { failOn } : {}) };
}
