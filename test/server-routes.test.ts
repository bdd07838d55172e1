/**
 * The local server driven over real HTTP: each route's happy path, authentication, project
 * isolation, JWT expiry, persistence across restarts, idempotent ingest, and bad input.
 */
import { randomUUID } from 'node:crypto';
import type { SessionExport, SessionStats } from '@agentops/exporter';
import { createProject, type Store } from '@agentops/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { selectRows, TEST_STORE } from './helpers/stores.js';

let server: TestServer;
let otherKey: string;

beforeAll(async () => {
  server = await startTestServer();
  otherKey = (await createProject(server.store, 'other')).apiKey;
});
afterAll(async () => {
  await server.stop();
});

const NOW = '2024-05-01T12:00:00.000000Z';

function sessionBody(id = randomUUID(), extra: Record<string, unknown> = {}) {
  return {
    session: { session_id: id, init_timestamp: NOW, tags: ['t1'], host_env: { OS: { OS: 'Linux' } }, ...extra },
  };
}

async function createSession(id = randomUUID(), key = server.apiKey) {
  const res = await server.post<{ jwt: string; status: string; session_url: string }>(
    '/v2/create_session',
    sessionBody(id),
    {
      'x-agentops-api-key': key,
    },
  );
  expect(res.status).toBe(200);
  return { id, jwt: res.body.jwt };
}

function llm(id = randomUUID(), extra: Record<string, unknown> = {}) {
  return {
    id,
    event_type: 'llms',
    init_timestamp: '2024-05-01T12:00:01Z',
    end_timestamp: '2024-05-01T12:00:02.5Z',
    model: 'gpt-4o',
    prompt: [{ role: 'user', content: 'hi' }],
    completion: { role: 'assistant', content: 'hello' },
    prompt_tokens: 1000,
    completion_tokens: 500,
    ...extra,
  };
}

const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

