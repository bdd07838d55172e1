/**
 * `@agentops/exporter` alone, as DESIGN says it is usable (issue 30, item 2): no `agentops`
 * package, only an app's own provider with a plain `BatchSpanProcessor` over
 * `new AgentOpsSpanExporter({ sessionFrom: 'trace' })`, and OpenLLMetry's and OpenInference's
 * OpenAI instrumentations. Each trace becomes a session on the real server, with its LLM calls,
 * ended by its root span.
 */
import { createRequire } from 'node:module';
import { AgentOpsSpanExporter, traceIdToSessionId } from '@agentops/exporter';
import { SpanStatusCode } from '@opentelemetry/api';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { AppTracerProvider, resetOtelGlobals } from './helpers/otel.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const require = createRequire(import.meta.url);
let server: TestServer;
let openai: FakeOpenAI;
let provider: AppTracerProvider;
let exporter: AgentOpsSpanExporter;

beforeAll(async () => {
  [server, openai] = await Promise.all([startTestServer(), startFakeOpenAI()]);
  exporter = new AgentOpsSpanExporter({ apiKey: server.apiKey, endpoint: server.url, sessionFrom: 'trace' });
  provider = new AppTracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 20 })],
  });
  provider.register();
});

afterAll(async () => {
  await provider.shutdown();
  resetOtelGlobals();
  await Promise.all([openai.close(), server.stop()]);
});

const question = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content: 'What is the capital of France?' }],
};

it("each trace of an app instrumented by OpenLLMetry or OpenInference is a session, ended by the trace's root", async () => {
  const OpenAI = require('openai');
  const client = () => new OpenAI({ apiKey: 'sk-test', baseURL: openai.url });
  const tracer = provider.getTracer('app');

  const { OpenAIInstrumentation: OpenInference } = require('@arizeai/openinference-instrumentation-openai');
  const openInference = new OpenInference();
  openInference.setTracerProvider(provider);
  openInference.manuallyInstrument(OpenAI);
  // A job that fails after its call.
  const failed = await tracer.startActiveSpan('nightly job', async (root) => {
    await client().chat.completions.create(question);
    root.setStatus({ code: SpanStatusCode.ERROR, message: 'the report could not be written' });
    root.end();
    return root.spanContext().traceId;
  });
  // (OpenInference first: OpenLLMetry's manual patch of the client outlives its disable().)
  openInference.disable();

  const { OpenAIInstrumentation: OpenLLMetry } = require('@traceloop/instrumentation-openai');
  const openLlmetry = new OpenLLMetry();
  openLlmetry.setTracerProvider(provider);
  openLlmetry.manuallyInstrument(OpenAI.OpenAI);
  // A request handler's span around two calls.
  const handled = await tracer.startActiveSpan('handle request', async (root) => {
    await client().chat.completions.create(question);
    await client().chat.completions.create(question);
    root.end();
    return root.spanContext().traceId;
  });
  openLlmetry.disable();

  await provider.forceFlush();
  await exporter.forceFlush();

  const first = await server.exported(traceIdToSessionId(handled));
  expect(first.session).toMatchObject({ end_state: 'Success' });
  expect(first.llms.map((l) => [l.model, l.prompt_tokens, l.completion_tokens])).toEqual([
    ['gpt-4o-mini-2024-07-18', 24, 8],
    ['gpt-4o-mini-2024-07-18', 24, 8],
  ]);
  expect(first.llms[0]?.prompt).toEqual(question.messages);

  const second = await server.exported(traceIdToSessionId(failed));
  expect(second.session).toMatchObject({ end_state: 'Fail', end_state_reason: 'the report could not be written' });
  expect(second.llms).toHaveLength(1);
  expect(second.stats).toMatchObject({ llm_calls: 1, prompt_tokens: 24 });
});
