/**
 * Spans of other GenAI libraries, recorded from the real packages with InMemorySpanExporter inside
 * an AgentOps session, then mapped: each becomes the right AgentOps event, and wrappers become nothing.
 */
import { createRequire } from 'node:module';
import { type EventPayload, loadPriceFn, mapSpan } from '@agentops/exporter';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import * as agentops from 'agentops';
import { generateText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { AppTracerProvider, resetOtelGlobals } from './helpers/otel.js';

const require = createRequire(import.meta.url);
const memory = new InMemorySpanExporter();
let provider: AppTracerProvider;
let openai: FakeOpenAI;
let session: agentops.Session;
const recorded = new Map<string, ReadableSpan[]>();

async function record(name: string, run: () => Promise<unknown>) {
  memory.reset();
  await session.run(run);
  recorded.set(name, memory.getFinishedSpans());
}

beforeAll(async () => {
  provider = new AppTracerProvider({
    spanProcessors: [
      new agentops.AgentOpsSpanProcessor({ logLevel: 'silent' }),
      new SimpleSpanProcessor({ exporter: memory }),
    ],
  });
  provider.register();
  openai = await startFakeOpenAI();
  session = agentops.init({ handleExit: false, logLevel: 'silent', instrumentLlmCalls: false }) as agentops.Session;
  const OpenAI = require('openai');

  await record('vercel-ai', () =>
    generateText({
      model: new MockLanguageModelV3({
        modelId: 'gpt-4o-mini',
        doGenerate: {
          content: [{ type: 'text', text: 'Hi there' }],
          finishReason: { unified: 'stop', raw: 'stop' },
          usage: {
            inputTokens: { total: 12, noCache: 12, cacheRead: 0, cacheWrite: 0 },
            outputTokens: { total: 3, text: 3, reasoning: 0 },
          },
          warnings: [],
        },
      }),
      prompt: 'Hey',
      experimental_telemetry: { isEnabled: true },
    }),
  );

  const { OpenAIInstrumentation: OpenInference } = require('@arizeai/openinference-instrumentation-openai');
  const openInference = new OpenInference();
  openInference.setTracerProvider(provider);
  openInference.manuallyInstrument(OpenAI);
  await record('openinference', () =>
    new OpenAI({ apiKey: 'sk-test', baseURL: openai.url }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    }),
  );
  await record('openinference-cached', () =>
    new OpenAI({ apiKey: 'sk-test', baseURL: openai.url }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
      prompt_cache_key: 'france',
    }),
  );
  openInference.disable();

  const { OpenAIInstrumentation: OpenLLMetry } = require('@traceloop/instrumentation-openai');
  const openLlmetry = new OpenLLMetry();
  openLlmetry.setTracerProvider(provider);
  openLlmetry.manuallyInstrument(OpenAI.OpenAI);
  await record('openllmetry', () =>
    new OpenAI({ apiKey: 'sk-test', baseURL: openai.url }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    }),
  );
  openLlmetry.disable();
});

afterAll(async () => {
  await agentops.shutdown();
  await provider.shutdown();
  resetOtelGlobals();
  await openai.close();
});

const FRANCE = {
  prompt: [{ role: 'user', content: 'What is the capital of France?' }],
  completion: { role: 'assistant', content: 'Paris is the capital of France.' },
  prompt_tokens: 24,
  completion_tokens: 8,
};

describe('foreign GenAI spans, as the libraries really emit them', () => {
  const cases: [string, number, Partial<EventPayload>][] = [
    [
      'vercel-ai',
      1,
      {
        event_type: 'llms',
        model: 'gpt-4o-mini',
        prompt_tokens: 12,
        completion_tokens: 3,
        prompt: [{ role: 'user', content: [{ type: 'text', text: 'Hey' }] }],
        completion: { role: 'assistant', content: 'Hi there' },
      } as Partial<EventPayload>,
    ],
    ['openinference', 1, { event_type: 'llms', model: 'gpt-4o-mini-2024-07-18', ...FRANCE } as Partial<EventPayload>],
    [
      'openinference-cached',
      1,
      {
        event_type: 'llms',
        ...FRANCE,
        cache_read_tokens: 16,
        reasoning_tokens: 3,
      } as Partial<EventPayload>,
    ],
    [
      'openllmetry',
      1,
      { event_type: 'llms', model: 'gpt-4o-mini-2024-07-18', provider: 'openai', ...FRANCE } as Partial<EventPayload>,
    ],
  ];

  it.each(cases)('%s: %i LLM event with model, tokens, prompt and completion', async (library, count, expected) => {
    const spans = recorded.get(library) ?? [];
    expect(spans.length).toBeGreaterThan(0);
    for (const span of spans) expect(span.attributes['agentops.session.id']).toBe(session.id);
    const price = await loadPriceFn();
    const events = spans.flatMap((s) => mapSpan(s, { price })).flatMap((i) => (i.kind === 'event' ? [i.event] : []));
    expect(events).toHaveLength(count);
    expect(events[0]).toMatchObject(expected);
    expect(events[0]?.event_type === 'llms' && events[0].cost).toBeGreaterThan(0);
  });

  it("OpenInference's cached prompt tokens are priced at gpt-4o-mini's cache rate", async () => {
    const price = await loadPriceFn();
    const [cached] = (recorded.get('openinference-cached') ?? [])
      .flatMap((s) => mapSpan(s, { price }))
      .flatMap((i) => (i.kind === 'event' ? [i.event] : []));
    // gpt-4o-mini: input $0.15, cache read $0.075, output $0.60 per million tokens; 16 of the 24 prompt tokens cached.
    expect(cached?.event_type === 'llms' && cached.cost).toBeCloseTo((8 * 0.15 + 16 * 0.075 + 8 * 0.6) / 1e6, 12);
  });

  it("the Vercel AI SDK's outer ai.generateText span is not counted twice", () => {
    const names = (recorded.get('vercel-ai') ?? []).map((s) => s.name).sort();
    expect(names).toEqual(['ai.generateText', 'ai.generateText.doGenerate']);
  });
});