describe('session lifecycle', () => {
  it('create_session answers Success, a JWT and the session URL', async () => {
    const id = randomUUID();
    const res = await server.post<{ status: string; jwt: string; session_url: string }>(
      '/v2/create_session',
      sessionBody(id),
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('Success');
    expect(res.body.jwt.split('.')).toHaveLength(3);
    expect(res.body.session_url).toBe(`${server.url}/sessions/${id}`);
  });

  it('create_session twice (a retry) keeps one session and the earliest start', async () => {
    const id = randomUUID();
    await server.post('/v2/create_session', sessionBody(id, { init_timestamp: '2024-05-01T12:00:05Z' }));
    await server.post('/v2/create_session', sessionBody(id));
    const exp = await server.get<SessionExport>(`/v2/sessions/${id}/export`);
    expect(exp.body.session.init_timestamp).toBe(NOW);
    const list = await server.get<{ sessions: { session_id: string }[] }>('/v2/sessions?limit=200');
    expect(list.body.sessions.filter((s) => s.session_id === id)).toHaveLength(1);
  });

  it('create_events, create_agent and update_session fill the stats and export', async () => {
    const { id, jwt } = await createSession();
    const agentId = randomUUID();
    expect((await server.post('/v2/create_agent', { id: agentId, name: 'planner' }, bearer(jwt))).body).toBe('Success');
    const events = [
      llm(undefined, { agent_id: agentId }),
      {
        id: randomUUID(),
        event_type: 'tools',
        init_timestamp: NOW,
        end_timestamp: NOW,
        name: 'search',
        params: { q: 1 },
        returns: [1],
      },
      { id: randomUUID(), event_type: 'actions', init_timestamp: NOW, end_timestamp: NOW, action_type: 'click' },
      {
        id: randomUUID(),
        event_type: 'errors',
        init_timestamp: NOW,
        end_timestamp: NOW,
        error_type: 'ValueError',
        details: 'bad',
      },
    ];
    const created = await server.post('/v2/create_events', { events }, bearer(jwt));
    expect(created).toEqual({ status: 200, body: 'Success' });
    const ended = await server.post<{ status: string; token_cost: string }>(
      '/v2/update_session',
      sessionBody(id, { end_state: 'Fail', end_state_reason: 'boom', end_timestamp: '2024-05-01T12:01:00Z' }),
      bearer(jwt),
    );
    expect(ended.status).toBe(200);
    // gpt-4o: 1000 * $2.50/M + 500 * $10/M, priced by the server since the event carried no cost.
    expect(ended.body).toMatchObject({ status: 'success', token_cost: '0.007500' });

    const stats = await server.get<SessionStats>(`/v2/sessions/${id}/stats`);
    expect(stats.body).toMatchObject({
      session_id: id,
      events: 4,
      llm_calls: 1,
      tool_calls: 1,
      actions: 1,
      errors: 1,
      prompt_tokens: 1000,
      completion_tokens: 500,
      cost: '0.007500',
      duration_ms: 60_000,
      duration: '1m 0.00s',
      agents: 1,
      end_state: 'Fail',
    });
    const exp = await server.get<SessionExport>(`/v2/sessions/${id}/export`);
    expect(exp.body.session).toMatchObject({
      session_id: id,
      end_state: 'Fail',
      end_state_reason: 'boom',
      tags: ['t1'],
      host_env: { OS: { OS: 'Linux' } },
    });
    expect(exp.body.agents).toEqual([{ id: agentId, name: 'planner' }]);
    expect(exp.body.llms[0]).toMatchObject({
      model: 'gpt-4o',
      cost: '0.007500',
      agent_id: agentId,
      init_timestamp: '2024-05-01T12:00:01.000000Z',
      end_timestamp: '2024-05-01T12:00:02.500000Z',
    });
    expect(exp.body.tools[0]).toMatchObject({ name: 'search', params: { q: 1 }, returns: [1] });
    expect(exp.body.actions[0]).toMatchObject({ action_type: 'click' });
    expect(exp.body.errors[0]).toMatchObject({ error_type: 'ValueError', details: 'bad' });
  });

  it('cached and reasoning token counts are kept, summed in the stats, and priced at the cache rate', async () => {
    const { id, jwt } = await createSession();
    const cached = llm(randomUUID(), { prompt_tokens: 10_000, cache_read_tokens: 9_000, completion_tokens: 500 });
    const reasoning = llm(randomUUID(), {
      model: 'o3-mini',
      provider: 'openai',
      prompt_tokens: 2_000,
      cache_read_tokens: 1_024,
      cache_creation_tokens: 0,
      completion_tokens: 3_000,
      reasoning_tokens: 2_500,
    });
    expect((await server.post('/v2/create_events', { events: [cached, reasoning] }, bearer(jwt))).status).toBe(200);
    const stats = (await server.get<SessionStats>(`/v2/sessions/${id}/stats`)).body;
    expect(stats).toMatchObject({
      prompt_tokens: 12_000,
      cache_read_tokens: 10_024,
      cache_creation_tokens: 0,
      completion_tokens: 3_500,
      reasoning_tokens: 2_500,
    });
    // gpt-4o: input 2.5, cache read 1.25, output 10; o3-mini: input 1.1, cache read 0.55, output 4.4 (per million).
    const gpt4o = (1_000 * 2.5 + 9_000 * 1.25 + 500 * 10) / 1e6;
    const o3mini = (976 * 1.1 + 1_024 * 0.55 + 3_000 * 4.4) / 1e6;
    expect(Number(stats.cost)).toBeCloseTo(gpt4o + o3mini, 6);
    const exported = (await server.get<SessionExport>(`/v2/sessions/${id}/export`)).body;
    expect(exported.llms.map((e) => [e.cache_read_tokens, e.reasoning_tokens ?? null])).toEqual([
      [9_000, null],
      [1_024, 2_500],
    ]);
    expect(exported.llms[0]?.cost).toBe(gpt4o.toFixed(6));
  });

  it('a token count that is not a whole number of tokens is a 400', async () => {
    const { jwt } = await createSession();
    const r = await server.post(
      '/v2/create_events',
      { events: [llm(randomUUID(), { cache_read_tokens: -1 })] },
      bearer(jwt),
    );
    expect(r).toMatchObject({ status: 400, body: { message: expect.stringContaining('cache_read_tokens') } });
  });

  it('a NUL character in names, tags and uploads is stored, not a 500 (PostgreSQL text keeps it as U+FFFD)', async () => {
    const id = randomUUID();
    const created = await server.post<{ jwt: string }>('/v2/create_session', sessionBody(id, { tags: ['a\u0000b'] }));
    expect(created.status).toBe(200);
    const { jwt } = created.body;
    expect((await server.post('/v2/create_agent', { id: 'a\u00001', name: 'plan\u0000ner' }, bearer(jwt))).status).toBe(
      200,
    );
    const tool = { ...llm(), event_type: 'tools', name: 'look\u0000up', model: undefined };
    expect((await server.post('/v2/create_events', { events: [tool] }, bearer(jwt))).status).toBe(200);
    const nul = TEST_STORE === 'postgres' ? '\uFFFD' : '\u0000';
    const exported = (await server.get<SessionExport>(`/v2/sessions/${id}/export`)).body;
    expect(exported.session.tags).toEqual([`a${nul}b`]);
    expect(exported.agents).toEqual([{ id: `a${nul}1`, name: `plan${nul}ner` }]);
    // Inside the event's own JSON the character is kept as JSON writes it, on both stores.
    expect(exported.tools[0]?.name).toBe('look\u0000up');
    const listed = await server.get<{ total: number }>(`/v2/sessions?tag=${encodeURIComponent('a\u0000b')}`);
    expect(listed.body.total).toBe(1);
  });

  it('a retried create_events batch is stored once', async () => {
    const { id, jwt } = await createSession();
    const batch = { events: [llm(), llm()] };
    await server.post('/v2/create_events', batch, bearer(jwt));
    await server.post('/v2/create_events', batch, bearer(jwt));
    const stats = await server.get<SessionStats>(`/v2/sessions/${id}/stats`);
    expect(stats.body.llm_calls).toBe(2);
  });

  it('reauthorize_jwt gives a working JWT for an existing session', async () => {
    const { id } = await createSession();
    const res = await server.post<{ status: string; jwt: string }>('/v2/reauthorize_jwt', { session_id: id });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('Success');
    expect((await server.post('/v2/create_events', { events: [llm()] }, bearer(res.body.jwt))).status).toBe(200);
  });

  it('the session list pages newest first and filters by tag and end state', async () => {
    const key = (await createProject(server.store, 'list-test')).apiKey;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      ids.push(id);
      await server.post(
        '/v2/create_session',
        sessionBody(id, {
          init_timestamp: `2024-06-0${i + 1}T00:00:00Z`,
          tags: i % 2 ? ['odd'] : ['even'],
          end_state: i === 4 ? 'Success' : null,
        }),
        {
          'x-agentops-api-key': key,
        },
      );
    }
    const page = await server.get<{ total: number; sessions: { session_id: string }[] }>(
      '/v2/sessions?limit=2&offset=1',
      key,
    );
    expect(page.body.total).toBe(5);
    expect(page.body.sessions.map((s) => s.session_id)).toEqual([ids[3], ids[2]]);
    const odd = await server.get<{ total: number }>('/v2/sessions?tag=odd', key);
    expect(odd.body.total).toBe(2);
    const done = await server.get<{ sessions: { session_id: string }[] }>('/v2/sessions?end_state=Success', key);
    expect(done.body.sessions.map((s) => s.session_id)).toEqual([ids[4]]);
    const running = await server.get<{ total: number }>('/v2/sessions?end_state=running', key);
    expect(running.body.total).toBe(4);
  });
});

