/** Request authentication: project API keys for project calls, session JWTs for ingest calls. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { projectForKey } from '../auth/api-keys.js';
import type { SessionClaims, SessionTokens } from '../auth/SessionTokens.js';
import type { ProjectRow, Store } from '../db/Store.js';

export function apiKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-agentops-api-key'];
  if (typeof header === 'string') return header;
  const auth = request.headers.authorization;
  return typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
}

/** The project of the request's API key, or a 401 sent and undefined. */
export function authenticateProject(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
): ProjectRow | undefined {
  const project = projectForKey(store, apiKeyOf(request));
  if (!project) {
    void reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Invalid API key' });
    return undefined;
  }
  return project;
}

/** The session claims of the request's bearer JWT, or a 401 sent and undefined. */
export async function authenticateSession(
  tokens: SessionTokens,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<SessionClaims | undefined> {
  const auth = request.headers.authorization;
  const token = typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
  if (!token) {
    void reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Missing bearer token' });
    return undefined;
  }
  const result = await tokens.verify(token);
  if (!result.ok) {
    void reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: result.message });
    return undefined;
  }
  return result.claims;
}
