/** OTLP/HTTP trace receiver: spans from any OpenTelemetry SDK become sessions and events. */
import { mapSpan } from '@agentops/exporter';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../db/Store.js';
import { BadInput, type Ingest } from '../ingest.js';
import { type OtlpTraceRequest, otlpToSpans } from '../otlp/otlp-spans.js';
import { authenticateProject } from './auth.js';

export function registerOtlpRoutes(app: FastifyInstance, deps: { store: Store; ingest: Ingest }): void {
  app.post<{ Body: OtlpTraceRequest }>(
    '/v1/traces',
    {
      bodyLimit: 32 * 1024 * 1024,
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
      try {
        const { rejected } = deps.ingest.mapped(project.id, items);
        if (rejected > 0) {
          return {
            partialSuccess: { rejectedSpans: rejected, errorMessage: 'some spans named sessions of another project' },
          };
        }
      } catch (err) {
        if (err instanceof BadInput)
          return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message });
        throw err;
      }
      return { partialSuccess: {} };
    },
  );
}
