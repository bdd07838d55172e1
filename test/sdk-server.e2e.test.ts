/**
 * The built SDK against the real local server over HTTP: what is recorded is what the export
 * endpoint returns, with the right fields.
 */

import { DiagLogLevel, diag } from '@opentelemetry/api';
import type { SessionExport, SessionStats } from 'agentops';
import * as agentops from 'agentops';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureConsole } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await agentops.shutdown();
});
afterAll(async () => {
  await server.stop();
});

function init(options: agentops.InitOptions = {}) {
  return agentops.init({
    apiKey: server.apiKey,
    endpoint: server.url,
    logLevel: 'silent',
    handleExit: false,
    maxWaitTime: 50,
    ...options,
  });
}

describe('a session recorded with the SDK', () => {
  it('is on the server while it runs, with its tags and host environment', async () => {
    const session = init({ tags: ['running-test'] });
    expect(session).toBeDefined();
    let stats = await server.get<SessionStats>(`/v2/sessions/${session?.id}/stats`);
    for (let i = 0; i < 50 && stats.status === 404; i++) {
      await new Promise((r) => setTimeout(r, 20));
      stats = await server.get<SessionStats>(`/v2/sessions/${session?.id}/stats`);
    }
    expect(stats.status).toBe(200);
    expect(stats.body.end_state).toBeNull();
    const exported = await server.get<SessionExport>(`/v2/sessions/${session?.id}/export`);
    expect(exported.body.session.tags).toEqual(['running-test']);
    const env = exported.body.session.host_env as Record<string, Record<string, unknown>>;
    expect(env.SDK?.['AgentOps SDK Version']).toBe(agentops.SDK_VERSION);
    expect(env.OS?.Hostname).toBeTypeOf('string');
    expect(env.CPU?.['Total cores']).toBeGreaterThan(0);
    expect(env.RAM?.Total).toBeGreaterThan(0);
  });

  it('an LLM call with cached and reasoning tokens is priced at the cache rate, locally and on the server', async () => {
    const session = init({ tags: ['cached'] });
    if (!session) throw new Error('no session');
    session.record(
      new agentops.LLMEvent({
        model: 'claude-sonnet-4-5',
        promptTokens: 100_000,
        cacheReadTokens: 90_000,
        cacheWriteTokens: 5_000,
        completionTokens: 1_000,
        reasoningTokens: 400,
      }),
    );
    const cost = await session.endSession('Success');
    const exported = (await server.get<SessionExport>(`/v2/sessions/${session.id}/export`)).body;
    // claude-sonnet-4-5: input $3, cache write $3.75, cache read $0.30, output $15 per million tokens.
    const priced = (5_000 * 3 + 5_000 * 3.75 + 90_000 * 0.3 + 1_000 * 15) / 1e6;
    expect(Number(cost)).toBeCloseTo(priced, 6);
    expect(Number(exported.stats.cost)).toBeCloseTo(priced, 6);
    expect(exported.stats).toMatchObject({
      cache_read_tokens: 90_000,
      cache_creation_tokens: 5_000,
      reasoning_tokens: 400,
    });
    expect(exported.llms[0]).toMatchObject({
      provider: 'anthropic',
      prompt_tokens: 100_000,
      cache_read_tokens: 90_000,
      cache_creation_tokens: 5_000,
      reasoning_tokens: 400,
    });
  });

  it('sessions carry their name, user, environment and release, and the list filters by each', async () => {
    const env = `env-${crypto.randomUUID().slice(0, 8)}`;
    const a = init({ environment: env, release: '1.0.0', userId: 'alice' });
    if (!a) throw new Error('no session');
    await a.endSession('Success');
    const b = agentops.startSession({ name: 'nightly-report', userId: 'bob', release: '1.1.0' });
    await b.endSession('Success');
    const c = agentops.startSession({ environment: 'other-env' });
    await c.endSession('Success');
    const exported = (await server.get<SessionExport>(`/v2/sessions/${b.id}/export`)).body;
    // A session's own user and release win; the environment comes from init().
    expect(exported.session).toMatchObject({
      name: 'nightly-report',
      user_id: 'bob',
      environment: env,
      release: '1.1.0',
    });
    const listed = (
      await server.get<{ sessions: { session_id: string; name: string | null }[] }>(`/v2/sessions?environment=${env}`)
    ).body.sessions;
    expect(Object.fromEntries(listed.map((s) => [s.session_id, s.name]))).toEqual({
      [a.id]: null,
      [b.id]: 'nightly-report',
    });
    const ids = async (query: string) =>
      (await server.get<{ sessions: { session_id: string }[] }>(`/v2/sessions?${query}`)).body.sessions
        .map((s) => s.session_id)
        .sort();
    expect(await ids(`environment=${env}`)).toEqual([a.id, b.id].sort());
    expect(await ids(`environment=${env}&user_id=alice`)).toEqual([a.id]);
    expect(await ids(`environment=${env}&release=1.1.0`)).toEqual([b.id]);
    expect(await ids('environment=other-env')).toEqual([c.id]);
  });

  it('exports every event with its fields, and endSession answers the server cost', async () => {
    const session = init({ tags: ['e2e'] });
    if (!session) throw new Error('no session');
    const llm = new agentops.LLMEvent({
      model: 'gpt-4o',
      prompt: [{ role: 'user', content: 'Say hi' }],
      completion: { role: 'assistant', content: 'Hi!' },
      promptTokens: 1000,
      completionTokens: 500,
      initTimestamp: '2024-05-01T12:00:00.000Z',
      endTimestamp: '2024-05-01T12:00:02.250Z',
    });
    session.record(llm);
    session.record(new agentops.ToolEvent({ name: 'search', params: { q: 'otel' }, returns: ['a', 'b'], logs: 'ok' }));
    session.record(
      new agentops.ActionEvent({ actionType: 'click', params: { x: 1 }, returns: true, screenshot: 'data:,x' }),
    );
    session.record(new agentops.ErrorEvent({ triggerEvent: llm, exception: new TypeError('bad input'), code: 'E42' }));
    session.record(
      new agentops.LLMEvent({
        model: 'claude-3-5-sonnet-20241022',
        promptTokens: 100,
        completionTokens: 10,
        cost: 0.25,
      }),
    );
    session.addTags(['extra']);

    const cost = await session.endSession('Success', 'all good');
    const exported = (await server.get<SessionExport>(`/v2/sessions/${session.id}/export`)).body;
    const stats = exported.stats;

    expect(exported.session).toMatchObject({
      session_id: session.id,
      end_state: 'Success',
      end_state_reason: 'all good',
      tags: ['e2e', 'extra'],
    });
    expect(stats).toMatchObject({
      llm_calls: 2,
      tool_calls: 1,
      actions: 1,
      errors: 1,
      prompt_tokens: 1100,
      completion_tokens: 510,
    });
    // gpt-4o at $2.50 / $10 per million tokens, plus the given 0.25.
    expect(Number(stats.cost)).toBeCloseTo(1000 * 2.5e-6 + 500 * 1e-5 + 0.25, 6);
    expect(cost).toBe(stats.cost);

    const first = exported.llms.find((e) => e.id === llm.id);
    expect(first).toMatchObject({
      session_id: session.id,
      model: 'gpt-4o',
      provider: 'openai',
      prompt: [{ role: 'user', content: 'Say hi' }],
      completion: { role: 'assistant', content: 'Hi!' },
      prompt_tokens: 1000,
      completion_tokens: 500,
      init_timestamp: '2024-05-01T12:00:00.000000Z',
      end_timestamp: '2024-05-01T12:00:02.250000Z',
    });
    expect(exported.tools[0]).toMatchObject({ name: 'search', params: { q: 'otel' }, returns: ['a', 'b'], logs: 'ok' });
    expect(exported.actions[0]).toMatchObject({
      action_type: 'click',
      params: { x: 1 },
      returns: true,
      screenshot: 'data:,x',
    });
    expect(exported.errors[0]).toMatchObject({
      error_type: 'TypeError',
      code: 'E42',
      details: 'bad input',
      trigger_event_id: llm.id,
      trigger_event_type: 'llms',
    });
    expect(exported.errors[0]?.logs).toContain('TypeError: bad input');

    const analytics = await session.getAnalytics();
    expect(analytics).toMatchObject({ llmCalls: 2, toolCalls: 1, actions: 1, errors: 1, cost });
    expect(analytics.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('records wrapped tools, actions and agents with nesting, and turns a throw into a linked error', async () => {
    const session = init();
    if (!session) throw new Error('no session');
    const add = agentops.recordTool('add', function addNumbers(a: number, b: number) {
      return a + b;
    });
    const failing = agentops.recordTool('flaky', async () => {
      throw new RangeError('out of range');
    });
    const agent = agentops.trackAgent('math-agent', async () => {
      const sum = add(2, 3);
      await expect(failing()).rejects.toThrow(RangeError);
      return sum;
    });
    await expect(session.run(() => agent())).resolves.toBe(5);
    expect(add.name).toBe('addNumbers');
    expect(add.length).toBe(2);
    await session.endSession('Success');

    const exported = (await server.get<SessionExport>(`/v2/sessions/${session.id}/export`)).body;
    // With its span, which the dashboard nests the agent's events under, and the one it was invoked under (the session's).
    expect(exported.agents).toEqual([
      {
        id: expect.any(String),
        name: 'math-agent',
        span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
        parent_span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      },
    ]);
    const agentId = exported.agents[0]?.id;
    const addEvent = exported.tools.find((t) => t.name === 'add');
    const flaky = exported.tools.find((t) => t.name === 'flaky');
    expect(addEvent).toMatchObject({ params: [2, 3], returns: 5, agent_id: agentId });
    expect(exported.errors).toHaveLength(1);
    expect(exported.errors[0]).toMatchObject({
      error_type: 'RangeError',
      details: 'out of range',
      trigger_event_id: flaky?.id,
      trigger_event_type: 'tools',
      agent_id: agentId,
    });
    expect(exported.errors[0]?.parent_span_id).toBe(flaky?.span_id);
  });

  it('keeps several sessions apart, and module-level calls refuse to guess between them', async () => {
    init({ autoStartSession: false });
    const a = agentops.startSession({ tags: ['a'] });
    const b = agentops.startSession({ tags: ['b'] });
    a.record(new agentops.ActionEvent({ actionType: 'in-a' }));
    b.record(new agentops.ActionEvent({ actionType: 'in-b' }));
    agentops.record(new agentops.ActionEvent({ actionType: 'ambiguous' }));
    b.run(() => agentops.record(new agentops.ActionEvent({ actionType: 'in-b-by-context' })));
    await Promise.all([a.endSession('Success'), b.endSession('Failure', 'b failed')]);
    const ea = (await server.get<SessionExport>(`/v2/sessions/${a.id}/export`)).body;
    const eb = (await server.get<SessionExport>(`/v2/sessions/${b.id}/export`)).body;
    expect(ea.actions.map((e) => e.action_type)).toEqual(['in-a']);
    expect(eb.actions.map((e) => e.action_type).sort()).toEqual(['in-b', 'in-b-by-context']);
    expect(eb.session).toMatchObject({ end_state: 'Fail', end_state_reason: 'b failed' });
  });

  it('joins a session by inheritedSessionId and adds to it', async () => {
    const owner = init();
    if (!owner) throw new Error('no session');
    owner.record(new agentops.ActionEvent({ actionType: 'owner-step' }));
    await agentops.flush();
    const joined = agentops.startSession({ inheritedSessionId: owner.id });
    expect(joined.id).toBe(owner.id);
    joined.record(new agentops.ActionEvent({ actionType: 'joined-step' }));
    await joined.detach();
    await owner.endSession('Success');
    const exported = (await server.get<SessionExport>(`/v2/sessions/${owner.id}/export`)).body;
    expect(exported.actions.map((e) => e.action_type).sort()).toEqual(['joined-step', 'owner-step']);
    expect(exported.session.end_state).toBe('Success');
  });

  it('reads stats and exports through the SDK client', async () => {
    const session = init();
    if (!session) throw new Error('no session');
    session.record(new agentops.ToolEvent({ name: 't' }));
    await session.endSession('Indeterminate');
    const stats = await agentops.getSessionStats(session.id);
    expect(stats).toMatchObject({ session_id: session.id, tool_calls: 1, end_state: 'Indeterminate' });
    const exported = await agentops.exportSession(session.id);
    expect(exported.tools).toHaveLength(1);
    await expect(agentops.getSessionStats('00000000-0000-4000-8000-000000000000')).rejects.toThrow(/404/);
  });

  it('a session started while another is open is its own session on the server from its start', async () => {
    init({ autoStartSession: false });
    const first = agentops.startSession({ tags: ['first'] });
    const tagsOf = async (id: string) => {
      for (let i = 0; i < 100; i++) {
        const r = await server.get<SessionExport>(`/v2/sessions/${id}/export`);
        if (r.status === 200) return r.body.session.tags;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return undefined;
    };
    // Once the first is on the server (its host resource detected), the second starts while the
    // first is the one open session.
    expect(await tagsOf(first.id)).toEqual(['first']);
    const second = agentops.startSession({ tags: ['second'] });
    await agentops.flush();
    expect(await tagsOf(second.id)).toEqual(['second']);
    expect(await tagsOf(first.id)).toEqual(['first']);
    await second.endSession('Success');
    await first.endSession('Failure');
    const ended = await Promise.all(
      [first.id, second.id].map((id) => server.get<SessionStats>(`/v2/sessions/${id}/stats`)),
    );
    expect(ended.map((r) => r.body.end_state)).toEqual(['Fail', 'Success']);
  });

  it("a session started inside another's context is a new root, created under its own id", async () => {
    init({ autoStartSession: false });
    const a = agentops.startSession({ tags: ['A'] });
    // Once A is on the server (its host resource detected, so a new root is announced at once).
    for (let i = 0; i < 100 && (await server.get(`/v2/sessions/${a.id}/stats`)).status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const b = a.run(() => agentops.startSession({ tags: ['B'] }));
    b.record(new agentops.ToolEvent({ name: 'in-b' }));
    await agentops.flush();
    // While both run: B was created under its own id, and nothing of B went to A.
    const running = await Promise.all([a.id, b.id].map((id) => server.get<SessionExport>(`/v2/sessions/${id}/export`)));
    expect(running.map((r) => r.status)).toEqual([200, 200]);
    expect(running.map((r) => r.body.session.tags)).toEqual([['A'], ['B']]);
    expect(running[0]?.body.session.init_timestamp).not.toBe(running[1]?.body.session.init_timestamp);
    await b.endSession('Success');
    await a.endSession('Indeterminate');
    const [ea, eb] = await Promise.all(
      [a.id, b.id].map(async (id) => (await server.get<SessionExport>(`/v2/sessions/${id}/export`)).body),
    );
    expect(b.id).not.toBe(a.id);
    expect(ea.session.tags).toEqual(['A']);
    expect(ea.session.end_state).toBe('Indeterminate');
    expect(eb.session.tags).toEqual(['B']);
    expect(eb.session.end_state).toBe('Success');
    expect(eb.tools.map((t) => t.name)).toEqual(['in-b']);
    expect(ea.tools).toEqual([]);
  });

  it('a spanFilter that throws loses no span: the default filter decides, and it is said once', async () => {
    const logs = captureConsole();
    let session: agentops.Session | undefined;
    try {
      session = init({
        logLevel: 'warn',
        spanFilter: () => {
          throw new Error('filter bug');
        },
      });
      session?.record(new agentops.ToolEvent({ name: 'kept-1' }));
      session?.record(new agentops.ToolEvent({ name: 'kept-2' }));
      await session?.endSession('Success');
    } finally {
      logs.restore();
    }
    const exported = (await server.get<SessionExport>(`/v2/sessions/${session?.id}/export`)).body;
    expect(exported.tools.map((t) => t.name).sort()).toEqual(['kept-1', 'kept-2']);
    expect(logs.lines.filter((l) => l.includes('spanFilter threw') && l.includes('filter bug'))).toHaveLength(1);
  });

  it("the pipeline's warnings reach OpenTelemetry's diag as well", async () => {
    const seen: string[] = [];
    const diagLogger = {
      error: (m: string) => seen.push(`error ${m}`),
      warn: (m: string) => seen.push(`warn ${m}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(diagLogger, DiagLogLevel.WARN);
    try {
      const session = init({
        spanFilter: () => {
          throw new Error('filter bug');
        },
      });
      session?.record(new agentops.ToolEvent({ name: 't' }));
      await session?.endSession('Success');
    } finally {
      diag.disable();
    }
    expect(seen.some((l) => l.startsWith('warn AgentOps: spanFilter threw'))).toBe(true);
  });
});
