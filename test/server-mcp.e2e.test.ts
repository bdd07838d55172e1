/**
 * `agentops-server mcp` with the real MCP client (`@modelcontextprotocol/sdk`): over stdio (the
 * built CLI started as a coding agent starts it) and over Streamable HTTP (`POST /mcp` of the
 * server), both reading a project's sessions with its key. Two sessions are sent through the v2 API;
 * each tool's answer is checked against them, and bad arguments and a wrong key are refused clearly.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

const cli = fileURLToPath(new URL('../packages/server/dist/cli.js', import.meta.url));
const OK = '30000000-0000-4000-8000-000000000001';
const FAILED = '30000000-0000-4000-8000-000000000002';
const TOOL_CALL = '40000000-0000-4000-8000-000000000002';
const LONG = 'Paris is the capital of France. '.repeat(200);

let server: TestServer;

async function send(id: string, tags: string[], endState: string, events: Record<string, unknown>[]): Promise<void> {
  const init = '2026-12-01T10:00:00Z';
  const created = await server.post<{ jwt: string }>('/v2/create_session', {
    session: { session_id: id, init_timestamp: init, tags, user_id: 'user-7' },
  });
  expect(created.status).toBe(200);
  const auth = { authorization: `Bearer ${created.body.jwt}` };
  expect((await server.post('/v2/create_events', { events }, auth)).status).toBe(200);
  const ended = await server.post(
    '/v2/update_session',
    { session: { session_id: id, init_timestamp: init, end_timestamp: '2026-12-01T10:00:09Z', end_state: endState } },
    auth,
  );
  expect(ended.status).toBe(200);
}

beforeAll(async () => {
  server = await startTestServer();
  await send(OK, ['prod', 'chat'], 'Success', [
    {
      id: '40000000-0000-4000-8000-000000000001',
      event_type: 'llms',
      init_timestamp: '2026-12-01T10:00:01Z',
      end_timestamp: '2026-12-01T10:00:02Z',
      model: 'gpt-4o-mini',
      prompt_tokens: 120,
      completion_tokens: 800,
      completion: { role: 'assistant', content: LONG },
    },
  ]);
  await send(FAILED, ['prod'], 'Fail', [
    {
      id: TOOL_CALL,
      event_type: 'tools',
      init_timestamp: '2026-12-01T10:00:03Z',
      end_timestamp: '2026-12-01T10:00:04Z',
      name: 'search_flights',
      params: { from: 'CDG', to: 'JFK' },
    },
    {
      id: '40000000-0000-4000-8000-000000000003',
      event_type: 'errors',
      init_timestamp: '2026-12-01T10:00:04Z',
      end_timestamp: '2026-12-01T10:00:04Z',
      error_type: 'TimeoutError',
      details: 'the flights API did not answer in 30 s',
      trigger_event_id: TOOL_CALL,
      trigger_event_type: 'tools',
    },
  ]);
});
afterAll(async () => {
  await server.stop();
});

const TRANSPORTS = {
  stdio: () =>
    new StdioClientTransport({
      command: process.execPath,
      args: [cli, 'mcp', '--endpoint', server.url, '--api-key', server.apiKey],
      stderr: 'pipe',
    }),
  'Streamable HTTP': () =>
    new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${server.apiKey}` } },
    }),
};

/** A tool's answer: its JSON, or its error text. */
async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as {
    isError?: boolean;
    content: { type: string; text: string }[];
  };
  const text = result.content.map((c) => c.text).join('');
  return result.isError ? { error: text } : { json: JSON.parse(text) };
}

