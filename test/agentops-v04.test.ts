/**
 * AgentOps 0.4.x clients against the local server, unchanged: a v3 token for the API key, then
 * OTLP (protobuf or JSON) with the token as a Bearer, spans of the 0.4 shapes mapped into the same
 * sessions, events and agents the v2 export shows. With the official `agentops@0.1.0` npm package,
 * and with 0.4-shaped spans of every kind, as the Python SDK writes them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SessionExport } from '@agentops/exporter';
import { traceIdToSessionId } from '@agentops/exporter';
import { createProject, type Refusal } from '@agentops/server';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { selectRows } from './helpers/stores.js';

const run = promisify(execFile);
let server: TestServer;
const refusals: Refusal[] = [];

beforeAll(async () => {
  server = await startTestServer({ onRefusal: (r) => refusals.push(r) });
});
afterAll(async () => {
  await server.stop();
});

async function v3Token(apiKey = server.apiKey) {
  const r = await fetch(`${server.url}/v3/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: apiKey }),
  });
  return { status: r.status, body: (await r.json()) as { token: string; project_id: string; message?: string } };
}

/** A 0.4 run as the Python SDK records it: a session, an agent, an LLM call, a tool, and the other kinds. */
function record04Run(): { sessionId: string; spans: ReadableSpan[] } {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    // Built before authentication, so the project is "temporary": the token says which it is.
    resource: resourceFromAttributes({
      'service.name': 'py-agent',
      'agentops.project.id': 'temporary',
      'host.name': 'py-box',
    }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('agentops');
  const session = tracer.startSpan('research.session', {
    attributes: { 'agentops.span.kind': 'session', 'agentops.tags': ['prod', 'v04'] },
  });
  const inSession = trace.setSpan(ROOT_CONTEXT, session);
  const child = (name: string, attributes: Record<string, string | number>, parent = inSession) => {
    const span = tracer.startSpan(name, { attributes }, parent);
    return { span, ctx: trace.setSpan(parent, span) };
  };
  const workflow = child('pipeline.workflow', {
    'agentops.span.kind': 'workflow',
    'operation.name': 'pipeline',
    'agentops.entity.input': '{"args":["topic"],"kwargs":{}}',
  });
  const agent = child(
    'researcher.agent',
    { 'agentops.span.kind': 'agent', 'operation.name': 'researcher' },
    workflow.ctx,
  );
  const llm = child(
    'openai.chat',
    {
      'gen_ai.system': 'OpenAI',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.prompt_tokens': 120,
      'gen_ai.usage.completion_tokens': 30,
      'gen_ai.usage.total_tokens': 150,
      'gen_ai.prompt.0.role': 'system',
      'gen_ai.prompt.0.content': 'You research.',
      'gen_ai.prompt.1.role': 'user',
      'gen_ai.prompt.1.content': 'Find the paper',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': '',
      'gen_ai.completion.0.finish_reason': 'tool_calls',
      'gen_ai.completion.0.tool_calls.0.id': 'call_1',
      'gen_ai.completion.0.tool_calls.0.name': 'search',
      'gen_ai.completion.0.tool_calls.0.arguments': '{"q":"paper"}',
    },
    agent.ctx,
  );
  llm.span.end();
  const tool = child(
    'search.tool',
    {
      'agentops.span.kind': 'tool',
      'operation.name': 'search',
      'agentops.entity.input': '{"args":[],"kwargs":{"q":"paper"}}',
      'agentops.entity.output': '["result 1"]',
      'gen_ai.usage.total_cost': 0.002,
    },
    agent.ctx,
  );
  tool.span.end();
  const task = child(
    'summarize.task',
    { 'agentops.span.kind': 'task', 'agentops.task.input': '"notes"', 'agentops.task.output': '"summary"' },
    agent.ctx,
  );
  task.span.end();
  const guard = child(
    'check_pii.guardrail',
    { 'agentops.span.kind': 'guardrail', 'operation.name': 'check_pii' },
    agent.ctx,
  );
  guard.span.setStatus({ code: SpanStatusCode.ERROR, message: 'PII found' });
  guard.span.end();
  const op = child('format.operation', { 'agentops.span.kind': 'operation', 'operation.name': 'format' }, agent.ctx);
  op.span.end();
  agent.span.end();
  workflow.span.end();
  session.setAttribute('agentops.session.end_state', 'Success');
  session.end();
  return { sessionId: traceIdToSessionId(session.spanContext().traceId), spans: memory.getFinishedSpans() };
}

function check04Session(body: SessionExport) {
  expect(body.session).toMatchObject({ tags: ['prod', 'v04'], end_state: 'Success' });
  expect(body.agents).toEqual([expect.objectContaining({ name: 'researcher' })]);
  expect(body.llms).toEqual([
    expect.objectContaining({
      model: 'gpt-4o-mini',
      prompt_tokens: 120,
      completion_tokens: 30,
      prompt: [
        { role: 'system', content: 'You research.' },
        { role: 'user', content: 'Find the paper' },
      ],
      completion: {
        role: 'assistant',
        content: '',
        finish_reason: 'tool_calls',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"q":"paper"}' } }],
      },
    }),
  ]);
  expect(Number(body.llms[0]?.cost)).toBeGreaterThan(0);
  expect(body.tools).toEqual([
    expect.objectContaining({ name: 'search', params: { args: [], kwargs: { q: 'paper' } }, returns: ['result 1'] }),
  ]);
  const actions = Object.fromEntries(body.actions.map((a) => [a.action_type, a]));
  expect(Object.keys(actions).sort()).toEqual([
    'check_pii.guardrail',
    'format.operation',
    'pipeline.workflow',
    'summarize.task',
  ]);
  expect(actions['summarize.task']).toMatchObject({ params: 'notes', returns: 'summary' });
  expect(actions['pipeline.workflow']).toMatchObject({ params: { args: ['topic'], kwargs: {} } });
  // The failed guardrail also stands for an error, triggered by it.
  expect(body.errors).toEqual([
    expect.objectContaining({ details: 'PII found', trigger_event_id: actions['check_pii.guardrail']?.id }),
  ]);
}

