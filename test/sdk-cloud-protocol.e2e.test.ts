/**
 * `protocol: 'otlp'`: the SDK sends the way AgentOps' current cloud ingests (a v3 token, then
 * OTLP/HTTP with it as a Bearer, with the attribute names that backend reads beside the GenAI ones),
 * tested against the local server's implementation of that protocol, through a proxy that records
 * what went over the wire.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeOtlp } from '@agentops/server';
import type { SessionExport } from 'agentops';
import * as agentops from 'agentops';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { captureConsole } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/server.js';

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Buffer;
}

let server: TestServer;
let proxy: http.Server;
let proxyUrl: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const target = new URL(server.url);
  proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      });
      const forward = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await agentops.shutdown();
  seen.length = 0;
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await server.stop();
});

const cloud = (apiKey = server.apiKey) => ({
  apiKey,
  endpoint: proxyUrl,
  exporterEndpoint: `${proxyUrl}/v1/traces`,
  protocol: 'otlp' as const,
  handleExit: false,
  logLevel: 'silent' as const,
  maxWaitTime: 50,
});

type OtlpAttr = { key: string; value: Record<string, unknown> };
/** Every span the proxy saw sent to /v1/traces, with its attributes as a plain object. */
function sentSpans(): { name: string; attributes: Record<string, unknown> }[] {
  return seen
    .filter((s) => s.path === '/v1/traces')
    .flatMap((s) => {
      const request = decodeOtlp(s.body, s.contentType) as unknown as {
        resourceSpans: { scopeSpans: { spans: { name: string; attributes: OtlpAttr[] }[] }[] }[];
      };
      return request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((ss) => ss.spans));
    })
    .map((span) => ({
      name: span.name,
      attributes: Object.fromEntries(
        span.attributes.map((a) => {
          const v = a.value;
          const value =
            v.arrayValue !== undefined
              ? (v.arrayValue as { values: { stringValue: string }[] }).values.map((x) => x.stringValue)
              : (v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue)));
          return [a.key, value];
        }),
      ),
    }));
}

it('a session goes as a v3 token and OTLP with the names AgentOps reads, and arrives whole', async () => {
  const session = agentops.init({ ...cloud(), tags: ['cloud'] });
  if (!session) throw new Error('no session');
  session.record(
    new agentops.LLMEvent({
      model: 'gpt-4o',
      provider: 'openai',
      promptTokens: 100,
      completionTokens: 20,
      prompt: [{ role: 'user', content: 'Where is my order?' }],
      completion: { role: 'assistant', content: 'On its way.' },
    }),
  );
  const lookup = agentops.recordTool('lookup_order', (id: string) => ({ id, status: 'shipped' }));
  expect(lookup('A-17')).toEqual({ id: 'A-17', status: 'shipped' });
  const cost = await session.endSession('Success');
  expect(Number(cost)).toBeGreaterThan(0);
  await agentops.flush();

  // On the wire: the token first, then OTLP with it; never REST v2.
  expect(seen[0]).toMatchObject({ method: 'POST', path: '/v3/auth/token' });
  expect(JSON.parse(seen[0]?.body.toString('utf8') ?? '{}')).toEqual({ api_key: server.apiKey });
  const traces = seen.filter((s) => s.path === '/v1/traces');
  expect(traces.length).toBeGreaterThan(0);
  for (const t of traces) {
    expect(t.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    // Protobuf, as AgentOps' own clients send (the app has @opentelemetry/exporter-trace-otlp-proto).
    expect(t.contentType).toBe('application/x-protobuf');
  }
  expect(seen.filter((s) => s.path.startsWith('/v2/'))).toEqual([]);

  const spans = sentSpans();
  const llm = spans.find((s) => s.attributes['agentops.span.kind'] === 'llm');
  expect(llm?.attributes).toMatchObject({
    'gen_ai.usage.input_tokens': 100,
    'gen_ai.usage.output_tokens': 20,
    'gen_ai.usage.prompt_tokens': 100,
    'gen_ai.usage.completion_tokens': 20,
    'gen_ai.usage.total_tokens': 120,
    'gen_ai.prompt.0.role': 'user',
    'gen_ai.prompt.0.content': 'Where is my order?',
    'gen_ai.completion.0.content': 'On its way.',
  });
  expect(spans.find((s) => s.attributes['agentops.span.kind'] === 'tool')?.attributes).toMatchObject({
    'operation.name': 'lookup_order',
    'agentops.entity.input': JSON.stringify('A-17'),
  });
  expect(spans.find((s) => s.attributes['agentops.span.kind'] === 'session')?.attributes).toMatchObject({
    'agentops.tags': ['cloud'],
  });

  const exported = await server.get<SessionExport>(`/v2/sessions/${session.id}/export`);
  expect(exported.status).toBe(200);
  expect(exported.body.session).toMatchObject({ end_state: 'Success', tags: ['cloud'] });
  expect(exported.body.llms).toEqual([
    expect.objectContaining({ model: 'gpt-4o', prompt_tokens: 100, completion_tokens: 20 }),
  ]);
  expect(Number(exported.body.llms[0]?.cost)).toBeGreaterThan(0);
  expect(exported.body.tools).toEqual([expect.objectContaining({ name: 'lookup_order' })]);
});

it('a refused key: spans go without a token, the 401 pauses export, and everything settles', async () => {
  const logs = captureConsole();
  try {
    const session = agentops.init({
      ...cloud('6f9ad3c0-0000-4c4d-9e8f-0a1b2c3d4e5f'),
      logLevel: 'warn',
      flushTimeoutMillis: 2000,
    });
    session?.record(new agentops.LLMEvent({ model: 'gpt-4o', promptTokens: 1, completionTokens: 1 }));
    await session?.endSession('Success');
    await agentops.flush();
    await agentops.shutdown();
  } finally {
    logs.restore();
  }
  expect(seen.find((s) => s.path === '/v1/traces')?.authorization).toBeUndefined();
  expect(logs.lines.filter((l) => l.includes('gave no token'))).toHaveLength(1);
  expect(logs.lines.filter((l) => l.includes('export paused for 60 s'))).toHaveLength(1);
});

it('an unknown protocol is said and v2 is used', async () => {
  const logs = captureConsole();
  try {
    const session = agentops.init({ ...cloud(), protocol: 'grpc' as 'otlp', logLevel: 'warn' });
    await session?.endSession('Success');
  } finally {
    logs.restore();
  }
  expect(logs.lines.filter((l) => l.includes('protocol "grpc" is not one'))).toHaveLength(1);
  expect(seen.some((s) => s.path === '/v2/create_session')).toBe(true);
});
