import type { FastifyInstance } from 'fastify';
import { DASHBOARD_HTML } from '../dashboard/page.js';

export function registerDashboardRoutes(app: FastifyInstance): void {
  const page = (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; img-src 'self' data:",
      )
      .send(DASHBOARD_HTML);
  app.get('/', page);
  app.get('/sessions/:id', page);
  app.get('/health', async () => ({ status: 'ok' }));
}
