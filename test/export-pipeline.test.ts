/**
 * How recorded spans travel to the server: handed over each tick (and every 512 in a burst),
 * batched by the exporter, several batches in flight, the session update after the last event.
 * Real server, observed through the proxy in front of it.
 */

import { AgentOpsSpanExporter, type SessionExport } from '@agentops/exporter';
import * as agentops from 'agentops';
import { AgentOpsSpanProcessor } from 'agentops';
import { expect, it } from 'vitest';
import { AppTracerProvider } from './helpers/otel.js';
import { withProxiedServer } from './helpers/proxied-server.js';

const env = withProxiedServer();

function setup(
  exporterOptions: Partial<ConstructorParameters<typeof AgentOpsSpanExporter>[0]> = {},
  maxQueueSize = 10_000,
  processorQueueSize = maxQueueSize,
) {
  const exporter = new AgentOpsSpanExporter({
    apiKey: env.server.apiKey,
    endpoint: env.proxy.url,
    maxQueueSize,
    logger: env.logger,
    ...exporterOptions,
  });
  env.provider = new AppTracerProvider({
    spanProcessors: [new AgentOpsSpanProcessor({ exporter, maxQueueSize: processorQueueSize, logLevel: 'silent' })],
  });
  env.provider.register();
  const session = agentops.init({ handleExit: false, logLevel: 'silent' });
  if (!session) throw new Error('no session');
  return { exporter, session };
}

async function exported(id: string) {
  return (await env.server.get<SessionExport>(`/v2/sessions/${id}/export`)).body;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const eventCalls = () => env.proxy.requests.filter((r) => r.path === '/v2/create_events');

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`gave up waiting for ${what}`);
}

it('bursts far larger than a tick are handed over whole: the processor drops nothing', async () => {
  // The processor holds at most 5,000 spans; the app ends 3,000 per tick. Were spans handed over
  // slower than the app ends them, its queue would fill within two ticks.
  const { exporter, session } = setup({}, 100_000, 5000);
  for (let burst = 0; burst < 8; burst++) {
    for (let i = 0; i < 3000; i++) session.record(new agentops.ToolEvent({ name: `t-${burst}-${i}` }));
    await tick();
  }
  await session.endSession('Success');
  const e = await exported(session.id);
  expect(e.tools).toHaveLength(24_000);
  expect(new Set(e.tools.map((t) => t.name)).size).toBe(24_000);
  expect(exporter.stats().droppedQueueFull).toBe(0);
  expect(e.session.end_state).toBe('Success');
});

it("a full queue drops events, counted exactly, but never the session's own span", async () => {
  const { exporter, session } = setup({}, 100);
  for (let i = 0; i < 500; i++) session.record(new agentops.ToolEvent({ name: `t-${i}` }));
  await session.endSession('Success', 'done');
  const e = await exported(session.id);
  expect(e.tools).toHaveLength(100);
  expect(exporter.stats().droppedQueueFull).toBe(400);
  expect(e.session).toMatchObject({ end_state: 'Success', end_state_reason: 'done' });
});

it('events wait for a full batch until maxWaitTime, and a flush sends the rest at once', async () => {
  const { session } = setup({ maxBatchSize: 100, batchWaitMillis: 60_000 });
  for (let i = 0; i < 250; i++) session.record(new agentops.ToolEvent({ name: `t-${i}` }));
  await until(() => eventCalls().filter((r) => r.answeredAt !== undefined).length >= 2, 'two full batches stored');
  // The remaining 50 wait (for up to a minute) for more; a flush does not.
  expect(eventCalls()).toHaveLength(2);
  expect((await exported(session.id)).tools).toHaveLength(200);
  await agentops.flush();
  expect(eventCalls()).toHaveLength(3);
  expect((await exported(session.id)).tools).toHaveLength(250);
  await session.endSession('Success');
});

it('several batches are in flight at once, and the session update goes after the last of them', async () => {
  env.proxy.setFault(({ path }) => (path === '/v2/create_events' ? { kind: 'delay', ms: 100 } : { kind: 'pass' }));
  const { session } = setup({ maxBatchSize: 100, maxConcurrentRequests: 3 });
  for (let i = 0; i < 1000; i++) session.record(new agentops.ToolEvent({ name: `t-${i}` }));
  await session.endSession('Success');
  expect(env.proxy.maxInFlight).toBe(3);
  const lastEventAnswer = Math.max(...eventCalls().map((r) => r.answeredAt ?? Number.POSITIVE_INFINITY));
  const updates = env.proxy.requests.filter((r) => r.path === '/v2/update_session');
  expect(updates.length).toBeGreaterThan(0);
  expect(updates.at(-1)?.arrivedAt).toBeGreaterThan(lastEventAnswer);
  const e = await exported(session.id);
  expect(e.tools).toHaveLength(1000);
  expect(e.session.end_state).toBe('Success');
});

it('a batch holds at most 2 MB of JSON however many events fit the count', async () => {
  const { session } = setup({ batchWaitMillis: 60_000 });
  const big = 'x'.repeat(100 * 1024);
  for (let i = 0; i < 50; i++) session.record(new agentops.ToolEvent({ name: `big-${i}`, params: big }));
  // 50 events of 100 KB: not a full batch by count (200), but 5 MB is more than one body holds.
  await until(() => eventCalls().length >= 2, 'two batches full by size');
  await session.endSession('Success');
  expect(eventCalls().length).toBeGreaterThanOrEqual(3);
  const e = await exported(session.id);
  expect(e.tools).toHaveLength(50);
});

it('a fetch of the caller is used instead of the built-in transport when given', async () => {
  let calls = 0;
  const { session } = setup({
    fetch: (input, init) => {
      calls++;
      return fetch(input, init);
    },
  });
  session.record(new agentops.ActionEvent({ actionType: 'a' }));
  await session.endSession('Success');
  expect(calls).toBeGreaterThanOrEqual(3);
  expect((await exported(session.id)).actions).toHaveLength(1);
});
