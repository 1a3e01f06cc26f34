/**
 * CronJob schedules, checked the way the API server parses them (robfig/cron in standard mode),
 * with a precise message for each mistake: a schedule Kubernetes would reject, or one that parses
 * but never runs, fails at synth rather than at apply time.
 */
import { Cron } from 'cdk8s';
import { InvalidSetting, requireSetting } from './errors';

export interface CronSchedulePlan {
  /** The schedule as written to the manifest (trimmed, single spaces). */
  readonly expression: string;
  /** The same schedule as five fields (macros expanded). */
  readonly fields: CronFields;
  readonly macro?: string;
}

export interface CronFields {
  readonly minute: string;
  readonly hour: string;
  readonly dayOfMonth: string;
  readonly month: string;
  readonly dayOfWeek: string;
}


const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldRule {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Names mapped to numbers: index + offset. */
  readonly names?: { readonly list: string[]; readonly offset: number; readonly hint: string };
  readonly allowsQuestionMark?: boolean;
}

const FIELD_RULES: FieldRule[] = [
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31, allowsQuestionMark: true },
  { label: 'month', min: 1, max: 12, names: { list: MONTH_NAMES, offset: 1, hint: 'JAN-DEC' } },
  { label: 'day of week', min: 0, max: 6, names: { list: DAY_NAMES, offset: 0, hint: 'SUN-SAT' }, allowsQuestionMark: true },
];

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const SUPPORTED_MACROS = Object.keys(MACROS);

/** Checks a schedule the way the API server parses it, with a precise message for each mistake. */
export function planSchedule(schedule: string | Cron): CronSchedulePlan {
  const raw = typeof schedule === 'string' ? schedule : schedule.expressionString;
  const expression = raw.trim().split(/\s+/).join(' ');
  const fail = (problem: string, fix: string): never => reject('schedule', raw, problem, fix);
  if (expression.length === 0) fail('is empty', 'use five fields such as "30 2 * * *" (02:30 every day) or a macro such as "@daily"');

  const tz = /^(CRON_TZ|TZ)=(\S*)\s*(.*)$/.exec(expression);
  if (tz) {
    fail(`sets the time zone inside the schedule with ${tz[1]}=, which Kubernetes rejects`,
      `move it to the timeZone setting (timeZone: "${tz[2] || 'Europe/Berlin'}") and keep only "${tz[3] || '<five fields>'}" in the schedule`);
  }

  if (expression.startsWith('@')) {
    const [macro, ...rest] = expression.split(' ');
    const lower = macro.toLowerCase();
    if (lower === '@reboot') {
      fail('runs "at boot", which means nothing for a CronJob: no machine boots, and Kubernetes rejects it',
        'use a ResilientJob for work that runs once per deployment, or a five-field schedule');
    }
    if (lower === '@every') {
      fail('uses @every, which Kubernetes does not document for CronJobs',
        'write the interval as five fields, e.g. "*/15 * * * *" for every 15 minutes or "0 */6 * * *" for every 6 hours');
    }
    if (!(lower in MACROS)) fail('is not a supported macro', `use one of ${SUPPORTED_MACROS.join(', ')}, or five fields`);
    if (macro !== lower) fail(`writes the macro ${macro} in capitals, which the cron parser Kubernetes uses does not recognise`, `use "${lower}"`);
    if (rest.length > 0) fail(`has text after the macro ${macro}`, `use "${macro}" alone`);
    return { expression, fields: toFields(MACROS[macro].split(' ')), macro };
  }

  const parts = expression.split(' ');
  if (parts.length !== 5) {
    const hint = parts.length === 6
      ? 'drop the seconds (or year) field: Kubernetes schedules have no seconds'
      : 'write minute hour day-of-month month day-of-week, e.g. "30 2 * * *"';
    fail(`has ${parts.length} field${parts.length === 1 ? '' : 's'}; a Kubernetes schedule has 5 (minute hour day-of-month month day-of-week)`, hint);
  }
  const values = parts.map((part, index) => parseField(part, index, raw));
  checkDaysExist(values[2], values[3], parts, raw);
  return { expression, fields: toFields(parts) };
}

