/**
 * What the audit says about input it did not check: files it could not read, documents it could
 * not parse, and files it recognised as something other than a manifest (Helm templates,
 * kustomize patches, other YAML). Each note names the file, the line when there is one, the
 * reason and what to do instead. Text from the input is never echoed raw: control characters
 * and anything unprintable are escaped first.
 */

export type NoteKind =
  /** The file or directory could not be opened or read (permissions, missing). */
  | 'unreadable'
  /** Bytes that are not UTF-8 text. */
  | 'not-text'
  /** Invalid YAML or JSON. */
  | 'invalid'
  /** Nothing but whitespace and comments. */
  | 'empty'
  /** A Helm chart template: a manifest only once rendered. */
  | 'helm-template'
  /** Go template syntax (`{{ }}`) outside strings, not known to be Helm's. */
  | 'template'
  /** A kustomization: input to `kustomize build`, not a manifest. */
  | 'kustomization'
  /** A file a kustomization uses as a patch or generator input. */
  | 'kustomize-input'
  /** An object too incomplete to be applied as it is (a patch or fragment). */
  | 'partial-object'
  /** YAML or JSON with no Kubernetes object in it. */
  | 'not-kubernetes'
  /** Left out by the configuration file's `ignore` patterns. */
  | 'ignored';

export interface InputNote {
  readonly kind: NoteKind;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** What was found, e.g. "Helm template (uses .Values)". */
  readonly message: string;
  /** What to do instead, e.g. a command that renders the template. */
  readonly hint?: string;
}

/** Kinds of notes that mean input could not be read, as opposed to input recognised and set aside. */
const INPUT_ERRORS: ReadonlySet<NoteKind> = new Set<NoteKind>(['unreadable', 'not-text', 'invalid']);

export function isInputError(note: InputNote): boolean {
  return INPUT_ERRORS.has(note.kind);
}

/** `file:line:column` as far as known. */
export function noteLocation(note: InputNote): string {
  return `${note.file}${note.line !== undefined ? `:${note.line}${note.column !== undefined ? `:${note.column}` : ''}` : ''}`;
}

/** `file:12:3: invalid YAML: ...; hint` on one line. */
export function formatNote(note: InputNote): string {
  return `${noteLocation(note)}: ${note.message}${note.hint ? `. ${note.hint}` : ''}`;
}

/**
 * Text safe to print whatever the input held: control characters, lone surrogates and the
 * replacement character are written as escapes, and long text is cut.
 */
export function printable(text: string, max = 200): string {
  let out = '';
  for (const ch of text) {
    if (out.length >= max) return `${out}…`;
    const code = ch.codePointAt(0)!;
    if (ch === '\n') out += ' ';
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0xfffd || (code >= 0xd800 && code <= 0xdfff)) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
}

/** A parser's message without the excerpt of the input some parsers append. */
export function parserReason(message: string): string {
  return printable(message.split('\n')[0].replace(/\s*\(\d+:\d+\)\s*$/, '').replace(/\s+at line \d+, column \d+:?\s*$/, ''));
}
