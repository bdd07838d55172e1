/**
 * `GET /openapi.json` is the API the routes serve, from the schemas they validate with: every route
 * but the dashboard's is in it with its methods, and nothing else is; each request body is the
 * schema its route checks; the document's schemas accept what the SDK sends and refuse what the
 * routes refuse. (Through Fastify's inject, on SQLite and, under `pnpm test:postgres`, PostgreSQL.)
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  agentBodySchema,
  evaluationsBodySchema,
  eventsBodySchema,
  reauthorizeBodySchema,
  sessionBodySchema,
} from '../src/routes/schemas.js';
import { SERVER_VERSION } from '../src/version.js';
import { appPerTest } from './app-per-test.js';

const t = appPerTest();

interface Operation {
  tags?: string[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  parameters?: { name: string; in: string; schema: unknown }[];
}
interface Document {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
}

async function document(): Promise<Document> {
  const r = await t.app.inject({ url: '/openapi.json' });
  expect(r.statusCode).toBe(200);
  return r.json() as Document;
}

/** "METHOD /path" of every route the app serves (HEAD, which Fastify adds to each GET, left out). */
function servedRoutes(): Set<string> {
  const tree = t.app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes = new Set<string>();
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[└├]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = (m[1] as string).length / 4;
    const parent = stack[depth - 1] ?? '';
    const name = m[2] as string;
    const path =
      depth === 0 ? name : parent.endsWith('/') || name.startsWith('/') ? parent + name : `${parent}/${name}`;
    stack[depth] = path;
    for (const method of (m[3] as string).split(', ')) if (method !== 'HEAD') routes.add(`${method} ${path}`);
  }
  return routes;
}

const DASHBOARD = [
  'GET /',
  'GET /sessions',
  'GET /sessions/:id',
  'GET /settings',
  'GET /assets/:file',
  'GET /openapi.json',
];

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document of this server, with how a request is authorized', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(SERVER_VERSION);
    expect(doc.components.securitySchemes).toMatchObject({
      apiKey: { type: 'apiKey', in: 'header', name: 'x-agentops-api-key' },
      sessionToken: { type: 'http', scheme: 'bearer' },
    });
  });

  it("lists every route the app serves but the dashboard's, with its methods, and nothing else", async () => {
    const doc = await document();
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    const served = servedRoutes();
    // The tree parsed: it has the routes this test knows of (a parse that found none proves nothing).
    expect(served).toContain('POST /v2/create_events');
    expect(served).toContain('GET /v2/sessions/:id/export');
    for (const route of DASHBOARD) expect(served).toContain(route);
    expect([...documented].sort()).toEqual([...served].filter((r) => !DASHBOARD.includes(r)).sort());
    // Each under its part of the API.
    expect(doc.paths['/v2/create_events']?.post?.tags).toEqual(['v2']);
    expect(doc.paths['/v1/traces']?.post?.tags).toEqual(['OTLP']);
  });

  it('gives each request body as the schema its route validates with', async () => {
    const doc = await document();
    const body = (path: string) => doc.paths[path]?.post?.requestBody?.content['application/json']?.schema;
    const plain = (schema: unknown) => JSON.parse(JSON.stringify(schema));
    expect(body('/v2/create_session')).toEqual(plain(sessionBodySchema));
    expect(body('/v2/update_session')).toEqual(plain(sessionBodySchema));
    expect(body('/v2/reauthorize_jwt')).toEqual(plain(reauthorizeBodySchema));
    expect(body('/v2/create_events')).toEqual(plain(eventsBodySchema));
    expect(body('/v2/create_agent')).toEqual(plain(agentBodySchema));
    expect(body('/v2/create_evaluations')).toEqual(plain(evaluationsBodySchema));
    expect(body('/v2/sessions/{id}/evaluations')).toEqual(plain(evaluationsBodySchema));
    // Path parameters too: the session id's pattern.
    const params = doc.paths['/v2/sessions/{id}/export']?.get?.parameters ?? [];
    expect(params.find((p) => p.name === 'id')).toMatchObject({ in: 'path', required: true });
  });

  it('its schemas accept what the SDK sends and refuse what the routes refuse, as the routes do', async () => {
    const doc = await document();
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(
      doc.paths['/v2/create_events']?.post?.requestBody?.content['application/json']?.schema as object,
    );
    const session = '3f2a6c1e-8b4d-4e1a-9c2b-7d5e6f708192';
    const created = await t.app.inject({
      method: 'POST',
      url: '/v2/create_session',
      headers: t.key,
      payload: { session: { session_id: session, init_timestamp: '2026-12-05T10:00:00Z' } },
    });
    expect(created.statusCode).toBe(200);
    const auth = { authorization: `Bearer ${(created.json() as { jwt: string }).jwt}` };
    const good = {
      events: [
        {
          id: 'e1',
          event_type: 'tools',
          name: 'get_weather',
          init_timestamp: '2026-12-05T10:00:01Z',
          end_timestamp: '2026-12-05T10:00:02Z',
          peer: { protocol: 'mcp', name: 'weather', version: '1.0.0' },
        },
      ],
    };
    const bad = [
      { events: [{ ...good.events[0], event_type: 'tool' }] },
      { events: [{ ...good.events[0], prompt_tokens: -1 }] },
      { events: [{ ...good.events[0], peer: { protocol: 'mcp' } }] },
      { events: 'none' },
    ];
    expect(validate(good)).toBe(true);
    const accepted = await t.app.inject({ method: 'POST', url: '/v2/create_events', headers: auth, payload: good });
    expect(accepted.statusCode).toBe(200);
    for (const payload of bad) {
      expect(validate(payload)).toBe(false);
      const refused = await t.app.inject({ method: 'POST', url: '/v2/create_events', headers: auth, payload });
      expect(refused.statusCode).toBe(400);
    }
  });
});
