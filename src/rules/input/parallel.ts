/**
 * A document pipeline that reads and checks documents on several threads: documents are grouped
 * in batches of about 64 KiB; a batch goes to a worker thread (parallel-worker.ts) when one has
 * room, else this thread reads it; results are applied in input order. This thread blocks only
 * when the next result in order is still in a worker. Workers start once the input has proved
 * large (a few MiB), so small audits never pay for starting a thread.
 *
 * Everything stays synchronous for the caller: results are fetched with receiveMessageOnPort, and
 * waiting is Atomics.wait on a counter each worker bumps after posting a result.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { MessagePort, Worker } from 'worker_threads';
import { LocalChecker, LocalCheckOptions } from '../local-check';
import { Checked, checkDocument } from './check-document';
import { DocumentContext, DocumentText } from './documents';
import { workerThreads } from './lazy-modules';
import { DocumentPipeline, ReadResult } from './pipeline';

const BATCH_CHARS = 64 * 1024;
const BATCH_DOCUMENTS = 512;
/** Batches waiting for or in a worker, per worker. */
const IN_FLIGHT_PER_WORKER = 8;
/** Results waiting for an earlier one before this thread stops reading ahead. */
const MAX_WAITING_JOBS = 20_000;
/** Characters read before workers start. */
const START_CHARS = 4 * 1024 * 1024;
/** How long to wait for a worker's answer before reading its batches here. */
const WORKER_SILENCE_MS = 20_000;

interface DocJob {
  doc: DocumentText | undefined;
  readonly context: DocumentContext;
  readonly done: (result: ReadResult<Checked>) => void;
  result?: ReadResult<Checked>;
}

type Job = DocJob | { readonly step: () => void };

interface WorkerSlot {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly batches: Map<number, DocJob[]>;
  broken: boolean;
}

export interface ParallelOptions {
  /** Threads that read documents, this one included. */
  readonly threads: number;
  /** Characters read before workers start. @default 4 MiB */
  readonly startChars?: number;
}

/** The compiled worker script, when there is one (tests run the TypeScript sources, which have none). */
function workerScript(): string | undefined {
  const file = path.join(__dirname, 'parallel-worker.js');
  return fs.existsSync(file) ? file : undefined;
}

export class ParallelPipeline implements DocumentPipeline<Checked> {
  private readonly checker: LocalChecker;
  private readonly queue: Job[] = [];
  private head = 0;
  private open: DocJob[] = [];
  private openChars = 0;
  private readChars = 0;
  private nextBatch = 0;
  private readonly workers: WorkerSlot[] = [];
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private started = false;
  /** The workers' answer counter when receive() last looked. */
  private answersTaken = 0;
  /** Batches read by worker threads (for tests and benchmarks). */
  public workerBatches = 0;

  constructor(private readonly checkOptions: LocalCheckOptions, private readonly options: ParallelOptions) {
    this.checker = new LocalChecker(checkOptions);
  }

  public submit(doc: DocumentText, context: DocumentContext, done: (result: ReadResult<Checked>) => void): void {
    const job: DocJob = { doc, context, done };
    this.queue.push(job);
    this.open.push(job);
    this.openChars += doc.text.length;
    this.readChars += doc.text.length;
    if (this.openChars >= BATCH_CHARS || this.open.length >= BATCH_DOCUMENTS) this.dispatch();
    this.pump(this.queue.length - this.head > MAX_WAITING_JOBS);
  }

  public then(step: () => void): void {
    this.queue.push({ step });
    this.pump(false);
  }

  public drain(): void {
    this.dispatch();
    this.pump(true);
  }

  public dispose(): void {
    for (const slot of this.workers) {
      slot.port.close();
      void slot.worker.terminate();
    }
    this.workers.length = 0;
  }

