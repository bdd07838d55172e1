/** OTLP/HTTP trace receiver: spans from any OpenTelemetry SDK become sessions and events. */
import { mapSpan } from '@agentops/exporter';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../db/Store.js';
import { BadInput, type Ingest } from '../ingest.js';
import { decodeTraceRequest, encodeTraceResponse } from '../otlp/otlp-protobuf.js';
import { type OtlpTraceRequest, otlpToSpans } from '../otlp/otlp-spans.js';
import { authenticateProject } from './auth.js';

const OTLP_BODY_LIMIT = 32 * 1024 * 1024;
const PROTOBUF = 'application/x-protobuf';

export function registerOtlpRoutes(app: FastifyInstance, deps: { store: Store; ingest: Ingest }): void {
  app.addContentTypeParser(PROTOBUF, { parseAs: 'buffer', bodyLimit: OTLP_BODY_LIMIT }, (_request, body, done) => {
    try {
      done(null, decodeTraceRequest(body as Buffer));
    } catch (err) {
      done(
        Object.assign(new Error(`not an OTLP ExportTraceServiceRequest: ${(err as Error).message}`), {
          statusCode: 400,
        }),
      );
    }
  });

  app.post<{ Body: OtlpTraceRequest }>(
    '/v1/traces',
    {
      bodyLimit: OTLP_BODY_LIMIT,
      schema: { body: { type: 'object', properties: { resourceSpans: { type: 'array' } } } },
    },
    async (request, reply) => {
      const project = authenticateProject(deps.store, request, reply);
      if (!project) return reply;
      let spans: ReturnType<typeof otlpToSpans>;
      try {
        spans = otlpToSpans(request.body);
      } catch (err) {
        return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: (err as Error).message });
      }
      const items = spans.flatMap((span) => mapSpan(span, { traceIdFallback: true, price: deps.ingest.price }));
      let partial: { rejectedSpans?: number; errorMessage?: string } = {};
      try {
        const { rejected, reason } = deps.ingest.mapped(project.id, items);
        if (rejected > 0) partial = { rejectedSpans: rejected, errorMessage: reason };
      } catch (err) {
        if (!(err instanceof BadInput)) throw err;
        return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message });
      }
      // OTLP answers in the encoding it was asked in.
      if (request.headers['content-type']?.startsWith(PROTOBUF)) {
        return reply.type(PROTOBUF).send(Buffer.from(encodeTraceResponse(partial)));
      }
      return { partialSuccess: partial };
    },
  );
}
