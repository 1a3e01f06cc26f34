/**
 * Reading manifests for callers that want them all at once (the cdk8s validation plugin, tests):
 * every object of the given paths with its source. The audit command streams instead
 * (input/reader.ts). Input that cannot be read or parsed is an error here: callers that get
 * files from cdk8s synth expect valid manifests.
 */
import { InputReader, STDIN } from './input/reader';
import { formatNote, InputNote, isInputError } from './input/notes';
import { AuditInput } from './types';

export { STDIN };

/** Input that cannot be read or parsed. */
export class ManifestError extends Error {
  constructor(public readonly file: string, public readonly line: number | undefined, public readonly column: number | undefined, public readonly problem: string) {
    super(`${file}${line !== undefined ? `:${line}${column !== undefined ? `:${column}` : ''}` : ''}: ${problem}`);
    this.name = 'ManifestError';
  }

  public static of(note: InputNote): ManifestError {
    return new ManifestError(note.file, note.line, note.column, formatNote({ ...note, file: '' }).replace(/^:(\d+:)*\s*/, ''));
  }
}

/** Reads every path (`-` is stdin) into audit inputs, in the order given; directories sorted by name. */
export function readManifests(paths: readonly string[], readStdin?: () => string): AuditInput[] {
  const reader = new InputReader(paths, paths.includes(STDIN) && readStdin ? { stdinText: readStdin() } : {});
  const inputs: AuditInput[] = [];
  for (const event of reader.events()) {
    if ('object' in event) inputs.push(event);
    else if (isInputError(event.note)) throw ManifestError.of(event.note);
  }
  return inputs;
}

/** Parses one file's text: JSON when the file says so or the text starts with `{` or `[`, else YAML. */
export function parseManifests(text: string, file: string): AuditInput[] {
  const reader = new InputReader([STDIN], { stdinText: text });
  const inputs: AuditInput[] = [];
  for (const event of reader.events()) {
    if ('object' in event) inputs.push({ object: event.object, source: renamed(event.source, file) });
    else if (isInputError(event.note)) throw ManifestError.of({ ...event.note, file });
  }
  return inputs;
}

function renamed(source: AuditInput['source'], file: string): AuditInput['source'] {
  if (!source) return source;
  return { file, get line() { return source.line; }, locate: source.locate };
}
