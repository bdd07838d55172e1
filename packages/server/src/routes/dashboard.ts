/** The dashboard page and its script, under a CSP that allows no inline script and no framing. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DASHBOARD_HTML, DASHBOARD_JS } from '../dashboard/page.js';

const PAGE_CSP = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export function registerDashboardRoutes(app: FastifyInstance): void {
  const page = (_request: unknown, reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).send(DASHBOARD_HTML);
  app.get('/', page);
  app.get('/sessions', page);
  app.get('/sessions/:id', page);
  app.get('/dashboard.js', (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(DASHBOARD_JS),
  );
  app.get('/health', async () => ({ status: 'ok' }));
}
