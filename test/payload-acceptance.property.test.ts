/**
 * Property: whatever users record, the mapping turns it into payloads the real server accepts.
 * Nothing is refused (exporter.stats().failed stays 0) and every event is in the export.
 */
import { AgentOpsSpanExporter, type Logger, type SessionExport } from '@agentops/exporter';
import * as agentops from 'agentops';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AppTracerProvider, resetOtelGlobals } from './helpers/otel.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let provider: AppTracerProvider;
let exporter: AgentOpsSpanExporter;
const errors: string[] = [];
const logger: Logger = { debug() {}, info() {}, warn: (m) => errors.push(m), error: (m) => errors.push(m) };

beforeAll(async () => {
  server = await startTestServer();
  exporter = new AgentOpsSpanExporter({ apiKey: server.apiKey, endpoint: server.url, logger });
  provider = new AppTracerProvider({
    spanProcessors: [new agentops.AgentOpsSpanProcessor({ exporter, maxWaitTime: 20 })],
  });
  provider.register();
  agentops.init({ autoStartSession: false, handleExit: false, logLevel: 'silent' });
});
afterAll(async () => {
  await agentops.shutdown();
  await provider.shutdown();
  resetOtelGlobals();
  await server.stop();
});

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constant('x'.repeat(300_000)),
  fc.constant("'; DROP TABLE events; --"),
);
const value = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt(),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);
const num = fc.oneof(fc.integer(), fc.double(), fc.constant(-1), fc.constant(Number.NaN), fc.constant(2 ** 60));
const time = fc.oneof(fc.date({ noInvalidDate: false }), fc.string(), fc.constant(undefined));

const event = fc.oneof(
  fc.record({
    kind: fc.constant('llm' as const),
    model: fc.option(text),
    prompt: value,
    completion: value,
    promptTokens: num,
    completionTokens: num,
    cost: num,
    threadId: fc.option(text),
    agentId: fc.option(text),
    initTimestamp: time,
  }),
  fc.record({
    kind: fc.constant('tool' as const),
    name: text,
    params: value,
    returns: value,
    logs: value,
    endTimestamp: time,
  }),
  fc.record({ kind: fc.constant('action' as const), actionType: text, params: value, screenshot: fc.option(text) }),
  fc.record({
    kind: fc.constant('error' as const),
    errorType: text,
    code: fc.option(text),
    details: fc.option(text),
    exception: value,
  }),
);

it('every recorded event reaches the server and none is refused', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(event, { minLength: 1, maxLength: 8 }),
      fc.array(text, { maxLength: 5 }),
      async (events, tags) => {
        errors.length = 0;
        const failedBefore = exporter.stats().failed;
        const session = agentops.startSession({ tags });
        for (const e of events) {
          const o = e as never;
          session.record(
            e.kind === 'llm'
              ? new agentops.LLMEvent(o)
              : e.kind === 'tool'
                ? new agentops.ToolEvent(o)
                : e.kind === 'action'
                  ? new agentops.ActionEvent(o)
                  : new agentops.ErrorEvent(o),
          );
        }
        await session.endSession('Success', 'r'.repeat(20_000));
        expect(errors).toEqual([]);
        expect(exporter.stats().failed).toBe(failedBefore);
        const exported = (await server.get<SessionExport>(`/v2/sessions/${session.id}/export`)).body;
        const count = exported.llms.length + exported.tools.length + exported.actions.length + exported.errors.length;
        expect(count).toBe(events.length);
        expect(exported.session.end_state).toBe('Success');
      },
    ),
    { numRuns: 40 },
  );
});
