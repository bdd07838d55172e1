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

/** A Proxy whose every trap throws (of an object, an array or a function). */
function hostileProxy<T extends object>(target: T): T {
  const trap = () => {
    throw new Error('hostile trap');
  };
  return new Proxy(target, {
    get: trap,
    set: trap,
    has: trap,
    ownKeys: trap,
    getOwnPropertyDescriptor: trap,
    getPrototypeOf: trap,
    defineProperty: trap,
    deleteProperty: trap,
    apply: trap,
    construct: trap,
    isExtensible: trap,
    preventExtensions: trap,
    setPrototypeOf: trap,
  });
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function deep(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let at = root;
  for (let i = 0; i < levels; i++) {
    const next: Record<string, unknown> = {};
    at.next = next;
    at = next;
  }
  return root;
}

/** An Error whose `name`, `message` and `stack` getters throw. */
function hostileError(): Error {
  const error = new Error('x');
  for (const key of ['stack', 'name', 'message']) {
    Object.defineProperty(error, key, {
      get() {
        throw new Error(`${key} getter`);
      },
    });
  }
  return error;
}

/** Values built to break whatever reads them. */
const HOSTILE: unknown[] = [
  hostileProxy({}),
  hostileProxy([]),
  hostileProxy(() => 1),
  revokedProxy(),
  Object.create(Date.prototype),
  Object.create(null),
  deep(100_000),
  hostileError(),
  {
    toJSON() {
      throw Object.create(null);
    },
  },
  // A thenable whose `then` getter throws.
  Object.defineProperty({}, 'then', {
    enumerable: true,
    get() {
      throw new Error('then getter');
    },
  }),
  [hostileProxy({}), 'tag'],
];

/**
 * fast-check inspects the values it generates (a Proxy's traps would throw inside it), so a hostile
 * value is generated as a reference and taken out (`real`) where the SDK is called.
 */
class HostileRef {
  constructor(readonly index: number) {}
}
const hostile = fc.nat({ max: HOSTILE.length - 1 }).map((i) => new HostileRef(i));

function real(value: unknown): unknown {
  return value instanceof HostileRef ? HOSTILE[value.index] : value;
}

/** Anything a user might pass, including what JSON cannot encode. */
const wild = fc.oneof(
  hostile,
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
        'cacheReadTokens',
        'cacheWriteTokens',
        'reasoningTokens',
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
  const o = Object.fromEntries(Object.entries(e.o).map(([k, v]) => [k, real(v)])) as never;
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
      for (const span of spans) expect(eventIdSent(span)).toMatch(/^[0-9a-f-]{36}$/);
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
    fc.asyncProperty(wild, wild, wild, async (ra, rb, rc) => {
      const [a, b, c] = [real(ra), real(rb), real(rc)];
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

it('wrappers return exactly what the function returned and rethrow exactly what it threw', async () => {
  const session = agentops.startSession();
  const wrappers = [agentops.recordTool, agentops.recordAction, agentops.trackAgent] as const;
  await fc.assert(
    fc.asyncProperty(wild, fc.constantFrom(0, 1, 2), async (generated, w) => {
      const value = real(generated);
      const wrap = wrappers[w] as (name: string, fn: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown;
      const returned = session.run(() => wrap('f', () => value)());
      expect(Object.is(returned, value)).toBe(true);
      let caught: unknown;
      try {
        session.run(() =>
          wrap('f', () => {
            throw value;
          })(),
        );
      } catch (err) {
        caught = err;
      }
      expect(Object.is(caught, value)).toBe(true);
      // An async function settles as it would unwrapped: same value, or same reason.
      const settle = (p: unknown) =>
        (p as Promise<unknown>).then(
          (v) => ({ ok: true, v }),
          (e: unknown) => ({ ok: false, v: e }),
        );
      const bare = async () => value;
      const [plain, traced] = await Promise.all([settle(bare()), settle(session.run(() => wrap('f', bare)()))]);
      expect(traced.ok).toBe(plain.ok);
      if (plain.ok) expect(Object.is(traced.v, plain.v)).toBe(true);
      else expect(String((traced.v as Error).message)).toBe(String((plain.v as Error).message));
    }),
    { numRuns: 80 },
  );
  await session.endSession('Success');
});

it('options objects that throw on every read are taken without throwing', async () => {
  const { resolveConfig } = await import('../src/config.js');
  const withThrowingGetter = Object.defineProperty({ apiKey: 'k', maxQueueSize: 7 }, 'endpoint', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  });
  expect(resolveConfig(withThrowingGetter as never, {})).toMatchObject({ apiKey: 'k', maxQueueSize: 7 });
  for (const options of [hostileProxy({}), revokedProxy()]) {
    expect(() => resolveConfig(options as never, {})).not.toThrow();
    const processor = new agentops.AgentOpsSpanProcessor(options as never);
    await processor.shutdown();
  }
  const session = agentops.startSession();
  expect(session.run(5 as never)).toBeUndefined();
  await session.endSession('Success');
});
