/**
 * Which files an audit reads: the paths given, directories searched for *.yaml, *.yml and *.json
 * (hidden entries and node_modules left out), minus what the configuration ignores. A directory or
 * file that cannot be read becomes a note and the walk goes on. Walks keep their own stack, so
 * deep trees cannot overflow the call stack.
 */
import * as fs from 'fs';
import * as path from 'path';
import { InputNote } from './notes';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

export interface FileList {
  readonly files: string[];
  readonly notes: InputNote[];
  /** Directories walked, for finding kustomizations. */
  readonly directories: string[];
}

/** Why a filesystem call failed, in words. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOENT': return 'no such file or directory';
    case 'EISDIR': return 'is a directory';
    case 'ELOOP': return 'too many symbolic links';
    case 'EMFILE': case 'ENFILE': return 'too many open files';
    default: return code ? `cannot be read (${code})` : `cannot be read (${(e as Error).message})`;
  }
}

/** The files under each path, in the order given; directory entries sorted by name. */
export function listFiles(paths: readonly string[], ignored: (file: string) => boolean = () => false, readdir: typeof fs.readdirSync = fs.readdirSync): FileList {
  const files: string[] = [];
  const notes: InputNote[] = [];
  const directories: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch (e) {
      notes.push({ kind: 'unreadable', file: p, message: `cannot be read: ${describeFsError(e)}` });
      continue;
    }
    if (!stat.isDirectory()) {
      // A file named on the command line is read even if its name does not end in .yaml or .json.
      if (ignored(p)) notes.push({ kind: 'ignored', file: p, message: 'ignored by the configuration file' });
      else files.push(p);
      continue;
    }
    // Entries to visit, last first: a directory is expanded where it stands, so files come out in
    // the order of a recursive walk (a/b/y.yaml before a/x.yaml).
    const stack: Array<{ path: string; directory: boolean }> = [{ path: p, directory: true }];
    while (stack.length > 0) {
      const item = stack.pop()!;
      if (!item.directory) {
        files.push(item.path);
        continue;
      }
      const dir = item.path;
      directories.push(dir);
      let entries: fs.Dirent[];
      try {
        entries = readdir(dir, { withFileTypes: true });
      } catch (e) {
        notes.push({ kind: 'unreadable', file: dir, message: `directory cannot be read: ${describeFsError(e)}` });
        continue;
      }
      entries.sort((a, b) => a.name.localeCompare(b.name));
      const visit: Array<{ path: string; directory: boolean }> = [];
      for (const entry of entries) {
        if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        const full = path.join(dir, entry.name);
        let isDirectory = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
          // Follow links to files; links to directories could loop, so they are not followed.
          try {
            isFile = fs.statSync(full).isFile();
            isDirectory = false;
          } catch {
            continue;
          }
        }
        if (!isDirectory && !(isFile && MANIFEST_FILE.test(entry.name))) continue;
        if (ignored(full)) {
          notes.push({ kind: 'ignored', file: full, message: 'ignored by the configuration file' });
          continue;
        }
        visit.push({ path: full, directory: isDirectory });
      }
      for (let i = visit.length - 1; i >= 0; i--) stack.push(visit[i]);
    }
  }
  return { files, notes, directories };
}

/** Ignore patterns (globs) as a predicate on paths: `**` any depth, `*` and `?` within a name. */
export function ignoreMatcher(patterns: readonly string[], base: string): (file: string) => boolean {
  if (patterns.length === 0) return () => false;
  const regexes = patterns.map((p) => globToRegExp(p));
  return (file: string) => {
    const relative = path.relative(base, path.resolve(file)).split(path.sep).join('/');
    return regexes.some((re) => re.test(relative));
  };
}

export function globToRegExp(glob: string): RegExp {
  let pattern = glob.replace(/\\/g, '/').replace(/^\.\//, '');
  const anchored = pattern.includes('/') && !pattern.startsWith('**/');
  if (pattern.endsWith('/')) pattern += '**';
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern without a slash matches a name at any depth, and everything below it.
  return new RegExp(`${anchored ? '^' : '(?:^|/)'}${re}(?:/.*)?$`);
}
