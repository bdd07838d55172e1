/**
 * Vercel AI SDK 7 (`ai@7`, with `@ai-sdk/openai` 4 against the local fake OpenAI API, JSON and
 * SSE): init() registers `@ai-sdk/otel`'s OpenTelemetry integration, so calls are recorded with no
 * code (GenAI spans: the call as an agent, its steps, LLM calls with cached tokens, tool calls);
 * an app that registered the `ai.*` spans itself (`LegacyOpenTelemetry`) is recorded as it is.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { LegacyOpenTelemetry } from '@ai-sdk/otel';
import { trace } from '@opentelemetry/api';
import { generateText, isStepCount, registerTelemetry, streamText, tool } from 'ai7';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sdkSuite } from './helpers/sdk-suite.js';

const suite = sdkSuite({ fake: true });
afterEach(() => {
  // What a test registered itself goes too (init()'s own is removed by shutdown()).
  (globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown[] }).AI_SDK_TELEMETRY_INTEGRATIONS = [];
});

const openai = () => createOpenAI({ apiKey: 'sk-test-ai7', baseURL: suite.fake.url });
const weatherTool = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }: { city: string }) => `sunny in ${city}`,
});

describe('ai@7', () => {
  it('generateText with a tool: the call as an agent, each step, LLM calls with cached tokens and cost, the tool call', async () => {
    const session = suite.start();
    const result = await generateText({
      model: openai().responses('gpt-4o-mini'),
      prompt: 'Weather in Paris?',
      tools: { get_weather: weatherTool },
      stopWhen: isStepCount(3),
      telemetry: { functionId: 'weather-agent' },
    });
    expect(result.text).toBe('It is sunny in Paris.');
    await session.endSession('Success');
    const data = await suite.server.exported(session.id);
    expect(data.agents.map((a) => a.name)).toEqual(['weather-agent']);
    expect(data.llms).toHaveLength(2);
    for (const llm of data.llms) {
      expect(llm).toMatchObject({
        model: expect.stringContaining('gpt-4o-mini'),
        prompt_tokens: 1200,
        cache_read_tokens: 1000,
      });
      // (200 * $0.15 + 1000 * $0.075 + 40 * $0.60) / 1M, as money is given: six decimal places.
      expect(llm.cost).toBe('0.000129');
    }
    expect(data.tools).toHaveLength(1);
    expect(data.tools[0]).toMatchObject({ name: 'get_weather', params: { city: 'Paris' }, returns: 'sunny in Paris' });
    expect(data.actions.map((a) => a.action_type).sort()).toEqual(['step 1', 'step 2']);
    // Each step nests under the agent's span, and its LLM call under the step.
    const agentSpan = data.agents[0]?.span_id;
    const steps = new Map(data.actions.map((a) => [a.span_id, a]));
    for (const step of steps.values()) expect(step.parent_span_id).toBe(agentSpan);
    for (const llm of data.llms) expect(steps.has(llm.parent_span_id ?? '')).toBe(true);
    // Every event under the agent names it, as under trackAgent().
    const agentId = data.agents[0]?.id;
    expect(agentId).toBeTruthy();
    expect([...data.llms, ...data.tools, ...data.actions].map((e) => e.agent_id)).toEqual(Array(5).fill(agentId));
  });

  it('streamText over SSE (chat completions with a usage chunk) is one LLM call with its tokens', async () => {
    const session = suite.start();
    const stream = streamText({ model: openai().chat('gpt-4o-mini'), prompt: 'Say hello' });
    let text = '';
    for await (const part of stream.textStream) text += part;
    expect(text).toBe('Bonjour from the stream.');
    await session.endSession('Success');
    const data = await suite.server.exported(session.id);
    expect(data.llms).toHaveLength(1);
    expect(data.llms[0]).toMatchObject({ prompt_tokens: 30, completion_tokens: 5 });
    expect(JSON.stringify(data.llms[0]?.completion)).toContain('Bonjour from the stream.');
  });

  it("an app's own LegacyOpenTelemetry (the ai.* spans) is kept, not doubled: the same call recorded once", async () => {
    // Registered before init(), with a tracer of the app's OpenTelemetry API (@ai-sdk/otel pins its
    // own copy of the API, whose default tracer would never see the provider init() registers).
    registerTelemetry(new LegacyOpenTelemetry({ tracer: trace.getTracer('ai') }));
    const session = suite.start();
    expect((globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown[] }).AI_SDK_TELEMETRY_INTEGRATIONS).toHaveLength(1);
    await generateText({ model: openai().chat('gpt-4o-mini'), prompt: 'Capital of France?' });
    await session.endSession('Success');
    const data = await suite.server.exported(session.id);
    expect(data.llms).toHaveLength(1);
    expect(data.llms[0]).toMatchObject({ prompt_tokens: 24, completion_tokens: 8 });
    expect(JSON.stringify(data.llms[0]?.completion)).toContain('Paris is the capital of France.');
  });
});
