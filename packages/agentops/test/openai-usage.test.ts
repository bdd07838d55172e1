/**
 * The cached and reasoning tokens the OpenAI instrumentation leaves out, added where it reads each
 * result; and what happens with a version that reads results elsewhere.
 */
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { recordOpenAIUsageDetails } from '../src/instrumentation/openai-usage.js';

const warned: string[] = [];
const logger = { debug() {}, info() {}, warn: (m: string) => warned.push(m), error() {} };

/** A tracer whose finished spans `finished()` gives, once exported. */
function recording() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('t');
  return {
    span: () => tracer.startSpan('chat'),
    finished: async () => {
      await provider.forceFlush();
      return exporter.getFinishedSpans();
    },
  };
}

async function drain(iterator: AsyncIterable<unknown>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const x of iterator) all.push(x);
  return all;
}

/** Stands in for the instrumentation's methods: each ends the span, as the real ones do. */
function fakeInstrumentation() {
  return {
    _onChatCompletionsCreateResult: (span: { end(): void }) => span.end(),
    _onResponsesCreateResult: (span: { end(): void }) => span.end(),
    async *_onChatCompletionsStreamIterator(iterator: AsyncIterable<unknown>, span: { end(): void }) {
      for await (const chunk of iterator) yield chunk;
      span.end();
    },
    async *_onResponsesStreamIterator(iterator: AsyncIterable<unknown>, span: { end(): void }) {
      for await (const event of iterator) yield event;
      span.end();
    },
  };
}

async function* items(...xs: unknown[]) {
  yield* xs;
}

describe('recordOpenAIUsageDetails', () => {
  it('writes the cached and reasoning tokens of results and of streams before the span ends', async () => {
    const r = recording();
    const instrumentation = fakeInstrumentation();
    expect(recordOpenAIUsageDetails(instrumentation, logger)).toBe(true);
    const chat = { prompt_tokens_details: { cached_tokens: 16 }, completion_tokens_details: { reasoning_tokens: 3 } };
    const response = { input_tokens_details: { cached_tokens: 1000 }, output_tokens_details: { reasoning_tokens: 8 } };
    instrumentation._onChatCompletionsCreateResult(r.span(), 0, {}, { usage: chat });
    instrumentation._onResponsesCreateResult(r.span(), 0, {}, { usage: response });
    const chunks = instrumentation._onChatCompletionsStreamIterator(items({ choices: [] }, { usage: chat }), r.span());
    expect((await drain(chunks)).length).toBe(2);
    const events = instrumentation._onResponsesStreamIterator(
      items(
        { type: 'response.created', response: { usage: null } },
        { type: 'response.completed', response: { usage: response } },
      ),
      r.span(),
    );
    await drain(events);
    const details = (await r.finished()).map((s) => [
      s.attributes['gen_ai.usage.cache_read.input_tokens'],
      s.attributes['gen_ai.usage.reasoning.output_tokens'],
    ]);
    expect(details).toEqual([
      [16, 3],
      [1000, 8],
      [16, 3],
      [1000, 8],
    ]);
  });

  it('leaves a result without details, or with unreadable ones, as it is', async () => {
    const r = recording();
    const instrumentation = fakeInstrumentation();
    recordOpenAIUsageDetails(instrumentation, logger);
    instrumentation._onChatCompletionsCreateResult(r.span(), 0, {}, { usage: { prompt_tokens: 3 } });
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('no');
        },
      },
    );
    instrumentation._onChatCompletionsCreateResult(r.span(), 0, {}, { usage: hostile });
    instrumentation._onResponsesCreateResult(
      r.span(),
      0,
      {},
      { usage: { input_tokens_details: { cached_tokens: -1 } } },
    );
    const finished = await r.finished();
    for (const span of finished) {
      expect(Object.keys(span.attributes).filter((k) => k.startsWith('gen_ai.usage'))).toEqual([]);
    }
    expect(finished).toHaveLength(3);
  });

  it('with a version that reads results elsewhere, says so once and changes nothing', () => {
    warned.length = 0;
    const other = { _onChatCompletionsCreateResult() {} };
    expect(recordOpenAIUsageDetails(other, logger)).toBe(false);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('_onResponsesCreateResult');
    expect(Object.keys(other)).toEqual(['_onChatCompletionsCreateResult']);
  });
});
