/**
 * Reads everything an audit is given, one document at a time: files, directories and stdin, YAML
 * streams, JSON values, arrays and lists. Yields each Kubernetes object with its source, and a
 * note for everything it skips (a file it cannot read, a document it cannot parse, a Helm
 * template, a kustomize patch, YAML without a Kubernetes object). One bad file never stops the
 * others.
 */
import * as path from 'path';
import { KubeObject, SourceRef } from '../types';
import { ByteSource, fileSource, open, stdinSource, textSource, yamlDocuments } from './bytes';
import { DocumentContext, endsFile, STDIN } from './documents';
import { describeFsError, listFiles } from './files';
import { jsonDocuments } from './json-documents';
import { bufferStore, DocumentPlace, fileStore, Rereadable, sourceAt, spooled } from './locate';
import { InputNote, isInputError } from './notes';
import { DocumentPipeline, InlinePipeline, ReadResult } from './pipeline';
import { helmChartOf, kustomizeHint, kustomizeInputs, notKubernetesNote } from './recognise';

export { STDIN };
export { objectsOf, podSpecOf } from './documents';


type Kustomized = Map<string, { use: string; dir: string }>;

export interface ReadOptions<O = KubeObject> {
  /** The text of stdin, instead of reading file descriptor 0 (for tests and embedding). */
  readonly stdinText?: string;
  /** Paths the configuration ignores. */
  readonly ignored?: (file: string) => boolean;
  /** How documents are read (and their objects checked). @default each object as it is, in this thread */
  readonly pipeline?: DocumentPipeline<O>;
  /** Read YAML with js-yaml alone, not the fast block reader (to compare with it). @default false */
  readonly jsYamlOnly?: boolean;
}

export type InputEvent<O = KubeObject> =
  | { readonly object: O; readonly source: SourceRef }
  | { readonly note: InputNote };

/** How much of the input could be read: an audit that read nothing fails as bad input. */
export interface ReadStats {
  /** Files (and stdin) opened and read, whatever they held. */
  filesRead: number;
  /** Files that could not be opened or read, or were not text. */
  filesUnreadable: number;
  /** Files that gave an object, or were recognised (empty, a template, a patch...): not only errors. */
  filesUsable: number;
}

/** What the reader keeps of one file while its documents are read. */
interface FileState {
  readonly file: string;
  objects: number;
  notes: number;
  content: boolean;
  usable: boolean;
  /** A note ended the file (a template, a kustomization): later documents are dropped. */
  ended: boolean;
}

export class InputReader<O = KubeObject> {
  public readonly stats: ReadStats = { filesRead: 0, filesUnreadable: 0, filesUsable: 0 };
  private readonly stores: Rereadable[] = [];
  private readonly chartCache = new Map<string, string | undefined>();
  private readonly pipeline: DocumentPipeline<O>;

  constructor(private readonly paths: readonly string[], private readonly options: ReadOptions<O> = {}) {
    this.pipeline = options.pipeline ?? new InlinePipeline((object) => object as unknown as O);
  }

  /** Objects and notes in input order, all at once (for small inputs; the audit uses read()). */
  public events(): Array<InputEvent<O>> {
    const all: Array<InputEvent<O>> = [];
    this.read((event) => all.push(event));
    return all;
  }

  /** Hands each object and note to `visit`, in input order, as it is read. */
  public read(visit: (event: InputEvent<O>) => void): void {
    this.readAll(visit);
    this.pipeline.drain();
  }

  private readAll(visit: (event: InputEvent<O>) => void): void {
    // Every path is listed first, so that a kustomization anywhere in the input marks its patches.
    const lists = this.paths.map((p) => (p === STDIN ? undefined : listFiles([p], this.options.ignored)));
    const kustomize = kustomizeInputs(lists.flatMap((l) => l?.directories ?? []), lists.flatMap((l) => l?.files ?? []));
    for (const listed of lists) {
      if (!listed) {
        this.readStdin(visit);
        continue;
      }
      for (const note of listed.notes) {
        this.pipeline.then(() => {
          if (note.kind === 'unreadable') this.stats.filesUnreadable++;
          visit({ note });
        });
      }
      for (const file of listed.files) this.readFile(file, kustomize, visit);
    }
  }

  /** Lets go of spooled stdin, open files and threads; source lines are unknown afterwards. */
  public dispose(): void {
    this.pipeline.dispose();
    for (const store of this.stores) store.dispose();
    this.stores.length = 0;
  }

