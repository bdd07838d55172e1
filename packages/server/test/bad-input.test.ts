/**
 * Bad input gets a 4xx and stores nothing, on both ingest paths (v2 JSON and OTLP), which validate
 * the same way: a real store (SQLite in memory, or PostgreSQL) behind Fastify's inject.
 */
import { describe, expect, it } from 'vitest';
import { selectRows } from '../../../test/helpers/stores.js';
import { normalizeTimestamp } from '../src/timestamps.js';
import { appPerTest, sessionJwt } from './app-per-test.js';

const SESSION = '0af76519-16cd-43dd-8448-eb211c80319c';
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const t = appPerTest();

const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const json = { 'content-type': 'application/json' };

/** The events stored for `sessionId`, as the export gives them. */
async function exported(sessionId: string): Promise<unknown[]> {
  const r = await t.app.inject({ method: 'GET', url: `/v2/sessions/${sessionId}/export`, headers: t.key });
  expect(r.statusCode).toBe(200);
  const body = r.json();
  return [...body.llms, ...body.tools, ...body.actions, ...body.errors];
}

async function eventCount(): Promise<number> {
  const [row] = await selectRows<{ n: number }>(t.store, 'SELECT CAST(count(*) AS INTEGER) AS n FROM events');
  return row?.n ?? -1;
}

