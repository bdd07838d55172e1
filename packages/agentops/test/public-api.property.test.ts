/**
 * Property: whatever values users hand the public API (cycles, BigInt, symbols, functions, huge
 * strings, wrong types, bad ids and headers), no call throws and every recorded event is a valid,
 * ended span of the session.
 */

import { mapSpan } from '@agentops/exporter';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AppTracerProvider } from '../../../test/helpers/otel.js';
import * as agentops from '../src/index.js';

const memory = new InMemorySpanExporter();
let provider: AppTracerProvider;

beforeAll(() => {
  provider = new AppTracerProvider({
    spanProcessors: [
      new agentops.AgentOpsSpanProcessor({ logLevel: 'silent' }),
      new SimpleSpanProcessor({ exporter: memory }),
    ],
  });
  provider.register();
  agentops.init({ autoStartSession: false, handleExit: false, logLevel: 'silent' });
});
afterAll(async () => {
  await agentops.shutdown();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

function cyclic(): Record<string, unknown> {
  const a: Record<string, unknown> = { name: 'a' };
  a.self = a;
  a.list = [a, { back: a }];
  return a;
}

/** Anything a user might pass, including what JSON cannot encode. */
const wild = fc.oneof(
  fc.anything({
    withBigInt: true,
    withMap: true,
    withSet: true,
    withDate: true,
    withTypedArray: true,
    withNullPrototype: true,
  }),
  fc.constant(cyclic()),
  fc.constant(Symbol('s')),
  fc.constant(() => 1),
  fc.constant(10n ** 30n),
  fc.constant('x'.repeat(1_000_000)),
  fc.constant({
    toJSON() {
      throw new Error('no json for you');
    },
  }),
  fc.constant(
    Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    }),
  ),
);

const eventOf = fc.oneof(
  fc.record({
    kind: fc.constant('llm'),
    o: fc.dictionary(
      fc.constantFrom(
        'model',
        'prompt',
        'completion',
        'promptTokens',
        'completionTokens',
        'cost',
        'threadId',
        'provider',
        'params',
        'returns',
        'initTimestamp',
        'endTimestamp',
        'agentId',
        'id',
      ),
      wild,
    ),
  }),
  fc.record({
    kind: fc.constant('tool'),
    o: fc.dictionary(fc.constantFrom('name', 'params', 'returns', 'logs', 'initTimestamp', 'id'), wild),
  }),
  fc.record({
    kind: fc.constant('action'),
    o: fc.dictionary(fc.constantFrom('actionType', 'params', 'returns', 'logs', 'screenshot', 'endTimestamp'), wild),
  }),
  fc.record({
    kind: fc.constant('error'),
    o: fc.dictionary(fc.constantFrom('exception', 'errorType', 'code', 'details', 'logs', 'triggerEvent'), wild),
  }),
);

function build(e: { kind: string; o: Record<string, unknown> }) {
  const o = e.o as never;
  if (e.kind === 'llm') return new agentops.LLMEvent(o);
  if (e.kind === 'tool') return new agentops.ToolEvent(o);
  if (e.kind === 'action') return new agentops.ActionEvent(o);
  return new agentops.ErrorEvent(o);
}

function eventIdSent(span: Parameters<typeof mapSpan>[0]): string | undefined {
  const item = mapSpan(span, { price: () => undefined })[0];
  return item?.kind === 'event' ? item.event.id : undefined;
}

it('events built from arbitrary values record as valid spans, never throwing', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(eventOf, { maxLength: 6 }), async (events) => {
      memory.reset();
      const session = agentops.startSession();
      const built = events.map(build);
      for (const event of built) session.record(event);
      await session.endSession('Success');
      const spans = memory.getFinishedSpans().filter((s) => s.name !== 'agentops.session');
      expect(spans).toHaveLength(built.length);
      for (const span of spans) expect(span.attributes['agentops.event.id']).toMatch(/^[0-9a-f-]{36}$/);
      // Every event has a UUID, and it is the one its span is sent under.
      const sentIds = new Set(spans.map((span) => eventIdSent(span)));
      for (const event of built) {
        expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(sentIds.has(event.id)).toBe(true);
      }
      for (const span of spans) {
        expect(span.ended).toBe(true);
        expect(span.attributes['agentops.session.id']).toBe(session.id);
        expect(['llms', 'tools', 'actions', 'errors']).toContain(span.attributes['agentops.event.type']);
        for (const value of Object.values(span.attributes)) {
          if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(256 * 1024 + 20);
        }
      }
    }),
    { numRuns: 60 },
  );
});

it('every public call takes arbitrary arguments without throwing', async () => {
  await fc.assert(
    fc.asyncProperty(wild, wild, wild, async (a, b, c) => {
      const session = agentops.startSession(a as never);
      expect(() =>
        agentops.startSession({ inheritedSessionId: a as never, headers: b as never, tags: c as never }).detach(),
      ).not.toThrow();
      expect(() => session.record(a as never)).not.toThrow();
      expect(() => session.addTags(a as never)).not.toThrow();
      expect(() => session.setTags(b as never)).not.toThrow();
      expect(() => agentops.record(a as never)).not.toThrow();
      expect(() => agentops.addTags(b as never)).not.toThrow();
      expect(() => agentops.injectHeaders(a as never)).not.toThrow();
      expect(() => session.headers()).not.toThrow();
      expect(() => agentops.getSession(a as never)).not.toThrow();
      const tool = agentops.recordTool(a as never, (...args: unknown[]) => args.length);
      expect(session.run(() => tool(a, b, c))).toBe(3);
      await expect(session.endSession(a as never, b as never)).resolves.toMatch(/^\d+\.\d+$/);
      await expect(session.endSession('Success')).resolves.toMatch(/^\d+\.\d+$/);
      await expect(session.getAnalytics()).resolves.toMatchObject({ llmCalls: expect.any(Number) });
    }),
    { numRuns: 60 },
  );
});
