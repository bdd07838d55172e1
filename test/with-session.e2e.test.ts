/**
 * withSession() in the shapes route handlers take: a Cloudflare-style fetch handler whose delivery
 * goes to `ctx.waitUntil` (the answer is not held back), a 5xx response ending its session as a
 * Failure, and a streamed response whose body closes only once its session, with what was recorded
 * while streaming, is delivered.
 */

import type { SessionExport } from 'agentops';
import * as agentops from 'agentops';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { resetOtelGlobals } from './helpers/otel.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  resetOtelGlobals();
  server = await startTestServer();
  agentops.init({
    apiKey: server.apiKey,
    endpoint: server.url,
    autoStartSession: false,
    handleExit: false,
    logLevel: 'warn',
  });
});
afterAll(async () => {
  await agentops.shutdown();
  await server.stop();
  resetOtelGlobals();
});

const stored = async (id: string) => (await server.get<SessionExport>(`/v2/sessions/${id}/export`)).body;
const llm = () => new agentops.LLMEvent({ model: 'gpt-4o-mini', promptTokens: 10, completionTokens: 2 });

it("a fetch handler with ctx.waitUntil: the answer goes at once, the session's delivery to waitUntil", async () => {
  let sessionId = '';
  const fetchHandler = agentops.withSession(async (request: Request, _env: unknown, _ctx: unknown) => {
    sessionId = agentops.getSession()?.id ?? '';
    agentops.record(llm());
    return new Response(`hello ${new URL(request.url).pathname}`);
  });
  const handedOver: Promise<unknown>[] = [];
  const ctx = { waitUntil: (work: Promise<unknown>) => handedOver.push(work) };
  const response = await fetchHandler(new Request('http://worker.test/hi'), {}, ctx);
  expect(await response.text()).toBe('hello /hi');
  // Handed over, not waited for: still under way when the answer was given.
  expect(handedOver).toHaveLength(1);
  let delivered = false;
  void handedOver[0]?.then(() => (delivered = true));
  await Promise.resolve();
  expect(delivered).toBe(false);
  await Promise.all(handedOver);
  const s = await stored(sessionId);
  expect(s.session.end_state).toBe('Success');
  expect(s.llms).toHaveLength(1);
});

it('a 5xx response ends its session as a Failure, delivered before its body closes', async () => {
  let sessionId = '';
  const handler = agentops.withSession(async () => {
    sessionId = agentops.getSession()?.id ?? '';
    return new Response('upstream down', { status: 502 });
  });
  const response = await handler();
  expect(response.status).toBe(502);
  expect(await response.text()).toBe('upstream down');
  const s = await stored(sessionId);
  expect([s.session.end_state, s.session.end_state_reason]).toEqual(['Fail', 'HTTP 502']);
});

it('a streamed response: what is recorded while streaming is in the session, delivered before the body closes', async () => {
  let sessionId = '';
  const handler = agentops.withSession(async () => {
    const session = agentops.getSession();
    sessionId = session?.id ?? '';
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode('Paris '));
        await new Promise((r) => setTimeout(r, 20));
        // The model's usage arrives with the stream's end, after the handler returned.
        session?.record(llm());
        controller.enqueue(encoder.encode('is sunny'));
        controller.close();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/plain' } });
  });
  const response = await handler();
  expect(response.headers.get('content-type')).toBe('text/plain');
  expect(await response.text()).toBe('Paris is sunny');
  // Read the moment the body closed: the session is there, ended, with the LLM call.
  const s = await stored(sessionId);
  expect(s.session.end_state).toBe('Success');
  expect(s.llms).toHaveLength(1);
});

it('options of the wrong kind are left out (said once) and the call keeps its session; a handler that is no function is refused', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    let sessionId = '';
    const handler = agentops.withSession(
      async () => {
        sessionId = agentops.getSession()?.id ?? '';
        agentops.record(llm());
        return { statusCode: 200 };
      },
      { deliveryBudgetMillis: 'soon', waitUntil: 42, tags: ['kept'] } as unknown as agentops.WithSessionOptions,
    );
    expect(await handler()).toEqual({ statusCode: 200 });
    const said = [...warn.mock.calls, ...error.mock.calls].map((c) => String(c.join(' ')));
    expect(
      said.filter((l) => l.includes('withSession: waitUntil, deliveryBudgetMillis are not of the right kind')),
    ).toHaveLength(1);
    const s = await stored(sessionId);
    expect([s.session.end_state, s.session.tags, s.llms.length]).toEqual(['Success', ['kept'], 1]);
  } finally {
    warn.mockRestore();
    error.mockRestore();
  }
  expect(() => agentops.withSession('not a function' as unknown as () => void)).toThrow(
    'withSession(handler): the handler must be a function',
  );
});
