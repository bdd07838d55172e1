/**
 * A project's retention policy (API key): read it with what it would remove now, set it, or remove
 * it. The server applies it continuously (retention/RetentionWorker.ts).
 */
import type { FastifyInstance } from 'fastify';
import { parseRetentionPolicy, RetentionPolicyError } from '../../retention/policy.js';
import { projectOf, requireProject } from '../auth.js';
import { badRequest } from '../replies.js';
import { retentionPolicySchema } from '../schemas.js';
import type { V2Deps } from './deps.js';

export function registerRetentionRoutes(app: FastifyInstance, deps: V2Deps): void {
  const project = requireProject(deps.store, deps.tokens);
  const state = async (projectId: string) => {
    const policy = await deps.store.retentionPolicy(projectId);
    return {
      policy: policy ?? null,
      preview: policy ? await deps.store.retentionPreview(projectId, policy, Date.now()) : null,
    };
  };
  app.get('/v2/retention', { preHandler: project }, async (request) => state(projectOf(request).id));
  app.put('/v2/retention', { schema: { body: retentionPolicySchema }, preHandler: project }, async (request, reply) => {
    let policy: ReturnType<typeof parseRetentionPolicy>;
    try {
      policy = parseRetentionPolicy(request.body);
    } catch (err) {
      if (!(err instanceof RetentionPolicyError)) throw err;
      return badRequest(reply, err.message);
    }
    await deps.store.setRetentionPolicy(projectOf(request).id, policy);
    return state(projectOf(request).id);
  });
  app.delete('/v2/retention', { preHandler: project }, async (request) => {
    await deps.store.setRetentionPolicy(projectOf(request).id, undefined);
    return state(projectOf(request).id);
  });
}
