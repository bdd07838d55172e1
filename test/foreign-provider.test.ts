/** init() in an app that registered its own tracer provider without AgentOpsSpanProcessor. */
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { SessionExport } from 'agentops';
import * as agentops from 'agentops';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { captureConsole } from './helpers/logs.js';
import { AppTracerProvider } from './helpers/otel.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await agentops.shutdown();
  await server.stop();
});

it('keeps the app provider global, records into a private one, and says once how to add the processor', async () => {
  const appSpans = new InMemorySpanExporter();
  // Every span started in the app's provider, ended or not.
  const started: string[] = [];
  const watcher = {
    onStart: (span: { name: string }) => void started.push(span.name),
    onEnd: () => {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const appProvider = new AppTracerProvider({
    spanProcessors: [watcher, new SimpleSpanProcessor({ exporter: appSpans })],
  });
  appProvider.register();
  const logs = captureConsole();
  let session: agentops.Session | undefined;
  try {
    session = agentops.init({ apiKey: server.apiKey, endpoint: server.url, handleExit: false, logLevel: 'warn' });
    session?.record(new agentops.ToolEvent({ name: 'private' }));
    await session?.endSession('Success');
  } finally {
    logs.restore();
  }
  const advice = logs.lines.filter((l) => l.includes('AgentOpsSpanProcessor'));
  expect(advice).toHaveLength(1);
  expect(logs.lines.filter((l) => /duplicate registration/i.test(l))).toEqual([]);
  // The app's provider is still the global one, and none of the SDK's spans went to it.
  const probe = trace.getTracer('app').startSpan('app-span');
  probe.end();
  expect(appSpans.getFinishedSpans().map((s) => s.name)).toEqual(['app-span']);
  // Finding the app's provider started no span in it (not even one never ended).
  expect(started).toEqual(['app-span']);
  const exported = (await server.get<SessionExport>(`/v2/sessions/${session?.id}/export`)).body;
  expect(exported.tools.map((t) => t.name)).toEqual(['private']);
  await appProvider.shutdown();
});
