/**
 * `GET /openapi.json`: the server's HTTP API as an OpenAPI 3.1 document, made by `@fastify/swagger`
 * from the very schemas the routes validate with (one source: a route's schema is both its check
 * and its documentation). The dashboard's pages and script are not API: they are left out.
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { SERVER_VERSION } from '../version.js';

/** Paths that serve the dashboard (pages, script), not the API. */
const NOT_API = new Set(['/', '/sessions', '/sessions/:id', '/settings', '/assets/:file', '/openapi.json']);

/** The API's part a path belongs to, the document's tag for it. */
function tagOf(url: string): string {
  if (url.startsWith('/v1/')) return 'OTLP';
  const [, first] = url.split('/');
  return first && /^v\d$/.test(first) ? first : 'server';
}

/** Registers the document's generation: before any route, so that it sees them all. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'AgentOps-compatible server (@agentops/server)',
        description:
          "AgentOps' REST API (v2 sessions and events, v3 tokens, v4 uploads), OTLP/HTTP traces, and this server's reads.",
        version: SERVER_VERSION,
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-agentops-api-key' },
          sessionToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
      security: [{ apiKey: [] }, { sessionToken: [] }],
    },
    transform: ({ schema, url }) => {
      const s = (schema ?? {}) as Record<string, unknown>;
      if (NOT_API.has(url)) return { schema: { ...s, hide: true }, url };
      return { schema: { ...s, tags: [tagOf(url)] }, url };
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