describe('/v3/auth/token', () => {
  it('gives a project token for a valid API key', async () => {
    const { status, body } = await v3Token();
    expect(status).toBe(200);
    expect(body.project_id).toBe((await server.store.listProjects())[0]?.id);
    const claims = JSON.parse(Buffer.from(body.token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ aud: 'authenticated', project_id: body.project_id });
    expect(claims.exp - claims.iat).toBe(30 * 24 * 3600);
  });

  it('refuses an unknown key with 401 and a body without one with 400', async () => {
    expect((await v3Token('6f9ad3c0-0000-4c4d-9e8f-0a1b2c3d4e5f')).status).toBe(401);
    const r = await fetch(`${server.url}/v3/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(400);
  });

  it('a project token is no session token, and a session token is no project token', async () => {
    const { body } = await v3Token();
    const asSession = await fetch(`${server.url}/v2/create_events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${body.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [] }),
    });
    expect(asSession.status).toBe(401);
    const created = await server.post<{ jwt: string }>(
      '/v2/create_session',
      { session: { session_id: crypto.randomUUID(), init_timestamp: new Date().toISOString() } },
      { 'x-agentops-api-key': server.apiKey },
    );
    const asProject = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.body.jwt}`, 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
    });
    expect(asProject.status).toBe(401);
  });
});

describe('0.4 spans over OTLP with the v3 token', () => {
  it('protobuf: every kind becomes the session, agents and events the export shows', async () => {
    const { body: auth } = await v3Token();
    const { sessionId, spans } = record04Run();
    const res = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${auth.token}` },
      body: ProtobufTraceSerializer.serializeRequest(spans),
    });
    expect(res.status).toBe(200);
    const answer = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer()));
    expect(answer.partialSuccess?.rejectedSpans ?? 0).toBe(0);
    const exported = await server.get<SessionExport>(`/v2/sessions/${sessionId}/export`);
    expect(exported.status).toBe(200);
    check04Session(exported.body);
  });

  it('JSON: the same', async () => {
    const { body: auth } = await v3Token();
    const { sessionId, spans } = record04Run();
    const res = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${auth.token}` },
      body: JsonTraceSerializer.serializeRequest(spans),
    });
    expect(res.status).toBe(200);
    check04Session((await server.get<SessionExport>(`/v2/sessions/${sessionId}/export`)).body);
  });

  it('a token that is not ours is a 401, said once to onRefusal with the route and the reason', async () => {
    const { body: auth } = await v3Token();
    const forged = `${auth.token.slice(0, -4)}AAAA`;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${server.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${forged}` },
        body: '{"resourceSpans":[]}',
      });
      expect(res.status).toBe(401);
    }
    expect(refusals.filter((r) => r.route === '/v1/traces' && r.status === 401)).toEqual([
      { method: 'POST', route: '/v1/traces', status: 401, reason: 'Invalid Token' },
    ]);
  });
});

