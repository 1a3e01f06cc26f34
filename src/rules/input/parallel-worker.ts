/**
 * A worker thread of the parallel pipeline (parallel.ts): reads the batches of documents it is
 * sent and checks their objects (LocalChecker), and posts the results back, bumping the shared
 * counter the main thread waits on.
 */
import { MessagePort, workerData } from 'worker_threads';
import { LocalChecker, LocalCheckOptions } from '../local-check';
import { DocumentContext, DocumentText } from './documents';
import { checkDocument } from './check-document';

const { port, signal, options } = workerData as { port: MessagePort; signal: Int32Array; options: LocalCheckOptions };
// Posting a result copies its strings: the views need not copy them first.
const checker = new LocalChecker(options, false);

port.on('message', (batch: { id: number; documents: Array<[DocumentText, DocumentContext]> }) => {
  try {
    port.postMessage({ id: batch.id, results: batch.documents.map(([doc, context]) => checkDocument(checker, doc, context, true)) });
  } catch (e) {
    port.postMessage({ id: batch.id, error: String((e as Error)?.stack ?? e) });
  }
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