describe('v2 bodies', () => {
  it('a host_env 20,000 deep is a 400, and no session is stored', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v2/create_session',
      headers: { ...t.key, ...json },
      payload: `{"session":{"session_id":"${SESSION}","init_timestamp":"2024-05-01T12:00:00Z","host_env":${nested(20_000)}}}`,
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/nests deeper than 64 levels/);
    expect(await t.store.sessionOwner(SESSION)).toBeUndefined();
  });

  it('event params 5,000 deep are a 400, and no event is stored', async () => {
    const jwt = await sessionJwt(t, SESSION);
    const event = `{"id":"11111111-1111-4111-8111-111111111111","event_type":"tools","init_timestamp":"2024-05-01T12:00:00Z","params":${nested(5000)}}`;
    const r = await t.app.inject({
      method: 'POST',
      url: '/v2/create_events',
      headers: { authorization: `Bearer ${jwt}`, ...json },
      payload: `{"events":[${event}]}`,
    });
    expect(r.statusCode).toBe(400);
    expect(await eventCount()).toBe(0);
  });

  it.each(['offset=1e20', 'offset=12345678901234567890123', 'offset=-1', 'limit=0'])(
    'GET /v2/sessions?%s is a 400',
    async (q) => {
      const r = await t.app.inject({ url: `/v2/sessions?${q}`, headers: t.key });
      expect(r.statusCode).toBe(400);
    },
  );

  it.each([
    ['negative tokens', { prompt_tokens: -1 }],
    ['fractional tokens', { completion_tokens: 1.5 }],
    ['1e308 tokens', { prompt_tokens: 1e308 }],
    ['a timestamp "1"', { init_timestamp: '1' }],
    ['February 30th', { init_timestamp: '2024-02-30T00:00:00Z' }],
  ])('an LLM event with %s is a 400', async (_name, fields) => {
    const jwt = await sessionJwt(t, SESSION);
    const event = {
      id: '11111111-1111-4111-8111-111111111111',
      event_type: 'llms',
      init_timestamp: '2024-05-01T12:00:00Z',
      ...fields,
    };
    const r = await t.app.inject({
      method: 'POST',
      url: '/v2/create_events',
      headers: { authorization: `Bearer ${jwt}` },
      payload: { events: [event] },
    });
    expect(r.statusCode).toBe(400);
    expect(await eventCount()).toBe(0);
  });

  it.each([
    ['Number.MAX_SAFE_INTEGER prompt tokens', { prompt_tokens: Number.MAX_SAFE_INTEGER }, 'prompt_tokens'],
    ['a billion and one cached tokens', { cache_read_tokens: 1e9 + 1 }, 'cache_read_tokens'],
  ])('an LLM event with %s is a 400 that names the limit', async (_name, fields, field) => {
    const jwt = await sessionJwt(t, SESSION);
    const event = {
      id: '11111111-1111-4111-8111-111111111111',
      event_type: 'llms',
      init_timestamp: '2024-05-01T12:00:00Z',
    };
    const r = await t.app.inject({
      method: 'POST',
      url: '/v2/create_events',
      headers: { authorization: `Bearer ${jwt}` },
      payload: { events: [{ ...event, ...fields }] },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(new RegExp(`${field} must be <= 1000000000`));
    expect(await eventCount()).toBe(0);
  });

  it('1,200 events of a billion tokens each: all stored, and the stats and the list sum them', async () => {
    const jwt = await sessionJwt(t, SESSION);
    const max = 1e9;
    for (let batch = 0; batch < 3; batch++) {
      const events = Array.from({ length: 400 }, (_, i) => ({
        id: `11111111-1111-4111-8111-${String(batch * 400 + i).padStart(12, '0')}`,
        event_type: 'llms',
        init_timestamp: '2024-05-01T12:00:01Z',
        model: 'gpt-4o',
        prompt_tokens: max,
        completion_tokens: max,
        cache_read_tokens: max,
      }));
      const r = await t.app.inject({
        method: 'POST',
        url: '/v2/create_events',
        headers: { authorization: `Bearer ${jwt}` },
        payload: { events },
      });
      expect(r.statusCode).toBe(200);
    }
    const stats = await t.app.inject({ method: 'GET', url: `/v2/sessions/${SESSION}/stats`, headers: t.key });
    expect(stats.statusCode).toBe(200);
    expect(stats.json()).toMatchObject({ llm_calls: 1200, prompt_tokens: 1.2e12, cache_read_tokens: 1.2e12 });
    const list = await t.app.inject({ method: 'GET', url: '/v2/sessions', headers: t.key });
    expect(list.statusCode).toBe(200);
    expect(list.json().sessions[0].stats).toMatchObject({ prompt_tokens: 1.2e12 });
  });

  it.each([
    ['1e308', 1e308],
    ['-1e308', -1e308],
    ['a billion and one', 1e9 + 1],
  ])('an evaluation score of %s is a 400 that names the limit; the session stays readable', async (_name, score) => {
    const jwt = await sessionJwt(t, SESSION);
    const r = await t.app.inject({
      method: 'POST',
      url: '/v2/create_evaluations',
      headers: { authorization: `Bearer ${jwt}` },
      payload: { evaluations: [{ name: 'judge', score }] },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/score must be (<=|>=) (-)?1000000000/);
    const ok = await t.app.inject({
      method: 'POST',
      url: `/v2/sessions/${SESSION}/evaluations`,
      headers: t.key,
      payload: {
        evaluations: [
          { name: 'judge', score: 1e9 },
          { name: 'judge', score: 1e9 },
        ],
      },
    });
    expect(ok.statusCode).toBe(201);
    const stats = await t.app.inject({ method: 'GET', url: `/v2/sessions/${SESSION}/stats`, headers: t.key });
    expect(stats.statusCode).toBe(200);
    expect(stats.json().evaluation_scores).toEqual([{ name: 'judge', count: 2, mean_score: 1e9, labels: {} }]);
    expect((await t.app.inject({ method: 'GET', url: '/v2/sessions', headers: t.key })).statusCode).toBe(200);
  });

  it('scores of 1e308 an older server stored: the stats and the list still answer (sums cannot overflow)', async () => {
    await sessionJwt(t, SESSION);
    const legacy = (id: string) => ({
      id,
      session_id: SESSION,
      timestamp: '2024-05-01T12:00:01.000000Z',
      name: 'judge',
      score: 1e308,
      label: null,
      explanation: null,
      event_id: null,
      parent_span_id: null,
      response_id: null,
    });
    await t.store.insertEvaluations(SESSION, [legacy('legacy-1'), legacy('legacy-2')]);
    const stats = await t.app.inject({ method: 'GET', url: `/v2/sessions/${SESSION}/stats`, headers: t.key });
    expect(stats.statusCode).toBe(200);
    expect(stats.json()).toMatchObject({ evaluations: 2, evaluation_scores: [{ name: 'judge', count: 2 }] });
    expect((await t.app.inject({ method: 'GET', url: '/v2/sessions', headers: t.key })).statusCode).toBe(200);
  });

  it('the all-zero session id is not a session id', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v2/create_session',
      headers: t.key,
      payload: {
        session: { session_id: '00000000-0000-0000-0000-000000000000', init_timestamp: '2024-05-01T12:00:00Z' },
      },
    });
    expect(r.statusCode).toBe(400);
  });
});

