// The MCP server of `pnpm example:mcp`: a weather tool over stdio, with AgentOps' one line. Started
// by run.mjs, which passes it the AgentOps endpoint and key in its environment. Its lines go to
// stderr: stdout is the protocol's.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import * as agentops from 'agentops';
import { z } from 'zod';

// The one line of AgentOps in the server: a request that carries a session is recorded in it.
agentops.init({ tags: ['weather-mcp-server'] });

// A helper of the tool, wrapped: recorded inside the tool call, in the caller's session.
const forecast = agentops.recordTool('forecast_lookup', async (city) => `It is sunny in ${city}.`);

const server = new McpServer({ name: 'weather', version: '1.0.0' });
server.registerTool(
  'get_weather',
  { description: 'The weather in a city', inputSchema: { city: z.string() } },
  async ({ city }) => ({ content: [{ type: 'text', text: await forecast(city) }] }),
);
await server.connect(new StdioServerTransport());
process.stdin.on('end', async () => {
  await agentops.shutdown();
  process.exit(0);
});