  private readStdin(visit: (event: InputEvent<O>) => void): void {
    if (this.options.stdinText !== undefined) {
      const bytes = Buffer.from(this.options.stdinText, 'utf8');
      const store = bufferStore(bytes);
      this.readSource(STDIN, textSource(this.options.stdinText), store, new Map() as Kustomized, visit);
      return;
    }
    const { source, store } = spooled(stdinSource());
    this.stores.push(store);
    this.readSource(STDIN, source, store, new Map(), visit);
  }

  private readFile(file: string, kustomize: Kustomized, visit: (event: InputEvent<O>) => void): void {
    const input = kustomize.get(path.resolve(file));
    if (input) {
      this.pipeline.then(() => {
        this.stats.filesRead++;
        this.stats.filesUsable++;
        visit({ note: { kind: 'kustomize-input', file, message: `${input.use}, not a manifest on its own`, hint: kustomizeHint(input.dir) } });
      });
      return;
    }
    let source: ByteSource;
    try {
      source = fileSource(file);
    } catch (e) {
      this.pipeline.then(() => {
        this.stats.filesUnreadable++;
        visit({ note: { kind: 'unreadable', file, message: `cannot be read: ${describeFsError(e)}` } });
      });
      return;
    }
    const store = fileStore(file);
    this.stores.push(store);
    this.readSource(file, source, store, kustomize, visit);
  }

  private readSource(file: string, source: ByteSource, store: Rereadable, kustomize: Kustomized, visit: (event: InputEvent<O>) => void): void {
    const note = (n: InputNote, counts: 'filesUnreadable' | 'filesUsable') => this.pipeline.then(() => {
      this.stats[counts]++;
      visit({ note: n });
    });
    try {
      let opening;
      try {
        opening = open(source);
      } catch (e) {
        note({ kind: 'unreadable', file, message: `cannot be read: ${describeFsError(e)}` }, 'filesUnreadable');
        return;
      }
      if (opening.notText) {
        note({ kind: 'not-text', file, message: opening.notText }, 'filesUnreadable');
        return;
      }
      this.pipeline.then(() => this.stats.filesRead++);
      if (opening.blank) {
        note({ kind: 'empty', file, message: 'is empty' }, 'filesUsable');
        return;
      }
      const json = /\.json$/i.test(file) || ((opening.firstChar === '{' || opening.firstChar === '[') && !/\.ya?ml$/i.test(file));
      const documents = json ? jsonDocuments(source, opening) : yamlDocuments(source, opening);
      const context: DocumentContext = { file, json, chart: file === STDIN ? undefined : helmChartOf(file, this.chartCache), kustomized: kustomize.size > 0, jsYamlOnly: this.options.jsYamlOnly === true };
      const state: FileState = { file, objects: 0, notes: 0, content: false, usable: false, ended: false };
      for (const raw of documents) {
        // Known once the documents before are through the pipeline: the rest is not read.
        if (state.ended) break;
        if ('notText' in raw) {
          const n: InputNote = { kind: 'not-text', file, line: raw.firstLine, message: `from line ${raw.firstLine} on, the file ${raw.notText}` };
          this.pipeline.then(() => this.apply(state, { events: [{ note: n }], content: true }, undefined, visit));
          continue;
        }
        const place = new DocumentPlace(store, raw.byteStart, raw.byteEnd, raw.firstLine, json);
        this.pipeline.submit(raw, context, (result) => this.apply(state, result, place, visit));
      }
      this.pipeline.then(() => {
        if (state.ended || state.objects > 0 || state.notes > 0) return;
        this.stats.filesUsable++;
        visit({ note: state.content ? notKubernetesNote(file, this.chartCache) : { kind: 'empty', file, message: 'holds no document (only comments or whitespace)' } });
      });
    } finally {
      source.close();
    }
  }

  /** One document's objects and notes, in input order. */
  private apply(state: FileState, result: ReadResult<O>, place: DocumentPlace | undefined, visit: (event: InputEvent<O>) => void): void {
    if (state.ended) return;
    for (const event of result.events) {
      if (!state.usable && ('object' in event || !isInputError(event.note))) {
        state.usable = true;
        this.stats.filesUsable++;
      }
      if ('note' in event) {
        state.notes++;
        visit(event);
        if (endsFile(event.note)) {
          state.ended = true;
          return;
        }
      } else {
        state.objects++;
        visit({ object: event.object, source: sourceAt(state.file, place!, event.prefix, event.known) });
      }
    }
    state.content ||= result.content;
  }
}