describe('the official agentops@0.1.0 npm package', () => {
  it('a session it records arrives whole', async () => {
    const { stdout } = await run(
      process.execPath,
      [new URL('./fixtures/official-agentops-ts.cjs', import.meta.url).pathname, server.url, server.apiKey],
      { timeout: 30_000 },
    );
    const { traceId } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { traceId: string };
    const exported = await server.get<SessionExport>(`/v2/sessions/${traceIdToSessionId(traceId)}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.session).toMatchObject({ tags: ['official', 'ts'], end_state: 'Success' });
    expect(exported.body.agents).toEqual([expect.objectContaining({ name: 'triage' })]);
    expect(exported.body.tools).toEqual([
      expect.objectContaining({
        name: 'lookup_order',
        params: { args: ['A-17'], kwargs: {} },
        returns: { status: 'shipped' },
      }),
    ]);
  });
});

describe('v4 uploads', () => {
  const upload = async (path: string, body: unknown, headers: Record<string, string>) => {
    const { body: auth } = await v3Token();
    const r = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${auth.token}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as { url: string; size: number; message?: string } };
  };
  const traceIdHeader = (sessionId: string) => BigInt(`0x${sessionId.replaceAll('-', '')}`).toString(10);

  it('captured logs are stored for the session of the Trace-Id, read back, and listed in the export', async () => {
    const { sessionId, spans } = record04Run();
    await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-agentops-api-key': server.apiKey },
      body: JsonTraceSerializer.serializeRequest(spans),
    });
    const text = 'INFO starting\nWARNING café is closed\n';
    const r = await upload('/v4/logs/upload/', { body: text }, { 'trace-id': traceIdHeader(sessionId) });
    expect(r.status).toBe(200);
    expect(r.body.size).toBe(Buffer.byteLength(text));
    const back = await fetch(r.body.url, { headers: { 'x-agentops-api-key': server.apiKey } });
    expect(back.status).toBe(200);
    expect(await back.text()).toBe(text);
    const exported = (await server.get<SessionExport>(`/v2/sessions/${sessionId}/export`)).body;
    expect(exported.logs).toEqual([expect.objectContaining({ size: r.body.size, url: r.body.url })]);
    check04Session(exported);
  });

  it('logs that arrive before the spans make the session, which the spans then fill in', async () => {
    const { sessionId, spans } = record04Run();
    const r = await upload('/v4/logs/upload/', { body: 'early' }, { 'trace-id': traceIdHeader(sessionId) });
    expect(r.status).toBe(200);
    const { body: auth } = await v3Token();
    await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${auth.token}` },
      body: ProtobufTraceSerializer.serializeRequest(spans),
    });
    const exported = (await server.get<SessionExport>(`/v2/sessions/${sessionId}/export`)).body;
    expect(exported.logs).toHaveLength(1);
    check04Session(exported);
  });

  it.each([
    ['no Trace-Id', {}],
    ['a hex Trace-Id', { 'trace-id': '0af7651916cd43dd8448eb211c80319c' }],
    ['a zero Trace-Id', { 'trace-id': '0' }],
    ['a Trace-Id past 128 bits', { 'trace-id': (1n << 128n).toString() }],
  ])('logs with %s are a 400, and nothing is stored', async (_what, headers) => {
    const uploads = () => selectRows(server.store, 'SELECT CAST(count(*) AS INTEGER) AS n FROM uploads');
    const before = await uploads();
    const r = await upload('/v4/logs/upload/', { body: 'x' }, headers as Record<string, string>);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/Trace-Id/);
    expect(await uploads()).toEqual(before);
  });

  it('a body that is not {"body": string} is a 400', async () => {
    const r = await upload('/v4/objects/upload/', { body: 42 }, {});
    expect(r.status).toBe(400);
  });

  it('bounded: one upload of more than 25 MB, and a session past 50 MB of logs, are a 413', async () => {
    const sessionId = crypto.randomUUID();
    const big = 'x'.repeat(25 * 1024 * 1024);
    expect((await upload('/v4/objects/upload/', { body: `${big}x` }, {})).status).toBe(413);
    const header = { 'trace-id': traceIdHeader(sessionId) };
    expect((await upload('/v4/logs/upload/', { body: big }, header)).status).toBe(200);
    expect((await upload('/v4/logs/upload/', { body: big }, header)).status).toBe(200);
    const over = await upload('/v4/logs/upload/', { body: 'one more line' }, header);
    expect(over.status).toBe(413);
    expect(over.body.message).toMatch(/at most 52428800 bytes/);
  });

  it('eight 10 MB log uploads at once to one session: the 50 MB cap holds (five stored, three 413)', async () => {
    const sessionId = crypto.randomUUID();
    const header = { 'trace-id': traceIdHeader(sessionId) };
    // The session exists before the race, as it does once its first spans or logs arrived.
    expect((await upload('/v4/logs/upload/', { body: 'start' }, header)).status).toBe(200);
    const tenMb = 'y'.repeat(10 * 1024 * 1024 - 1);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => upload('/v4/logs/upload/', { body: tenMb }, header)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 413, 413, 413]);
    const rows = await selectRows<{ n: number }>(
      server.store,
      `SELECT CAST(SUM(size) AS INTEGER) AS n FROM uploads WHERE session_id = '${sessionId}'`,
    );
    expect(rows[0]?.n).toBeLessThanOrEqual(50 * 1024 * 1024);
  });

  it('an object is stored and read back by its URL, by its own project only', async () => {
    const r = await upload('/v4/objects/upload/', { body: '{"screenshot":"…"}' }, {});
    expect(r.status).toBe(200);
    const back = await fetch(r.body.url, { headers: { 'x-agentops-api-key': server.apiKey } });
    expect(await back.text()).toBe('{"screenshot":"…"}');
    const other = (await createProject(server.store, 'other')).apiKey;
    expect((await fetch(r.body.url, { headers: { 'x-agentops-api-key': other } })).status).toBe(404);
    expect((await fetch(r.body.url)).status).toBe(401);
  });
});
