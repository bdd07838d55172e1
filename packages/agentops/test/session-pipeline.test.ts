/**
 * The pieces behind AgentOpsSpanProcessor, alone: the pipeline each configuration gets, the tally
 * processor, and what the processor hands its one inner processor (masked or not). Fake timers and
 * in-memory exporters, no network.
 */
import { AgentOpsSpanExporter, HandOffSpanProcessor, type Logger, type Mask } from '@agentops/exporter';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../src/config.js';
import { AgentOpsSpanProcessor } from '../src/pipeline/AgentOpsSpanProcessor.js';
import { sessionPipeline } from '../src/pipeline/session-pipeline.js';
import type { SessionDirectory } from '../src/pipeline/stamping.js';
import { TallySpanProcessor } from '../src/pipeline/TallySpanProcessor.js';

const SESSION = '0af76519-16cd-43dd-8448-eb211c80319c';
const lines: string[] = [];
const logger: Logger = {
  debug: () => {},
  info: (m: string) => lines.push(`info ${m}`),
  warn: (m: string) => lines.push(`warn ${m}`),
  error: (m: string) => lines.push(`error ${m}`),
};

/** A finished LLM span of the session: gpt-4o, 1,000 prompt and 100 completion tokens. */
function llmSpan(model = 'gpt-4o'): ReadableSpan {
  return {
    name: `chat ${model}`,
    kind: SpanKind.CLIENT,
    startTime: [1714564800, 0],
    endTime: [1714564801, 0],
    duration: [1, 0],
    ended: true,
    status: { code: SpanStatusCode.UNSET },
    attributes: {
      'agentops.session.id': SESSION,
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': model,
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'secret-42' }] }]),
    },
    links: [],
    events: [],
    resource: { attributes: {} },
    instrumentationScope: { name: 'test' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }),
  } as unknown as ReadableSpan;
}

/**
 * An AgentOpsSpanProcessor over an inner processor that keeps what it is handed (as the pipeline
 * `init()` builds would be given), with `mask` and, when given, a session directory of the test's.
 */
