/**
 * Sessions across Agent2Agent, with the real `@a2a-js/sdk` and no code beyond `init()` in each
 * process: an agent (a child process) delegates to a remote agent (another, an Express app serving
 * the A2A SDK's request handler). Each message is an action of the caller's session and carries the
 * session in the request's `metadata`; the remote agent joins it for the message, so the agent it is,
 * its LLM call (the real `openai` client) and its wrapped helper land in the caller's session, under
 * the caller's call, from a second process; streamed task updates and a failed task included. A
 * caller without AgentOps leaves the remote agent's work in the remote agent's own session.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode, type Service, startService } from './helpers/child.js';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const clientApp = fileURLToPath(new URL('./fixtures/a2a-client-app.mjs', import.meta.url));
let server: TestServer;
let fake: FakeOpenAI;
let agent: Service;

beforeAll(async () => {
  server = await startTestServer();
  fake = await startFakeOpenAI();
  agent = await startService(fileURLToPath(new URL('./fixtures/a2a-agent.mjs', import.meta.url)), {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    OPENAI_BASE_URL: fake.url,
    NODE_NO_WARNINGS: '1',
  });
});
afterAll(async () => {
  await agent?.stop();
  await fake?.close();
  await server?.stop();
});

interface ClientOut {
  id?: string;
  answer: string;
  streamedAnswer: string;
  streamed: string[];
  failedState: number;
}

async function runClient(env: Record<string, string> = {}): Promise<ClientOut> {
  const r = await runNode(clientApp, [], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    A2A_URL: `http://127.0.0.1:${agent.port}`,
    NODE_NO_WARNINGS: '1',
    ...env,
  });
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as ClientOut;
  // The app's own answers, whatever AgentOps does.
  expect(out.answer).toBe('sunny in Paris');
  expect(out.streamedAnswer).toBe('sunny in Paris');
  expect(out.streamed).toEqual(['task', 'statusUpdate', 'artifactUpdate', 'statusUpdate']);
  expect(out.failedState).toBe(4);
  return out;
}

const CALL = 'invoke_agent Weather Agent';

async function expectJoined(out: ClientOut) {
  const data = await server.exportedWhen(
    out.id as string,
    (e) => e.llms.length >= 2 && e.tools.length >= 2 && e.agents.length >= 1,
  );
  // The caller's three messages: actions, each with the message sent and the task answered.
  const calls = data.actions.filter((a) => a.action_type === CALL);
  expect(calls).toHaveLength(3);
  expect(JSON.stringify(calls[0]?.params)).toContain('What is the weather in Paris?');
  expect(JSON.stringify(calls[0]?.returns)).toContain('sunny in Paris');
  // Each call names the agent it went to, as its card introduced it.
  for (const c of calls) expect(c.peer).toEqual({ protocol: 'a2a', name: 'Weather Agent', version: '1.0.0' });
  // The remote agent is an agent of the caller's session; its LLM calls and helpers name it.
  expect(data.agents.map((a) => a.name)).toEqual(['Weather Agent', 'Weather Agent', 'Weather Agent']);
  const agentIds = new Set(data.agents.map((a) => a.id));
  expect(data.llms.map((l) => [l.model, l.prompt_tokens])).toEqual([
    ['gpt-4o-mini-2024-07-18', 24],
    ['gpt-4o-mini-2024-07-18', 24],
  ]);
  for (const event of [...data.llms, ...data.tools]) expect(agentIds.has(event.agent_id as string)).toBe(true);
  expect(data.tools.map((t) => [t.name, t.returns])).toEqual([
    ['forecast_lookup', 'sunny in Paris'],
    ['forecast_lookup', 'sunny in Paris'],
  ]);
  // Nested: each remote agent's span is a child of the caller's call, its work a child of the agent's span.
  expect(data.agents.map((a) => a.parent_span_id).sort()).toEqual(calls.map((c) => c.span_id).sort());
  const agentSpans = new Set(data.agents.map((a) => a.span_id));
  for (const event of [...data.llms, ...data.tools]) expect(agentSpans.has(event.parent_span_id as string)).toBe(true);
  // The failed task fails its call: an error event triggered by it.
  expect(data.errors.map((e) => [e.trigger_event_id, e.details])).toEqual([[calls[2]?.id, 'the remote task failed']]);
  // Two processes: the caller's events and the remote agent's come from different ones.
  const origins = new Set([...calls, ...data.llms].map((e) => `${e.origin?.host}:${e.origin?.pid}`));
  expect(origins.size).toBe(2);
  expect(data.session.tags).toEqual(['a2a-client']);
  return data;
}

it("over JSON-RPC: the remote agent's work lands in the caller's session, under the caller's call, from a second process", async () => {
  await expectJoined(await runClient());
});

it('over HTTP+JSON: the same', async () => {
  await expectJoined(await runClient({ A2A_TRANSPORT: 'rest' }));
});

it("a caller without AgentOps: the remote agent's work stays in its own session", async () => {
  await runClient({ CLIENT_AGENTOPS: 'off' });
  // The remote agent's own session, open since it started.
  let own: string | undefined;
  for (let i = 0; i < 400 && !own; i++) {
    const { sessions } = (await server.get<{ sessions: { session_id: string; tags?: string[] }[] }>('/v2/sessions'))
      .body;
    own = sessions.find((s) => s.tags?.includes('a2a-agent'))?.session_id;
    if (!own) await new Promise((r) => setTimeout(r, 50));
  }
  const data = await server.exportedWhen(own as string, (e) => e.llms.length >= 2 && e.tools.length >= 2);
  expect(data.session.tags).toEqual(['a2a-agent']);
  // No call of a caller: the remote agent's invocations, with their work under them.
  expect(data.actions).toEqual([]);
  expect(data.agents.map((a) => a.name)).toEqual(['Weather Agent', 'Weather Agent', 'Weather Agent']);
  expect(data.llms).toHaveLength(2);
  // Everything the executor recorded, wrappers included, under its agent and naming it.
  const agentSpans = new Set(data.agents.map((a) => a.span_id));
  const agentIds = new Set(data.agents.map((a) => a.id));
  for (const event of [...data.llms, ...data.tools]) {
    expect(agentSpans.has(event.parent_span_id as string)).toBe(true);
    expect(agentIds.has(event.agent_id as string)).toBe(true);
  }
});

it('a CommonJS caller, which requires the A2A SDK after init(): the same', async () => {
  const r = await runNode(fileURLToPath(new URL('./fixtures/a2a-client-app.cjs', import.meta.url)), [], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    A2A_URL: `http://127.0.0.1:${agent.port}`,
    NODE_NO_WARNINGS: '1',
  });
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { id: string; answer: string };
  expect(out.answer).toBe('sunny in Paris');
  const data = await server.exportedWhen(
    out.id,
    (e) => e.llms.length >= 1 && e.tools.length >= 1 && e.agents.length >= 1,
  );
  expect(data.actions.map((a) => a.action_type)).toEqual([CALL]);
  expect(data.agents.map((a) => a.name)).toEqual(['Weather Agent']);
  expect(data.llms.map((l) => l.parent_span_id)).toEqual([data.agents[0]?.span_id]);
  expect(data.session.tags).toEqual(['a2a-client-cjs']);
});

it("patching and unpatching leave the SDK's classes as they were, and a second patch is no second wrapper", async () => {
  const { createA2AInstrumentation } = await import('../packages/agentops/src/integrations/a2a.js');
  const clientModule = await import('@a2a-js/sdk/client');
  const serverModule = await import('@a2a-js/sdk/server');
  const descriptors = () => ({
    sendMessage: Object.getOwnPropertyDescriptor(clientModule.Client.prototype, 'sendMessage'),
    sendMessageStream: Object.getOwnPropertyDescriptor(clientModule.Client.prototype, 'sendMessageStream'),
    handle: Object.getOwnPropertyDescriptor(serverModule.DefaultRequestHandler.prototype, 'sendMessage'),
    handleStream: Object.getOwnPropertyDescriptor(serverModule.DefaultRequestHandler.prototype, 'sendMessageStream'),
  });
  const before = descriptors();
  const patcher = createA2AInstrumentation({
    tracerProvider: undefined,
    captureContent: true,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    joinSession: () => undefined,
    sessionOfNewWork: () => undefined,
  });
  patcher.patch(clientModule);
  patcher.patch(serverModule);
  const patched = clientModule.Client.prototype.sendMessage;
  expect(patched).not.toBe(before.sendMessage?.value);
  expect(serverModule.DefaultRequestHandler.prototype.sendMessageStream).not.toBe(before.handleStream?.value);
  patcher.patch(clientModule);
  expect(clientModule.Client.prototype.sendMessage).toBe(patched);
  patcher.unpatch(clientModule);
  patcher.unpatch(serverModule);
  expect(descriptors()).toEqual(before);
  expect(() => patcher.patch({})).toThrow('the module exports no A2A Client or DefaultRequestHandler');
});
