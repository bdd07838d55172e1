/**
 * `agentops-server mcp`: the MCP server on stdin/stdout, for a coding agent that starts it as a
 * command. It reads the project's sessions from a running server (`--endpoint`, default the local
 * one) with the project's key; the server need not be up yet when the agent starts it.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { httpGet } from '../mcp/reader.js';
import { createMcpServer } from '../mcp/server.js';
import { readTarget, type SessionsOptions, UsageError } from './sessions.js';

/** -1: it runs until its client closes stdin. */
export async function mcpCommand(o: Pick<SessionsOptions, 'db' | 'apiKey' | 'endpoint'>): Promise<number> {
  let target: { apiKey: string; endpoint: string };
  try {
    target = readTarget(o);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`agentops-server: ${err.message}\n`);
    return 2;
  }
  const server = createMcpServer(httpGet(target.endpoint, target.apiKey));
  await server.connect(new StdioServerTransport());
  // stdout is the protocol's: what is said goes to stderr.
  process.stderr.write(`agentops-server mcp: reading the sessions of ${target.endpoint} (read-only)\n`);
  return -1;
}
