/**
 * The OTLP worker: decodes and maps large trace requests off the main thread, so one big request
 * never stalls the other requests. Items come back in chunks the main thread stores one at a time.
 */
import { parentPort } from 'node:worker_threads';
import { loadPriceFn, type MappedItem, type PriceFn } from '@agentops/exporter';
import { decodeOtlp, mapOtlp } from './decode.js';

export interface WorkerRequest {
  id: number;
  bytes: Uint8Array;
  contentType: string | undefined;
}
export type WorkerReply =
  | { id: number; kind: 'items'; items: MappedItem[] }
  | { id: number; kind: 'done' }
  | { id: number; kind: 'error'; message: string };

/** Items per message: small enough that receiving one is a short task on the main thread. */
const CHUNK = 1000;

const port = parentPort;
if (port) {
  let price: PriceFn | undefined;
  const prices = loadPriceFn().then(
    (p) => {
      price = p;
    },
    () => {},
  );
  port.on('message', async (request: WorkerRequest) => {
    await prices;
    try {
      const items = mapOtlp(decodeOtlp(request.bytes, request.contentType), price);
      for (let i = 0; i < items.length; i += CHUNK) {
        port.postMessage({ id: request.id, kind: 'items', items: items.slice(i, i + CHUNK) } satisfies WorkerReply);
      }
      port.postMessage({ id: request.id, kind: 'done' } satisfies WorkerReply);
    } catch (err) {
      port.postMessage({ id: request.id, kind: 'error', message: (err as Error).message } satisfies WorkerReply);
    }
  });
}
