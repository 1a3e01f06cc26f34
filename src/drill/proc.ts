/**
 * Reading processes from /proc (Linux only). Parsing is split from reading so the parsers can be
 * tested on fixed strings; the readers return undefined for processes that vanished meanwhile.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ProcessInfo, SigtermDisposition } from './types';

/** Bit of a signal in the masks of /proc/PID/status (signal n is bit n - 1). */
const signalBit = (signal: number) => 1n << BigInt(signal - 1);

export interface StatFields {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly startTime: number;
}

/** Parses /proc/PID/stat. The name sits in parentheses and may itself contain spaces or ")". */
export function parseStat(text: string): StatFields | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); starttime is field 22.
  const num = (field: number) => Number(rest[field - 3]);
  if (!Number.isFinite(pid) || rest.length < 20) return undefined;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0],
    ppid: num(4),
    pgid: num(5),
    sid: num(6),
    startTime: num(22),
  };
}

export interface StatusFields {
  /** Disposition of the signal asked about (SIGTERM unless another stop signal is given). */
  readonly sigterm: SigtermDisposition;
  readonly nsPid?: number;
  /** The signal asked about is pending (sent, not yet acted on); only set when it is. */
  readonly pending?: true;
}

/**
 * Reads the signal masks of /proc/PID/status for one signal (15, SIGTERM, unless told otherwise).
 * A caught signal wins over a blocked one: the handler runs once the signal is unblocked.
 * Blocked-but-default is reported as blocked (the signal waits).
 */
export function parseStatus(text: string, signal = 15): StatusFields {
  const bit = signalBit(signal);
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text);
    return m ? m[1].trim() : undefined;
  };
  const mask = (name: string) => {
    const v = field(name);
    return v && /^[0-9a-f]+$/i.test(v) ? BigInt('0x' + v) : undefined;
  };
  const cgt = mask('SigCgt');
  const ign = mask('SigIgn');
  const blk = mask('SigBlk');
  let sigterm: SigtermDisposition = 'unknown';
  if (cgt !== undefined && ign !== undefined) {
    if (cgt & bit) sigterm = 'caught';
    else if (ign & bit) sigterm = 'ignored';
    else if (blk !== undefined && blk & bit) sigterm = 'blocked';
    else sigterm = 'default';
  }
  const ns = field('NSpid');
  const nsPids = ns ? ns.split(/\s+/).map(Number).filter((n) => Number.isFinite(n)) : [];
  const pending = ((mask('SigPnd') ?? 0n) | (mask('ShdPnd') ?? 0n)) & bit;
  return { sigterm, nsPid: nsPids.length ? nsPids[nsPids.length - 1] : undefined, ...(pending ? { pending: true as const } : {}) };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The stat line of one process, or undefined when it is gone. */
export function readStat(pid: number): StatFields | undefined {
  const text = readText(`/proc/${pid}/stat`);
  return text ? parseStat(text) : undefined;
}

/** Splits /proc/PID/cmdline into argv. */
export function parseCmdline(text: string): string[] {
  const argv = text.split('\0');
  if (argv.length && argv[argv.length - 1] === '') argv.pop();
  return argv;
}

/**
 * Full information about one process (several /proc files), or undefined when it is gone.
 * @param signal the stop signal whose disposition to read (15, SIGTERM, by default)
 */
export function readProcess(pid: number, signal = 15): ProcessInfo | undefined {
  const stat = readStat(pid);
  if (!stat) return undefined;
  const status = parseStatus(readText(`/proc/${pid}/status`) ?? '', signal);
  const argv = parseCmdline(readText(`/proc/${pid}/cmdline`) ?? '');
  let exe: string | undefined;
  try {
    exe = path.basename(fs.readlinkSync(`/proc/${pid}/exe`)).replace(/ \(deleted\)$/, '');
  } catch {
    exe = undefined;
  }
  return { ...stat, argv, exe, sigterm: status.sigterm, nsPid: status.nsPid };
}

/** Every process visible in /proc, keyed by pid (stat fields only: cheap enough to sample often). */
export function readAllStats(): Map<number, StatFields> {
  const out = new Map<number, StatFields>();
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.set(s.pid, s);
  }
  return out;
}

/** Pids of every descendant of the roots in a snapshot, parents before children. */
export function descendantsOf(stats: Map<number, StatFields>, roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const s of stats.values()) {
    const list = children.get(s.ppid);
    if (list) list.push(s.pid);
    else children.set(s.ppid, [s.pid]);
  }
  const out: number[] = [];
  const queue = [...roots];
  const seen = new Set<number>(roots);
  while (queue.length) {
    const pid = queue.shift() as number;
    for (const child of (children.get(pid) ?? []).sort((a, b) => a - b)) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Identity of a process that survives pid reuse. */
export function processKey(s: { pid: number; startTime: number }): string {
  return `${s.pid}@${s.startTime}`;
}

/** True when /proc is mounted and readable (Linux). */
export function procAvailable(): boolean {
  return readStat(process.pid) !== undefined;
}

/** Seconds since boot (/proc/uptime, to the hundredth): the clock of /proc start times. */
export function uptimeSeconds(): number | undefined {
  const text = readText('/proc/uptime');
  const n = text ? Number(text.split(' ')[0]) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
