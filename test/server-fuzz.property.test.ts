/**
 * Fuzzing every route of the real server: arbitrary JSON (unicode, SQL-ish strings, wrong types,
 * deep nesting), malformed bytes and odd headers get a 2xx or a 4xx with a message, never a 5xx,
 * and the server keeps answering. Nothing is stored for refused requests.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { selectRows } from './helpers/stores.js';

let server: TestServer;
let jwt: string;
let sessionId: string;

beforeAll(async () => {
  server = await startTestServer();
  sessionId = randomUUID();
  const created = await server.post<{ jwt: string }>('/v2/create_session', {
    session: { session_id: sessionId, init_timestamp: new Date().toISOString() },
  });
  jwt = created.body.jwt;
});
afterAll(async () => {
  await server.stop();
});

const ROUTES = [
  ['POST', '/v2/create_session', 'key'],
  ['POST', '/v2/reauthorize_jwt', 'key'],
  ['POST', '/v2/create_events', 'jwt'],
  ['POST', '/v2/create_agent', 'jwt'],
  ['POST', '/v2/update_session', 'jwt'],
  ['POST', '/v1/traces', 'key'],
  ['GET', '/v2/sessions', 'key'],
  ['GET', '/v2/sessions/:id/stats', 'key'],
  ['GET', '/v2/sessions/:id/export', 'key'],
] as const;

const sqlish = fc.constantFrom(
  "'; DROP TABLE sessions; --",
  '" OR 1=1 --',
  "Robert'); DELETE FROM events;--",
  '%00',
  '\u0000',
  '𝓊𝓃𝒾𝒸ℴ𝒹ℯ ☃ 🤖',
);
const text = fc.oneof(fc.string({ unit: 'grapheme' }), sqlish, fc.uuid());
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 5 }),
  ),
})).value;
// Bodies shaped like the real ones, with any field swapped for anything.
const shaped = fc.oneof(
  fc.record(
    {
      session: fc.record(
        {
          session_id: fc.oneof(fc.uuid(), text),
          init_timestamp: fc.oneof(
            fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())),
            text,
          ),
          tags: fc.oneof(fc.array(text), json),
          end_state: fc.oneof(fc.constantFrom('Success', 'Fail', 'Indeterminate'), text),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record({
    events: fc.array(
      fc.record(
        {
          id: fc.oneof(fc.uuid(), text),
          event_type: fc.oneof(fc.constantFrom('llms', 'tools', 'actions', 'errors'), text),
          init_timestamp: fc.oneof(fc.constant('2024-05-01T12:00:00Z'), text),
          end_timestamp: fc.oneof(fc.constant('2024-05-01T12:00:01Z'), text),
          prompt_tokens: json,
          model: json,
        },
        { requiredKeys: [] },
      ),
      { maxLength: 5 },
    ),
  }),
  fc.record({ id: text, name: text }, { requiredKeys: [] }),
  fc.record({
    resourceSpans: fc.array(
      fc.record({
        scopeSpans: fc.array(
          fc.record({
            spans: fc.array(
              fc.record({ traceId: text, spanId: text, name: text, startTimeUnixNano: json, attributes: json }),
            ),
          }),
        ),
      }),
    ),
  }),
  json,
);
const rawBody = fc.oneof(
  shaped.map((v) => JSON.stringify(v)),
  fc.string(),
  fc.constant('{"a":'),
  fc.constant('\u0000\u0001'),
  fc.constant('['.repeat(5000)),
);

it('every route answers 2xx or 4xx to anything', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ROUTES),
      rawBody,
      fc.oneof(fc.constant(sessionId), fc.uuid(), text),
      fc.constantFrom('application/json', 'text/plain', 'application/x-protobuf', ''),
      async ([method, path, auth], body, id, type) => {
        const headers: Record<string, string> =
          auth === 'jwt' ? { authorization: `Bearer ${jwt}` } : { 'x-agentops-api-key': server.apiKey };
        if (type) headers['content-type'] = type;
        const url = server.url + path.replace(':id', encodeURIComponent(id));
        const res = await fetch(url, { method, headers, body: method === 'POST' ? body : undefined });
        const text = await res.text();
        expect(res.status, `${method} ${path} -> ${res.status} ${text}`).toBeLessThan(500);
        if (res.status >= 400) expect(JSON.parse(text).message).toEqual(expect.any(String));
      },
    ),
    { numRuns: 400 },
  );
  expect((await server.get('/health')).status).toBe(200);

  // What was accepted is well formed: normalized times, known types, bounded ids.
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
  const sessions = await selectRows<{ id: string; init_timestamp: string; end_state: string | null }>(
    server.store,
    'SELECT id, init_timestamp, end_state FROM sessions',
  );
  for (const s of sessions) {
    expect(s.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(s.init_timestamp).toMatch(iso);
    expect([null, 'Success', 'Fail', 'Indeterminate']).toContain(s.end_state);
  }
  const events = await selectRows<{ id: string; event_type: string; init_timestamp: string; end_timestamp: string }>(
    server.store,
    'SELECT id, event_type, init_timestamp, end_timestamp FROM events',
  );
  for (const e of events) {
    expect(['llms', 'tools', 'actions', 'errors']).toContain(e.event_type);
    expect(e.id.length).toBeLessThanOrEqual(64);
    expect(e.init_timestamp).toMatch(iso);
    expect(e.end_timestamp).toMatch(iso);
  }
});
