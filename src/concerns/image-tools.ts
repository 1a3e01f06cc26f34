/**
 * What an image offers to the shutdown and init features, and how missing helpers are delivered.
 *
 * Distroless and scratch images have no shell, no `sleep` and no init. There a `sleep` preStop
 * fails (the kubelet records FailedPreStopHook and sends SIGTERM at once) and a `dumb-init --`
 * wrapper keeps the container from starting. Each container therefore says what its image has;
 * what it lacks can be injected: an init container copies static helpers into an emptyDir that
 * the app container mounts read-only, and hooks and the init wrapper use them by absolute path.
 */
import { requireSetting } from './errors';

/** Helper tools the library's hooks and init wrappers may need. */
export type HelperTool = 'sh' | 'sleep' | 'cat' | 'dumb-init' | 'tini';

/** Shell tools the library's hooks use, when the image has them (see ImageTools.of). */
export enum ShellTool {
  /** A POSIX shell at /bin/sh. */
  SH = 'sh',
  /** `sleep`, for drain pauses. */
  SLEEP = 'sleep',
  /** `cat`, to read PID files. */
  CAT = 'cat',
}

/** Paths of init binaries inside an image. */
export interface InitBinaryPaths {
  /** Absolute path of dumb-init in the image. @default the image has no dumb-init */
  readonly dumbInit?: string;
  /** Absolute path of tini in the image. @default the image has no tini */
  readonly tini?: string;
}

const SHELL_TOOLS: HelperTool[] = ['sh', 'sleep', 'cat'];

/** What an image offers to hooks and init wrappers: shell tools and init binaries. */
export class ImageTools {
  /**
   * A shell with the usual coreutils: `sh`, `sleep`, `cat` (Debian, Alpine, UBI ... images).
   * @param inits init binaries the image also has
   */
  public static shell(inits: InitBinaryPaths = {}): ImageTools {
    return new ImageTools('shell', new Set(SHELL_TOOLS), inits.dumbInit, inits.tini);
  }

  /** Nothing at all: distroless, scratch, most Spring Boot and Envoy images. */
  public static none(): ImageTools {
    return new ImageTools('none', new Set(), undefined, undefined);
  }

  /**
   * Exactly these tools, with the init binaries at the given paths.
   * @param tools the shell tools the image has
   * @param inits init binaries the image has
   */
  public static of(tools: ShellTool[], inits: InitBinaryPaths = {}): ImageTools {
    return new ImageTools(`${tools.join('+') || 'nothing'}`, new Set(tools), inits.dumbInit, inits.tini);
  }

  private constructor(
    /** For messages: "shell", "none", "sleep+cat" ... */
    public readonly description: string,
    private readonly tools: ReadonlySet<HelperTool>,
    /** Where the image has dumb-init, if it does. */
    public readonly dumbInitPath: string | undefined,
    /** Where the image has tini, if it does. */
    public readonly tiniPath: string | undefined,
  ) {}

  /** @jsii ignore */
  public has(tool: HelperTool): boolean {
    if (tool === 'dumb-init') return this.dumbInitPath !== undefined;
    if (tool === 'tini') return this.tiniPath !== undefined;
    return this.tools.has(tool);
  }
}

/** Where injected helpers are mounted in every container of the pod (read-only). */
export const HELPERS_MOUNT_PATH = '/cdk8s-resilient';
export const HELPERS_VOLUME_NAME = 'resilient-helpers';

/** A helper image: what it is, and where its static binaries are. */
export interface HelperImageProps {
  /** Image holding static helper binaries, `sh` and `cp` (for the copy). */
  readonly image: string;
  /** Path of a static busybox in the image: provides `sh`, `sleep` and `cat`. @default no busybox */
  readonly busybox?: string;
  /** Path of a dumb-init binary in the image (Debian's is linked against glibc: not for scratch). @default no dumb-init */
  readonly dumbInit?: string;
  /** Path of a static tini in the image (e.g. Debian's /usr/bin/tini-static). @default no tini */
  readonly tini?: string;
}

export const DEFAULT_HELPER_IMAGE = 'busybox:1.36.1-musl';

/** Static helpers copied into the pod by an init container. */
export class HelperInjection {
  /**
   * busybox's own image: `sh`, `sleep` and `cat` from its static busybox. No init binaries.
   * @param image the busybox image to copy from
   */
  public static busybox(image: string = DEFAULT_HELPER_IMAGE): HelperInjection {
    return new HelperInjection({ image, busybox: '/bin/busybox' });
  }

  /** A helper image of your own (see docs/distroless.md for one built from Debian packages). */
  public static fromImage(props: HelperImageProps): HelperInjection {
    return new HelperInjection(props);
  }

  private constructor(
    /** The helper image and its binaries. */
    public readonly props: HelperImageProps,
  ) {}

