/**
 * The GenAI and session metrics of a real app: the SDK's pipeline with the official OpenAI
 * instrumentation (which measures its own calls) and `@opentelemetry/sdk-metrics`, in a process of
 * its own, for each way the app gives AgentOps a MeterProvider; and `metrics: true`, exported as
 * OTLP/HTTP to a local sink.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode } from './helpers/child.js';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';

const app = fileURLToPath(new URL('./fixtures/metrics-app.cjs', import.meta.url));
let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake?.close();
});

interface Point {
  scope: string;
  attributes: Record<string, unknown>;
  sum: number;
  count?: number;
}

async function run(mode: string, env: Record<string, string> = {}) {
  const r = await runNode(app, [], { METRICS_MODE: mode, OPENAI_BASE_URL: fake.url, NODE_NO_WARNINGS: '1', ...env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as { cost: string; metrics: Record<string, Point[]> };
}

/** gpt-4o at $2.50 / $10 per million tokens, gpt-4o-mini at $0.15 / $0.60. */
const SESSION_COST = 100 * 2.5e-6 + 20 * 1e-5 + 24 * 0.15e-6 + 8 * 0.6e-6;

it.each(['option', 'global'])('a MeterProvider (%s): every LLM call measured once, and the session', async (mode) => {
  const { cost, metrics } = await run(mode);
  const durations = metrics['gen_ai.client.operation.duration'] ?? [];
  // The OpenAI call by the official instrumentation (on the provider the SDK gave it), the LLM event by AgentOps: once each.
  expect(durations.map((p) => [p.scope, p.attributes['gen_ai.request.model'], p.count]).sort()).toEqual([
    ['@opentelemetry/instrumentation-openai', 'gpt-4o-mini', 1],
    ['agentops', 'gpt-4o', 1],
  ]);
  const ours = (metrics['gen_ai.client.token.usage'] ?? []).filter((p) => p.scope === 'agentops');
  expect(ours.map((p) => [p.attributes['gen_ai.token.type'], p.sum])).toEqual([
    ['input', 100],
    ['output', 20],
  ]);
  expect(ours[0]?.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat' });
  const theirs = (metrics['gen_ai.client.token.usage'] ?? []).filter((p) => p.scope !== 'agentops');
  expect(theirs.map((p) => p.sum).sort((a, b) => a - b)).toEqual([8, 24]);
  // The session: counted Success, its cost the one endSession() answered.
  expect(Number(cost)).toBeCloseTo(SESSION_COST, 6);
  expect(metrics['agentops.sessions']).toEqual([
    { scope: 'agentops', attributes: { 'agentops.session.end_state': 'Success' }, sum: 1 },
  ]);
  expect(metrics['agentops.session.cost']?.[0]?.sum).toBeCloseTo(Number(cost), 9);
  expect(metrics['agentops.session.duration']?.[0]?.count).toBe(1);
});

it('no MeterProvider: nothing measured, nothing in the way', async () => {
  const { metrics } = await run('none');
  expect(metrics).toEqual({});
});

it('metrics: true exports the metrics as OTLP/HTTP, flushed at shutdown', async () => {
  const bodies: string[] = [];
  const sink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(`${req.url} ${req.headers['content-type']} ${body}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/v1/metrics`;
    await run('otlp', { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: url });
    const sent = bodies.join('\n');
    expect(sent).toContain('/v1/metrics application/json');
    for (const name of ['gen_ai.client.operation.duration', 'gen_ai.client.token.usage', 'agentops.sessions'])
      expect(sent).toContain(`"name":"${name}"`);
  } finally {
    sink.close();
  }
});
