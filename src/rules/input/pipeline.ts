/**
 * How the reader gets documents read: each document's text goes in, its objects (or a note) come
 * out, in input order. Inline, a document is read as it is handed over; the parallel pipeline
 * (parallel.ts) reads batches of documents in a worker thread while this thread reads others,
 * and hands the results back in input order.
 */
import { KubeObject } from '../types';
import { DocumentContext, DocumentText, readDocument } from './documents';
import { FieldPath } from './lines';
import { InputNote } from './notes';

/** A document's objects, each turned into what the reader's caller wants (the object itself, or its checked form). */
export interface ReadResult<O> {
  readonly events: Array<{ readonly note: InputNote } | { readonly object: O; readonly prefix: FieldPath; readonly known: number | undefined }>;
  /** Whether the document holds anything but white space and comments. */
  readonly content: boolean;
}

export interface DocumentPipeline<O> {
  /** Queues a document; `done` gets its result, in input order, now or later. */
  submit(doc: DocumentText, context: DocumentContext, done: (result: ReadResult<O>) => void): void;
  /** Queues a step that runs once everything queued before it is done. */
  then(step: () => void): void;
  /** Runs everything queued: when it returns, every callback has run. */
  drain(): void;
  /** Lets go of threads; results not drained are dropped. */
  dispose(): void;
}

/** Reads a document and turns each of its objects (at `prefix` in the document, on line `known` when known) into `O`. */
export function readWith<O>(doc: DocumentText, context: DocumentContext, process: (object: KubeObject, prefix: FieldPath, known: number | undefined) => O): ReadResult<O> {
  const read = readDocument(doc, context);
  return {
    content: read.content,
    events: read.events.map((e) => ('note' in e ? e : { object: process(e.object, e.prefix, e.known), prefix: e.prefix, known: e.known })),
  };
}

/** Reads each document as it is handed over, in this thread. */
export class InlinePipeline<O> implements DocumentPipeline<O> {
  constructor(private readonly process: (object: KubeObject) => O) {}

  public submit(doc: DocumentText, context: DocumentContext, done: (result: ReadResult<O>) => void): void {
    done(readWith(doc, context, this.process));
  }

  public then(step: () => void): void {
    step();
  }

  public drain(): void {}

  public dispose(): void {}
}
