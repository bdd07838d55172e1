/** The AgentOps REST API v2: session lifecycle, ingest, stats and export. */
import type { AgentPayload, EventPayload, SessionExport, SessionPayload, WireEndState } from '@agentops/exporter';
import { formatCost } from '@agentops/exporter';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SessionTokens } from '../auth/SessionTokens.js';
import type { Store } from '../db/Store.js';
import { BadInput, type Ingest } from '../ingest.js';
import { sessionStats } from '../stats.js';
import { authenticateProject, authenticateSession } from './auth.js';
import {
  agentBodySchema,
  eventsBodySchema,
  listQuerySchema,
  reauthorizeBodySchema,
  sessionBodySchema,
  sessionParamsSchema,
} from './schemas.js';

export interface V2Deps {
  store: Store;
  ingest: Ingest;
  tokens: SessionTokens;
  /** Base URL of the dashboard, for `session_url`. */
  publicUrl: () => string;
}

const INGEST_BODY_LIMIT = 32 * 1024 * 1024;

function notFound(reply: FastifyReply) {
  return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'Session not found' });
}

function badRequest(reply: FastifyReply, message: string) {
  return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message });
}

/** Runs a write; input the store cannot take becomes a 400 with the reason, and `undefined`. */
function ingestOr400(reply: FastifyReply, write: () => void): true | undefined {
  try {
    write();
    return true;
  } catch (err) {
    if (!(err instanceof BadInput)) throw err;
    void badRequest(reply, err.message);
    return undefined;
  }
}

export function registerV2Routes(app: FastifyInstance, deps: V2Deps): void {
  const { store, ingest, tokens } = deps;
  const sessionUrl = (id: string) => `${deps.publicUrl()}/sessions/${id}`;

  function stats(projectId: string, id: string) {
    const session = store.getSession(projectId, id);
    if (!session) return undefined;
    return { session, stats: sessionStats(session, store.eventTotals(id), store.agentCount(id)) };
  }

  app.post<{ Body: { session: SessionPayload } }>(
    '/v2/create_session',
    { schema: { body: sessionBodySchema } },
    async (request, reply) => {
      const project = authenticateProject(store, request, reply);
      if (!project) return reply;
      const session = request.body.session;
      const id = session.session_id.toLowerCase();
      const owner = store.sessionOwner(id);
      if (owner !== undefined && owner !== project.id) return notFound(reply);
      if (!ingestOr400(reply, () => ingest.session(project.id, session))) return reply;
      const jwt = await tokens.sign({ sessionId: id, projectId: project.id });
      return { status: 'Success', jwt, session_url: sessionUrl(id) };
    },
  );

  app.post<{ Body: { session_id: string } }>(
    '/v2/reauthorize_jwt',
    { schema: { body: reauthorizeBodySchema } },
    async (request, reply) => {
      const project = authenticateProject(store, request, reply);
      if (!project) return reply;
      const id = request.body.session_id.toLowerCase();
      if (store.sessionOwner(id) !== project.id) return notFound(reply);
      const jwt = await tokens.sign({ sessionId: id, projectId: project.id });
      return { status: 'Success', jwt };
    },
  );

  app.post<{ Body: { events: EventPayload[] } }>(
    '/v2/create_events',
    { schema: { body: eventsBodySchema }, bodyLimit: INGEST_BODY_LIMIT },
    async (request, reply) => {
      const claims = await authenticateSession(tokens, request, reply);
      if (!claims) return reply;
      if (store.sessionOwner(claims.sessionId) !== claims.projectId) return notFound(reply);
      const foreign = request.body.events.find((e) => e.session_id && e.session_id.toLowerCase() !== claims.sessionId);
      if (foreign)
        return badRequest(reply, `event ${foreign.id} names session ${foreign.session_id}, not this token's session`);
      if (!ingestOr400(reply, () => ingest.events(claims.sessionId, request.body.events))) return reply;
      return reply.send('Success');
    },
  );

  app.post<{ Body: AgentPayload }>(
    '/v2/create_agent',
    { schema: { body: agentBodySchema } },
    async (request, reply) => {
      const claims = await authenticateSession(tokens, request, reply);
      if (!claims) return reply;
      if (store.sessionOwner(claims.sessionId) !== claims.projectId) return notFound(reply);
      ingest.agent(claims.sessionId, { id: request.body.id, name: request.body.name });
      return reply.send('Success');
    },
  );

  app.post<{ Body: { session: SessionPayload } }>(
    '/v2/update_session',
    { schema: { body: sessionBodySchema } },
    async (request, reply) => {
      const claims = await authenticateSession(tokens, request, reply);
      if (!claims) return reply;
      if (request.body.session.session_id.toLowerCase() !== claims.sessionId) {
        return badRequest(reply, "session.session_id is not this token's session");
      }
      if (store.sessionOwner(claims.sessionId) !== claims.projectId) return notFound(reply);
      if (!ingestOr400(reply, () => ingest.session(claims.projectId, request.body.session))) return reply;
      const result = stats(claims.projectId, claims.sessionId);
      return {
        status: 'success',
        token_cost: result?.stats.cost ?? formatCost(0),
        session_url: sessionUrl(claims.sessionId),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v2/sessions/:id/stats',
    { schema: { params: sessionParamsSchema } },
    async (request, reply) => {
      const project = authenticateProject(store, request, reply);
      if (!project) return reply;
      const result = stats(project.id, request.params.id.toLowerCase());
      return result ? result.stats : notFound(reply);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v2/sessions/:id/export',
    { schema: { params: sessionParamsSchema } },
    async (request, reply) => {
      const project = authenticateProject(store, request, reply);
      if (!project) return reply;
      const id = request.params.id.toLowerCase();
      const result = stats(project.id, id);
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
    { schema: { querystring: listQuerySchema } },
    async (request, reply) => {
      const project = authenticateProject(store, request, reply);
      if (!project) return reply;
      const { limit, offset, tag, end_state: endState } = request.query;
      const page = store.listSessions(project.id, { limit, offset, tag, endState });
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
