/** Types of scripts/prereqs.js, for the tests that ask for prerequisites by name. */
export interface Prerequisite {
  /** How tests ask for it: needs('tini'). */
  readonly name: string;
  /** What it is for, in a few words. */
  readonly purpose: string;
  /** Test files that need it. */
  readonly neededBy: readonly string[];
  /** Undefined when it is present; otherwise what is missing. */
  problem(): string | undefined;
  /** Debian packages (installed as root with apt-get), a command run from the repository root, or a hint for a person. */
  readonly install: { readonly apt?: readonly string[]; readonly command?: readonly string[]; readonly hint?: string };
}

export const PREREQUISITES: readonly Prerequisite[];
export function prerequisite(name: string): Prerequisite;
export function missing(names?: readonly string[]): { prerequisite: Prerequisite; problem: string }[];
export function howToInstall(p: Prerequisite): string;
export function isStaticElf(file: string): boolean | undefined;