  /** Hands the open batch to a worker with room, or reads it here. */
  private dispatch(): void {
    if (this.open.length === 0) return;
    const jobs = this.open;
    this.open = [];
    this.openChars = 0;
    this.startWorkers();
    const slot = this.workers.find((w) => !w.broken && w.batches.size < IN_FLIGHT_PER_WORKER);
    if (slot) {
      const id = this.nextBatch++;
      slot.batches.set(id, jobs);
      slot.port.postMessage({ id, documents: jobs.map((j) => [j.doc, j.context]) });
      return;
    }
    this.readHere(jobs);
  }

  private readHere(jobs: DocJob[]): void {
    for (const job of jobs) {
      job.result = checkDocument(this.checker, job.doc!, job.context, false);
      job.doc = undefined;
    }
  }

  private startWorkers(): void {
    if (this.started || this.options.threads < 2 || this.readChars < (this.options.startChars ?? START_CHARS)) return;
    // Rules given as code and shutdown timelines do not cross threads: all is read here.
    if (this.checkOptions.rules !== undefined || this.checkOptions.timelines) return;
    this.started = true;
    const script = workerScript();
    if (!script) return;
    for (let i = 1; i < this.options.threads; i++) {
      const { MessageChannel, Worker: WorkerThread } = workerThreads();
      const { port1, port2 } = new MessageChannel();
      const worker = new WorkerThread(script, { workerData: { port: port2, signal: this.signal, options: this.checkOptions }, transferList: [port2] });
      // The audit never waits for a worker to exit; nor does the process.
      worker.unref();
      worker.on('error', () => undefined);
      this.workers.push({ worker, port: port1, batches: new Map(), broken: false });
    }
  }

  /** Takes the results that are back; true when there was one. */
  private receive(): boolean {
    if (this.workers.length === 0) return false;
    // Workers bump the counter after each answer: no new count, nothing to take.
    const answers = Atomics.load(this.signal, 0);
    if (answers === this.answersTaken) return false;
    this.answersTaken = answers;
    let any = false;
    const { receiveMessageOnPort } = workerThreads();
    for (const slot of this.workers) {
      for (let m = receiveMessageOnPort(slot.port); m; m = receiveMessageOnPort(slot.port)) {
        any = true;
        const reply = m.message as { id: number; results?: Array<ReadResult<Checked>>; error?: string };
        const jobs = slot.batches.get(reply.id);
        if (!jobs) continue;
        slot.batches.delete(reply.id);
        if (reply.results) {
          this.workerBatches++;
          reply.results.forEach((result, i) => { jobs[i].result = result; jobs[i].doc = undefined; });
        } else {
          // The worker failed on this batch: read it here (an error in the input or the rules then shows here).
          slot.broken = true;
          this.readHere(jobs);
        }
      }
    }
    return any;
  }

  /** Applies results in input order; with `block`, until everything queued is applied. */
  private pump(block: boolean): void {
    for (;;) {
      this.receive();
      while (this.head < this.queue.length) {
        const job = this.queue[this.head];
        if ('step' in job) job.step();
        else if (job.result) {
          const result = job.result;
          job.result = undefined;
          job.done(result);
        } else break;
        this.head++;
      }
      if (this.head > 4096) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      if (!block || this.head === this.queue.length) return;
      const next = this.queue[this.head] as DocJob;
      if (this.open.includes(next)) {
        this.dispatch();
        continue;
      }
      this.wait(next);
    }
  }

  /** Waits for a worker to post a result (a worker that stops answering has its batches read here). */
  private wait(job: DocJob): void {
    const seen = Atomics.load(this.signal, 0);
    if (this.receive() || job.result) return;
    // A batch takes milliseconds; a worker silent this long has died (its error event cannot
    // arrive while this thread waits), and what it held is read here.
    if (Atomics.wait(this.signal, 0, seen, WORKER_SILENCE_MS) !== 'timed-out') return;
    for (const slot of this.workers) {
      slot.broken = true;
      for (const jobs of slot.batches.values()) this.readHere(jobs);
      slot.batches.clear();
    }
  }
}
