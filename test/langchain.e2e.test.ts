/**
 * LangChain.js (the real `@langchain/core` and `@langchain/openai`, loaded the CommonJS way after
 * init()) against the local fake OpenAI API, recorded with no code through OpenInference's LangChain
 * instrumentation: the chain's LLM call (model, tokens, messages) once, although the OpenAI
 * instrumentation traced the same call, and the tool call.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { sdkSuite } from './helpers/sdk-suite.js';

const suite = sdkSuite({ fake: true });

describe('LangChain.js', () => {
  it('a prompt | model-with-tools chain and the tool it asks for: one LLM call (not two), the tool call', async () => {
    const session = suite.start();
    const require = createRequire(import.meta.url);
    const { ChatOpenAI } = require('@langchain/openai') as typeof import('@langchain/openai');
    const { ChatPromptTemplate } = require('@langchain/core/prompts') as typeof import('@langchain/core/prompts');
    const { tool } = require('@langchain/core/tools') as typeof import('@langchain/core/tools');
    const { z } = require('zod') as typeof import('zod');

    const getWeather = tool(async ({ city }: { city: string }) => `sunny in ${city}`, {
      name: 'get_weather',
      description: 'The weather in a city',
      schema: z.object({ city: z.string() }),
    });
    const model = new ChatOpenAI({
      model: 'gpt-4o-mini',
      apiKey: 'sk-test-lc',
      configuration: { baseURL: suite.fake.url },
    });
    const chain = ChatPromptTemplate.fromMessages([
      ['system', 'You answer weather questions.'],
      ['human', '{question}'],
    ]).pipe(model.bindTools([getWeather]));
    const message = await session.run(() => chain.invoke({ question: 'Weather in Paris?' }));
    const call = message.tool_calls?.[0];
    expect(call?.name).toBe('get_weather');
    const result = await session.run(() => getWeather.invoke(call as NonNullable<typeof call>));
    expect(String(result.content ?? result)).toBe('sunny in Paris');
    await session.endSession('Success');

    const data = await suite.server.exported(session.id);
    expect(suite.fake.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(1);
    expect(data.llms).toHaveLength(1);
    // OpenInference names the model the call asked for.
    expect(data.llms[0]).toMatchObject({ model: 'gpt-4o-mini', prompt_tokens: 24, completion_tokens: 8 });
    expect(JSON.stringify(data.llms[0]?.prompt)).toContain('Weather in Paris?');
    expect(data.tools.map((t) => t.name)).toEqual(['get_weather']);
    // The tool's own result, not LangChain's serialized ToolMessage around it.
    expect(data.tools[0]?.returns).toBe('sunny in Paris');
    // The tool's input as OpenInference writes it (the argument's value).
    expect(JSON.stringify(data.tools[0]?.params)).toContain('Paris');
  });
});