describe.each(Object.entries(TRANSPORTS))('over %s', (_name, transport) => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(transport());
  });
  afterAll(async () => {
    await client.close();
  });

  it('offers read-only tools, each with its argument schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'explain_failures',
      'get_overview',
      'get_session',
      'get_session_events',
      'list_sessions',
      'search_sessions',
    ]);
    for (const tool of tools) {
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
      expect(tool.inputSchema.type).toBe('object');
    }
  });

  it('lists and filters sessions', async () => {
    const all = await call(client, 'list_sessions', {});
    expect(all.json.total).toBe(2);
    const failed = await call(client, 'list_sessions', { end_state: 'Failure', tag: 'prod' });
    expect(
      failed.json.sessions.map((s: { session_id: string; end_state: string }) => [s.session_id, s.end_state]),
    ).toEqual([[FAILED, 'Failure']]);
    expect(
      (await call(client, 'list_sessions', { tag: 'chat' })).json.sessions.map(
        (s: { session_id: string }) => s.session_id,
      ),
    ).toEqual([OK]);
  });

  it('searches what the agents said and did, with the filters', async () => {
    const ids = async (args: Record<string, unknown>) =>
      (await call(client, 'search_sessions', args)).json.sessions.map((s: { session_id: string }) => s.session_id);
    expect(await ids({ query: 'capital France' })).toEqual([OK]);
    expect(await ids({ query: 'CDG JFK' })).toEqual([FAILED]);
    expect(await ids({ query: 'flights', end_state: 'Success' })).toEqual([]);
    expect(await ids({ query: 'timeouterror', end_state: 'Failure' })).toEqual([FAILED]);
    expect((await call(client, 'search_sessions', {})).error).toMatch(/bad arguments for search_sessions: .*query/);
  });

  it("a session in short, its events paged with long texts cut, and the project's overview", async () => {
    const summary = (await call(client, 'get_session', { session_id: OK })).json;
    expect(summary).toMatchObject({
      session_id: OK,
      end_state: 'Success',
      tags: ['prod', 'chat'],
      user_id: 'user-7',
      models: ['gpt-4o-mini'],
      stats: { llm_calls: 1, prompt_tokens: 120, completion_tokens: 800 },
    });
    const page = (await call(client, 'get_session_events', { session_id: OK, max_text: 50 })).json;
    expect(page.total).toBe(1);
    const completion = JSON.stringify(page.events[0].completion);
    expect(completion).toContain(`[cut: ${LONG.length} characters in all]`);
    expect(completion.length).toBeLessThan(200);
    const tools = (await call(client, 'get_session_events', { session_id: FAILED, kinds: ['tools'] })).json;
    expect(tools.events.map((e: { kind: string; name: string }) => [e.kind, e.name])).toEqual([
      ['tools', 'search_flights'],
    ]);
    const overview = (await call(client, 'get_overview', { from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' }))
      .json;
    expect(JSON.stringify(overview)).toContain('gpt-4o-mini');
  });

  it('explains a failure: the error and the tool call that raised it, with its arguments', async () => {
    const explained = (await call(client, 'explain_failures', { session_id: FAILED })).json;
    expect(explained).toMatchObject({ session_id: FAILED, end_state: 'Failure', errors: 1 });
    expect(explained.failures[0].error).toMatchObject({
      type: 'TimeoutError',
      details: 'the flights API did not answer in 30 s',
    });
    expect(explained.failures[0].triggered_by).toMatchObject({
      id: TOOL_CALL,
      kind: 'tools',
      name: 'search_flights',
      params: { from: 'CDG', to: 'JFK' },
    });
  });

  it('refuses bad arguments and an unknown session with a message the agent can act on', async () => {
    expect((await call(client, 'get_session', { session_id: 'not-a-uuid' })).error).toMatch(
      /bad arguments for get_session: .*session_id/,
    );
    expect((await call(client, 'list_sessions', { limit: 0 })).error).toMatch(/bad arguments for list_sessions/);
    expect((await call(client, 'get_session', { session_id: '30000000-0000-4000-8000-00000000dead' })).error).toMatch(
      /404/,
    );
  });
});

describe('a wrong key', () => {
  it('over Streamable HTTP: refused before MCP (401)', async () => {
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
      requestInit: { headers: { authorization: 'Bearer 00000000-0000-4000-8000-000000000000' } },
    });
    await expect(client.connect(transport)).rejects.toThrow(/401|Invalid API key/);
  });

  it('over stdio: each tool says the server refused the key', async () => {
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [cli, 'mcp', '--endpoint', server.url, '--api-key', '00000000-0000-4000-8000-000000000000'],
        stderr: 'pipe',
      }),
    );
    try {
      expect((await call(client, 'list_sessions', {})).error).toMatch(/401 Invalid API key/);
    } finally {
      await client.close();
    }
  });
});
