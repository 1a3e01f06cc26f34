/**
 * Errors raised for bad input. Pure functions in concerns/ know the field and the fix but not the
 * construct; constructs add the construct path with {@link withConstructPath}, so every message
 * reads `[path] field: value problem. Fix: ...`.
 */
import { IConstruct } from 'constructs';

/**
 * A setting that cannot be used, as found by a pure function.
 * @jsii ignore
 */
export class InvalidSetting extends Error {
  constructor(
    public readonly field: string,
    public readonly value: unknown,
    public readonly problem: string,
    public readonly fix: string,
  ) {
    super(`${field}: ${describeValue(value)} ${problem}. Fix: ${fix}`);
    this.name = 'InvalidSetting';
  }
}

/**
 * The same error once the construct that received the setting is known. Other languages get the
 * message (`[construct path] field: value problem. Fix: ...`) in their runtime's exception.
 * @jsii ignore
 */
export class ResilientConfigError extends Error {
  constructor(public readonly constructPath: string, public readonly setting: InvalidSetting) {
    super(`[${constructPath}] ${setting.message}`);
    this.name = 'ResilientConfigError';
  }
}

/**
 * The value as a reader would write it: strings quoted, NaN and Infinity by name (JSON would turn
 * them into `null`), objects and arrays in JSON form.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  return render(value, 0);
}

function render(value: unknown, depth: number): string {
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value === 'boolean' || value === undefined) return String(value);
  if (typeof value === 'bigint') return `${value}`;
  if (typeof value === 'function' || typeof value === 'symbol') return `(${typeof value})`;
  if (depth > 6) return '...';
  if (Array.isArray(value)) return `[${value.map((v) => render(v, depth + 1)).join(',')}]`;
  const entries = Object.entries(value as object).filter(([, v]) => v !== undefined && typeof v !== 'function');
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${render(v, depth + 1)}`).join(',')}}`;
}

/** The largest value of a Kubernetes int32 field (replicas, limits, most counts and seconds). */
export const INT32_MAX = 2 ** 31 - 1;

/**
 * Whole numbers only, from `min` to `max` (the int32 maximum unless given). Each failure names its
 * own problem: 3.5 is "not a whole number", not "below 2".
 */
export function requireWholeNumber(value: unknown, field: string, min: number, fix: string, belowMin?: string, max = INT32_MAX): asserts value is number {
  requireSetting(typeof value === 'number' && Number.isInteger(value), field, value, 'is not a whole number', fix);
  requireSetting((value as number) >= min, field, value, belowMin ?? `must be at least ${min}`, fix);
  requireSetting((value as number) <= max, field, value,
    max === INT32_MAX ? `is above ${INT32_MAX}, the largest value Kubernetes accepts here (a 32-bit integer)` : `must be at most ${max}`, fix);
}

/** Runs `compute` and re-raises any {@link InvalidSetting} with the construct path in front. */
export function withConstructPath<T>(scope: IConstruct, compute: () => T): T {
  try {
    return compute();
  } catch (e) {
    if (e instanceof InvalidSetting) throw new ResilientConfigError(scope.node.path, e);
    throw e;
  }
}

/**
 * Options that must be an object when given. Plain JavaScript callers may still pass 0.1's
 * `disruptionBudget: false`, which would otherwise read as "no options" and turn the budget on.
 */
export function requireOptionsObject(value: unknown, field: string, fix: string): void {
  requireSetting(value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value)), field, value, 'is not an options object', fix);
}

/** Throws when `condition` is false. Keeps validations one line each. */
export function requireSetting(condition: boolean, field: string, value: unknown, problem: string, fix: string): void {
  if (!condition) throw new InvalidSetting(field, value, problem, fix);
}
