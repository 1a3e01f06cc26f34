/**
 * Errors raised for bad input. Pure functions in concerns/ know the field and the fix but not the
 * construct; constructs add the construct path with {@link withConstructPath}, so every message
 * reads `[path] field: value problem. Fix: ...`.
 */
import { IConstruct } from 'constructs';

/** A setting that cannot be used, as found by a pure function. */
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

/** The same error once the construct that received the setting is known. */
export class ResilientConfigError extends Error {
  constructor(public readonly constructPath: string, public readonly setting: InvalidSetting) {
    super(`[${constructPath}] ${setting.message}`);
    this.name = 'ResilientConfigError';
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
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

/** Throws when `condition` is false. Keeps validations one line each. */
export function requireSetting(condition: boolean, field: string, value: unknown, problem: string, fix: string): void {
  if (!condition) throw new InvalidSetting(field, value, problem, fix);
}
