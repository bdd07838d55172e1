/**
 * OTLP/HTTP trace receiver: spans from any OpenTelemetry SDK become sessions and events. Takes a
 * project's API key or its v3 token (AgentOps 0.4.x clients); JSON or protobuf, as sent or
 * compressed (gzip, which a Collector's `otlphttp` exporter uses by default, deflate or br). A small
 * uncompressed request is decoded and mapped here; a large or compressed one in the OTLP worker
 * thread, its body streamed there as it arrives, and its items are stored a chunk at a time with
 * the event loop free in between, so one big request never holds up the others.
 */
import type { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { MappedItem } from '@agentops/exporter';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { SessionTokens } from '../auth/SessionTokens.js';
import type { Store } from '../db/Store.js';
import { BadInput, type Ingest } from '../ingest.js';
import {
  type ContentEncoding,
  contentEncodingOf,
  decodeOtlp,
  decompress,
  ITEMS_PER_TURN,
  mapOtlp,
  PROTOBUF,
  TooLarge,
  UnreadableRequest,
  UnsupportedMediaType,
} from '../otlp/decode.js';
import { encodeTraceResponse } from '../otlp/otlp-protobuf.js';
import { type BodyUpload, OtlpWorkerPool } from '../otlp/worker-pool.js';
import { projectOf, requireProject } from './auth.js';
import { badRequest } from './replies.js';

/** The most a request's body may be, as sent and once decompressed. */
const OTLP_BODY_LIMIT = 32 * 1024 * 1024;
/** Uncompressed requests up to this size are mapped on the main thread (a few milliseconds); larger ones in the worker. */
const MAIN_THREAD_BYTES = 256 * 1024;

/** A request's body as received: small and uncompressed, its bytes; else its upload to the OTLP worker. */
type OtlpBody = { bytes: Buffer; encoding: ContentEncoding } | { upload: BodyUpload };

export function registerOtlpRoutes(
  app: FastifyInstance,
  deps: { store: Store; ingest: Ingest; tokens: SessionTokens },
): void {
  const pool = new OtlpWorkerPool();
  app.addHook('onClose', () => pool.close());
  // In a scope of its own: here bodies are read by the receiver itself (JSON and protobuf alike),
  // compressed or not, and a large one streams to the worker as it arrives.
  app.register(async (scope) => {
    scope.addContentTypeParser(['application/json', PROTOBUF], (request, payload, done) => {
      const header = request.headers['content-encoding'];
      const encoding = contentEncodingOf(header);
      if (!encoding) {
        done(
          new UnsupportedMediaType(
            `Content-Encoding ${JSON.stringify(header)} is not taken: gzip, deflate, br or none`,
          ),
        );
        return;
      }
      if (Number(request.headers['content-length']) > OTLP_BODY_LIMIT) {
        done(new TooLarge(`the body is over ${OTLP_BODY_LIMIT} bytes`));
        return;
      }
      receiveBody(payload, request.headers['content-type'], encoding, pool).then(
        (body) => done(null, body),
        (err: Error) => done(err),
      );
    });

    scope.post(
      '/v1/traces',
      // The key is checked before the body is read: a request without one costs nothing more.
      { onRequest: requireProject(deps.store, deps.tokens) as unknown as onRequestAsyncHookHandler },
      async (request, reply) => {
        const body = request.body as OtlpBody | undefined;
        // A body of another type (text/plain, read by Fastify's own parser), or none.
        if (typeof body !== 'object' || body === null || !('upload' in body || 'bytes' in body))
          throw new UnsupportedMediaType('OTLP/HTTP takes application/json or application/x-protobuf');
        const projectId = projectOf(request).id;
        const contentType = request.headers['content-type'];
        const totals = { rejected: 0, reason: undefined as string | undefined };
        const store = async (items: MappedItem[]) => {
          for (let i = 0; i < items.length; i += ITEMS_PER_TURN) {
            if (i > 0) await nextTurn();
            const { rejected, reason } = await deps.ingest.mapped(projectId, items.slice(i, i + ITEMS_PER_TURN));
            totals.rejected += rejected;
            totals.reason ??= reason;
          }
        };
        try {
          if ('upload' in body) {
            await body.upload.map(async (items) => {
              await store(items);
              await nextTurn();
            });
          } else {
            const bytes = decompress(body.bytes, body.encoding, OTLP_BODY_LIMIT);
            await store(mapOtlp(decodeOtlp(bytes, contentType), deps.ingest.price));
          }
        } catch (err) {
          // TooLarge goes on to the app's error handler: a 413.
          if (!(err instanceof UnreadableRequest || err instanceof BadInput)) throw err;
          return badRequest(reply, err.message);
        }
        const partial = totals.rejected > 0 ? { rejectedSpans: totals.rejected, errorMessage: totals.reason } : {};
        // OTLP answers in the encoding it was asked in.
        if (contentType?.startsWith(PROTOBUF))
          return reply.type(PROTOBUF).send(Buffer.from(encodeTraceResponse(partial)));
        return { partialSuccess: partial };
      },
    );
  });
}

/**
 * Reads a request's body as it arrives. A small uncompressed one is kept here and joined (at most
 * 256 kB); from the first chunk of a compressed one, or once an uncompressed one grows past that,
 * every chunk goes on to the OTLP worker as it comes, so the main thread never handles the whole
 * body at once (joining 28 MB in one piece held it for 60 to 90 ms). Over the limit, or cut off
 * before its end: refused, and whatever the worker holds of it dropped.
 */
function receiveBody(
  payload: Readable,
  contentType: string | undefined,
  encoding: ContentEncoding,
  pool: OtlpWorkerPool,
): Promise<OtlpBody> {
  return new Promise((resolve, reject) => {
    const held: Buffer[] = [];
    let length = 0;
    let upload: BodyUpload | undefined;
    let settled = false;
    const settle = (err: Error | undefined, body?: OtlpBody) => {
      if (settled) return;
      settled = true;
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
      payload.off('close', onClose);
      if (err) {
        upload?.cancel();
        reject(err);
      } else resolve(body as OtlpBody);
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > OTLP_BODY_LIMIT) return settle(new TooLarge(`the body is over ${OTLP_BODY_LIMIT} bytes`));
      if (upload) return upload.write(chunk);
      held.push(chunk);
      if (encoding === 'identity' && length <= MAIN_THREAD_BYTES) return;
      upload = pool.upload(contentType, encoding, OTLP_BODY_LIMIT);
      for (const c of held) upload.write(c);
      held.length = 0;
    };
    const onEnd = () => settle(undefined, upload ? { upload } : { bytes: Buffer.concat(held, length), encoding });
    const onError = (err: Error) => settle(err);
    const onClose = () => settle(new UnreadableRequest('the request ended before its body did'));
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.on('close', onClose);
  });
}
