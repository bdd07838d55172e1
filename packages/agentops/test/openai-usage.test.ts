/**
 * The cached and reasoning tokens the OpenAI instrumentation leaves out, read beneath it from what
 * the client's `create` resolves: over a stand-in of the client's classes, wrapped by a stand-in of
 * the instrumentation that does what the real one does (its span active around the client's call,
 * its handler on the returned promise, which ends the span). The real client and instrumentation are
 * in the e2e tests (`llm-auto`).
 */

import { context, type Span, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAIUsageDetails } from '../src/instrumentation/openai-usage.js';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  contextManager.disable();
  context.disable();
});

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const instrumentationTracer = provider.getTracer('@opentelemetry/instrumentation-openai');
const appTracer = provider.getTracer('my-app');

type Create = (this: unknown, body: unknown) => Promise<unknown>;

/** A copy of the client: its classes' `create` resolve what `answer` gives for a request body. */
function fakeClient(answer: (body: unknown) => unknown) {
  class Completions {
    create(body: unknown) {
      return Promise.resolve(answer(body));
    }
  }
  class Responses {
    create(body: unknown) {
      return Promise.resolve(answer(body));
    }
  }
  // The client class with its resources' classes on it, naming itself as the real one does (its ES
  // module namespace's default export is the class).
  const OpenAI: { Chat: { Completions: typeof Completions }; Responses: typeof Responses; OpenAI?: unknown } = {
    Chat: { Completions },
    Responses,
  };
  OpenAI.OpenAI = OpenAI;
  return { OpenAI, Completions, Responses };
}

/** The instrumentation's wrapper, as the real one behaves: span active around the call, its handler after. */
function instrument(proto: { create: Create }): { spans: Span[] } {
  const spans: Span[] = [];
  const original = proto.create;
  proto.create = function (this: unknown, body: unknown) {
    const span = instrumentationTracer.startSpan('chat');
    spans.push(span);
    const promise = context.with(trace.setSpan(context.active(), span), () => original.call(this, body));
    promise.then(
      (value) => {
        const stream = value as { [Symbol.asyncIterator]?: unknown };
        // A stream's span ends when the stream does (the app drains it); a result's now.
        if (typeof stream?.[Symbol.asyncIterator] !== 'function') span.end();
      },
      () => span.end(),
    );
    return promise;
  };
  return { spans };
}

async function* items(...xs: unknown[]) {
  yield* xs;
}

async function drain(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const x of iterable) all.push(x);
  return all;
}

const details = (names: string[]) =>
  exporter
    .getFinishedSpans()
    .filter((s) => names.includes(s.name))
    .map((s) => [
      s.attributes['gen_ai.usage.cache_read.input_tokens'],
      s.attributes['gen_ai.usage.reasoning.output_tokens'],
    ]);

const chatUsage = { prompt_tokens_details: { cached_tokens: 16 }, completion_tokens_details: { reasoning_tokens: 3 } };
const responseUsage = { input_tokens_details: { cached_tokens: 1000 }, output_tokens_details: { reasoning_tokens: 8 } };

describe('OpenAI usage details, beneath the instrumentation', () => {
  it("writes the cached and reasoning tokens of results and of streams on the call's span before it ends", async () => {
    exporter.reset();
    const client = fakeClient((body) => {
      const b = body as { stream?: boolean; api: string };
      if (b.api === 'chat')
        return b.stream ? items({ choices: [] }, { choices: [], usage: chatUsage }) : { usage: chatUsage };
      return b.stream
        ? items(
            { type: 'response.created', response: { usage: null } },
            { type: 'response.completed', response: { usage: responseUsage } },
          )
        : { usage: responseUsage };
    });
    // Ours first, so beneath the instrumentation's.
    openAIUsageDetails.patch(client);
    const chat = instrument(client.Completions.prototype as { create: Create });
    const responses = instrument(client.Responses.prototype as { create: Create });
    const completions = new client.Completions() as unknown as { create: Create };
    const responder = new client.Responses() as unknown as { create: Create };

    await completions.create({ api: 'chat' });
    await responder.create({ api: 'responses' });
    const chunks = (await completions.create({ api: 'chat', stream: true })) as AsyncIterable<unknown>;
    expect(await drain(chunks)).toHaveLength(2);
    const events = (await responder.create({ api: 'responses', stream: true })) as AsyncIterable<unknown>;
    await drain(events);
    // The instrumentation ends a stream's span once the stream is drained: the details are there by then.
    chat.spans[1]?.end();
    responses.spans[1]?.end();
    expect(details(['chat'])).toEqual([
      [16, 3],
      [1000, 8],
      [16, 3],
      [1000, 8],
    ]);
  });

  it("writes nothing on a span that is not the instrumentation's (the app's, active while the instrumentation is off)", async () => {
    exporter.reset();
    const client = fakeClient(() => ({ usage: chatUsage }));
    openAIUsageDetails.patch(client);
    const completions = new client.Completions() as unknown as { create: Create };
    await appTracer.startActiveSpan('tool', async (span) => {
      await completions.create({});
      span.end();
    });
    expect(details(['tool'])).toEqual([[undefined, undefined]]);
  });

  it('leaves a result without details, with unreadable ones, or a failed call as it is; the app sees its own answer', async () => {
    exporter.reset();
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('no');
        },
      },
    );
    const answers: unknown[] = [
      { usage: { prompt_tokens: 3 } },
      { usage: hostile },
      { usage: { input_tokens_details: { cached_tokens: -1 } } },
    ];
    const client = fakeClient(() => answers.shift());
    openAIUsageDetails.patch(client);
    instrument(client.Completions.prototype as { create: Create });
    const completions = new client.Completions() as unknown as { create: Create };
    expect(await completions.create({})).toEqual({ usage: { prompt_tokens: 3 } });
    await completions.create({});
    await completions.create({});
    for (const span of exporter.getFinishedSpans()) {
      expect(Object.keys(span.attributes).filter((k) => k.startsWith('gen_ai.usage'))).toEqual([]);
    }
    expect(exporter.getFinishedSpans()).toHaveLength(3);
    // A call that fails fails for the app as it would have, with nothing of ours in the way.
    const failing = fakeClient(() => {
      throw new Error('429 rate limited');
    });
    (failing.Completions.prototype as { create: Create }).create = () => Promise.reject(new Error('429 rate limited'));
    openAIUsageDetails.patch(failing);
    instrument(failing.Completions.prototype as { create: Create });
    const call = (new failing.Completions() as unknown as { create: Create }).create({});
    await expect(call).rejects.toThrow('429 rate limited');
  });

  it("wraps each copy's create once, and unpatch puts back the client's own", () => {
    const client = fakeClient(() => ({}));
    const own = client.Completions.prototype.create;
    const ownResponses = client.Responses.prototype.create;
    openAIUsageDetails.patch(client);
    const wrapped = client.Completions.prototype.create;
    expect(wrapped).not.toBe(own);
    openAIUsageDetails.patch(client);
    expect(client.Completions.prototype.create).toBe(wrapped);
    openAIUsageDetails.unpatch(client);
    expect(client.Completions.prototype.create).toBe(own);
    expect(client.Responses.prototype.create).toBe(ownResponses);
    // An ES module namespace (its default export the client class) is the same client.
    openAIUsageDetails.patch({ default: client.OpenAI });
    expect(client.Completions.prototype.create).not.toBe(own);
    openAIUsageDetails.unpatch({ default: client.OpenAI });
    expect(client.Completions.prototype.create).toBe(own);
  });
});
