/**
 * Pure reasoning about who gets SIGTERM in a process tree: which processes are shells, which are
 * signal-forwarding inits and how they forward, and whether a shell sits between the signal and
 * the app. Input is what /proc showed at the moment SIGTERM was sent.
 */
import * as os from 'os';
import * as path from 'path';
import { ProcessInfo, SigtermSnapshot } from './types';

const SHELLS = new Set(['sh', 'dash', 'bash', 'ash', 'zsh', 'ksh', 'mksh', 'yash']);
const INITS = new Set(['tini', 'tini-static', 'dumb-init', 'catatonit']);

/** A short human name: the basename of argv[0], else the kernel name. */
export function processName(p: ProcessInfo): string {
  const first = p.argv[0] ? path.basename(p.argv[0]) : '';
  return first || p.comm;
}

export function describeProcess(p: ProcessInfo): string {
  return `${processName(p)} (pid ${p.pid})`;
}

export function isShell(p: ProcessInfo): boolean {
  const exe = p.exe ?? '';
  if (SHELLS.has(exe)) return true;
  if (exe === 'busybox') return SHELLS.has(processName(p));
  return !exe && SHELLS.has(p.comm);
}

export function isInit(p: ProcessInfo): boolean {
  return INITS.has(p.exe ?? '') || INITS.has(processName(p));
}

/**
 * How an init passes SIGTERM on: to its child only, or to the child's whole process group.
 * tini and catatonit send to the child unless given -g; dumb-init sends to the child's group
 * unless given -c/--single-child. Environment switches (TINI_KILL_PROCESS_GROUP,
 * DUMB_INIT_SETSID) are not read.
 */
export function initForwarding(p: ProcessInfo): 'child' | 'group' | undefined {
  if (!isInit(p)) return undefined;
  const dumb = (p.exe ?? processName(p)) === 'dumb-init' || processName(p) === 'dumb-init';
  const opts: string[] = [];
  for (let i = 1; i < p.argv.length; i++) {
    const a = p.argv[i];
    if (a === '--' || !a.startsWith('-')) break;
    opts.push(a);
    // options that take a value in the next word
    if (!dumb && (a === '-e' || a === '-p')) i++;
    if (dumb && (a === '-r' || a === '--rewrite')) i++;
  }
  if (dumb) {
    const single = opts.some((o) => o === '--single-child' || (!o.startsWith('--') && o.slice(1).includes('c')));
    return single ? 'child' : 'group';
  }
  const group = opts.some((o) => !o.startsWith('--') && /^-[a-z]*g/i.test(o));
  return group ? 'group' : 'child';
}

/**
 * The command an init runs: argv without `tini`/`dumb-init`/`catatonit` and their options, or
 * argv itself when it does not start with an init.
 */
export function unwrapInit(argv: string[]): string[] {
  const name = argv.length ? path.basename(argv[0]) : '';
  if (!INITS.has(name)) return argv;
  const withValue = name === 'dumb-init' ? ['-r', '--rewrite'] : ['-e', '-p'];
  let i = 1;
  while (i < argv.length && argv[i].startsWith('-')) {
    if (argv[i] === '--') return argv.slice(i + 1);
    i += withValue.includes(argv[i]) ? 2 : 1;
  }
  return argv.slice(i);
}

export function childrenOf(snapshot: SigtermSnapshot, pid: number): ProcessInfo[] {
  return snapshot.descendants.filter((p) => p.ppid === pid && p.state !== 'Z');
}

/**
 * A shell without a SIGTERM handler that has children and stands where SIGTERM arrives.
 * - `pid1-shell`: the shell is PID 1; the kernel drops SIGTERM for it and its children never hear.
 * - `shell-main`: the shell is the main process but not PID 1; it dies at once and leaves its
 *   children running, unsignalled.
 * - `init-child`: an init forwards to the shell only; the shell dies and the children never hear.
 * - `init-group`: an init signals the shell's whole group; the children do get SIGTERM, but the
 *   shell dies at once, the init exits with it, and the children are cut short.
 */
export interface ShellInStopPath {
  readonly kind: 'pid1-shell' | 'shell-main' | 'init-child' | 'init-group';
  readonly shell: ProcessInfo;
  readonly init?: ProcessInfo;
  readonly children: ProcessInfo[];
}

export function findShellInStopPath(snapshot: SigtermSnapshot): ShellInStopPath | undefined {
  const main = snapshot.main;
  if (!main) return undefined;
  const stranding = (p: ProcessInfo) => isShell(p) && p.sigterm !== 'caught' && childrenOf(snapshot, p.pid).length > 0;
  if (stranding(main)) {
    return {
      kind: snapshot.mainIsPid1 ? 'pid1-shell' : 'shell-main',
      shell: main,
      children: childrenOf(snapshot, main.pid),
    };
  }
  const forwarding = initForwarding(main);
  if (forwarding) {
    for (const child of childrenOf(snapshot, main.pid)) {
      if (stranding(child)) {
        return {
          kind: forwarding === 'group' ? 'init-group' : 'init-child',
          shell: child,
          init: main,
          children: childrenOf(snapshot, child.pid),
        };
      }
    }
  }
  return undefined;
}

/** Renders argv as a shell would need it typed, for reports. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export interface StopSignal {
  readonly name: NodeJS.Signals;
  readonly number: number;
}

/**
 * Reads a stop signal as an image's STOPSIGNAL is written: `SIGQUIT`, `QUIT` or `3`. Throws with
 * the reason for anything else. SIGSTOP is refused: it pauses a process instead of stopping it.
 */
export function parseStopSignal(text: string): StopSignal {
  const signals = os.constants.signals as Record<string, number>;
  const t = text.trim().toUpperCase();
  let name: string | undefined;
  if (/^\d+$/.test(t)) name = Object.keys(signals).find((k) => signals[k] === Number(t));
  else name = signals[t] !== undefined ? t : signals[`SIG${t}`] !== undefined ? `SIG${t}` : undefined;
  if (!name) throw new Error(`'${text}' is not a signal (examples: SIGTERM, SIGQUIT, SIGINT, 15)`);
  if (name === 'SIGSTOP') throw new Error('SIGSTOP pauses a process instead of stopping it; it cannot be a stop signal');
  return { name: name as NodeJS.Signals, number: signals[name] };
}