function processorOver(takesMasked: boolean, mask: Mask | undefined, directory?: SessionDirectory) {
  const handed: ReadableSpan[] = [];
  const inner: SpanProcessor = {
    onStart: () => {},
    onEnd: (s) => handed.push(s),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const processor = new AgentOpsSpanProcessor({
    pipeline: {
      inner: {
        processor: inner,
        takesMasked,
        results: new TallySpanProcessor(logger).results,
        announcer: undefined,
        exporter: undefined,
      },
      mask,
      logger,
    },
    directory,
  });
  return { processor, handed };
}

beforeEach(() => {
  lines.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('sessionPipeline: one inner processor per configuration', () => {
  it('with no API key: a tally alone, nothing sent, spans counted unmasked', () => {
    const pipeline = sessionPipeline(resolveConfig({ apiKey: '', logLevel: 'silent' }), logger);
    expect(pipeline.processor).toBeInstanceOf(TallySpanProcessor);
    expect(pipeline.exporter).toBeUndefined();
    expect(pipeline.announcer).toBeUndefined();
    expect(pipeline.takesMasked).toBe(false);
    expect(lines.some((l) => l.startsWith('warn no API key'))).toBe(true);
  });

  it('with an API key: a hand-off processor over an AgentOps exporter, which announces and knows results', async () => {
    const pipeline = sessionPipeline(
      resolveConfig({ apiKey: 'k', endpoint: 'http://127.0.0.1:9', logLevel: 'silent' }),
      logger,
    );
    expect(pipeline.processor).toBeInstanceOf(HandOffSpanProcessor);
    expect(pipeline.exporter).toBeInstanceOf(AgentOpsSpanExporter);
    expect(pipeline.announcer).toBe(pipeline.exporter);
    expect(pipeline.results).toBe(pipeline.exporter);
    expect(pipeline.takesMasked).toBe(true);
    pipeline.exporter?.stats();
    // Nothing was exported: the shutdown has nothing to deliver to the port nobody listens on.
    await pipeline.processor.shutdown();
  });

  it("with protocol 'otlp': a tally in front of the cloud protocol's batch processor, which masks itself", async () => {
    const pipeline = sessionPipeline(
      resolveConfig({ apiKey: 'k', protocol: 'otlp', endpoint: 'http://127.0.0.1:9', logLevel: 'silent' }),
      logger,
    );
    expect(pipeline.processor).toBeInstanceOf(TallySpanProcessor);
    expect(pipeline.exporter).toBeUndefined();
    expect(pipeline.takesMasked).toBe(false);
    await pipeline.processor.shutdown();
  });
});

describe('TallySpanProcessor', () => {
  it("counts each finished span once, with the exporter's classification and prices, and passes it on", () => {
    const next = new InMemorySpanExporter();
    const seen: ReadableSpan[] = [];
    const nextProcessor: SpanProcessor = {
      onStart: () => {},
      onEnd: (s) => {
        seen.push(s);
        next.export([s], () => {});
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const tally = new TallySpanProcessor(logger, nextProcessor);
    tally.onEnd(llmSpan());
    tally.onEnd(llmSpan());
    const totals = tally.results.sessionTotals(SESSION);
    expect(totals).toMatchObject({ llmCalls: 2, promptTokens: 2000, completionTokens: 200 });
    // gpt-4o: $2.50 per million prompt tokens, $10 per million completion tokens.
    expect(totals?.costUsd).toBeCloseTo(2 * (1000 * 2.5e-6 + 100 * 10e-6), 9);
    expect(seen).toHaveLength(2);
    expect(tally.results.sessionUrl(SESSION)).toBeUndefined();
    expect(tally.results.sessionResult(SESSION)).toBeUndefined();
  });

  it('bounds a flush and a shutdown of what follows it by its timeout, and says so', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const never: SpanProcessor = {
      onStart: () => {},
      onEnd: () => {},
      forceFlush: () => new Promise<void>(() => {}),
      shutdown: () => Promise.reject(new Error('cannot stop')),
    };
    const tally = new TallySpanProcessor(logger, never, 500);
    const flushed = tally.forceFlush();
    await vi.advanceTimersByTimeAsync(500);
    await flushed;
    await tally.shutdown();
    expect(lines).toEqual([
      'warn flush gave up after 500 ms: spans may not have reached AgentOps.',
      'warn shutdown failed: Error: cannot stop',
    ]);
  });
});

describe('AgentOpsSpanProcessor hands its one inner processor', () => {
  const { mask } = resolveConfig({
    apiKey: '',
    logLevel: 'silent',
    mask: [{ match: /secret-\d+/, action: 'redact' }],
  });

  it('masked spans when it sends them as they are', async () => {
    const { processor, handed } = processorOver(true, mask);
    processor.onEnd(llmSpan());
    expect(String(handed[0]?.attributes['gen_ai.input.messages'])).toContain('[REDACTED]');
    expect(String(handed[0]?.attributes['gen_ai.input.messages'])).not.toContain('secret-42');
    await processor.shutdown();
  });

  it('the spans as they ended when nothing leaves, or the pipeline masks itself', async () => {
    const { processor, handed } = processorOver(false, mask);
    processor.onEnd(llmSpan());
    expect(String(handed[0]?.attributes['gen_ai.input.messages'])).toContain('secret-42');
    await processor.shutdown();
  });

  it('only sampled spans, and nothing after shutdown', async () => {
    const { processor, handed } = processorOver(true, mask);
    const provider = new TracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('t');
    (tracer.startSpan('kept') as Span).end();
    await processor.shutdown();
    (tracer.startSpan('after') as Span).end();
    expect(handed.map((s) => s.name)).toEqual(['kept']);
  });
});

describe('AgentOpsSpanProcessor stamps from the session directory it is given', () => {
  it("a span outside any session's context joins its trace's session, else the one open session", async () => {
    let only: { id: string } | undefined = { id: SESSION };
    const byTrace = new Map<string, { id: string }>();
    const { processor, handed } = processorOver(false, undefined, {
      byTraceId: (t) => byTrace.get(t),
      only: () => only,
    });
    const tracer = new TracerProvider({ spanProcessors: [processor] }).getTracer('t');
    (tracer.startSpan('alone') as Span).end();
    const parent = tracer.startSpan('parent') as Span;
    const other = '11111111-2222-4333-8444-555555555555';
    byTrace.set(parent.spanContext().traceId, { id: other });
    only = undefined;
    (tracer.startSpan('child', {}, trace.setSpan(context.active(), parent)) as Span).end();
    (tracer.startSpan('nowhere') as Span).end();
    parent.end();
    await processor.shutdown();
    const stamped = Object.fromEntries(handed.map((s) => [s.name, s.attributes['agentops.session.id']]));
    expect(stamped).toEqual({ alone: SESSION, child: other, nowhere: undefined, parent: SESSION });
  });
});

describe('AgentOpsSpanProcessor marks a client span of a framework model call as its duplicate', () => {
  const framework = { attributes: { 'openinference.span.kind': 'LLM', 'agentops.session.id': SESSION } };
  const client = {
    kind: SpanKind.CLIENT,
    attributes: { 'agentops.session.id': SESSION, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
  };
  const langchain = (provider: TracerProvider) =>
    provider.getTracer('@arizeai/openinference-instrumentation-langchain');

  it('while the framework call is open in the same session, and only in the processor that saw it start', async () => {
    const a = processorOver(false, undefined, { byTraceId: () => undefined, only: () => undefined });
    const b = processorOver(false, undefined, { byTraceId: () => undefined, only: () => undefined });
    const providerA = new TracerProvider({ spanProcessors: [a.processor] });
    const providerB = new TracerProvider({ spanProcessors: [b.processor] });
    const model = langchain(providerA).startSpan('ChatOpenAI', framework) as Span;
    (providerA.getTracer('openai').startSpan('chat gpt-4o', client) as Span).end();
    // The other pipeline never saw the framework's call: its client span is its own call.
    (providerB.getTracer('openai').startSpan('chat gpt-4o', client) as Span).end();
    model.end();
    (providerA.getTracer('openai').startSpan('chat gpt-4o', client) as Span).end();
    await Promise.all([a.processor.shutdown(), b.processor.shutdown()]);
    const duplicateOf = (spans: ReadableSpan[]) => spans.map((s) => s.attributes['agentops.llm.duplicate_of'] ?? null);
    expect(duplicateOf(a.handed)).toEqual([model.spanContext().spanId, null, null]);
    expect(duplicateOf(b.handed)).toEqual([null]);
  });

  it('not after the SDK forgot its open spans', async () => {
    const { processor, handed } = processorOver(false, undefined, {
      byTraceId: () => undefined,
      only: () => undefined,
    });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    langchain(provider).startSpan('ChatOpenAI', framework);
    processor.forgetOpenSpans();
    (provider.getTracer('openai').startSpan('chat gpt-4o', client) as Span).end();
    await processor.shutdown();
    expect(handed.map((s) => s.attributes['agentops.llm.duplicate_of'])).toEqual([undefined]);
  });
});