describe('authentication and isolation', () => {
  it('refuses a missing API key with 401', async () => {
    const res = await server.post('/v2/create_session', sessionBody(), {});
    expect(res).toMatchObject({ status: 401, body: { message: 'Invalid API key' } });
  });

  it('refuses an unknown API key with 401', async () => {
    const res = await server.get(`/v2/sessions/${randomUUID()}/stats`, 'not-a-key');
    expect(res).toMatchObject({ status: 401, body: { message: 'Invalid API key' } });
  });

  it('refuses create_events without a bearer token', async () => {
    const res = await server.post('/v2/create_events', { events: [] }, {});
    expect(res).toMatchObject({ status: 401, body: { message: 'Missing bearer token' } });
  });

  it('refuses a tampered JWT', async () => {
    const { jwt } = await createSession();
    const [h, p, s] = jwt.split('.');
    const claims = JSON.parse(Buffer.from(p as string, 'base64url').toString());
    claims.session_id = randomUUID();
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    const res = await server.post('/v2/create_events', { events: [llm()] }, bearer(forged));
    expect(res).toMatchObject({ status: 401, body: { message: 'Invalid Token' } });
  });

  it('refuses a JWT signed with alg "none"', async () => {
    const { id } = await createSession();
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ session_id: id, project_id: 'x', exp: 9999999999 })).toString(
      'base64url',
    );
    const res = await server.post('/v2/create_events', { events: [llm()] }, bearer(`${header}.${payload}.`));
    expect(res).toMatchObject({ status: 401, body: { message: 'Invalid Token' } });
  });

  it("answers 404 for another project's session on stats, export and reauthorize", async () => {
    const { id } = await createSession();
    for (const path of [`/v2/sessions/${id}/stats`, `/v2/sessions/${id}/export`]) {
      const res = await server.get(path, otherKey);
      expect(res).toMatchObject({ status: 404, body: { message: 'Session not found' } });
    }
    const re = await server.post('/v2/reauthorize_jwt', { session_id: id }, { 'x-agentops-api-key': otherKey });
    expect(re).toMatchObject({ status: 404, body: { message: 'Session not found' } });
  });

  it("cannot take over another project's session id with create_session", async () => {
    const { id } = await createSession();
    const res = await server.post('/v2/create_session', sessionBody(id, { tags: ['hijack'] }), {
      'x-agentops-api-key': otherKey,
    });
    expect(res).toMatchObject({ status: 404, body: { message: 'Session not found' } });
    const exp = await server.get<SessionExport>(`/v2/sessions/${id}/export`);
    expect(exp.body.session.tags).toEqual(['t1']);
  });

  it("does not list another project's sessions", async () => {
    const { id } = await createSession();
    const list = await server.get<{ sessions: { session_id: string }[] }>('/v2/sessions?limit=200', otherKey);
    expect(list.body.sessions.map((s) => s.session_id)).not.toContain(id);
  });

  it("refuses events that name a session other than the token's", async () => {
    const { jwt } = await createSession();
    const res = await server.post(
      '/v2/create_events',
      { events: [llm(undefined, { session_id: randomUUID() })] },
      bearer(jwt),
    );
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(/not this token's session/);
  });

  it('answers 404 for stats of an unknown session', async () => {
    const res = await server.get(`/v2/sessions/${randomUUID()}/stats`);
    expect(res).toMatchObject({ status: 404, body: { message: 'Session not found' } });
  });
});

