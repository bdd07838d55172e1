/**
 * A session's stats and the session list come from the totals its row keeps as events and
 * evaluations are stored (never from a scan of its events), and a session's summary of its
 * evaluations is bounded however many names and labels it has; all of them are paged apart.
 * Real store (SQLite in memory, or PostgreSQL) behind Fastify's inject.
 */
import type { SessionStats } from '@agentops/exporter';
import { describe, expect, it } from 'vitest';
import { selectRows } from '../../../test/helpers/stores.js';
import { SUMMARY_LABELS, SUMMARY_NAMES } from '../src/stats.js';
import { appPerTest, sessionJwt } from './app-per-test.js';

const SESSION = '0af76519-16cd-43dd-8448-eb211c80319c';
const t = appPerTest();

const id = (n: number) => `11111111-1111-4111-8111-${String(n).padStart(12, '0')}`;
const at = (s: number) => new Date(Date.UTC(2024, 4, 1, 12, 0, s)).toISOString();

async function post(url: string, payload: unknown, headers: Record<string, string>) {
  const r = await t.app.inject({ method: 'POST', url, headers, payload });
  expect(r.statusCode, r.body).toBeLessThan(300);
}

async function get<T>(url: string): Promise<T> {
  const r = await t.app.inject({ method: 'GET', url, headers: t.key });
  expect(r.statusCode, r.body).toBe(200);
  return r.json<T>();
}

describe('totals kept on the session row', () => {
  it('stats and the list give the same figures, kept as events arrive (a retried batch adds nothing)', async () => {
    const bearer = { authorization: `Bearer ${await sessionJwt(t, SESSION)}` };
    const events = [
      {
        id: id(1),
        event_type: 'llms',
        init_timestamp: at(1),
        end_timestamp: at(2),
        model: 'gpt-4o',
        prompt_tokens: 1000,
        completion_tokens: 200,
        cache_read_tokens: 400,
        cache_creation_tokens: 100,
        reasoning_tokens: 50,
        cost: 0.01,
      },
      { id: id(2), event_type: 'tools', init_timestamp: at(2), end_timestamp: at(3), name: 'search' },
      { id: id(3), event_type: 'tools', init_timestamp: at(3), end_timestamp: at(4), name: 'fetch' },
      { id: id(4), event_type: 'actions', init_timestamp: at(4), end_timestamp: at(5), action_type: 'plan' },
      { id: id(5), event_type: 'errors', init_timestamp: at(5), end_timestamp: at(9), error_type: 'Boom' },
    ];
    await post('/v2/create_events', { events }, bearer);
    await post('/v2/create_events', { events }, bearer);
    await post('/v2/create_agent', { id: 'a1', name: 'planner' }, bearer);
    await post('/v2/create_evaluations', { evaluations: [{ id: id(6), name: 'judge', score: 1 }] }, bearer);
    await post('/v2/create_evaluations', { evaluations: [{ id: id(6), name: 'judge', score: 1 }] }, bearer);

    await post(
      '/v2/update_session',
      { session: { session_id: SESSION, init_timestamp: at(0), end_timestamp: at(10), end_state: 'Success' } },
      bearer,
    );
    const expected = {
      duration_ms: 10_000,
      events: 5,
      llm_calls: 1,
      tool_calls: 2,
      actions: 1,
      errors: 1,
      prompt_tokens: 1000,
      completion_tokens: 200,
      cache_read_tokens: 400,
      cache_creation_tokens: 100,
      reasoning_tokens: 50,
      cost: '0.010000',
      agents: 1,
      evaluations: 1,
    };
    const stats = await get<SessionStats>(`/v2/sessions/${SESSION}/stats`);
    expect(stats).toMatchObject(expected);
    const list = await get<{ sessions: { stats: SessionStats }[] }>('/v2/sessions');
    expect(list.sessions[0]?.stats).toMatchObject(expected);
    // The list's rows leave the evaluations' summary to the stats.
    expect(list.sessions[0]?.stats.evaluation_scores).toBeUndefined();

    // What the row says is what the events say.
    const [byEvents] = await selectRows<{ n: number; tools: number }>(
      t.store,
      `SELECT CAST(COUNT(*) AS INTEGER) AS n, CAST(SUM(CASE WHEN event_type = 'tools' THEN 1 ELSE 0 END) AS INTEGER) AS tools
       FROM events WHERE session_id = '${SESSION}'`,
    );
    expect(byEvents).toEqual({ n: 5, tools: 2 });
  });
});

describe('the summary of many evaluations is bounded', () => {
  it('2,000 names and one name with 1,000 labels: stats give the most frequent; all names are paged apart', async () => {
    const bearer = { authorization: `Bearer ${await sessionJwt(t, SESSION)}` };
    const evaluations = [
      // 'popular': 1,000 evaluations, each with a label of its own but 'pass' said 10 times more.
      ...Array.from({ length: 1000 }, (_, i) => ({
        id: id(10_000 + i),
        name: 'popular',
        score: 1,
        label: `label-${i}`,
      })),
      ...Array.from({ length: 10 }, (_, i) => ({ id: id(20_000 + i), name: 'popular', score: 0, label: 'pass' })),
      // 2,000 names once each.
      ...Array.from({ length: 2000 }, (_, i) => ({
        id: id(30_000 + i),
        name: `rare-${String(i).padStart(4, '0')}`,
      })).map((e) => ({ ...e, score: 0.5 })),
    ];
    for (let i = 0; i < evaluations.length; i += 1000) {
      await post('/v2/create_evaluations', { evaluations: evaluations.slice(i, i + 1000) }, bearer);
    }

    const r = await t.app.inject({ method: 'GET', url: `/v2/sessions/${SESSION}/stats`, headers: t.key });
    expect(r.body.length).toBeLessThan(8_000);
    const stats = r.json<SessionStats>();
    expect(stats.evaluations).toBe(3010);
    expect(stats.evaluation_names).toBe(2001);
    expect(stats.evaluation_scores).toHaveLength(SUMMARY_NAMES);
    const popular = stats.evaluation_scores?.[0];
    expect(popular).toMatchObject({ name: 'popular', count: 1010, other_labels: 1000 - (SUMMARY_LABELS - 1) });
    expect(Object.keys(popular?.labels ?? {})).toHaveLength(SUMMARY_LABELS);
    expect(popular?.labels.pass).toBe(10);
    expect(popular?.mean_score).toBeCloseTo(1000 / 1010, 10);
    expect(stats.evaluation_scores?.[1]).toMatchObject({ name: 'rare-0000', count: 1, mean_score: 0.5, labels: {} });

    // Every name, a page at a time.
    const names: string[] = [];
    for (let offset = 0; ; offset += 200) {
      const page = await get<{ total: number; evaluation_scores: { name: string }[] }>(
        `/v2/sessions/${SESSION}/evaluation_scores?limit=200&offset=${offset}`,
      );
      expect(page.total).toBe(2001);
      names.push(...page.evaluation_scores.map((s) => s.name));
      if (page.evaluation_scores.length < 200) break;
    }
    expect(names).toHaveLength(2001);
    expect(new Set(names).size).toBe(2001);

    // The list's row stays small.
    const list = await t.app.inject({ method: 'GET', url: '/v2/sessions', headers: t.key });
    expect(list.body.length).toBeLessThan(2_000);
  });

  it('evaluation_scores of a session of another project, or of none, is a 404', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/v2/sessions/${SESSION}/evaluation_scores`, headers: t.key });
    expect(r.statusCode).toBe(404);
  });
});
