/**
 * One OTLP worker thread for the server's large trace requests, started on first use. A request's
 * items arrive a chunk at a time, each asked for when the one before arrives, so the main thread
 * has at most one chunk waiting while it stores another, and lets other requests run in between.
 */
import { Worker } from 'node:worker_threads';
import type { MappedItem } from '@agentops/exporter';
import { UnreadableRequest } from './decode.js';
import type { WorkerReply, WorkerRequest } from './otlp-worker.js';

const WORKER_SCRIPT = new URL('./otlp-worker.js', import.meta.url);

interface Pending {
  onItems: (items: MappedItem[]) => Promise<void>;
  /** Chunks are stored one after the other, in the order they came. */
  queue: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class OtlpWorkerPool {
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  /** Decodes and maps `bytes` in the worker; resolves once every chunk was handed to `onItems`. */
  run(
    bytes: Uint8Array,
    contentType: string | undefined,
    onItems: (items: MappedItem[]) => Promise<void>,
  ): Promise<void> {
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { onItems, queue: Promise.resolve(), resolve, reject });
      // A body that owns its whole buffer moves to the worker; any other is copied first.
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      const moved = own && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
      this.#post(worker, { kind: 'map', id, bytes: moved, contentType }, [moved.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }

  #post(worker: Worker, request: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    worker.postMessage(request, transfer);
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
      pending.reject(new UnreadableRequest(reply.message));
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
