/**
 * The formats the API server enforces on names, ports, keys and quantities (Kubernetes 1.27,
 * apimachinery's validation), as predicates and as checks that raise {@link InvalidSetting}.
 * Everything this library writes or passes through is held to them at synth, so a typo fails
 * there with the construct path rather than at `kubectl apply` in a pipeline.
 */
import { requireSetting } from './errors';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** StatefulSet pods carry `controller-revision-hash: <name>-<hash>` (a label value, at most 63). */
export const STATEFUL_SET_NAME_MAX = 52;
/** A CronJob's Jobs are named `<name>-<11 characters>`, and the Job name is a label value too. */
export const CRON_JOB_NAME_MAX = 52;

export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

export function isDns1035Label(value: string): boolean {
  return value.length <= 63 && DNS_1035_LABEL.test(value);
}

export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

/** A label key, annotation key or topology key: `[prefix/]name`. */
export function isQualifiedName(value: string): boolean {
  const parts = value.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && (parts[0].length === 0 || !isDnsSubdomain(parts[0]))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

/** A port name (IANA_SVC_NAME): 1-15 lower-case letters, digits and '-', a letter among them, no '--', no '-' at either end. */
export function isPortName(value: string): boolean {
  return value.length >= 1 && value.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value) && /[a-z]/.test(value) && !value.includes('--');
}

export function isEnvVarName(value: string): boolean {
  return ENV_VAR_NAME.test(value);
}

export function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

const SUFFIX: Record<string, number> = {
  '': 1, 'n': 1e-9, 'u': 1e-6, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

/** The quantity as a number (approximate for huge values), or undefined when it is not one. */
export function quantityValue(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const m = QUANTITY.exec(value);
  if (!m) return undefined;
  const unit = m[3] ?? '';
  if (/^[eE]/.test(unit)) return Number(value);
  return Number(value.slice(0, value.length - unit.length)) * SUFFIX[unit];
}

const NAME_CHARS = 'lower-case letters, digits and "-", starting and ending with a letter or digit';

/** An object name for `kind` (the API server's rule for that kind, and our length limits). */
export function checkObjectName(name: unknown, field: string, kind: string, fix: string): void {
  requireSetting(typeof name === 'string' && name.length > 0, field, name, `is empty, and every ${kind} needs a name`, fix);
  const value = name as string;
  if (kind === 'Service') {
    requireSetting(isDns1035Label(value), field, value,
      `is not a valid Service name (at most 63 ${NAME_CHARS.replace('letter or digit', 'letter or digit; the first a letter')})`, fix);
    return;
  }
  const max = kind === 'StatefulSet' ? STATEFUL_SET_NAME_MAX : kind === 'CronJob' ? CRON_JOB_NAME_MAX : 63;
  const why = kind === 'StatefulSet'
    ? ' (the controller labels its pods with the name plus an 11-character hash, and a label value has at most 63)'
    : kind === 'CronJob' ? ' (its Jobs are named after it plus 11 characters)' : ' (it is also the app.kubernetes.io/instance label value and part of pod names)';
  requireSetting(value.length <= max, field, value, `has ${value.length} characters, more than the ${max} a ${kind} name may have${why}`, fix);
  requireSetting(isDnsLabel(value) || (kind !== 'StatefulSet' && isDnsSubdomain(value)), field, value,
    `is not a valid ${kind} name (${NAME_CHARS}${kind === 'StatefulSet' ? '; pods take it as their host name, so no "."' : ', and "."'})`, fix);
}

/** Suggests a valid name for a rejected one, for messages. */
export function nameHint(value: unknown, max = 63): string {
  const cleaned = String(value ?? '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+|-+$/g, '').slice(0, max).replace(/-+$/, '');
  return cleaned || 'my-app';
}

export function checkTopologyKey(key: unknown, field: string): void {
  requireSetting(typeof key === 'string' && isQualifiedName(key), field, key,
    'is not a valid topology key (a node label key: an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or ".")',
    'use a node label key such as "topology.kubernetes.io/zone" or "kubernetes.io/hostname"');
}

export function checkPriorityClassName(name: unknown, field: string): void {
  requireSetting(typeof name === 'string' && isDnsSubdomain(name), field, name,
    'is not a valid PriorityClass name (lower-case letters, digits, "-" and ".", at most 253 characters)',
    'use the name of a PriorityClass in the cluster, e.g. "high-priority" (see kubectl get priorityclasses)');
}
