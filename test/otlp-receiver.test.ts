/**
 * The server's OTLP/HTTP receiver fed by OpenTelemetry's own exporter (JSON) and serializer
 * (protobuf): GenAI spans become sessions, agents and events with the exporter's mapping.
 */

import { once } from 'node:events';
import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { SessionExport } from '@agentops/exporter';
import { traceIdToSessionId } from '@agentops/exporter';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

/** An agent run as a Python or Go OpenTelemetry app would emit it: agent > chat + tool + HTTP. */
function recordAgentRun(memory: InMemorySpanExporter, extra?: SpanProcessor): string {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'py-agent', 'host.name': 'worker-1' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory }), ...(extra ? [extra] : [])],
  });
  const tracer = provider.getTracer('test');
  const agent = tracer.startSpan('invoke_agent support', {
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'support',
      'gen_ai.agent.id': 'agent-7',
    },
  });
  const inAgent = trace.setSpan(ROOT_CONTEXT, agent);
  const chat = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 2000,
        'gen_ai.usage.output_tokens': 100,
        'gen_ai.input.messages': JSON.stringify([
          { role: 'user', parts: [{ type: 'text', content: 'My order is late' }] },
        ]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Sorry!' }] }]),
      },
    },
    inAgent,
  );
  chat.end();
  const tool = tracer.startSpan(
    'execute_tool lookup_order',
    {
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'lookup_order',
        'gen_ai.tool.call.arguments': '{"id":7}',
      },
    },
    inAgent,
  );
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'order service down' });
  tool.end();
  tracer
    .startSpan('GET /orders/7', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET' } }, inAgent)
    .end();
  agent.end();
  return traceIdToSessionId(agent.spanContext().traceId);
}

function checkSession(exported: SessionExport) {
  // With its span: the events nested under it are shown under the agent.
  expect(exported.agents).toEqual([
    { id: 'agent-7', name: 'support', span_id: expect.stringMatching(/^[0-9a-f]{16}$/) },
  ]);
  const agentSpan = exported.agents[0]?.span_id;
  expect(exported.llms[0]?.parent_span_id).toBe(agentSpan);
  expect(exported.llms).toHaveLength(1);
  expect(exported.llms[0]).toMatchObject({
    model: 'gpt-4o',
    prompt_tokens: 2000,
    completion_tokens: 100,
    prompt: [{ role: 'user', content: 'My order is late' }],
    completion: { role: 'assistant', content: 'Sorry!' },
    origin: { host: 'worker-1', service: 'py-agent' },
  });
  expect(exported.tools[0]).toMatchObject({ name: 'lookup_order', params: { id: 7 } });
  expect(exported.errors[0]).toMatchObject({
    details: 'order service down',
    trigger_event_type: 'tools',
    trigger_event_id: exported.tools[0]?.id,
  });
  expect(exported.actions).toEqual([]);
  // 2000 * $2.50/M + 100 * $10/M
  expect(exported.stats.cost).toBe('0.006000');
}

type Compression = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>['compression'];

// 'gzip' as a Collector's otlphttp exporter sends by default.
it.each(['none', 'gzip'] as const)(
  'takes OTLP/JSON from the OpenTelemetry OTLP HTTP exporter, compression %s',
  async (compression) => {
    const memory = new InMemorySpanExporter();
    const otlp = new OTLPTraceExporter({
      url: `${server.url}/v1/traces`,
      headers: { 'x-agentops-api-key': server.apiKey },
      compression: compression as Compression,
    });
    const processor = new SimpleSpanProcessor({ exporter: otlp });
    const sessionId = recordAgentRun(memory, processor);
    await processor.forceFlush();
    const exported = await server.get<SessionExport>(`/v2/sessions/${sessionId}/export`);
    expect(exported.status).toBe(200);
    checkSession(exported.body);
  },
);

it('takes OTLP/protobuf and answers in protobuf', async () => {
  const memory = new InMemorySpanExporter();
  const sessionId = recordAgentRun(memory);
  const spans: ReadableSpan[] = memory.getFinishedSpans();
  const body = ProtobufTraceSerializer.serializeRequest(spans);
  if (!body) throw new Error('serializer gave nothing');
  const res = await fetch(`${server.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'x-agentops-api-key': server.apiKey },
    body,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/x-protobuf');
  const decoded = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer()));
  expect(decoded.partialSuccess?.rejectedSpans ?? 0).toBe(0);
  checkSession((await server.get<SessionExport>(`/v2/sessions/${sessionId}/export`)).body);
});

it('refuses bytes that are not an OTLP request with 400', async () => {
  const res = await fetch(`${server.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'x-agentops-api-key': server.apiKey },
    body: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { message: string }).message).toMatch(/not an OTLP ExportTraceServiceRequest/);
});

