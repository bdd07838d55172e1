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

describe('Google GenAI: the instrumentation on a Models class', () => {
  async function instrumented() {
    const base = await import('@opentelemetry/instrumentation');
    const { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } = await import('@opentelemetry/sdk-trace');
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const { createGoogleGenAIInstrumentation } = await import('../src/instrumentation/google-genai.js');
    const instrumentation = createGoogleGenAIInstrumentation(base, true);
    instrumentation.setTracerProvider(provider);
    class Models {
      apiClient = { isVertexAI: () => true };
      async generateContentInternal(params: { model: string }) {
        if (params.model === 'broken') throw Object.assign(new Error('quota'), { status: 429 });
        return {
          responseId: 'r1',
          modelVersion: 'gemini-2.5-pro-002',
          candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }] }, finishReason: 'STOP' }],
          usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2 },
        };
      }
      async generateContentStreamInternal() {
        return (async function* () {
          yield { candidates: [{ content: { parts: [{ text: 'a' }] } }] };
          yield {
            candidates: [{ content: { parts: [{ text: 'b' }] }, finishReason: 'STOP' }],
            usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 2 },
          };
        })();
      }
      async embedContentInternal() {
        return { embeddings: [{ values: [0.1, 0.2, 0.3], statistics: { tokenCount: 4 } }] };
      }
    }
    const module = { Models };
    instrumentation.manuallyInstrument(module);
    return { instrumentation, exporter, models: new Models(), Models };
  }

  it('a call, a stream (ended when it is read to its end), an embedding and a failure become client spans; disable() unpatches', async () => {
    const { instrumentation, exporter, models, Models } = await instrumented();
    const wrapped = Object.getOwnPropertyDescriptor(Models.prototype, 'generateContentInternal');
    await models.generateContentInternal({
      model: 'models/gemini-2.5-pro',
      contents: 'Hello',
      config: { temperature: 0.1 },
    } as never);
    const stream = await models.generateContentStreamInternal({ model: 'gemini-2.5-flash', contents: 'x' } as never);
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    for await (const _ of stream as AsyncIterable<unknown>) {
      // read to the end
    }
    await models.embedContentInternal({ model: 'text-embedding-004', contents: 'x' } as never);
    await expect(models.generateContentInternal({ model: 'broken' } as never)).rejects.toThrow('quota');
    const [call, streamed, embedding, failed] = exporter.getFinishedSpans();
    expect(call?.name).toBe('generate_content gemini-2.5-pro');
    expect(call?.attributes).toMatchObject({
      'gen_ai.provider.name': 'gcp.vertex_ai',
      'gen_ai.request.model': 'gemini-2.5-pro',
      'gen_ai.request.temperature': 0.1,
      'gen_ai.response.model': 'gemini-2.5-pro-002',
      'gen_ai.response.id': 'r1',
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 2,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"Hello"}]}]',
    });
    expect(streamed?.attributes['gen_ai.output.messages']).toBe(
      '[{"role":"assistant","parts":[{"type":"text","content":"ab"}],"finish_reason":"stop"}]',
    );
    expect(embedding?.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.usage.input_tokens': 4,
      'gen_ai.embeddings.dimension.count': 3,
    });
    expect(failed?.status).toMatchObject({ code: 2, message: 'quota' });
    expect(failed?.attributes['error.type']).toBe('429');
    instrumentation.disable();
    expect(Object.getOwnPropertyDescriptor(Models.prototype, 'generateContentInternal')?.value).not.toBe(
      wrapped?.value,
    );
    await models.generateContentInternal({ model: 'gemini-2.5-pro' } as never);
    expect(exporter.getFinishedSpans()).toHaveLength(4);
  });

  it('a module without the Models class it patches is refused with what is missing (the caller warns once)', async () => {
    const base = await import('@opentelemetry/instrumentation');
    const { createGoogleGenAIInstrumentation } = await import('../src/instrumentation/google-genai.js');
    const instrumentation = createGoogleGenAIInstrumentation(base, false);
    expect(() => instrumentation.manuallyInstrument({})).toThrow('the module has no Models class');
    expect(() => instrumentation.manuallyInstrument({ Models: class {} })).toThrow(
      'Models.generateContentInternal is not a function',
    );
  });
});

describe('Google GenAI: what cannot be read never fails the call', () => {
  it('a request and a response whose fields throw: the call answers as it would, its span has what could be read', async () => {
    const base = await import('@opentelemetry/instrumentation');
    const { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } = await import('@opentelemetry/sdk-trace');
    const exporter = new InMemorySpanExporter();
    const { createGoogleGenAIInstrumentation } = await import('../src/instrumentation/google-genai.js');
    const instrumentation = createGoogleGenAIInstrumentation(base, true);
    instrumentation.setTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
    const hostile = new Proxy(
      {},
      {
        // A promise resolved with it reads its then (as without the instrumentation); nothing else reads.
        get(_target, prop) {
          if (prop === 'then') return undefined;
          throw new Error('no reading me');
        },
      },
    );
    class Models {
      async generateContentInternal() {
        return hostile;
      }
      async generateContentStreamInternal() {
        return (async function* () {})();
      }
      async embedContentInternal() {
        return {};
      }
    }
    instrumentation.manuallyInstrument({ Models });
    expect(await new Models().generateContentInternal(hostile as never)).toBe(hostile);
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes['gen_ai.operation.name']).toBe('generate_content');
    instrumentation.disable();
  });
});
