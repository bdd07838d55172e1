/**
 * Evaluations and feedback: create_evaluations (session JWT, what the SDK sends while a session
 * runs) and `POST /v2/sessions/:id/evaluations` (API key: after the fact, for any session of the
 * project, running or ended: user feedback, an offline evaluator).
 */
import type { EvaluationInput } from '@agentops/exporter';
import type { FastifyInstance } from 'fastify';
import { projectOf, requireProject, requireSession, sessionOf } from '../auth.js';
import { ingestOr400, notFound } from '../replies.js';
import { evaluationsBodySchema, sessionParamsSchema } from '../schemas.js';
import type { V2Deps } from './deps.js';

export function registerEvaluationRoutes(app: FastifyInstance, deps: V2Deps): void {
  const { store, ingest, tokens } = deps;

  app.post<{ Body: { evaluations: EvaluationInput[] } }>(
    '/v2/create_evaluations',
    { schema: { body: evaluationsBodySchema }, preHandler: requireSession(store, tokens) },
    async (request, reply) => {
      const { sessionId } = sessionOf(request);
      if (!(await ingestOr400(reply, () => ingest.evaluations(sessionId, request.body.evaluations)))) return reply;
      return reply.send('Success');
    },
  );

  app.post<{ Params: { id: string }; Body: { evaluations: EvaluationInput[] } }>(
    '/v2/sessions/:id/evaluations',
    {
      schema: { params: sessionParamsSchema, body: evaluationsBodySchema },
      preHandler: requireProject(store, tokens),
    },
    async (request, reply) => {
      const id = request.params.id.toLowerCase();
      if ((await store.sessionOwner(id)) !== projectOf(request).id) return notFound(reply);
      let ids: string[] = [];
      const stored = await ingestOr400(reply, async () => {
        ids = (await ingest.evaluations(id, request.body.evaluations)).map((e) => e.id);
      });
      if (!stored) return reply;
      return reply.code(201).send({ status: 'Success', ids });
    },
  );
}
