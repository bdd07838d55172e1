/**
 * One OTLP worker thread for the server's large trace requests, started on first use, its requests
 * answered in order. Its items arrive in chunks; `onItems` is awaited for each before the next is
 * taken, so the main thread stores a chunk, then lets other requests run.
 */
import { Worker } from 'node:worker_threads';
import type { MappedItem } from '@agentops/exporter';
import { UnreadableRequest } from './decode.js';
import type { WorkerReply, WorkerRequest } from './otlp-worker.js';

const WORKER_SCRIPT = new URL('./otlp-worker.js', import.meta.url);

interface Pending {
  onItems: (items: MappedItem[]) => Promise<void>;
  chunks: WorkerReply[];
  draining: boolean;
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
      this.#pending.set(id, { onItems, chunks: [], draining: false, resolve, reject });
      const copy = new Uint8Array(bytes);
      worker.postMessage({ id, bytes: copy, contentType } satisfies WorkerRequest, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SCRIPT);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      pending.chunks.push(reply);
      void this.#drain(reply.id, pending);
    });
    worker.on('error', (err) => this.#failAll(err));
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#worker = undefined;
      if (code !== 0) this.#failAll(new Error(`the OTLP worker exited with code ${code}`));
    });
    this.#worker = worker;
    return worker;
  }

  /** Hands the chunks of one request to its `onItems`, one at a time, in order. */
  async #drain(id: number, pending: Pending): Promise<void> {
    if (pending.draining) return;
    pending.draining = true;
    try {
      for (let reply = pending.chunks.shift(); reply; reply = pending.chunks.shift()) {
        if (reply.kind === 'items') await pending.onItems(reply.items);
        else {
          this.#pending.delete(id);
          if (reply.kind === 'done') pending.resolve();
          else pending.reject(new UnreadableRequest(reply.message));
          return;
        }
      }
    } catch (err) {
      this.#pending.delete(id);
      pending.reject(err as Error);
    } finally {
      pending.draining = false;
    }
  }

  #failAll(err: Error): void {
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.reject(err);
    }
  }
}
