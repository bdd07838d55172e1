import { describe, expect, it } from 'vitest';
import {
  inputMessages,
  modelName,
  otelPart,
  readResponses,
  usageAttributes,
} from '../src/instrumentation/google-genai.js';

describe('Google GenAI: reading requests and responses', () => {
  it.each([
    ['gemini-2.5-flash', 'gemini-2.5-flash'],
    ['models/gemini-2.5-flash', 'gemini-2.5-flash'],
    ['publishers/google/models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash', 'gemini-2.0-flash'],
    ['', undefined],
    [42, undefined],
  ])('the model of %j is %j', (model, expected) => {
    expect(modelName(model)).toBe(expected);
  });

  it.each([
    [{ text: 'hi' }, { type: 'text', content: 'hi' }],
    [
      { text: 'let me think', thought: true },
      { type: 'reasoning', content: 'let me think' },
    ],
    [
      { functionCall: { id: 'c1', name: 'f', args: { a: 1 } } },
      { type: 'tool_call', id: 'c1', name: 'f', arguments: { a: 1 } },
    ],
    [
      { functionResponse: { name: 'f', response: { ok: true } } },
      { type: 'tool_call_response', id: undefined, name: 'f', response: { ok: true } },
    ],
    [
      { inlineData: { mimeType: 'image/png', data: 'AAAA' } },
      { type: 'blob', mime_type: 'image/png', modality: 'image' },
    ],
    [{ executableCode: { code: 'print(1)' } }, { type: 'executableCode' }],
    ['plain', { type: 'text', content: 'plain' }],
  ])('the part %j is %j (no inline bytes kept)', (part, expected) => {
    expect(otelPart(part)).toEqual(expected);
  });

  it('contents of every accepted shape become messages; the model role is the assistant', () => {
    expect(inputMessages('hi')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
    expect(inputMessages(['a', { text: 'b' }])).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'a' },
          { type: 'text', content: 'b' },
        ],
      },
    ]);
    expect(
      inputMessages([
        { role: 'user', parts: [{ text: 'q' }] },
        { role: 'model', parts: [{ text: 'a' }] },
      ]),
    ).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'q' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'a' }] },
    ]);
  });

  it("a stream's chunks: text joined, the last usage, id and model, finish reasons mapped", () => {
    const chunk = (text: string, extra: Record<string, unknown> = {}) => ({
      candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...extra }],
      responseId: 'r1',
      modelVersion: 'gemini-2.5-flash-001',
      usageMetadata: { promptTokenCount: 3 },
    });
    const record = readResponses([chunk('Bon'), chunk('jour', { finishReason: 'MAX_TOKENS' })]);
    expect(record).toMatchObject({
      id: 'r1',
      model: 'gemini-2.5-flash-001',
      finishReasons: ['length'],
      output: [{ role: 'assistant', parts: [{ type: 'text', content: 'Bonjour' }], finish_reason: 'length' }],
    });
    expect(readResponses([{ candidates: [{ finishReason: 'SAFETY' }] }]).finishReasons).toEqual(['content_filter']);
    expect(readResponses([null, 'x']).output).toEqual([]);
  });

  it('usage: thinking tokens are output and its reasoning part; cached tokens stay within the input', () => {
    expect(
      usageAttributes({
        promptTokenCount: 100,
        cachedContentTokenCount: 60,
        candidatesTokenCount: 20,
        thoughtsTokenCount: 5,
      }),
    ).toEqual({
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 25,
      'gen_ai.usage.cache_read.input_tokens': 60,
      'gen_ai.usage.reasoning.output_tokens': 5,
    });
    expect(usageAttributes({ promptTokenCount: 7 })).toEqual({ 'gen_ai.usage.input_tokens': 7 });
    expect(usageAttributes(undefined)).toEqual({});
  });
});