  /**
   * Raises what is wrong with the helper image as a setting of `field`. Called by the construct
   * that uses it (a factory called outside any construct could not say where it is used).
   * @jsii ignore
   */
  public check(field: string): void {
    const image = this.props?.image;
    requireSetting(typeof image === 'string' && image.trim().length > 0 && !/\s/.test(image), `${field}.image`, image,
      'is empty or contains white space', 'give the helper image reference, e.g. "registry.example.com/platform/helpers:1.0.0"');
    requireSetting(!!(this.props.busybox || this.props.dumbInit || this.props.tini), field, image,
      'names no helper binary to copy', 'give the path of busybox, dumbInit or tini inside the image');
    for (const key of ['busybox', 'dumbInit', 'tini'] as const) {
      const path = this.props[key];
      requireSetting(path === undefined || /^\/[^\s'"$`;&|]+$/.test(path), `${field}.${key}`, path,
        'must be an absolute path without spaces or shell characters', 'use e.g. "/bin/busybox"');
    }
  }

  /**
   * Binaries to copy for the tools used: [path in the helper image, file name in the shared volume].
   * @jsii ignore
   */
  public copies(used: ReadonlyArray<HelperTool>): Array<[string, string]> {
    const list: Array<[string, string]> = [];
    if (this.props.busybox && used.some((t) => t === 'sh' || t === 'sleep' || t === 'cat')) list.push([this.props.busybox, 'busybox']);
    if (this.props.dumbInit && used.includes('dumb-init')) list.push([this.props.dumbInit, 'dumb-init']);
    if (this.props.tini && used.includes('tini')) list.push([this.props.tini, 'tini']);
    return list;
  }

  /** @jsii ignore */
  public provides(tool: HelperTool): boolean {
    if (tool === 'dumb-init') return !!this.props.dumbInit;
    if (tool === 'tini') return !!this.props.tini;
    return !!this.props.busybox;
  }

  /**
   * The init container's command: copy each helper that is used into the shared volume.
   * @jsii ignore
   */
  public copyCommand(used: ReadonlyArray<HelperTool>): string[] {
    const script = this.copies(used).map(([from, to]) => `cp ${from} ${HELPERS_MOUNT_PATH}/${to}`).join(' && ');
    return ['sh', '-c', script];
  }
}

/** How a hook invokes a tool: as argv (exec) and as a word inside a shell script. */
export interface Toolbox {
  argv(tool: 'sh' | 'sleep' | 'cat'): string[];
  word(tool: 'sleep' | 'cat'): string;
  initPath(tool: 'dumb-init' | 'tini'): string | undefined;
  /** Whether the tool is available, from the image or injected. */
  has(tool: HelperTool): boolean;
  /** Whether anything must be injected for what was used. */
  readonly injected: Set<HelperTool>;
  readonly imageDescription: string;
}

/**
 * Tools as the container will see them: the image's own first, injected ones by absolute path.
 * `image` undefined means the documented default: a shell image, plus the init the user chose.
 */
export function resolveToolbox(image: ImageTools | undefined, helpers: HelperInjection | undefined, assumedInit?: { tool: 'dumb-init' | 'tini'; path: string }): Toolbox {
  const declared = image ?? ImageTools.shell(assumedInit ? { [assumedInit.tool === 'dumb-init' ? 'dumbInit' : 'tini']: assumedInit.path } : {});
  const injected = new Set<HelperTool>();
  const fromImage = (tool: HelperTool) => declared.has(tool);
  const fromHelpers = (tool: HelperTool) => !!helpers?.provides(tool);
  const useInjected = (tool: HelperTool) => {
    injected.add(tool);
    return true;
  };
  const busybox = `${HELPERS_MOUNT_PATH}/busybox`;
  return {
    injected,
    imageDescription: image ? image.description : 'shell (default)',
    has: (tool) => fromImage(tool) || fromHelpers(tool),
    argv: (tool) => {
      if (fromImage(tool)) return tool === 'sh' ? ['/bin/sh'] : [tool];
      useInjected(tool);
      return [busybox, tool];
    },
    word: (tool) => {
      if (fromImage(tool)) return tool;
      useInjected(tool);
      return `${busybox} ${tool}`;
    },
    initPath: (tool) => {
      if (tool === 'dumb-init' && declared.dumbInitPath) return declared.dumbInitPath;
      if (tool === 'tini' && declared.tiniPath) return declared.tiniPath;
      if (fromHelpers(tool) && useInjected(tool)) return `${HELPERS_MOUNT_PATH}/${tool}`;
      return undefined;
    },
  };
}

/** The error for a tool that is neither in the image nor injected. */
export function requireTool(box: Toolbox, tool: HelperTool, field: string, neededBy: string, alternative?: string): void {
  if (box.has(tool)) return;
  requireSetting(false, field, neededBy,
    `needs \`${tool}\`, which the declared image (${box.imageDescription}) does not have`,
    `declare it in imageTools if the image has it, or inject it with helpers: HelperInjection.${tool === 'dumb-init' || tool === 'tini' ? `fromImage({ image, ${tool === 'tini' ? 'tini' : 'dumbInit'}: '/path' })` : 'busybox()'}${alternative ? `, or ${alternative}` : ''}`);
}
