/**
 * Sessions across services where service B is an ordinary OpenTelemetry app: NodeSDK with HTTP
 * instrumentation and AgentOpsSpanProcessor, nothing else. A starts the session; B's spans land in it.
 */
import { fileURLToPath } from 'node:url';
import type { SessionExport } from 'agentops';
import * as agentops from 'agentops';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Service, startService } from './helpers/child.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let serviceB: Service;

beforeAll(async () => {
  server = await startTestServer();
  serviceB = await startService(fileURLToPath(new URL('./fixtures/nodesdk-service.cjs', import.meta.url)), {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  });
});

afterAll(async () => {
  await serviceB?.stop();
  await agentops.shutdown();
  await server.stop();
});

it("B's GenAI spans, made under its HTTP server span, arrive in A's session", async () => {
  const session = agentops.init({ apiKey: server.apiKey, endpoint: server.url, handleExit: false, logLevel: 'silent' });
  if (!session) throw new Error('no session');
  session.record(new agentops.ActionEvent({ actionType: 'call-service-b' }));
  const res = await fetch(`http://127.0.0.1:${serviceB.port}/work`, { headers: agentops.injectHeaders() });
  expect(await res.text()).toBe('ok');
  await session.endSession('Success');

  let exported = (await server.get<SessionExport>(`/v2/sessions/${session.id}/export`)).body;
  for (let i = 0; i < 100 && (exported.llms.length < 1 || exported.tools.length < 1); i++) {
    await new Promise((r) => setTimeout(r, 50));
    exported = (await server.get<SessionExport>(`/v2/sessions/${session.id}/export`)).body;
  }
  expect(exported.actions.map((a) => a.action_type)).toEqual(['call-service-b']);
  expect(exported.llms).toHaveLength(1);
  expect(exported.llms[0]).toMatchObject({ model: 'gpt-4o-mini', prompt_tokens: 50, origin: { service: 'service-b' } });
  expect(exported.tools.map((t) => t.name)).toEqual(['lookup']);
  expect(exported.tools[0]?.parent_span_id).toBe(exported.llms[0]?.span_id);
  // B's HTTP server span is not agent work: it is not sent.
  expect(exported.actions).toHaveLength(1);
  expect(exported.session.end_state).toBe('Success');
});
