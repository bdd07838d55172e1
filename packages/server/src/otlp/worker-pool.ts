/**
 * One OTLP worker thread for the server's large and compressed trace requests, started on first
 * use. A request's body goes to the worker a chunk at a time as it arrives (`BodyUpload`), so no
 * step of the main thread handles the whole of it: the worker joins, decompresses and decodes it.
 * Its items come back a chunk at a time, each asked for when the one before arrives, so the main
 * thread has at most one chunk waiting while it stores another, and lets other requests run in between.
 */
import { Worker } from 'node:worker_threads';
import type { MappedItem } from '@agentops/exporter';
import { type ContentEncoding, TooLarge, UnreadableRequest } from './decode.js';
import type { WorkerReply, WorkerRequest } from './otlp-worker.js';

const WORKER_SCRIPT = new URL('./otlp-worker.js', import.meta.url);

interface Pending {
  onItems: (items: MappedItem[]) => Promise<void>;
  /** Chunks are stored one after the other, in the order they came. */
  queue: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A request's body on its way to the worker: written as it arrives, then mapped, or cancelled. */
export interface BodyUpload {
  write(chunk: Uint8Array): void;
  /** The body is whole: decodes and maps it, handing its items to `onItems` a chunk at a time. */
  map(onItems: (items: MappedItem[]) => Promise<void>): Promise<void>;
  /** Drops what the worker holds of this body (the request failed or was abandoned). */
  cancel(): void;
}

export class OtlpWorkerPool {
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  /** Opens a body of `contentType` (and `encoding`) in the worker, to be written as it arrives. */
  upload(contentType: string | undefined, encoding: ContentEncoding, maxBytes: number): BodyUpload {
    const worker = this.#start();
    const id = this.#nextId++;
    let settled = false;
    this.#post(worker, { kind: 'open', id, contentType, encoding, maxBytes });
    return {
      write: (chunk) => {
        // Copied (a structured clone of one chunk, some kilobytes): the buffer is the socket's.
        if (!settled) this.#post(worker, { kind: 'chunk', id, bytes: chunk });
      },
      map: (onItems) => {
        if (settled) return Promise.reject(new Error('this body was already mapped or cancelled'));
        settled = true;
        return new Promise<void>((resolve, reject) => {
          this.#pending.set(id, { onItems, queue: Promise.resolve(), resolve, reject });
          this.#post(worker, { kind: 'end', id });
        });
      },
      cancel: () => {
        if (settled) return;
        settled = true;
        this.#post(worker, { kind: 'cancel', id });
      },
    };
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }

  #post(worker: Worker, request: WorkerRequest): void {
    worker.postMessage(request);
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SCRIPT);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => void this.#receive(worker, reply));
    worker.on('error', (err) => this.#failAll(err));
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#worker = undefined;
      if (code !== 0) this.#failAll(new Error(`the OTLP worker exited with code ${code}`));
    });
    this.#worker = worker;
    return worker;
  }

  #receive(worker: Worker, reply: WorkerReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    if (reply.kind === 'error') {
      this.#pending.delete(reply.id);
      pending.reject(reply.tooLarge ? new TooLarge(reply.message) : new UnreadableRequest(reply.message));
      return;
    }
    // The next chunk is asked for at once: it comes while this one is stored, one message at a time.
    if (!reply.last) this.#post(worker, { kind: 'next', id: reply.id });
    pending.queue = pending.queue.then(() => this.#store(worker, reply, pending));
  }

  async #store(worker: Worker, reply: WorkerReply & { kind: 'items' }, pending: Pending): Promise<void> {
    if (this.#pending.get(reply.id) !== pending) return;
    try {
      await pending.onItems(reply.items);
    } catch (err) {
      this.#pending.delete(reply.id);
      this.#post(worker, { kind: 'cancel', id: reply.id });
      pending.reject(err as Error);
      return;
    }
    if (!reply.last) return;
    this.#pending.delete(reply.id);
    pending.resolve();
  }

  #failAll(err: Error): void {
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.reject(err);
    }
  }
}
