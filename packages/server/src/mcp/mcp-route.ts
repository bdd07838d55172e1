/**
 * `/mcp`: the MCP server over Streamable HTTP, on the server itself. Stateless (a server and a
 * transport per request, JSON answers): every request carries the project's API key (or v3 token),
 * checked like any API call, and the tools read with it, so a key sees only its project.
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SessionTokens } from '../auth/SessionTokens.js';
import type { Store } from '../db/Store.js';
import { requireProject } from '../routes/auth.js';
import { injectGet } from './reader.js';
import { createMcpServer } from './server.js';

export function registerMcpRoute(app: FastifyInstance, deps: { store: Store; tokens: SessionTokens }): void {
  app.post(
    '/mcp',
    {
      schema: {
        summary: "The MCP server (Streamable HTTP, stateless): read-only tools over the project's sessions",
        description:
          "An MCP client's JSON-RPC requests, authenticated by the project's API key (`Authorization: Bearer KEY` " +
          'or `X-Agentops-Api-Key`). Tools: list_sessions, search_sessions, get_session, get_session_events, explain_failures, get_overview.',
      },
      preHandler: requireProject(deps.store, deps.tokens),
    },
    async (request, reply) => {
      const credentials: Record<string, string> = {};
      for (const name of ['x-agentops-api-key', 'authorization']) {
        const value = request.headers[name];
        if (typeof value === 'string') credentials[name] = value;
      }
      const server = createMcpServer(injectGet(app, credentials));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      reply.hijack();
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    },
  );
  // Stateless: no stream to open and no MCP session to end.
  const notAllowed = async (_request: unknown, reply: FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this MCP server is stateless (POST only)' },
        id: null,
      });
  app.get('/mcp', { schema: { summary: 'Not allowed (405): the MCP server is stateless, POST only' } }, notAllowed);
  app.delete('/mcp', { schema: { summary: 'Not allowed (405): the MCP server is stateless, POST only' } }, notAllowed);
}
