/**
 * GET /v2/overview on a real store (SQLite in memory, or PostgreSQL): sessions sent through the v2
 * API in a known range, and what the overview says of them, to the cent and the millisecond.
 */
import { describe, expect, it } from 'vitest';
import { createProject } from '../src/auth/api-keys.js';
import { nearestRank, type Overview } from '../src/db/overview.js';
import { appPerTest } from './app-per-test.js';

const t = appPerTest();

const S = {
  ok: '10000000-0000-4000-8000-000000000001',
  failed: '10000000-0000-4000-8000-000000000002',
  running: '10000000-0000-4000-8000-000000000003',
  before: '10000000-0000-4000-8000-000000000004',
};

async function session(id: string, init: string, apiKey = t.key): Promise<string> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v2/create_session',
    headers: apiKey,
    payload: { session: { session_id: id, init_timestamp: init } },
  });
  expect(r.statusCode).toBe(200);
  return r.json<{ jwt: string }>().jwt;
}

async function events(jwt: string, list: Record<string, unknown>[]): Promise<void> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v2/create_events',
    headers: { authorization: `Bearer ${jwt}` },
    payload: { events: list },
  });
  expect(r.statusCode).toBe(200);
}

async function end(jwt: string, id: string, init: string, endAt: string, state: string): Promise<void> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v2/update_session',
    headers: { authorization: `Bearer ${jwt}` },
    payload: { session: { session_id: id, init_timestamp: init, end_timestamp: endAt, end_state: state } },
  });
  expect(r.statusCode).toBe(200);
}

