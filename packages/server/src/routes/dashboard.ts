/**
 * The dashboard: its page at `/`, `/sessions`, `/sessions/:id` and `/settings`, under a CSP that allows no inline
 * script and no framing; its script and styles (built by `tsup.dashboard.config.ts` into
 * dist/dashboard/) at `/assets/{name}.{hash}.{ext}`, named by their content's hash and so cached for
 * a year, while the page itself is asked for again each time (it names the current assets).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

const PAGE_CSP = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Asset {
  body: string;
  type: string;
}

/** The built dashboard (dist/dashboard/ of this package): undefined when the package was not built. */
function builtDashboard(): string | undefined {
  // From src/routes/ (tests on the sources) or dist/ (the bundle): up to this package's root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'dist', 'dashboard');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** The page naming its assets, and the assets by their hashed file names. */
function loadDashboard(dir: string): { page: string; assets: Map<string, Asset> } {
  const assets = new Map<string, Asset>();
  const add = (file: string, type: string) => {
    const body = readFileSync(join(dir, file), 'utf8');
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const [name, ext] = file.split('.');
    const hashed = `${name}.${hash}.${ext}`;
    assets.set(hashed, { body, type });
    return `/assets/${hashed}`;
  };
  const script = add('main.js', 'text/javascript; charset=utf-8');
  const styles = add('main.css', 'text/css; charset=utf-8');
  const page = readFileSync(join(dir, 'index.html'), 'utf8')
    .replace('{{script}}', script)
    .replace('{{styles}}', styles);
  return { page, assets };
}

export function registerDashboardRoutes(app: FastifyInstance): void {
  const dir = builtDashboard();
  const built = dir ? loadDashboard(dir) : undefined;
  const page = (_request: unknown, reply: FastifyReply) => {
    if (!built)
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built: run `pnpm build` in the repository (or install the published package).');
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', PAGE_CSP)
      .header('cache-control', 'no-cache')
      .send(built.page);
  };
  app.get('/', page);
  app.get('/sessions', page);
  app.get('/sessions/:id', page);
  app.get('/settings', page);
  app.get<{ Params: { file: string } }>('/assets/:file', (request, reply) => {
    const asset = built?.assets.get(request.params.file);
    if (!asset) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No such asset' });
    return reply.type(asset.type).header('cache-control', IMMUTABLE).send(asset.body);
  });
  app.get('/health', async () => ({ status: 'ok' }));
}
