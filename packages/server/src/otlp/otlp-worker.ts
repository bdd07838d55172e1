/**
 * The OTLP worker: takes large and compressed trace requests off the main thread, so one big
 * request never stalls the other requests. A body arrives here a chunk at a time as the main
 * thread receives it; once whole it is joined, decompressed and decoded here. Its items wait here
 * and go to the main thread one chunk at a time, each when the main thread asks for it: a message
 * is received (deserialized) on the main thread in one piece, so sending them all at once would
 * stall it as long as mapping did.
 */
import { parentPort } from 'node:worker_threads';
import { loadPriceFn, type MappedItem, type PriceFn } from '@agentops/exporter';
import { type ContentEncoding, decodeOtlp, decompress, ITEMS_PER_TURN, mapOtlp, TooLarge } from './decode.js';

export type WorkerRequest =
  /** A body begins: `maxBytes` bounds it, as sent and decompressed. */
  | { kind: 'open'; id: number; contentType: string | undefined; encoding: ContentEncoding; maxBytes: number }
  | { kind: 'chunk'; id: number; bytes: Uint8Array }
  /** The body of request `id` is whole: decode and map it, then send its first chunk of items. */
  | { kind: 'end'; id: number }
  /** The next chunk of request `id`, after the main thread stored the last one. */
  | { kind: 'next'; id: number }
  /** The main thread gave up on request `id`: its body or items are dropped. */
  | { kind: 'cancel'; id: number };
export type WorkerReply =
  | { id: number; kind: 'items'; items: MappedItem[]; last: boolean }
  | { id: number; kind: 'error'; message: string; tooLarge: boolean };

interface Body {
  contentType: string | undefined;
  encoding: ContentEncoding;
  maxBytes: number;
  chunks: Uint8Array[];
  length: number;
}

const port = parentPort;
if (port) {
  let price: PriceFn | undefined;
  const prices = loadPriceFn().then(
    (p) => {
      price = p;
    },
    () => {},
  );
  const bodies = new Map<number, Body>();
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
  const fail = (id: number, err: unknown) => {
    const reply: WorkerReply = {
      id,
      kind: 'error',
      message: (err as Error).message,
      tooLarge: err instanceof TooLarge,
    };
    port.postMessage(reply);
  };
  port.on('message', async (request: WorkerRequest) => {
    switch (request.kind) {
      case 'open': {
        const { id, contentType, encoding, maxBytes } = request;
        bodies.set(id, { contentType, encoding, maxBytes, chunks: [], length: 0 });
        return;
      }
      case 'chunk': {
        const body = bodies.get(request.id);
        if (!body) return;
        body.chunks.push(request.bytes);
        body.length += request.bytes.byteLength;
        return;
      }
      case 'next':
        return send(request.id);
      case 'cancel':
        bodies.delete(request.id);
        waiting.delete(request.id);
        return;
      case 'end':
        break;
    }
    const body = bodies.get(request.id);
    if (!body) return;
    bodies.delete(request.id);
    await prices;
    try {
      const bytes = decompress(Buffer.concat(body.chunks, body.length), body.encoding, body.maxBytes);
      waiting.set(request.id, { items: mapOtlp(decodeOtlp(bytes, body.contentType), price), at: 0 });
    } catch (err) {
      return fail(request.id, err);
    }
    send(request.id);
  });
}
