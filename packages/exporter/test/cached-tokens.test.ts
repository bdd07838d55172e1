/**
 * Prompt-cache and reasoning token counts, read from every convention the mapping understands, and
 * priced with the bundled genai-prices table: a prompt read from the cache costs the cache rate.
 * Expected costs are worked out by hand from the table's per-million-token prices.
 */
import * as prices from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceFnFrom } from '../src/cost.js';
import { type EventPayload, mapSpan } from '../src/index.js';
import { inSession, span } from './span-fixture.js';

const price = priceFnFrom(prices);

function llm(attributes: Record<string, string | number>): EventPayload & { event_type: 'llms' } {
  const [item] = mapSpan(span({ name: 'chat', attributes: inSession(attributes) }), { price });
  if (item?.kind !== 'event' || item.event.event_type !== 'llms') throw new Error('expected an LLM event');
  return item.event;
}

// gpt-4o: input 2.5, cache read 1.25, output 10 (USD per million tokens).
const GPT_4O = (input: number, cacheRead: number, output: number) =>
  ((input - cacheRead) * 2.5 + cacheRead * 1.25 + output * 10) / 1e6;
// claude-sonnet-4-5 under 200k prompt tokens: input 3, cache write 3.75, cache read 0.3, output 15.
const SONNET = (input: number, cacheRead: number, cacheWrite: number, output: number) =>
  ((input - cacheRead - cacheWrite) * 3 + cacheRead * 0.3 + cacheWrite * 3.75 + output * 15) / 1e6;

type Case = [string, Record<string, string | number>, Record<string, number | null>, number];

const cases: Case[] = [
  [
    'OpenTelemetry GenAI (OpenAI: input includes the cached part)',
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 10_000,
      'gen_ai.usage.cache_read.input_tokens': 9_000,
      'gen_ai.usage.output_tokens': 500,
      'gen_ai.usage.reasoning.output_tokens': 0,
    },
    { prompt_tokens: 10_000, cache_read_tokens: 9_000, completion_tokens: 500, reasoning_tokens: 0 },
    GPT_4O(10_000, 9_000, 500),
  ],
  [
    "the Anthropic instrumentation (Anthropic's input_tokens leave the cached parts out)",
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 5_000,
      'gen_ai.usage.cache_read.input_tokens': 90_000,
      'gen_ai.usage.cache_creation.input_tokens': 5_000,
      'gen_ai.usage.output_tokens': 1_000,
    },
    { prompt_tokens: 100_000, cache_read_tokens: 90_000, cache_creation_tokens: 5_000, completion_tokens: 1_000 },
    SONNET(100_000, 90_000, 5_000, 1_000),
  ],
  [
    "this SDK's own LLM event (promptTokens include the cached part, whatever the provider)",
    {
      'agentops.event.type': 'llms',
      'agentops.event.id': 'e-1',
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 100_000,
      'gen_ai.usage.cache_read.input_tokens': 90_000,
      'gen_ai.usage.cache_creation.input_tokens': 5_000,
      'gen_ai.usage.output_tokens': 1_000,
    },
    { prompt_tokens: 100_000, cache_read_tokens: 90_000, cache_creation_tokens: 5_000 },
    SONNET(100_000, 90_000, 5_000, 1_000),
  ],
  [
    'OpenLLMetry (its own names)',
    {
      'llm.request.type': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.prompt_tokens': 4_000,
      'gen_ai.usage.cache_read_input_tokens': 3_072,
      'gen_ai.usage.completion_tokens': 100,
      'gen_ai.usage.reasoning_tokens': 64,
    },
    { prompt_tokens: 4_000, cache_read_tokens: 3_072, completion_tokens: 100, reasoning_tokens: 64 },
    GPT_4O(4_000, 3_072, 100),
  ],
  [
    'OpenInference',
    {
      'openinference.span.kind': 'LLM',
      'llm.provider': 'openai',
      'llm.model_name': 'gpt-4o',
      'llm.token_count.prompt': 2_000,
      'llm.token_count.prompt_details.cache_read': 1_500,
      'llm.token_count.completion': 40,
      'llm.token_count.completion_details.reasoning': 10,
    },
    { prompt_tokens: 2_000, cache_read_tokens: 1_500, completion_tokens: 40, reasoning_tokens: 10 },
    GPT_4O(2_000, 1_500, 40),
  ],
  [
    'Vercel AI SDK (ai.usage.cachedInputTokens)',
    {
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.provider': 'openai.chat',
      'ai.model.id': 'gpt-4o',
      'ai.usage.inputTokens': 1_200,
      'ai.usage.cachedInputTokens': 1_024,
      'ai.usage.outputTokens': 30,
      'ai.usage.reasoningTokens': 12,
    },
    { prompt_tokens: 1_200, cache_read_tokens: 1_024, completion_tokens: 30, reasoning_tokens: 12 },
    GPT_4O(1_200, 1_024, 30),
  ],
  [
    'Vercel AI SDK (input and output token details)',
    {
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.provider': 'openai.chat',
      'ai.model.id': 'gpt-4o',
      'ai.usage.inputTokens': 1_200,
      'ai.usage.inputTokenDetails.cacheReadTokens': 1_000,
      'ai.usage.outputTokens': 30,
      'ai.usage.outputTokenDetails.reasoningTokens': 5,
    },
    { prompt_tokens: 1_200, cache_read_tokens: 1_000, reasoning_tokens: 5 },
    GPT_4O(1_200, 1_000, 30),
  ],
  [
    'any convention whose input is smaller than its own cached part counts it without the cache',
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.cache_read.input_tokens': 900,
      'gen_ai.usage.output_tokens': 10,
    },
    { prompt_tokens: 1_000, cache_read_tokens: 900 },
    GPT_4O(1_000, 900, 10),
  ],
  [
    'no cache counts: the whole prompt at the input rate, and no cache fields',
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 1_000,
      'gen_ai.usage.output_tokens': 10,
    },
    { prompt_tokens: 1_000 },
    GPT_4O(1_000, 0, 10),
  ],
];

