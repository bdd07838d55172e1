/** Session lifecycle: create_session, reauthorize_jwt (API key), update_session (session JWT). */
import { formatCost, type SessionPayload } from '@agentops/exporter';
import type { FastifyInstance } from 'fastify';
import { projectOf, requireProject, requireSession, sessionOf } from '../auth.js';
import { badRequest, ingestOr400, notFound } from '../replies.js';
import { reauthorizeBodySchema, sessionBodySchema } from '../schemas.js';
import { sessionWithStats, type V2Deps } from './deps.js';

export function registerSessionRoutes(app: FastifyInstance, deps: V2Deps): void {
  const { store, ingest, tokens } = deps;
  const sessionUrl = (id: string) => `${deps.publicUrl()}/sessions/${id}`;
  const project = requireProject(store, deps.tokens);

  app.post<{ Body: { session: SessionPayload } }>(
    '/v2/create_session',
    { schema: { body: sessionBodySchema }, preHandler: project },
    async (request, reply) => {
      const { id: projectId } = projectOf(request);
      const session = request.body.session;
      const id = session.session_id.toLowerCase();
      const owner = await store.sessionOwner(id);
      if (owner !== undefined && owner !== projectId) return notFound(reply);
      if (!(await ingestOr400(reply, () => ingest.session(projectId, session)))) return reply;
      const jwt = await tokens.sign({ sessionId: id, projectId });
      return { status: 'Success', jwt, session_url: sessionUrl(id) };
    },
  );

  app.post<{ Body: { session_id: string } }>(
    '/v2/reauthorize_jwt',
    { schema: { body: reauthorizeBodySchema }, preHandler: project },
    async (request, reply) => {
      const { id: projectId } = projectOf(request);
      const id = request.body.session_id.toLowerCase();
      if ((await store.sessionOwner(id)) !== projectId) return notFound(reply);
      const jwt = await tokens.sign({ sessionId: id, projectId });
      return { status: 'Success', jwt };
    },
  );

  app.post<{ Body: { session: SessionPayload } }>(
    '/v2/update_session',
    { schema: { body: sessionBodySchema }, preHandler: requireSession(store, tokens) },
    async (request, reply) => {
      const claims = sessionOf(request);
      if (request.body.session.session_id.toLowerCase() !== claims.sessionId) {
        return badRequest(reply, "session.session_id is not this token's session");
      }
      if (!(await ingestOr400(reply, () => ingest.session(claims.projectId, request.body.session)))) return reply;
      const result = await sessionWithStats(store, claims.projectId, claims.sessionId);
      return {
        status: 'success',
        token_cost: result?.stats.cost ?? formatCost(0),
        session_url: sessionUrl(claims.sessionId),
      };
    },
  );
}