it('refuses OTLP without an API key with 401', async () => {
  const res = await fetch(`${server.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"resourceSpans":[]}',
  });
  expect(res.status).toBe(401);
});

/** A large request of `n` chat spans in one session (more than the main thread maps itself). */
function largeRun(n: number): { sessionId: string; spans: ReadableSpan[] } {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bulk' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('bulk');
  const root = tracer.startSpan('batch');
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  for (let i = 0; i < n; i++) {
    tracer
      .startSpan(
        'chat gpt-4o',
        {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.usage.input_tokens': 10,
            'gen_ai.usage.output_tokens': 2,
            'gen_ai.input.messages': JSON.stringify([
              { role: 'user', parts: [{ type: 'text', content: `question ${i}` }] },
            ]),
          },
        },
        ctx,
      )
      .end();
  }
  root.end();
  return { sessionId: traceIdToSessionId(root.spanContext().traceId), spans: memory.getFinishedSpans() };
}

it.each(['json', 'protobuf'] as const)(
  'a large OTLP/%s request is mapped off the main thread and stored whole',
  async (encoding) => {
    const { sessionId, spans } = largeRun(3000);
    const body =
      encoding === 'json'
        ? JSON.stringify(JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans))))
        : ProtobufTraceSerializer.serializeRequest(spans);
    if (!body) throw new Error('serializer gave nothing');
    expect(typeof body === 'string' ? body.length : body.byteLength).toBeGreaterThan(256 * 1024);
    const res = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: {
        'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf',
        'x-agentops-api-key': server.apiKey,
      },
      body,
    });
    expect(res.status).toBe(200);
    const exported = (await server.get<SessionExport>(`/v2/sessions/${sessionId}/export`)).body;
    expect(exported.llms).toHaveLength(3000);
    expect(new Set(exported.llms.map((e) => JSON.stringify(e.prompt))).size).toBe(3000);
    expect(exported.stats).toMatchObject({ prompt_tokens: 30_000, completion_tokens: 6000 });
  },
);

it('a large request that is not OTLP is a 400 from the worker too', async () => {
  const res = await fetch(`${server.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-agentops-api-key': server.apiKey },
    body: `{"resourceSpans": [${'1,'.repeat(200_000)}1`,
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { message: string }).message).toMatch(/not JSON/);
});

/** POSTs `body` to the receiver with the project's key and these headers. */
function postTraces(body: string | Uint8Array, headers: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-agentops-api-key': server.apiKey, ...headers },
    body,
  });
}

it.each([
  ['gzip', gzipSync],
  ['deflate', deflateSync],
  ['br', brotliCompressSync],
] as const)('takes OTLP/protobuf compressed with %s', async (encoding, compress) => {
  const memory = new InMemorySpanExporter();
  const sessionId = recordAgentRun(memory);
  const body = ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans());
  if (!body) throw new Error('serializer gave nothing');
  const res = await postTraces(compress(body), {
    'content-type': 'application/x-protobuf',
    'content-encoding': encoding,
  });
  expect(res.status).toBe(200);
  checkSession((await server.get<SessionExport>(`/v2/sessions/${sessionId}/export`)).body);
});

it('a large gzip request is streamed to the worker, decompressed there and stored whole', async () => {
  const { sessionId, spans } = largeRun(3000);
  const json = JsonTraceSerializer.serializeRequest(spans);
  if (!json) throw new Error('serializer gave nothing');
  const body = gzipSync(json);
  // Both sides of the main thread's own limit: small as sent, large once decompressed.
  expect(body.byteLength).toBeLessThan(256 * 1024);
  expect(json.byteLength).toBeGreaterThan(256 * 1024);
  const res = await postTraces(body, { 'content-encoding': 'gzip' });
  expect(res.status).toBe(200);
  const exported = (await server.get<SessionExport>(`/v2/sessions/${sessionId}/export`)).body;
  expect(exported.llms).toHaveLength(3000);
  expect(exported.stats).toMatchObject({ prompt_tokens: 30_000, completion_tokens: 6000 });
});

it('refuses a Content-Type or Content-Encoding it does not take with 415, and a body that is not what it says with 400', async () => {
  const text = await postTraces('{"resourceSpans":[]}', { 'content-type': 'text/plain' });
  expect(text.status).toBe(415);
  const zstd = await postTraces('{"resourceSpans":[]}', { 'content-encoding': 'zstd' });
  expect(zstd.status).toBe(415);
  expect(((await zstd.json()) as { message: string }).message).toMatch(/zstd.*gzip, deflate, br or none/);
  const notGzip = await postTraces('{"resourceSpans":[]}', { 'content-encoding': 'gzip' });
  expect(notGzip.status).toBe(400);
  expect(((await notGzip.json()) as { message: string }).message).toMatch(/not valid gzip/);
});

