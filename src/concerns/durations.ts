/** Durations as Kubernetes stores them: whole seconds, in 32-bit fields unless said otherwise. */
import type { Duration } from 'cdk8s';
import { INT32_MAX, requireSetting } from './errors';

/**
 * Durations in pod specs are whole seconds; refuse fractions rather than round them silently.
 * Most such fields are 32-bit integers in Kubernetes; `max` is higher for the few 64-bit ones.
 */
export function wholeSeconds(duration: Duration, field: string, max = INT32_MAX): number {
  // Duck-typed: an app may load its own copy of cdk8s.
  requireSetting(typeof (duration as { toMilliseconds?: unknown } | undefined)?.toMilliseconds === 'function', field, duration, 'is not a Duration', 'use e.g. Duration.seconds(30)');
  let ms: number;
  try {
    // Not integral: cdk8s would throw its own error, without the field, for NaN or a fraction of a millisecond.
    ms = duration.toMilliseconds({ integral: false });
  } catch {
    ms = NaN;
  }
  const shown = `${ms / 1000}s`;
  requireSetting(Number.isFinite(ms), field, shown, 'is not a finite number of seconds', 'use e.g. Duration.seconds(30)');
  requireSetting(ms >= 0, field, shown, 'is negative', 'use a duration of zero or more seconds');
  requireSetting(ms % 1000 === 0, field, shown, 'is not a whole number of seconds (Kubernetes counts these in seconds)', `use Duration.seconds(${Math.ceil(ms / 1000)})`);
  requireSetting(ms / 1000 <= max, field, shown,
    `is above ${max} seconds, the largest value Kubernetes accepts here${max === INT32_MAX ? ' (a 32-bit integer)' : ''}`, `use at most Duration.seconds(${max})`);
  return ms / 1000;
}

/** For the 64-bit seconds fields (grace period, deadlines): the largest whole number a JSON number keeps exact. */
export const INT64_SECONDS_MAX = Number.MAX_SAFE_INTEGER;