describe('bad input gets a clear 4xx', () => {
  const cases: [string, string, unknown, number, RegExp][] = [
    ['malformed JSON', '/v2/create_session', '{"session": ', 400, /JSON/i],
    ['missing session', '/v2/create_session', {}, 400, /must have required property 'session'/],
    [
      'session id not a UUID',
      '/v2/create_session',
      { session: { session_id: 'abc', init_timestamp: NOW } },
      400,
      /body\/session\/session_id must be a UUID \(8-4-4-4-12 hexadecimal digits\)/,
    ],
    [
      'init_timestamp of the wrong type',
      '/v2/create_session',
      { session: { session_id: randomUUID(), init_timestamp: 42 } },
      400,
      /init_timestamp must be string/,
    ],
    [
      'init_timestamp not a time',
      '/v2/create_session',
      { session: { session_id: randomUUID(), init_timestamp: 'yesterday' } },
      400,
      /not an ISO-8601 time/,
    ],
    [
      'unknown end state',
      '/v2/create_session',
      { session: { session_id: randomUUID(), init_timestamp: NOW, end_state: 'Great' } },
      400,
      /end_state must be equal to one of the allowed values/,
    ],
    [
      'tags not strings',
      '/v2/create_session',
      { session: { session_id: randomUUID(), init_timestamp: NOW, tags: [1] } },
      400,
      /tags\/0 must be string/,
    ],
    ['reauthorize without session_id', '/v2/reauthorize_jwt', {}, 400, /must have required property 'session_id'/],
  ];
  it.each(cases)('%s', async (_name, path, body, status, message) => {
    const res = await server.post<{ message: string }>(path, body);
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
  });

  it('an oversized body gets 413', async () => {
    const res = await server.post<{ message: string }>('/v2/create_session', {
      session: { session_id: randomUUID(), init_timestamp: NOW, video: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/too large/i);
  });

  it('an event of an unknown type gets 400', async () => {
    const { jwt } = await createSession();
    const res = await server.post<{ message: string }>(
      '/v2/create_events',
      { events: [{ ...llm(), event_type: 'thoughts' }] },
      bearer(jwt),
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/event_type must be equal to one of the allowed values/);
  });

  it('negative token counts get 400', async () => {
    const { jwt } = await createSession();
    const res = await server.post<{ message: string }>(
      '/v2/create_events',
      { events: [llm(undefined, { prompt_tokens: -1 })] },
      bearer(jwt),
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/prompt_tokens must be >= 0/);
  });

  it('an event timestamp that is not a time gets 400 and stores nothing', async () => {
    const { id, jwt } = await createSession();
    const res = await server.post<{ message: string }>(
      '/v2/create_events',
      { events: [llm(), llm(undefined, { init_timestamp: 'soon' })] },
      bearer(jwt),
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/events\[1\]: init_timestamp and end_timestamp must be ISO-8601 times/);
    expect((await server.get<SessionStats>(`/v2/sessions/${id}/stats`)).body.events).toBe(0);
  });

  it('the all-zero session id gets a 400 that says so', async () => {
    const res = await server.get<{ message: string }>('/v2/sessions/00000000-0000-0000-0000-000000000000/stats');
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('params/id must not be the all-zero UUID');
  });

  it('a stats id that is not a UUID gets 400', async () => {
    const res = await server.get<{ message: string }>('/v2/sessions/not-a-uuid/stats');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'params/id must be a UUID (8-4-4-4-12 hexadecimal digits)',
    });
  });

  it('an unknown route gets 404', async () => {
    const res = await server.get<{ message: string }>('/v2/nothing-here');
    expect(res).toMatchObject({ status: 404, body: { message: 'Route not found' } });
  });

  it('SQL-looking strings are stored as text', async () => {
    const { id, jwt } = await createSession();
    const evil = "x'); DROP TABLE events; --";
    await server.post('/v2/create_events', { events: [llm(undefined, { model: evil })] }, bearer(jwt));
    const exp = await server.get<SessionExport>(`/v2/sessions/${id}/export`);
    expect(exp.body.llms[0]?.model).toBe(evil);
  });
});

