/** Ingest into a session (session JWT): create_events and create_agent. */
import type { AgentPayload, EventPayload } from '@agentops/exporter';
import type { FastifyInstance } from 'fastify';
import { requireSession, sessionOf } from '../auth.js';
import { badRequest, ingestOr400 } from '../replies.js';
import { agentBodySchema, eventsBodySchema } from '../schemas.js';
import type { V2Deps } from './deps.js';

const INGEST_BODY_LIMIT = 32 * 1024 * 1024;

export function registerIngestRoutes(app: FastifyInstance, deps: V2Deps): void {
  const { store, ingest, tokens } = deps;
  const session = requireSession(store, tokens);

  app.post<{ Body: { events: EventPayload[] } }>(
    '/v2/create_events',
    { schema: { body: eventsBodySchema }, bodyLimit: INGEST_BODY_LIMIT, preHandler: session },
    async (request, reply) => {
      const { sessionId } = sessionOf(request);
      const foreign = request.body.events.find((e) => e.session_id && e.session_id.toLowerCase() !== sessionId);
      if (foreign) {
        return badRequest(reply, `event ${foreign.id} names session ${foreign.session_id}, not this token's session`);
      }
      if (!(await ingestOr400(reply, () => ingest.events(sessionId, request.body.events)))) return reply;
      return reply.send('Success');
    },
  );

  app.post<{ Body: AgentPayload }>(
    '/v2/create_agent',
    { schema: { body: agentBodySchema }, preHandler: session },
    async (request, reply) => {
      // The schema's fields only (Fastify keeps unknown ones).
      const { id, name, span_id, parent_span_id } = request.body;
      await ingest.agent(sessionOf(request).sessionId, {
        id,
        name,
        ...(span_id ? { span_id } : {}),
        ...(parent_span_id ? { parent_span_id } : {}),
      });
      return reply.send('Success');
    },
  );
}
