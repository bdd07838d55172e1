/**
 * AgentOps' v3 authentication, as its 0.4.x SDKs (Python 0.4, the `agentops` npm package) use it:
 * an API key is exchanged for a project token, which then authenticates their OTLP export.
 */
import type { FastifyInstance } from 'fastify';
import { projectForKey } from '../auth/api-keys.js';
import type { SessionTokens } from '../auth/SessionTokens.js';
import type { Store } from '../db/Store.js';
import { unauthorized } from './replies.js';

const tokenBodySchema = {
  type: 'object',
  required: ['api_key'],
  properties: { api_key: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export function registerV3Routes(app: FastifyInstance, deps: { store: Store; tokens: SessionTokens }): void {
  app.post<{ Body: { api_key: string } }>(
    '/v3/auth/token',
    { schema: { body: tokenBodySchema } },
    async (request, reply) => {
      const project = await projectForKey(deps.store, request.body.api_key);
      if (!project) return unauthorized(reply, 'Invalid API key');
      return {
        token: await deps.tokens.signProject(project.id),
        project_id: project.id,
        // The local server has no plans: every project has everything.
        project_prem_status: 'enterprise',
      };
    },
  );
}
