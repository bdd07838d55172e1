/**
 * GenAiMetrics on a real `MeterProvider` (`@opentelemetry/sdk-metrics`), read back with a reader:
 * what each kind of finished span is measured as, with which attributes, and what is left alone.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import { beforeEach, expect, it } from 'vitest';
import { GenAiMetrics } from '../src/index.js';
import { inSession, span } from './span-fixture.js';

class Reader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

let reader: Reader;
let metrics: GenAiMetrics;
beforeEach(() => {
  reader = new Reader();
  metrics = new GenAiMetrics(new MeterProvider({ readers: [reader] }), { version: '9.9.9' });
});

/** Each metric's data points: attributes, and the sum and count (histograms) or value (counters). */
async function collected() {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const out: Record<string, { attributes: Record<string, unknown>; sum: number; count?: number }[]> = {};
  for (const scope of resourceMetrics.scopeMetrics) {
    expect(scope.scope).toMatchObject({ name: 'agentops', version: '9.9.9' });
    for (const metric of scope.metrics) {
      out[metric.descriptor.name] = (metric.dataPoints as DataPoint<number | Histogram>[]).map((p) =>
        typeof p.value === 'number'
          ? { attributes: p.attributes, sum: p.value }
          : { attributes: p.attributes, sum: p.value.sum ?? Number.NaN, count: p.value.count },
      );
    }
  }
  return out;
}

it('an LLM call of any instrumentation: its duration and its input and output tokens, by operation, provider and model', async () => {
  // An OpenLLMetry span (its own token names), 1.5 s long.
  metrics.record(
    span({
      kind: SpanKind.CLIENT,
      attributes: inSession({
        'llm.request.type': 'chat',
        'gen_ai.system': 'Anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
        'gen_ai.usage.prompt_tokens': 1200,
        'gen_ai.usage.completion_tokens': 300,
      }),
    }),
  );
  const m = await collected();
  const attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'Anthropic',
    'gen_ai.request.model': 'claude-sonnet-4-5',
    'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
  };
  expect(m['gen_ai.client.operation.duration']).toEqual([{ attributes, sum: 1.5, count: 1 }]);
  expect(m['gen_ai.client.token.usage']).toEqual([
    { attributes: { ...attributes, 'gen_ai.token.type': 'input' }, sum: 1200, count: 1 },
    { attributes: { ...attributes, 'gen_ai.token.type': 'output' }, sum: 300, count: 1 },
  ]);
});

it('a failed call carries its error type; the official OpenAI instrumentation, a duplicate and other spans are not measured', async () => {
  const llm = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' };
  metrics.record(
    span({ attributes: inSession({ ...llm, 'error.type': 'RateLimitError' }), status: { code: SpanStatusCode.ERROR } }),
  );
  metrics.record(span({ attributes: inSession(llm), status: { code: SpanStatusCode.ERROR, message: 'boom' } }));
  // It measures its own calls on the same provider.
  metrics.record(
    span({ attributes: inSession(llm), instrumentationScope: { name: '@opentelemetry/instrumentation-openai' } }),
  );
  // A second record of a call already recorded.
  metrics.record(span({ attributes: inSession({ ...llm, 'agentops.llm.reentrant': true }) }));
  metrics.record(span({ attributes: inSession({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'x' }) }));
  const m = await collected();
  expect(m['gen_ai.client.operation.duration']?.map((p) => [p.attributes['error.type'], p.count])).toEqual([
    ['RateLimitError', 1],
    ['_OTHER', 1],
  ]);
  // No token counts on those spans: no token data points.
  expect(m['gen_ai.client.token.usage'] ?? []).toEqual([]);
});

it("MCP requests: the client's and the server's durations, by method and tool", async () => {
  const request = { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'get_weather' };
  metrics.record(span({ kind: SpanKind.CLIENT, attributes: inSession(request) }));
  metrics.record(span({ kind: SpanKind.SERVER, attributes: inSession(request), endTime: [1714564800, 250_000_000] }));
  metrics.record(span({ kind: SpanKind.CLIENT, attributes: inSession({ 'mcp.method.name': 'tools/list' }) }));
  const m = await collected();
  expect(m['mcp.client.operation.duration']).toEqual([
    { attributes: request, sum: 1.5, count: 1 },
    { attributes: { 'mcp.method.name': 'tools/list' }, sum: 1.5, count: 1 },
  ]);
  expect(m['mcp.server.operation.duration']).toEqual([{ attributes: request, sum: 0.25, count: 1 }]);
});

it('sessions ended: counted by end state, with their duration in seconds and their cost in USD', async () => {
  metrics.sessionEnded({ endState: 'Success', durationMillis: 12_000, costUsd: 0.0125 });
  metrics.sessionEnded({ endState: 'Success', durationMillis: 3_000, costUsd: 0.0025 });
  metrics.sessionEnded({ endState: 'Failure', durationMillis: 500, costUsd: 0 });
  // A figure that cannot be one is not recorded; the session is still counted.
  metrics.sessionEnded({ endState: 'Indeterminate', durationMillis: Number.NaN, costUsd: Number.NaN });
  const m = await collected();
  const state = (s: string) => ({ 'agentops.session.end_state': s });
  expect(m['agentops.sessions']).toEqual([
    { attributes: state('Success'), sum: 2 },
    { attributes: state('Failure'), sum: 1 },
    { attributes: state('Indeterminate'), sum: 1 },
  ]);
  expect(m['agentops.session.duration']).toEqual([
    { attributes: state('Success'), sum: 15, count: 2 },
    { attributes: state('Failure'), sum: 0.5, count: 1 },
  ]);
  expect(m['agentops.session.cost']?.[0]).toMatchObject({ attributes: state('Success'), count: 2 });
  expect(m['agentops.session.cost']?.[0]?.sum).toBeCloseTo(0.015, 12);
});
