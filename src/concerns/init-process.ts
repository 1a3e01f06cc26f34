/**
 * PID 1 and signals. A process running as PID 1 gets no default signal handlers (SIGTERM is
 * ignored unless the program installs a handler) and must reap orphaned children. An init such
 * as dumb-init or tini runs as PID 1, forwards signals and reaps zombies; a shared process
 * namespace makes the pod's pause container PID 1 instead.
 */
import { requireSetting } from './errors';
import { bashRunsLastCommandInPlace, lastCommandExecs } from './shell-script';

/** Which process is PID 1 in the main container. */
export enum InitKind {
  /** dumb-init wraps the command and forwards signals to its process group. */
  DUMB_INIT = 'dumb-init',
  /** tini (with -g) wraps the command and forwards signals to its process group. */
  TINI = 'tini',
  /** The pod's pause container is PID 1 (shareProcessNamespace: true). */
  SHARED_PROCESS_NAMESPACE = 'shared-process-namespace',
  /** The app itself is PID 1. */
  NONE = 'none',
}

/** Who is PID 1 in the main container: handles signals and reaps zombies, or not. */
export class InitProcess {
  /**
   * dumb-init as PID 1 (`dumb-init -- <command>`): forwards signals (to the whole process group,
   * in its default mode) and reaps zombies.
   */
  public static dumbInit(path = '/usr/bin/dumb-init'): InitProcess {
    return new InitProcess(InitKind.DUMB_INIT, path, [path, '--']);
  }

  /** tini as PID 1, with `-g` so signals reach the whole process group like dumb-init's. */
  public static tini(path = '/usr/bin/tini'): InitProcess {
    return new InitProcess(InitKind.TINI, path, [path, '-g', '--']);
  }

  /**
   * `shareProcessNamespace: true`: the pause container is PID 1 and reaps zombies, and the app
   * gets default signal handling. Needs nothing in the image; the pod's containers see each
   * other's processes.
   */
  public static sharedProcessNamespace(): InitProcess {
    return new InitProcess(InitKind.SHARED_PROCESS_NAMESPACE, undefined, []);
  }

  /** Nothing: the app itself must handle SIGTERM as PID 1 and reap its children. */
  public static none(): InitProcess {
    return new InitProcess(InitKind.NONE, undefined, []);
  }

  private constructor(
    /** Which init this is. */
    public readonly kind: InitKind,
    /** Absolute path of the init binary inside the image, when there is one. */
    public readonly binaryPath: string | undefined,
    /** What goes in front of the container command. */
    public readonly commandPrefix: string[],
  ) {}

  /** Whether signals sent to PID 1 reach every process of the container's process group. */
  public get signalsProcessGroup(): boolean {
    return this.kind === 'dumb-init' || this.kind === 'tini';
  }
}

/** The default: works with every image because it needs no binary inside it. */
export const DEFAULT_INIT = InitProcess.sharedProcessNamespace();

export interface EntrypointPlan {
  readonly command?: string[];
  readonly args?: string[];
  readonly shareProcessNamespace: boolean;
}

/**
 * Puts the init in front of the container command, after checking that SIGTERM will reach the
 * app. A wrapping init needs the command: the image's own entrypoint is unknown here.
 */
export function planEntrypoint(init: InitProcess, command: string[] | undefined, args: string[] | undefined, field: string): EntrypointPlan {
  const delivery = analyzeSignalDelivery([...(command ?? []), ...(args ?? [])], init);
  requireSetting(delivery.reachesApp, `${field}.command`, [...(command ?? []), ...(args ?? [])], delivery.reason, delivery.fix ?? '');
  if (init.commandPrefix.length > 0) {
    requireSetting(!!command && command.length > 0, `${field}.command`, command,
      `is needed to wrap the entrypoint with ${init.kind}: the image's own entrypoint is not known at synth time`,
      `set command to the image's entrypoint (e.g. ["java", "-jar", "/app.jar"]), or use InitProcess.sharedProcessNamespace() which needs no command`);
    return { command: [...init.commandPrefix, ...command!], args, shareProcessNamespace: false };
  }
  return { command, args, shareProcessNamespace: init.kind === 'shared-process-namespace' };
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh']);

export interface ShellWrapper {
  readonly shell: string;
  readonly script: string;
}

/** Recognises `sh -c 'script'` / `bash -c ...` (also `-ec`, `-xc` and the like). */
export function findShellWrapper(argv: readonly string[]): ShellWrapper | undefined {
  if (argv.length < 2) return undefined;
  const shell = basename(argv[0]);
  if (!SHELLS.has(shell)) return undefined;
  const flagIndex = argv.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a));
  if (flagIndex < 0 || flagIndex + 1 >= argv.length) return undefined;
  return { shell, script: argv[flagIndex + 1] };
}