it('refuses a body over 32 MB with 413, as sent or once decompressed, and goes on serving', async () => {
  const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, 0x20));
  expect(bomb.byteLength).toBeLessThan(100 * 1024);
  const inflated = await postTraces(bomb, { 'content-encoding': 'gzip' });
  expect(inflated.status).toBe(413);
  expect(((await inflated.json()) as { message: string }).message).toMatch(/once decompressed/);
  const sent = await postTraces(Buffer.alloc(33 * 1024 * 1024, 0x20), {});
  expect(sent.status).toBe(413);
  // Sent in chunks (no Content-Length): counted as it arrives.
  const chunks = (async function* () {
    for (let i = 0; i < 34; i++) yield Buffer.alloc(1024 * 1024, 0x20);
  })();
  const streamed = await fetch(`${server.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-agentops-api-key': server.apiKey },
    body: chunks as unknown as BodyInit,
    duplex: 'half',
  } as RequestInit);
  expect(streamed.status).toBe(413);
  const memory = new InMemorySpanExporter();
  const sessionId = recordAgentRun(memory);
  const body = JsonTraceSerializer.serializeRequest(memory.getFinishedSpans());
  if (!body) throw new Error('serializer gave nothing');
  expect((await postTraces(body, {})).status).toBe(200);
  checkSession((await server.get<SessionExport>(`/v2/sessions/${sessionId}/export`)).body);
});

it('a large body cut off before its end is dropped, and the next large one is stored whole', async () => {
  const { hostname, port } = new URL(server.url);
  const socket = connect(Number(port), hostname);
  socket.write(
    `POST /v1/traces HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nX-Agentops-Api-Key: ${server.apiKey}\r\nContent-Length: 4194304\r\n\r\n`,
  );
  // Past the main thread's 256 kB: the body is on its way to the worker when the client goes.
  await new Promise<void>((resolve) => socket.write(Buffer.alloc(1024 * 1024, 0x20), () => resolve()));
  socket.destroy();
  const { sessionId, spans } = largeRun(1000);
  const body = JsonTraceSerializer.serializeRequest(spans);
  if (!body) throw new Error('serializer gave nothing');
  expect(body.byteLength).toBeGreaterThan(256 * 1024);
  expect((await postTraces(body, {})).status).toBe(200);
  expect((await server.get<SessionExport>(`/v2/sessions/${sessionId}/export`)).body.llms).toHaveLength(1000);
});

it('refuses a body without an API key with 401 before reading it: the answer comes while the body is still being sent', async () => {
  // A raw connection: the request announces a megabyte and sends 64 kB of it, then waits.
  const { hostname, port } = new URL(server.url);
  const socket = connect(Number(port), hostname);
  try {
    socket.write(
      'POST /v1/traces HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n',
    );
    socket.write(Buffer.alloc(64 * 1024, 0x20));
    const [answer] = (await once(socket, 'data')) as [Buffer];
    expect(answer.toString('latin1').split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
  } finally {
    socket.destroy();
  }
});

/**
 * Claude Code's shape: a turn (invoke_agent) > the Agent tool call > its execution (a span that is
 * no event) > a subagent's model request. Each returns the OTLP/JSON body of the spans given.
 */
function claudeCodeRun() {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('com.anthropic.claude_code.tracing');
  const turn = tracer.startSpan('claude_code.interaction', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
  const call = tracer.startSpan(
    'claude_code.tool',
    { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Agent' } },
    trace.setSpan(ROOT_CONTEXT, turn),
  );
  const execution = tracer.startSpan('claude_code.tool.execution', {}, trace.setSpan(ROOT_CONTEXT, call));
  const request = tracer.startSpan(
    'claude_code.llm_request',
    {
      attributes: {
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.system': 'anthropic',
        input_tokens: 500,
        output_tokens: 3,
      },
    },
    trace.setSpan(ROOT_CONTEXT, execution),
  );
  // The subagent runs in the background: its request ends after the execution did.
  execution.end();
  request.end();
  call.end();
  turn.end();
  const spans = memory.getFinishedSpans();
  const byName = (name: string) => spans.filter((s) => s.name === name);
  const body = (group: ReadableSpan[]) => new TextDecoder().decode(JsonTraceSerializer.serializeRequest(group));
  return {
    sessionId: traceIdToSessionId(turn.spanContext().traceId),
    callSpan: call.spanContext().spanId,
    request: body(byName('claude_code.llm_request')),
    rest: body(spans.filter((s) => s.name !== 'claude_code.llm_request')),
  };
}

it.each([
  ['the request first, the execution after', true],
  ['the execution first, the request after', false],
])("a span that is no event (Claude Code's tool execution) is seen through: %s", async (_order, requestFirst) => {
  const run = claudeCodeRun();
  const post = (body: string) =>
    fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-agentops-api-key': server.apiKey },
      body,
    });
  for (const body of requestFirst ? [run.request, run.rest] : [run.rest, run.request]) {
    expect((await post(body)).status).toBe(200);
  }
  const exported = (await server.get<SessionExport>(`/v2/sessions/${run.sessionId}/export`)).body;
  // The subagent's request nests under the Agent tool call, whichever arrived first.
  expect(exported.tools.map((t) => [t.name, t.span_id])).toEqual([['Agent', run.callSpan]]);
  expect(exported.llms.map((l) => [l.completion_tokens, l.parent_span_id])).toEqual([[3, run.callSpan]]);
  // The execution is no event.
  expect(exported.actions).toEqual([]);
});
