// `pnpm example:mcp`: an agent calls a tool on an MCP server it starts over stdio; both processes
// run agentops.init() and nothing else of AgentOps. The request carries the session in its
// `params._meta`, so the server's handling of the call and the work inside its tool land in the
// agent's session, nested under the agent's tool call, into the local server.

import { startServer } from '@agentops/server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as agentops from 'agentops';
import { printSession } from '../report.mjs';

const apiKey = '00000000-0000-4000-8000-0000000000cc';
const server = await startServer({ port: 0, db: ':memory:', apiKey });

// The one line of AgentOps in the agent: its MCP requests are now recorded, and carry the session.
const session = agentops.init({ apiKey, endpoint: server.url, tags: ['mcp'] });

const client = new Client({ name: 'trip-planner', version: '1.0.0' });
await client.connect(
  new StdioClientTransport({
    command: process.execPath,
    args: [new URL('./weather-server.mjs', import.meta.url).pathname],
    env: { ...process.env, AGENTOPS_API_KEY: apiKey, AGENTOPS_API_ENDPOINT: server.url, AGENTOPS_LOG_LEVEL: 'warn' },
  }),
);
await client.listTools();
const result = await client.callTool({ name: 'get_weather', arguments: { city: 'Paris' } });
// Closing the connection ends the server process, which delivers what it recorded as it exits.
await client.close();
await session.endSession('Success');
await agentops.shutdown();

await printSession(server, apiKey, result.content[0].text, { sessionId: session.id, until: { toolCalls: 2 } });
await server.close();
