/**
 * Google's Gen AI SDK (the real `@google/genai`, its CommonJS build required after init() and its
 * ES module build imported) against a local fake of the Gemini API, recorded with no code: each
 * model request an LLM call with model, tokens (cached and thinking ones apart) and cost, the
 * prompt and the function call it answered with, streams, and a failed request as an error.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { sdkSuite } from './helpers/sdk-suite.js';

type GenAIModule = typeof import('@google/genai');

const suite = sdkSuite({ fake: true });

const client = (genai: GenAIModule) =>
  new genai.GoogleGenAI({ apiKey: 'test-gemini-key', httpOptions: { baseUrl: suite.fake.origin } });

const weatherTool = {
  functionDeclarations: [
    {
      name: 'get_weather',
      description: 'The weather in a city',
      parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  ],
};

describe('@google/genai', () => {
  it('a function-calling turn and its answer: two LLM calls with tokens, cost, prompt and the function call', async () => {
    const session = suite.start();
    const genai = createRequire(import.meta.url)('@google/genai') as GenAIModule;
    const ai = client(genai);
    const question = { role: 'user', parts: [{ text: 'Weather in Paris?' }] };
    const first = await session.run(() =>
      ai.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: [question],
        config: { tools: [weatherTool], systemInstruction: 'You answer weather questions.', temperature: 0.2 },
      }),
    );
    const call = first.functionCalls?.[0];
    expect(call?.name).toBe('get_weather');
    const answer = await session.run(() =>
      ai.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: [
          question,
          first.candidates?.[0]?.content ?? {},
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { forecast: 'sunny' } } }] },
        ],
        config: { tools: [weatherTool] },
      }),
    );
    expect(answer.text).toBe('It is sunny in Paris.');
    await session.endSession('Success');

    const data = await suite.server.exported(session.id);
    expect(data.llms).toHaveLength(2);
    const [asked, answered] = data.llms;
    // Gemini counts thinking apart from the candidates; both are output, billed as such.
    expect(asked).toMatchObject({
      model: 'gemini-2.5-flash',
      provider: 'gcp.gemini',
      prompt_tokens: 1200,
      completion_tokens: 40,
      reasoning_tokens: 10,
    });
    expect(Number(asked?.cost)).toBeGreaterThan(0);
    expect(asked?.prompt).toEqual([
      { role: 'system', content: 'You answer weather questions.' },
      { role: 'user', content: 'Weather in Paris?' },
    ]);
    expect(asked?.completion).toMatchObject({
      role: 'assistant',
      finish_reason: 'stop',
      tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    });
    expect(answered?.completion).toMatchObject({ role: 'assistant', content: 'It is sunny in Paris.' });
    expect(JSON.stringify(answered?.prompt)).toContain('sunny');
  });

  it('cached content: the cached part of the prompt apart, priced lower; a stream: one call with its text and usage', async () => {
    const session = suite.start();
    const genai = createRequire(import.meta.url)('@google/genai') as GenAIModule;
    const ai = client(genai);
    await session.run(() =>
      ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Summarise the cached report.' }),
    );
    await session.run(() =>
      ai.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'Summarise the cached report.',
        config: { cachedContent: 'cachedContents/report-1' },
      }),
    );
    const stream = await session.run(() =>
      ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Say hello in French.' }),
    );
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toBe('Bonjour from Gemini.');
    await session.endSession('Success');

    const data = await suite.server.exported(session.id);
    expect(data.llms).toHaveLength(3);
    const [plain, cached, streamed] = data.llms;
    expect(plain?.cache_read_tokens ?? 0).toBe(0);
    expect(cached).toMatchObject({ prompt_tokens: 1200, cache_read_tokens: 1000, completion_tokens: 40 });
    expect(Number(cached?.cost)).toBeLessThan(Number(plain?.cost));
    expect(streamed).toMatchObject({
      model: 'gemini-2.5-flash',
      prompt_tokens: 14,
      completion_tokens: 6,
      completion: { role: 'assistant', content: 'Bonjour from Gemini.', finish_reason: 'stop' },
    });
  });

  it('the ES module build is recorded too, and a failed request is an LLM call with its error', async () => {
    const session = suite.start();
    const genai = (await import('@google/genai')) as GenAIModule;
    const ai = client(genai);
    const reply = await session.run(() => ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Hi' }));
    expect(reply.text).toBe('It is sunny in Paris.');
    await expect(
      session.run(() => ai.models.generateContent({ model: 'no-such-model', contents: 'Hi' })),
    ).rejects.toThrow(/not found/);
    await session.endSession('Success');

    const data = await suite.server.exported(session.id);
    expect(data.llms.map((l) => l.model)).toEqual(['gemini-2.5-pro', 'no-such-model']);
    expect(data.errors).toHaveLength(1);
    expect(data.errors[0]).toMatchObject({ error_type: '404' });
    expect(data.errors[0]?.details ?? '').toMatch(/not found/);
  });
});
