/**
 * A project's alert rules, its alerts with their webhooks' deliveries, and its budgets (API key):
 * where each spend rule stands for an end user, a tag, an environment or a model, so that an app
 * can stop an agent whose user is over budget before it spends more.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AlertRuleError, type Group, parseAlertRule } from '../../alerts/rules.js';
import { projectOf, requireProject } from '../auth.js';
import { badRequest } from '../replies.js';
import { alertRuleParamsSchema, alertRuleSchema, alertsQuerySchema, budgetsQuerySchema } from '../schemas.js';
import type { V2Deps } from './deps.js';

export function registerAlertRoutes(app: FastifyInstance, deps: V2Deps): void {
  const { store } = deps;
  const project = requireProject(store, deps.tokens);

  app.get('/v2/alerts/rules', { preHandler: project }, async (request) => ({
    rules: await store.alertRules(projectOf(request).id),
  }));

  app.post('/v2/alerts/rules', { schema: { body: alertRuleSchema }, preHandler: project }, async (request, reply) => {
    let input: ReturnType<typeof parseAlertRule>;
    try {
      input = parseAlertRule(request.body);
    } catch (err) {
      if (!(err instanceof AlertRuleError)) throw err;
      return badRequest(reply, err.message);
    }
    // The webhook's signing secret: given this once, for the receiver to check signatures with.
    const secret = randomBytes(32).toString('hex');
    const rule = await store.addAlertRule(projectOf(request).id, input, secret);
    return { rule, secret };
  });

  app.delete<{ Params: { id: string } }>(
    '/v2/alerts/rules/:id',
    { schema: { params: alertRuleParamsSchema }, preHandler: project },
    async (request, reply) => {
      if (await store.deleteAlertRule(projectOf(request).id, request.params.id)) return { deleted: true };
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No such alert rule' });
    },
  );

  app.get<{ Querystring: { limit: number } }>(
    '/v2/alerts',
    { schema: { querystring: alertsQuerySchema }, preHandler: project },
    async (request) => ({ alerts: await store.alerts(projectOf(request).id, request.query.limit) }),
  );

  app.get<{ Querystring: { user_id?: string; tag?: string; environment?: string; model?: string } }>(
    '/v2/budgets',
    { schema: { querystring: budgetsQuerySchema }, preHandler: project },
    async (request) => {
      const q = request.query;
      const keys: Partial<Record<Group, string>> = {
        ...(q.user_id ? { user: q.user_id } : {}),
        ...(q.tag ? { tag: q.tag } : {}),
        ...(q.environment ? { environment: q.environment } : {}),
        ...(q.model ? { model: q.model } : {}),
      };
      const budgets = await store.budgets(projectOf(request).id, keys, Date.now());
      return { over: budgets.some((b) => b.over), budgets };
    },
  );
}
