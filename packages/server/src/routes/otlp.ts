/**
 * OTLP/HTTP trace receiver: spans from any OpenTelemetry SDK become sessions and events. Takes a
 * project's API key or its v3 token (AgentOps 0.4.x clients); JSON or protobuf. A small
 * request is decoded and mapped here; a large one in the OTLP worker thread, and its items are
 * stored a chunk at a time with the event loop free in between, so one big request never holds up
 * the others.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { MappedItem } from '@agentops/exporter';
import type { FastifyInstance } from 'fastify';
import type { SessionTokens } from '../auth/SessionTokens.js';
import type { Store } from '../db/Store.js';
import { BadInput, type Ingest } from '../ingest.js';
import { decodeOtlp, ITEMS_PER_TURN, mapOtlp, PROTOBUF, UnreadableRequest } from '../otlp/decode.js';
import { encodeTraceResponse } from '../otlp/otlp-protobuf.js';
import { OtlpWorkerPool } from '../otlp/worker-pool.js';
import { projectOf, requireProject } from './auth.js';
import { badRequest } from './replies.js';

const OTLP_BODY_LIMIT = 32 * 1024 * 1024;
/** Requests up to this size are mapped on the main thread (a few milliseconds); larger ones in the worker. */
const MAIN_THREAD_BYTES = 256 * 1024;

export function registerOtlpRoutes(
  app: FastifyInstance,
  deps: { store: Store; ingest: Ingest; tokens: SessionTokens },
): void {
  const pool = new OtlpWorkerPool();
  app.addHook('onClose', () => pool.close());
  // In a scope of its own: here bodies stay bytes until they are decoded (JSON and protobuf alike).
  app.register(async (scope) => {
    scope.addContentTypeParser(
      ['application/json', PROTOBUF],
      { parseAs: 'buffer', bodyLimit: OTLP_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );

    scope.post<{ Body: Buffer }>(
      '/v1/traces',
      { bodyLimit: OTLP_BODY_LIMIT, preHandler: requireProject(deps.store, deps.tokens) },
      async (request, reply) => {
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
          if (request.body.length <= MAIN_THREAD_BYTES) {
            await store(mapOtlp(decodeOtlp(request.body, contentType), deps.ingest.price));
          } else {
            await pool.run(request.body, contentType, async (items) => {
              await store(items);
              await nextTurn();
            });
          }
        } catch (err) {
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