describe('cached and reasoning tokens', () => {
  it.each(cases)('%s', (_name, attributes, expected, cost) => {
    const e = llm(attributes);
    expect(e).toMatchObject(expected);
    expect(e.cost).toBeCloseTo(cost, 12);
  });

  it('a call without cache counts has no cache fields', () => {
    const e = llm(cases[cases.length - 1]?.[1] ?? {});
    expect(e).not.toHaveProperty('cache_read_tokens');
    expect(e).not.toHaveProperty('cache_creation_tokens');
    expect(e).not.toHaveProperty('reasoning_tokens');
  });

  it("the Anthropic SDK's own tracing (1.x): input_tokens include the cached parts, cache writes under cache_write", () => {
    // A claude-sonnet-4-5 call of 10,000 input tokens, 8,000 read from the cache and 1,000 written, 500 out.
    const attributes = inSession({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 10_000,
      'gen_ai.usage.cache_read.input_tokens': 8_000,
      'gen_ai.usage.cache_write.input_tokens': 1_000,
      'gen_ai.usage.output_tokens': 500,
    });
    const map = (scope: string) => {
      const [item] = mapSpan(
        { ...span({ name: 'anthropic.messages.create', attributes }), instrumentationScope: { name: scope } },
        { price },
      );
      if (item?.kind !== 'event' || item.event.event_type !== 'llms') throw new Error('expected an LLM event');
      return item.event;
    };
    for (const scope of ['com.anthropic.sdk.typescript', 'com.anthropic.sdk.typescript.bedrock']) {
      const e = map(scope);
      expect(e).toMatchObject({ prompt_tokens: 10_000, cache_read_tokens: 8_000, cache_creation_tokens: 1_000 });
      expect(e.cost).toBeCloseTo(0.01665, 12);
      expect(e.cost).toBeCloseTo(SONNET(10_000, 8_000, 1_000, 500), 12);
    }
    // The same counts from an instrumentation of Anthropic's API counts (cached parts apart) add them.
    expect(map('@traceloop/instrumentation-anthropic')).toMatchObject({ prompt_tokens: 19_000 });
  });

  it("Claude Code's own model requests (the Claude Agent SDK's process): bare Anthropic counts, the cached parts apart", () => {
    // As Claude Code 2.1 writes a model request's span (scope com.anthropic.claude_code.tracing).
    const attributes = inSession({
      'span.type': 'llm_request',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      model: 'claude-sonnet-4-5',
      input_tokens: 5_000,
      output_tokens: 1_000,
      cache_read_tokens: 90_000,
      cache_creation_tokens: 5_000,
      stop_reason: 'end_turn',
    });
    const [item] = mapSpan(
      {
        ...span({ name: 'claude_code.llm_request', attributes }),
        instrumentationScope: { name: 'com.anthropic.claude_code.tracing' },
      },
      { price },
    );
    if (item?.kind !== 'event' || item.event.event_type !== 'llms') throw new Error('expected an LLM event');
    expect(item.event).toMatchObject({
      model: 'claude-sonnet-4-5',
      provider: 'anthropic',
      prompt_tokens: 100_000,
      cache_read_tokens: 90_000,
      cache_creation_tokens: 5_000,
      completion_tokens: 1_000,
    });
    expect(item.event.cost).toBeCloseTo(SONNET(100_000, 90_000, 5_000, 1_000), 12);
  });

  it('a cached Anthropic call costs a quarter of what it cost when the whole prompt was priced at the input rate', () => {
    const e = llm(cases[1]?.[1] ?? {});
    const before = (100_000 * 3 + 1_000 * 15) / 1e6;
    expect(e.cost).toBeCloseTo(0.07575, 12);
    expect(before).toBeCloseTo(0.315, 12);
  });
});
