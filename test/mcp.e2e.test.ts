/**
 * Sessions across the Model Context Protocol, with the real `@modelcontextprotocol/sdk` and no code
 * beyond `init()` in each process: an agent (a child process) starts an MCP server over stdio (a
 * child of it) that also runs AgentOps. The client's requests are recorded (the tool call a tool
 * event, the listing and the resource read actions) and carry the session in `params._meta`; the
 * server joins it for each request, so its handling of the tool call and the LLM call and wrapped
 * tool inside the handler land in the client's session, nested under the client's tool call, from a
 * second process. A client without AgentOps leaves the server's work in the server's own session.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode, startService } from './helpers/child.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const app = fileURLToPath(new URL('./fixtures/mcp-client-app.mjs', import.meta.url));
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const runClient = async (env: Record<string, string> = {}) => {
  const r = await runNode(app, [], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    NODE_NO_WARNINGS: '1',
    ...env,
  });
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
    id?: string;
    tools: string[];
    answer: string;
    serverStderr: string;
  };
  expect(out.tools).toEqual(['get_weather']);
  expect(out.answer).toBe('sunny in Paris');
  return out;
};

it("the server's work lands in the client's session, under the client's tool call, from a second process", async () => {
  const out = await runClient();
  const id = out.id as string;
  const data = await server.exportedWhen(id, (e) => e.llms.length > 0 && e.tools.length >= 2);
  // The client's tool call (with its arguments and result) and the server's wrapped helper.
  const call = data.tools.find((t) => t.name === 'get_weather');
  expect(call).toMatchObject({ params: { city: 'Paris' } });
  // The call names the server it went to, as the server introduced itself; so do the listing and the read.
  expect(call?.peer).toEqual({ protocol: 'mcp', name: 'weather', version: '1.0.0' });
  for (const a of data.actions.filter((x) => x.action_type === 'tools/list' || x.action_type.startsWith('resources/')))
    expect(a.peer).toEqual({ protocol: 'mcp', name: 'weather', version: '1.0.0' });
  // The server's own work is no call to another side.
  expect(data.tools.find((t) => t.name === 'forecast_lookup')?.peer).toBeUndefined();
  expect(JSON.stringify(call?.returns)).toContain('sunny in Paris');
  const helper = data.tools.find((t) => t.name === 'forecast_lookup');
  expect(helper).toMatchObject({ params: 'Paris', returns: 'sunny in Paris' });
  // The listing and the resource read are actions of the client; the server's handling of the call one of its own.
  const actions = data.actions.map((a) => a.action_type);
  expect(actions).toEqual(
    expect.arrayContaining(['tools/list', 'resources/read weather://readme', 'MCP server: tools/call get_weather']),
  );
  // The LLM call made inside the tool's handler, in the server process.
  expect(data.llms.map((l) => [l.model, l.prompt_tokens])).toEqual([['gpt-4o-mini', 40]]);
  // Nested: the server's handling is under the client's tool call, the helper and the LLM call under the handling.
  const handling = data.actions.find((a) => a.action_type === 'MCP server: tools/call get_weather');
  expect(handling?.parent_span_id).toBe(call?.span_id);
  expect(helper?.parent_span_id).toBe(handling?.span_id);
  expect(data.llms[0]?.parent_span_id).toBe(handling?.span_id);
  // Two processes: each one's host is in the session.
  expect(data.session.tags).toEqual(expect.arrayContaining(['mcp-client']));
  // Nothing of AgentOps on the protocol channel: the client read every answer; the SDK's lines went to stderr.
  expect(out.serverStderr).toContain('AgentOps:');
});

it.each([
  ['Streamable HTTP', '--http', '/mcp'],
  ['HTTP+SSE (the older transport)', '--sse', '/sse'],
])('over %s: the same, the server a long-running process the client did not start', async (_transport, flag, path) => {
  const mcpServer = await startService(
    fileURLToPath(new URL('./fixtures/mcp-server.mjs', import.meta.url)),
    {
      AGENTOPS_API_KEY: server.apiKey,
      AGENTOPS_API_ENDPOINT: server.url,
      NODE_NO_WARNINGS: '1',
    },
    [flag],
  );
  try {
    const out = await runClient({ MCP_URL: `http://127.0.0.1:${mcpServer.port}${path}` });
    const data = await server.exportedWhen(out.id as string, (e) => e.llms.length > 0 && e.tools.length >= 2);
    const call = data.tools.find((t) => t.name === 'get_weather');
    expect(call?.peer).toEqual({ protocol: 'mcp', name: 'weather', version: '1.0.0' });
    const handling = data.actions.find((a) => a.action_type === 'MCP server: tools/call get_weather');
    expect(handling?.parent_span_id).toBe(call?.span_id);
    expect(data.tools.find((t) => t.name === 'forecast_lookup')?.parent_span_id).toBe(handling?.span_id);
    expect(data.llms.map((l) => l.parent_span_id)).toEqual([handling?.span_id]);
  } finally {
    await mcpServer.stop();
  }
});

it('a CommonJS client, which requires the MCP SDK after init(): the same', async () => {
  const r = await runNode(fileURLToPath(new URL('./fixtures/mcp-client-app.cjs', import.meta.url)), [], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    NODE_NO_WARNINGS: '1',
  });
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { id: string; answer: string };
  expect(out.answer).toBe('sunny in Paris');
  const data = await server.exportedWhen(out.id, (e) => e.llms.length > 0 && e.tools.length >= 2);
  const call = data.tools.find((t) => t.name === 'get_weather');
  const handling = data.actions.find((a) => a.action_type === 'MCP server: tools/call get_weather');
  expect(handling?.parent_span_id).toBe(call?.span_id);
  expect(data.llms.map((l) => l.parent_span_id)).toEqual([handling?.span_id]);
});

it('both sides started with NODE_OPTIONS=--import=agentops/register (their init() takes over): the same, patched through the ES module hook', async () => {
  // The client's stdio server inherits the client's environment, so both processes load through the hook.
  const register = import.meta.resolve('agentops/register');
  const out = await runClient({ NODE_OPTIONS: `--import=${register}` });
  const data = await server.exportedWhen(out.id as string, (e) => e.llms.length > 0 && e.tools.length >= 2);
  const call = data.tools.find((t) => t.name === 'get_weather');
  expect(call?.peer).toEqual({ protocol: 'mcp', name: 'weather', version: '1.0.0' });
  const handling = data.actions.find((a) => a.action_type === 'MCP server: tools/call get_weather');
  expect(handling?.parent_span_id).toBe(call?.span_id);
  // Each request recorded once, though the hook and init() could each have patched the SDK.
  expect(data.tools.filter((t) => t.name === 'get_weather')).toHaveLength(1);
  expect(data.actions.filter((a) => a.action_type === 'tools/list')).toHaveLength(1);
  expect(data.llms.map((l) => l.parent_span_id)).toEqual([handling?.span_id]);
});

it("a client without AgentOps: the server's work stays in the server's own session", async () => {
  const before = new Set(
    (await server.get<{ sessions: { session_id: string }[] }>('/v2/sessions')).body.sessions.map((s) => s.session_id),
  );
  await runClient({ CLIENT_AGENTOPS: 'off' });
  let added: string[] = [];
  for (let i = 0; i < 400 && added.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const { sessions } = (await server.get<{ sessions: { session_id: string; tags?: string[] }[] }>('/v2/sessions'))
      .body;
    added = sessions.filter((s) => !before.has(s.session_id)).map((s) => s.session_id);
  }
  expect(added).toHaveLength(1);
  const data = await server.exportedWhen(added[0] as string, (e) => e.llms.length > 0 && e.tools.length >= 2);
  expect(data.session.tags).toEqual(['mcp-server']);
  // The tool call handled is the server's own tool event; the LLM call and the helper with it.
  expect(data.tools.map((t) => t.name).sort()).toEqual(['forecast_lookup', 'get_weather']);
  expect(data.llms).toHaveLength(1);
  // Everything recorded inside the handler, the wrapped helper included, nests under the tool call handled.
  const handled = data.tools.find((t) => t.name === 'get_weather');
  expect(data.tools.find((t) => t.name === 'forecast_lookup')?.parent_span_id).toBe(handled?.span_id);
  expect(data.llms[0]?.parent_span_id).toBe(handled?.span_id);
});

it("patching and unpatching leave the SDK's classes as they were, and a second patch is no second wrapper", async () => {
  const { createMcpInstrumentation } = await import('../packages/agentops/src/integrations/mcp.js');
  const client = await import('@modelcontextprotocol/sdk/client/index.js');
  const serverModule = await import('@modelcontextprotocol/sdk/server/index.js');
  const before = {
    request: Object.getOwnPropertyDescriptor(client.Client.prototype, 'request'),
    inherited: client.Client.prototype.request,
    setRequestHandler: Object.getOwnPropertyDescriptor(serverModule.Server.prototype, 'setRequestHandler'),
  };
  const patcher = createMcpInstrumentation({
    tracerProvider: undefined,
    captureContent: true,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    joinSession: () => undefined,
    sessionOfNewWork: () => undefined,
  });
  patcher.patch(client);
  patcher.patch(serverModule);
  const patched = client.Client.prototype.request;
  expect(patched).not.toBe(before.inherited);
  patcher.patch(client);
  expect(client.Client.prototype.request).toBe(patched);
  patcher.unpatch(client);
  patcher.unpatch(serverModule);
  expect(Object.getOwnPropertyDescriptor(client.Client.prototype, 'request')).toEqual(before.request);
  expect(client.Client.prototype.request).toBe(before.inherited);
  expect(Object.getOwnPropertyDescriptor(serverModule.Server.prototype, 'setRequestHandler')).toEqual(
    before.setRequestHandler,
  );
  expect(() => patcher.patch({})).toThrow('the module exports no MCP Client or Server');
});
