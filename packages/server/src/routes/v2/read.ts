/** Reading sessions back (API key): stats, export and the session list. */
import type { EventPayload, SessionExport, WireEndState } from '@agentops/exporter';
import type { FastifyInstance } from 'fastify';
import { sessionStats } from '../../stats.js';
import { projectOf, requireProject } from '../auth.js';
import { notFound } from '../replies.js';
import { listQuerySchema, sessionParamsSchema } from '../schemas.js';
import { sessionWithStats, type V2Deps } from './deps.js';

export function registerReadRoutes(app: FastifyInstance, deps: V2Deps): void {
  const { store } = deps;
  const project = requireProject(store);

  app.get<{ Params: { id: string } }>(
    '/v2/sessions/:id/stats',
    { schema: { params: sessionParamsSchema }, preHandler: project },
    async (request, reply) => {
      const result = sessionWithStats(store, projectOf(request).id, request.params.id.toLowerCase());
      return result ? result.stats : notFound(reply);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v2/sessions/:id/export',
    { schema: { params: sessionParamsSchema }, preHandler: project },
    async (request, reply) => {
      const id = request.params.id.toLowerCase();
      const result = sessionWithStats(store, projectOf(request).id, id);
      if (!result) return notFound(reply);
      const events = store.events(id);
      const of = <T extends EventPayload['event_type']>(type: T) =>
        events.filter((e): e is Extract<EventPayload, { event_type: T }> => e.event_type === type);
      const body: SessionExport = {
        session: result.session,
        stats: result.stats,
        agents: store.agents(id),
        llms: of('llms'),
        tools: of('tools'),
        actions: of('actions'),
        errors: of('errors'),
      };
      return body;
    },
  );

  app.get<{ Querystring: { limit: number; offset: number; tag?: string; end_state?: WireEndState | 'running' } }>(
    '/v2/sessions',
    { schema: { querystring: listQuerySchema }, preHandler: project },
    async (request) => {
      const { limit, offset, tag, end_state: endState } = request.query;
      const page = store.listSessions(projectOf(request).id, { limit, offset, tag, endState });
      return {
        total: page.total,
        limit,
        offset,
        sessions: page.sessions.map((session) => ({
          ...session,
          stats: sessionStats(session, store.eventTotals(session.session_id), store.agentCount(session.session_id)),
        })),
      };
    },
  );
}