export interface SignalDelivery {
  readonly reachesApp: boolean;
  readonly reason: string;
  readonly fix?: string;
}

/**
 * Does SIGTERM from the kubelet reach the app, and can the app finish its shutdown? The answer
 * follows what the shutdown drill measured (docs/shutdown-drill.md, test/drill/shell-forms.test.ts):
 * - `exec` as the script's last command replaces the shell: safe under any init;
 * - bash replaces itself with the last command of a lone command or of an `&&` chain;
 * - dash (Debian's /bin/sh) stays the parent of the app and does not forward SIGTERM;
 * - an init does NOT make such a form safe: dumb-init and `tini -g` do signal the whole process
 *   group, but the shell dies at once, the init exits with its only child and the app is killed
 *   part-way through its shutdown; plain tini signals only the shell.
 */
export function analyzeSignalDelivery(argv: readonly string[], init: InitProcess): SignalDelivery {
  const wrapper = findShellWrapper(argv);
  if (!wrapper) return { reachesApp: true, reason: 'the app is the container process' };
  if (lastCommandExecs(wrapper.script)) {
    return { reachesApp: true, reason: 'the script execs the app, which replaces the shell' };
  }
  if (wrapper.shell === 'bash' && bashRunsLastCommandInPlace(wrapper.script)) {
    return { reachesApp: true, reason: 'bash runs the last command of a lone command or && chain in place of itself' };
  }
  const outcome = init.signalsProcessGroup
    ? `${init.kind} signals the whole process group, but the shell dies at once, ${init.kind} exits with it and the app is killed part-way through its shutdown`
    : init.kind === 'shared-process-namespace'
      ? 'SIGTERM kills the shell and leaves the app orphaned until the grace period ends and it is SIGKILLed'
      : 'SIGTERM stops at the shell and the app is SIGKILLed when the grace period ends';
  return {
    reachesApp: false,
    reason: `runs the app behind \`${wrapper.shell} -c\` without exec: ${outcome}`,
    fix: 'start the last command with exec (e.g. "... && exec my-app"); an init in front of the shell does not fix this form',
  };
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export interface DetectedInit {
  /**
   * The init as far as signal delivery goes: `dumbInit()` / `tini()` when it signals the whole
   * process group, `sharedProcessNamespace()` when the pod shares its process namespace, else `none()`.
   */
  readonly init: InitProcess;
  /** The init binary that starts the command, even one that signals only its child. */
  readonly binary?: 'dumb-init' | 'tini';
  /** The command the init runs: argv without the init and its options. */
  readonly command: string[];
}

/** Options of dumb-init and tini that take a value, so that value is not read as the command. */
const INIT_OPTIONS_WITH_VALUE: Record<'dumb-init' | 'tini', ReadonlySet<string>> = {
  'dumb-init': new Set(['-r', '--rewrite']),
  'tini': new Set(['-p', '-e']),
};

/** The environment variables {@link detectInit} reads (a caller may pass only these). */
export const INIT_ENVIRONMENT: readonly string[] = ['DUMB_INIT_SETSID', 'TINI_KILL_PROCESS_GROUP'];

/**
 * Which init, if any, a container command starts with: the reverse of {@link planEntrypoint}, for
 * manifests this library did not write. dumb-init signals the process group unless `-c` /
 * `--single-child` or `DUMB_INIT_SETSID=0`; tini only with `-g` or `TINI_KILL_PROCESS_GROUP`.
 */
export function detectInit(argv: readonly string[], pod: { shareProcessNamespace?: boolean; env?: Record<string, string | undefined> } = {}): DetectedInit {
  const fallback = pod.shareProcessNamespace ? InitProcess.sharedProcessNamespace() : InitProcess.none();
  const name = argv.length > 0 ? basename(argv[0]) : '';
  if (name !== 'dumb-init' && name !== 'tini') return { init: fallback, command: [...argv] };
  const flags: string[] = [];
  let i = 1;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { i++; break; }
    if (!arg.startsWith('-')) break;
    flags.push(arg);
    if (INIT_OPTIONS_WITH_VALUE[name].has(arg)) i++;
  }
  const command = argv.slice(i);
  const env = pod.env ?? {};
  const shortFlag = (letter: string) => flags.some((f) => /^-[a-zA-Z]+$/.test(f) && f.includes(letter));
  if (name === 'dumb-init') {
    const singleChild = shortFlag('c') || flags.includes('--single-child') || env.DUMB_INIT_SETSID === '0';
    return { init: singleChild ? fallback : InitProcess.dumbInit(argv[0]), binary: name, command };
  }
  const group = shortFlag('g') || (env.TINI_KILL_PROCESS_GROUP !== undefined && env.TINI_KILL_PROCESS_GROUP !== '');
  return { init: group ? InitProcess.tini(argv[0]) : fallback, binary: name, command };
}
