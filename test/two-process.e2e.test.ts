/**
 * A session that spans two processes: A starts it and calls B over HTTP with injectHeaders();
 * B joins from the headers. Both processes' events arrive in one session, which keeps A's end state.
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
  serviceB = await startService(fileURLToPath(new URL('./fixtures/service-b.mjs', import.meta.url)), {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
  });
});

afterAll(async () => {
  await serviceB?.stop();
  await agentops.shutdown();
  await server.stop();
});

it('B joins A’s session from traceparent + baggage, and both processes’ events arrive in it', async () => {
  const session = agentops.init({
    apiKey: server.apiKey,
    endpoint: server.url,
    logLevel: 'silent',
    handleExit: false,
    tags: ['two-process'],
  });
  if (!session) throw new Error('no session');
  session.record(
    new agentops.LLMEvent({ model: 'gpt-4o', promptTokens: 100, completionTokens: 10, completion: 'from A' }),
  );

  const headers = agentops.injectHeaders();
  expect(headers.traceparent).toMatch(new RegExp(`^00-${session.id.replaceAll('-', '')}-[0-9a-f]{16}-01$`));
  expect(headers.baggage).toContain(`agentops.session.id=${session.id}`);
  expect(JSON.stringify(headers)).not.toContain(server.apiKey);

  const answer = (await (await fetch(`http://127.0.0.1:${serviceB.port}/q?x=1`, { headers })).json()) as {
    sessionId: string;
  };
  expect(answer.sessionId).toBe(session.id);

  const cost = await session.endSession('Success', 'A finished');
  // B answers before its telemetry is delivered (as a service should), so its events may land after A's end.
  let exported = (await server.get<SessionExport>(`/v2/sessions/${session.id}/export`)).body;
  for (let i = 0; i < 100 && exported.llms.length < 2; i++) {
    await new Promise((r) => setTimeout(r, 50));
    exported = (await server.get<SessionExport>(`/v2/sessions/${session.id}/export`)).body;
  }
  expect(exported.session).toMatchObject({
    end_state: 'Success',
    end_state_reason: 'A finished',
    tags: ['two-process'],
  });
  expect(exported.llms.map((e) => e.completion)).toEqual(
    expect.arrayContaining([
      { role: 'assistant', content: 'from A' },
      { role: 'assistant', content: 'from B' },
    ]),
  );
  expect(exported.tools.map((t) => t.name)).toEqual(['lookup']);
  const pids = new Set([...exported.llms, ...exported.tools].map((e) => e.origin?.pid));
  expect(pids.size).toBe(2);
  expect(pids.has(process.pid)).toBe(true);
  // B joined and detached: the session's host is still A's.
  expect(exported.session.host_env).toMatchObject({ Process: { PID: process.pid } });
  expect(Number(cost)).toBeGreaterThan(0);
  expect(Number(exported.stats.cost)).toBeGreaterThanOrEqual(Number(cost));
});