describe("keys JavaScript treats specially are the user's data", () => {
  it('params with __proto__ and constructor.prototype keys are stored as sent, and pollute nothing', async () => {
    const { id, jwt } = await createSession();
    // As an app's data can be (JSON.parse makes such keys own properties): the whole batch was refused before.
    const params = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"kept":1}');
    const event = { ...llm(), event_type: 'actions', action_type: 'parse', params };
    const res = await server.post('/v2/create_events', { events: [event, llm()] }, bearer(jwt));
    expect(res.status).toBe(200);
    const exp = await server.get<SessionExport>(`/v2/sessions/${id}/export`);
    expect(exp.body.llms).toHaveLength(1);
    const stored = exp.body.actions[0]?.params as Record<string, unknown>;
    expect(Object.getOwnPropertyNames(stored).sort()).toEqual(['__proto__', 'constructor', 'kept']);
    expect(JSON.stringify(stored)).toBe(JSON.stringify(params));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('JWT expiry and persistence', () => {
  it('an expired JWT gets 401 "Expired Token", and reauthorize_jwt gives a fresh one', async () => {
    // exp is in whole seconds, so a 2 s lifetime leaves a fresh token at least 1 s of validity.
    const short = await startTestServer({ jwtTtlSeconds: 2 });
    try {
      const res = await short.post<{ jwt: string }>('/v2/create_session', sessionBody());
      await new Promise((r) => setTimeout(r, 3100));
      const expired = await short.post('/v2/create_events', { events: [llm()] }, bearer(res.body.jwt));
      expect(expired).toMatchObject({ status: 401, body: { message: 'Expired Token' } });
      const claims = JSON.parse(Buffer.from(res.body.jwt.split('.')[1] as string, 'base64url').toString());
      const fresh = await short.post<{ jwt: string }>('/v2/reauthorize_jwt', { session_id: claims.session_id });
      expect((await short.post('/v2/create_events', { events: [llm()] }, bearer(fresh.body.jwt))).status).toBe(200);
    } finally {
      await short.stop();
    }
  });

  it('keeps sessions, events and keys across a restart of the same database', async () => {
    const first = await startTestServer();
    const { dir } = first;
    const id = randomUUID();
    const created = await first.post<{ jwt: string }>('/v2/create_session', sessionBody(id));
    await first.post('/v2/create_events', { events: [llm()] }, bearer(created.body.jwt));
    await first.close();

    const second = await startTestServer({}, dir);
    try {
      expect(second.createdApiKey).toBeUndefined();
      const stats = await second.get<SessionStats>(`/v2/sessions/${id}/stats`);
      expect(stats.body).toMatchObject({ llm_calls: 1, prompt_tokens: 1000 });
      // Tokens signed before the restart still verify: the secret is kept in the database.
      expect((await second.post('/v2/create_events', { events: [llm()] }, bearer(created.body.jwt))).status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it('stores only a hash of API keys', async () => {
    const store: Store = server.store;
    const rows = await store.listProjects();
    expect(rows.length).toBeGreaterThan(0);
    const dump = JSON.stringify(await selectRows(store, 'SELECT * FROM projects'));
    expect(dump).toContain(rows[0]?.key_hash);
    expect(dump).not.toContain(server.apiKey);
  });
});

describe('evaluations', () => {
  const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

  it('create_evaluations (session JWT) stores each once, whatever is sent twice, and stats sum them up', async () => {
    const { id, jwt } = await createSession();
    const evaluations = [
      { id: 'ev-a', timestamp: '2024-05-01T12:00:01Z', name: 'relevance', score: 0.5, label: 'partly' },
      { id: 'ev-b', timestamp: '2024-05-01T12:00:02Z', name: 'relevance', score: 1, label: 'relevant' },
      {
        id: 'ev-c',
        timestamp: '2024-05-01T12:00:03Z',
        name: 'toxicity',
        label: 'none',
        parent_span_id: 'b7ad6b7169203331',
      },
    ];
    for (let i = 0; i < 2; i++) {
      const res = await server.post('/v2/create_evaluations', { evaluations }, bearer(jwt));
      expect(res.status).toBe(200);
    }
    const stats = (await server.get<SessionStats>(`/v2/sessions/${id}/stats`)).body;
    expect(stats.evaluations).toBe(3);
    expect(stats.evaluation_scores).toEqual([
      { name: 'relevance', count: 2, mean_score: 0.75, labels: { partly: 1, relevant: 1 } },
      { name: 'toxicity', count: 1, mean_score: null, labels: { none: 1 } },
    ]);
    const exported = (await server.get<SessionExport>(`/v2/sessions/${id}/export`)).body;
    expect(exported.evaluations?.map((e) => [e.id, e.timestamp, e.parent_span_id])).toEqual([
      ['ev-a', '2024-05-01T12:00:01.000000Z', null],
      ['ev-b', '2024-05-01T12:00:02.000000Z', null],
      ['ev-c', '2024-05-01T12:00:03.000000Z', 'b7ad6b7169203331'],
    ]);
  });

  it('after the fact (API key): ids and times given by the server; only for a session of the project', async () => {
    const { id } = await createSession();
    const res = await server.post<{ ids: string[] }>(`/v2/sessions/${id}/evaluations`, {
      evaluations: [{ name: 'user_feedback', score: 1 }],
    });
    expect(res.status).toBe(201);
    expect(res.body.ids).toHaveLength(1);
    const exported = (await server.get<SessionExport>(`/v2/sessions/${id}/export`)).body;
    expect(exported.evaluations?.[0]).toMatchObject({ id: res.body.ids[0], session_id: id, score: 1, label: null });
    const foreign = await server.post(
      `/v2/sessions/${id}/evaluations`,
      { evaluations: [{ name: 'x', score: 1 }] },
      { 'x-agentops-api-key': otherKey },
    );
    expect(foreign.status).toBe(404);
    const unknown = await server.post(`/v2/sessions/${randomUUID()}/evaluations`, {
      evaluations: [{ name: 'x', score: 1 }],
    });
    expect(unknown.status).toBe(404);
  });

  it.each([
    [{ name: 'x' }, 'evaluations[0] has neither a score nor a label'],
    [{ name: '', score: 1 }, 'name must NOT have fewer than 1 characters'],
    [{ name: 'x', score: '1' }, 'score must be number,null'],
    [{ name: 'x', score: 1, timestamp: 'yesterday' }, 'evaluations[0].timestamp is not an ISO-8601 time: "yesterday"'],
    [
      { name: 'x', score: 1, parent_span_id: 'xyz' },
      'parent_span_id must be a span id (16 lowercase hexadecimal digits)',
    ],
  ])('refuses %j with a 400 that says why, and stores none of the request', async (bad, message) => {
    const { id } = await createSession();
    const res = await server.post<{ message: string }>(`/v2/sessions/${id}/evaluations`, {
      evaluations: [{ name: 'good', score: 1 }, bad].reverse(),
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(message);
    const stats = (await server.get<SessionStats>(`/v2/sessions/${id}/stats`)).body;
    expect(stats.evaluations).toBe(0);
  });

  it("create_evaluations refuses an evaluation of another session than the token's", async () => {
    const { jwt } = await createSession();
    const other = randomUUID();
    const res = await server.post<{ message: string }>(
      '/v2/create_evaluations',
      { evaluations: [{ name: 'x', score: 1, session_id: other }] },
      bearer(jwt),
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(`names session ${other}`);
  });
});

describe('the session list: search by id and time range', () => {
  it('id= finds sessions by the start of their id; from= and to= bound their start; a bad time is a 400', async () => {
    const key = (await createProject(server.store, 'range-test')).apiKey;
    const headers = { 'x-agentops-api-key': key };
    const ids = ['aaaa1111-0000-4000-8000-000000000001', 'aaaa2222-0000-4000-8000-000000000002', randomUUID()];
    const starts = ['2024-03-01T10:00:00Z', '2024-03-02T10:00:00Z', '2024-03-03T10:00:00Z'];
    for (let i = 0; i < 3; i++) {
      const res = await server.post(
        '/v2/create_session',
        { session: { session_id: ids[i], init_timestamp: starts[i] } },
        headers,
      );
      expect(res.status).toBe(200);
    }
    const list = async (query: string) => {
      const res = await server.get<{ total: number; sessions: { session_id: string }[] }>(`/v2/sessions?${query}`, key);
      expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
      return res.body.sessions.map((s) => s.session_id);
    };
    expect(await list('id=aaaa')).toEqual([ids[1], ids[0]]);
    expect(await list('id=AAAA1111')).toEqual([ids[0]]);
    expect(await list('from=2024-03-02T00:00:00Z')).toEqual([ids[2], ids[1]]);
    expect(await list('from=2024-03-02T00:00:00Z&to=2024-03-03T10:00:00Z')).toEqual([ids[1]]);
    expect(await list('id=aaaa&to=2024-03-01T22:00:00.5Z')).toEqual([ids[0]]);
    const bad = await server.get<{ message: string }>('/v2/sessions?from=yesterday', key);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('from is not an ISO-8601 time: "yesterday"');
    expect((await server.get('/v2/sessions?id=a%25', key)).status).toBe(400);
  });
});