type Kv = { key: string; value: { stringValue?: string; intValue?: number; doubleValue?: number } };
const kv = (k: string, v: string | number): Kv => ({
  key: k,
  value: typeof v === 'string' ? { stringValue: v } : Number.isInteger(v) ? { intValue: v } : { doubleValue: v },
});

function otlp(attributes: Kv[], span: Record<string, unknown> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/traces',
    headers: t.key,
    payload: {
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: TRACE,
                  spanId: 'b7ad6b7169203331',
                  name: 'span',
                  kind: 1,
                  startTimeUnixNano: '1714564800000000000',
                  endTimeUnixNano: '1714564801000000000',
                  attributes,
                  status: {},
                  ...span,
                },
              ],
            },
          ],
        },
      ],
    },
  });
}

describe('OTLP spans', () => {
  const llm = (extra: Kv[] = [], id = SESSION) => [
    kv('agentops.session.id', id),
    kv('gen_ai.operation.name', 'chat'),
    ...extra,
  ];

  it('an upper-case session id is the same session, lower-cased', async () => {
    const r = await otlp(llm([], SESSION.toUpperCase()));
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ partialSuccess: {} });
    expect(await t.store.sessionOwner(SESSION)).toBeDefined();
    expect(await eventCount()).toBe(1);
  });

  it.each([
    ['no name', { name: undefined }],
    ['a number as name', { name: 7 }],
    ['an object as name', { name: { a: 1 } }],
  ])('a tool span with %s is stored under an empty name, not a 500', async (_name, span) => {
    const r = await otlp([kv('agentops.session.id', SESSION), kv('gen_ai.operation.name', 'execute_tool')], span);
    expect(r.statusCode).toBe(200);
    expect(await exported(SESSION)).toMatchObject([{ event_type: 'tools', name: '' }]);
  });

  it.each(['1'.repeat(31), '-5', 'soon'])('startTimeUnixNano %s is a 400', async (nanos) => {
    const r = await otlp(llm(), { startTimeUnixNano: nanos });
    expect(r.statusCode).toBe(400);
    expect(await eventCount()).toBe(0);
  });

  it.each([
    ['negative', -5],
    ['fractional', 2.5],
    ['1e308', 1e308],
  ])('%s token counts are not token counts: the call is stored with its tokens unknown', async (_name, tokens) => {
    const r = await otlp(llm([kv('gen_ai.usage.input_tokens', tokens), kv('gen_ai.usage.output_tokens', 3)]));
    expect(r.json()).toEqual({ partialSuccess: {} });
    expect(await exported(SESSION)).toMatchObject([{ event_type: 'llms', prompt_tokens: null, completion_tokens: 3 }]);
  });

  it.each([
    ['the all-zero session id', llm([], '00000000-0000-0000-0000-000000000000')],
    ['a session id of 100 KB', llm([], 'x'.repeat(100_000))],
  ])('%s: the span is rejected as v2 would reject it, and nothing is stored', async (_name, attributes) => {
    const r = await otlp(attributes);
    expect(r.statusCode).toBe(200);
    expect(r.json().partialSuccess.rejectedSpans).toBe(1);
    expect(r.json().partialSuccess.errorMessage).toEqual(expect.any(String));
    expect(await eventCount()).toBe(0);
  });
});

describe('normalizeTimestamp', () => {
  it.each([
    ['2024-05-01T12:00:00Z', '2024-05-01T12:00:00.000000Z'],
    ['2024-05-01 12:00:00.1234567+00:00', '2024-05-01T12:00:00.123456Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000000Z'],
    ['2024-02-30T00:00:00Z', undefined],
    ['2023-02-29T00:00:00Z', undefined],
    ['1', undefined],
    ['2024-05-01', undefined],
    ['Wed, 01 May 2024 12:00:00 GMT', undefined],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeTimestamp(input)).toBe(expected);
  });
});
