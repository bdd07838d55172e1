/**
 * Request authentication as Fastify `preHandler`s: project calls take a project's API key or its v3
 * token (AgentOps 0.4.x clients send OTLP with one); v2 ingest calls a session JWT. A handler
 * behind one reads what it established with `projectOf` / `sessionOf`.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { projectForKey } from '../auth/api-keys.js';
import type { SessionClaims, SessionTokens } from '../auth/SessionTokens.js';
import type { ProjectRow, Store } from '../db/Store.js';
import { notFound, unauthorized } from './replies.js';

const projects = new WeakMap<FastifyRequest, ProjectRow>();
const sessions = new WeakMap<FastifyRequest, SessionClaims>();

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth !== 'string' || !/^bearer /i.test(auth)) return undefined;
  return auth.slice(7).trim() || undefined;
}

/** The API key of a request: `X-Agentops-Api-Key`, else a bearer token. */
export function apiKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-agentops-api-key'];
  return typeof header === 'string' ? header : bearerToken(request);
}

/** A bearer token shaped as a JWT (three base64url parts), not an API key. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * The project of the request's API key or v3 token, or a 401 sent and undefined (for routes that
 * answer otherwise).
 */
export async function authenticateProject(
  store: Store,
  tokens: SessionTokens,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<ProjectRow | undefined> {
  const bearer = request.headers['x-agentops-api-key'] === undefined ? bearerToken(request) : undefined;
  if (bearer !== undefined && JWT_SHAPE.test(bearer)) {
    const result = await tokens.verifyProject(bearer);
    const project = result.ok ? await store.projectById(result.projectId) : undefined;
    if (!project) void unauthorized(reply, result.ok ? 'Invalid Token' : result.message);
    return project;
  }
  const project = await projectForKey(store, apiKeyOf(request));
  if (!project) void unauthorized(reply, 'Invalid API key');
  return project;
}

/** preHandler: the request's API key or v3 token names a project, else 401. */
export function requireProject(store: Store, tokens: SessionTokens): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const project = await authenticateProject(store, tokens, request, reply);
    if (!project) return reply;
    projects.set(request, project);
  };
}

/**
 * preHandler: the request's bearer JWT is valid (else 401) and its session still belongs to its
 * project (else 404).
 */
export function requireSession(store: Store, tokens: SessionTokens): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const token = bearerToken(request);
    if (!token) return unauthorized(reply, 'Missing bearer token');
    const result = await tokens.verify(token);
    if (!result.ok) return unauthorized(reply, result.message);
    if ((await store.sessionOwner(result.claims.sessionId)) !== result.claims.projectId) return notFound(reply);
    sessions.set(request, result.claims);
  };
}

/** The project `requireProject` found for this request. */
export function projectOf(request: FastifyRequest): ProjectRow {
  const project = projects.get(request);
  if (!project) throw new Error('route has no requireProject preHandler');
  return project;
}

/** The session claims `requireSession` verified for this request. */
export function sessionOf(request: FastifyRequest): SessionClaims {
  const claims = sessions.get(request);
  if (!claims) throw new Error('route has no requireSession preHandler');
  return claims;
}