function toFields(parts: string[]): CronFields {
  return { minute: parts[0], hour: parts[1], dayOfMonth: parts[2], month: parts[3], dayOfWeek: parts[4] };
}

/** The set of values a field selects; `undefined` stands for "every value" (`*` or `?`). */
function parseField(text: string, index: number, raw: string): Set<number> | undefined {
  const rule = FIELD_RULES[index];
  const where = `field ${index + 1} (${rule.label})`;
  const range = `${rule.min}-${rule.max}${rule.names ? ` or ${rule.names.hint}` : ''}`;
  const fail = (token: string, problem: string, fix: string): never => reject('schedule', raw, `${where} "${token}" ${problem}`, fix);

  let every = false;
  const selected = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') fail(text, 'has an empty list item', 'remove the extra comma');
    const [base, step, ...extra] = item.split('/');
    if (extra.length > 0) fail(item, 'has more than one "/"', 'use one step, e.g. "*/15"');
    let stepValue = 1;
    if (step !== undefined) {
      if (!/^\d+$/.test(step) || Number(step) === 0) fail(item, 'has a step that is not a whole number above 0', 'use e.g. "*/5"');
      stepValue = Number(step);
    }
    let low: number;
    let high: number;
    if (base === '*' || base === '?') {
      if (base === '?' && !rule.allowsQuestionMark) fail(item, 'uses "?", which only the day fields accept', 'use "*"');
      low = rule.min;
      high = rule.max;
      if (step === undefined) every = true;
    } else {
      const bounds = base.split('-');
      if (bounds.length > 2 || bounds.some((b) => b === '')) fail(item, 'is not a value or a range low-high', `use values in ${range}`);
      low = parseValue(bounds[0], rule, (problem, fix) => fail(item, problem, fix));
      high = bounds.length === 2 ? parseValue(bounds[1], rule, (problem, fix) => fail(item, problem, fix)) : (step !== undefined ? rule.max : low);
      if (low > high) fail(item, 'is a range whose start is after its end', 'write the smaller value first, or list the values with commas');
    }
    for (let v = low; v <= high; v += stepValue) selected.add(v);
  }
  return every ? undefined : selected;
}

function parseValue(token: string, rule: FieldRule, fail: (problem: string, fix: string) => never): number {
  const range = `${rule.min}-${rule.max}${rule.names ? ` or ${rule.names.hint}` : ''}`;
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (rule.label === 'day of week' && value === 7) {
      fail('is out of range 0-6 (the cron parser Kubernetes uses does not accept 7 for Sunday)', 'use 0 (or SUN) for Sunday');
    }
    if (value < rule.min || value > rule.max) fail(`is out of range ${rule.min}-${rule.max}`, `use a value in ${range}`);
    return value;
  }
  const nameIndex = rule.names?.list.indexOf(token.toLowerCase()) ?? -1;
  if (nameIndex >= 0) return nameIndex + rule.names!.offset;
  if (/^(L|LW|\d+[LW]|H.*)$|#/.test(token)) {
    fail('uses Quartz or Jenkins syntax (L, W, #, H), which Kubernetes does not support', `use plain values in ${range}`);
  }
  return fail(rule.names ? `is neither a number nor a three-letter name (${rule.names.hint})` : 'is not a number', `use values in ${range}`);
}

function reject(field: string, value: unknown, problem: string, fix: string): never {
  throw new InvalidSetting(field, value, problem, fix);
}

/**
 * A day-of-month list that no selected month has (e.g. "0 0 30 2 *") parses fine but never runs.
 * Only checked when the weekday field is "*": otherwise cron runs on either match.
 */
function checkDaysExist(days: Set<number> | undefined, months: Set<number> | undefined, parts: string[], raw: string): void {
  const weekdayIsEvery = parts[4] === '*' || parts[4] === '?';
  if (!days || !weekdayIsEvery) return;
  const monthList = months ? [...months] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const longest = Math.max(...monthList.map((m) => DAYS_IN_MONTH[m - 1]));
  const possible = [...days].some((d) => d <= longest);
  requireSetting(possible, 'schedule', raw,
    `never runs: day ${[...days].join(', ')} of the month does not occur in month ${monthList.join(', ')}`,
    'choose days that exist in the chosen months');
}