const llm = (n: number, at: string, model: string, cost: number, tokens: [number, number, number]) => ({
  id: `20000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  event_type: 'llms',
  init_timestamp: at,
  end_timestamp: at,
  model,
  prompt_tokens: tokens[0],
  completion_tokens: tokens[1],
  cache_read_tokens: tokens[2],
  cost,
});

/** Three sessions in 2026-11-30 10:00-13:00 UTC and one the day before. */
async function seed(): Promise<void> {
  const ok = await session(S.ok, '2026-11-30T10:05:00Z');
  const okEvents = [
    llm(1, '2026-11-30T10:05:01Z', 'gpt-4o', 0.01, [100, 20, 40]),
    llm(2, '2026-11-30T10:05:02Z', 'gpt-4o', 0.01, [100, 20, 40]),
    {
      id: '20000000-0000-4000-8000-000000000003',
      event_type: 'errors',
      init_timestamp: '2026-11-30T10:05:03Z',
      end_timestamp: '2026-11-30T10:05:03Z',
      error_type: 'Timeout',
    },
  ];
  await events(ok, okEvents);
  await events(ok, okEvents); // a retried batch counts once
  await end(ok, S.ok, '2026-11-30T10:05:00Z', '2026-11-30T10:05:10Z', 'Success');
  const failed = await session(S.failed, '2026-11-30T10:40:00Z');
  await events(failed, [llm(4, '2026-11-30T10:40:30Z', 'claude-sonnet-4-5', 0.05, [200, 50, 0])]);
  await end(failed, S.failed, '2026-11-30T10:40:00Z', '2026-11-30T10:41:00Z', 'Fail');
  const running = await session(S.running, '2026-11-30T12:10:00Z');
  await events(running, [
    {
      id: '20000000-0000-4000-8000-000000000005',
      event_type: 'tools',
      name: 'search',
      init_timestamp: '2026-11-30T12:10:20Z',
      end_timestamp: '2026-11-30T12:10:30Z',
    },
  ]);
  const before = await session(S.before, '2026-11-29T23:00:00Z');
  await events(before, [llm(6, '2026-11-29T23:00:01Z', 'gpt-4o', 9, [1, 1, 0])]);
}

async function overview(query: string, apiKey = t.key) {
  return t.app.inject({ method: 'GET', url: `/v2/overview?${query}`, headers: apiKey });
}

describe('GET /v2/overview', () => {
  it('per hour: sessions, cost, tokens, errors and duration percentiles; end states, models, slowest, costliest', async () => {
    await seed();
    const r = await overview('from=2026-11-30T10:00:00Z&to=2026-11-30T13:00:00Z&bucket=hour');
    expect(r.statusCode).toBe(200);
    const o = r.json<Overview>();
    expect(o).toMatchObject({ from: '2026-11-30T10:00:00.000000Z', to: '2026-11-30T13:00:00.000000Z', bucket: 'hour' });
    expect(o.series.map((p) => [p.start, p.sessions])).toEqual([
      ['2026-11-30T10:00:00.000Z', 2],
      ['2026-11-30T11:00:00.000Z', 0],
      ['2026-11-30T12:00:00.000Z', 1],
    ]);
    const [ten, eleven, twelve] = o.series;
    expect(ten).toMatchObject({
      prompt_tokens: 400,
      completion_tokens: 90,
      cache_read_tokens: 80,
      llm_calls: 3,
      errors: 1,
      // Nearest rank: of 10 s and 60 s, the 50th percentile is 10 s, the 95th 60 s.
      duration_p50_ms: 10_000,
      duration_p95_ms: 60_000,
    });
    expect(ten?.cost).toBe('0.070000');
    expect(eleven).toMatchObject({ sessions: 0, cost: '0.00', duration_p50_ms: null, duration_p95_ms: null });
    // A running session lasts, so far, until its last event.
    expect(twelve).toMatchObject({ sessions: 1, cost: '0.00', duration_p50_ms: 30_000, duration_p95_ms: 30_000 });
    expect(o.totals).toMatchObject({
      sessions: 3,
      llm_calls: 3,
      errors: 1,
      prompt_tokens: 400,
      cache_read_tokens: 80,
      duration_p50_ms: 30_000,
      duration_p95_ms: 60_000,
    });
    expect(o.end_states).toEqual({ Success: 1, Fail: 1, running: 1 });
    expect(o.cost_by_model.map((m) => [m.model, m.llm_calls, m.prompt_tokens])).toEqual([
      ['claude-sonnet-4-5', 1, 200],
      ['gpt-4o', 2, 200],
    ]);
    expect(o.cost_by_model[1]?.cost).toBe('0.020000');
    expect(o.slowest.map((s) => [s.session_id, s.duration_ms])).toEqual([
      [S.failed, 60_000],
      [S.running, 30_000],
      [S.ok, 10_000],
    ]);
    expect(o.costliest.map((s) => s.session_id)).toEqual([S.failed, S.ok]);
    expect(o.costliest[1]).toMatchObject({ end_state: 'Success', llm_calls: 2, errors: 1 });
  });

  it('per day, and by default the last seven days in days; another project sees none of it', async () => {
    await seed();
    const days = (await overview('from=2026-11-29T00:00:00Z&to=2026-12-01T00:00:00Z&bucket=day')).json<Overview>();
    expect(days.series.map((p) => [p.start.slice(0, 10), p.sessions])).toEqual([
      ['2026-11-29', 1],
      ['2026-11-30', 3],
    ]);
    expect(days.totals.cost).toBe('9.070000');
    const recent = (await overview('')).json<Overview>();
    expect(recent.bucket).toBe('day');
    expect(Date.parse(recent.to) - Date.parse(recent.from)).toBe(7 * 86_400_000);
    const other = { 'x-agentops-api-key': (await createProject(t.store, 'other')).apiKey };
    const theirs = (await overview('from=2026-11-29T00:00:00Z&to=2026-12-01T00:00:00Z', other)).json<Overview>();
    expect(theirs.bucket).toBe('hour');
    expect(theirs.totals.sessions).toBe(0);
    expect(theirs.cost_by_model).toEqual([]);
    expect(theirs.series).toHaveLength(48);
  });

  it.each([
    ['from=yesterday', /from is not an ISO-8601 time/],
    ['from=2026-11-30T10:00:00Z&to=2026-11-30T09:00:00Z', /from must be before to/],
    ['from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&bucket=hour', /more than 800 hours/],
    ['bucket=week', /bucket/],
  ])('%s is a 400 that says why', async (query, message) => {
    const r = await overview(query);
    expect(r.statusCode).toBe(400);
    expect(r.json<{ message: string }>().message).toMatch(message);
  });

  it('a `to` early in 1970 with no `from` is the range from 1970 to it, not a 500', async () => {
    const r = await overview('to=1970-01-01T00:00:00.001Z');
    expect(r.statusCode).toBe(200);
    expect(r.json<Overview>()).toMatchObject({ from: '1970-01-01T00:00:00.000000Z', bucket: 'hour' });
  });

  it('needs the API key', async () => {
    expect((await overview('', {})).statusCode).toBe(401);
  });
});

describe('nearestRank', () => {
  it.each([
    [[], 0.5, null],
    [[7], 0.95, 7],
    [[1, 2], 0.5, 1],
    [[1, 2], 0.95, 2],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95, 10],
    [Array.from({ length: 100 }, (_, i) => i + 1), 0.95, 95],
  ])('of %j at %d is %j', (values, p, expected) => {
    expect(nearestRank(values, p)).toBe(expected);
  });
});
