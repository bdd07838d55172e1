/**
 * The OTLP worker: decodes and maps large trace requests off the main thread, so one big request
 * never stalls the other requests. The items of a request wait here and go to the main thread one
 * chunk at a time, each when the main thread asks for it: a message is received (deserialized) on
 * the main thread in one piece, so sending them all at once would stall it as long as mapping did.
 */
import { parentPort } from 'node:worker_threads';
import { loadPriceFn, type MappedItem, type PriceFn } from '@agentops/exporter';
import { decodeOtlp, ITEMS_PER_TURN, mapOtlp } from './decode.js';

export type WorkerRequest =
  | { kind: 'map'; id: number; bytes: Uint8Array; contentType: string | undefined }
  /** The next chunk of request `id`, after the main thread stored the last one. */
  | { kind: 'next'; id: number }
  /** The main thread gave up on request `id`: its items are dropped. */
  | { kind: 'cancel'; id: number };
export type WorkerReply =
  | { id: number; kind: 'items'; items: MappedItem[]; last: boolean }
  | { id: number; kind: 'error'; message: string };

const port = parentPort;
if (port) {
  let price: PriceFn | undefined;
  const prices = loadPriceFn().then(
    (p) => {
      price = p;
    },
    () => {},
  );
  const waiting = new Map<number, { items: MappedItem[]; at: number }>();
  const send = (id: number) => {
    const request = waiting.get(id);
    if (!request) return;
    const items = request.items.slice(request.at, request.at + ITEMS_PER_TURN);
    request.at += ITEMS_PER_TURN;
    const last = request.at >= request.items.length;
    if (last) waiting.delete(id);
    port.postMessage({ id, kind: 'items', items, last } satisfies WorkerReply);
  };
  port.on('message', async (request: WorkerRequest) => {
    if (request.kind === 'next') return send(request.id);
    if (request.kind === 'cancel') return void waiting.delete(request.id);
    await prices;
    try {
      waiting.set(request.id, { items: mapOtlp(decodeOtlp(request.bytes, request.contentType), price), at: 0 });
    } catch (err) {
      port.postMessage({ id: request.id, kind: 'error', message: (err as Error).message } satisfies WorkerReply);
      return;
    }
    send(request.id);
  });
}
