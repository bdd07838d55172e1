/**
 * LangGraph.js (the real `@langchain/langgraph` prebuilt ReAct agent over `@langchain/openai`)
 * against the local fake OpenAI API, recorded with no code through OpenInference's LangChain
 * instrumentation: the graph's model turns as LLM calls (each once, not again by the OpenAI
 * instrumentation) and the tool it called between them. The graph's chains (its nodes, channel
 * writes, prompt templates) are not events: OpenInference marks them CHAIN, and they are many.
 */
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { sdkSuite } from './helpers/sdk-suite.js';

const suite = sdkSuite({ fake: true });

it('a ReAct agent graph: two model turns and the tool call between them, nothing else', async () => {
  const session = suite.start();
  const require = createRequire(import.meta.url);
  const { createReactAgent } =
    require('@langchain/langgraph/prebuilt') as typeof import('@langchain/langgraph/prebuilt');
  const { ChatOpenAI } = require('@langchain/openai') as typeof import('@langchain/openai');
  const { tool } = require('@langchain/core/tools') as typeof import('@langchain/core/tools');
  const { z } = require('zod') as typeof import('zod');

  const getWeather = tool(async ({ city }: { city: string }) => `sunny in ${city}`, {
    name: 'get_weather',
    description: 'The weather in a city',
    schema: z.object({ city: z.string() }),
  });
  const llm = new ChatOpenAI({
    model: 'gpt-4o-mini',
    apiKey: 'sk-test-lg',
    configuration: { baseURL: suite.fake.url },
  });
  const agent = createReactAgent({ llm, tools: [getWeather] });
  const state = await session.run(() => agent.invoke({ messages: [{ role: 'user', content: 'Weather in Paris?' }] }));
  expect(String(state.messages.at(-1)?.content)).toBe('Paris is the capital of France.');
  await session.endSession('Success');

  const data = await suite.server.exported(session.id);
  expect(suite.fake.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(2);
  expect(data.llms).toHaveLength(2);
  expect(data.llms.map((l) => [l.model, l.prompt_tokens, l.completion_tokens])).toEqual([
    ['gpt-4o-mini', 24, 8],
    ['gpt-4o-mini', 24, 8],
  ]);
  expect(JSON.stringify(data.llms[1]?.prompt)).toContain('sunny in Paris');
  expect(data.tools.map((t) => t.name)).toEqual(['get_weather']);
  // The tool's own result, not LangChain's serialized ToolMessage around it.
  expect(data.tools[0]?.returns).toBe('sunny in Paris');
  expect(data.actions).toEqual([]);
  expect(data.errors).toEqual([]);
});
