/**
 * `agentops-server mcp`: a Model Context Protocol server over one project's sessions, read-only, so
 * a coding agent (Claude Code, Cursor, an IDE) can list, read and explain them. The tools (tools.ts)
 * read through the server's API with the project's key: over stdio from another process, or over
 * Streamable HTTP at `/mcp` of the server itself (mcp-route.ts).
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Ajv, type ValidateFunction } from 'ajv';
import { SERVER_VERSION } from '../version.js';
import type { ApiGet } from './reader.js';
import { TOOLS } from './tools.js';

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>(TOOLS.map((t) => [t.name, ajv.compile(t.inputSchema)]));

/** An MCP server whose tools read through `get`; connect it to a transport. */
export function createMcpServer(get: ApiGet): Server {
  // The low-level server: the tools' arguments are JSON Schemas, validated here with AJV.
  const server = new Server(
    { name: 'agentops-server', title: 'AgentOps sessions', version: SERVER_VERSION },
    {
      capabilities: { tools: {} },
      instructions:
        "Read-only access to one AgentOps project's recorded agent sessions: list, filter and search them, read one " +
        '(its summary, its events), see why one failed, and the totals over time. Costs are in USD.',
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: TOOLS.map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: t.inputSchema,
      annotations: { title: t.title, readOnlyHint: true, openWorldHint: false },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = TOOLS.find((t) => t.name === request.params.name);
    const validate = validators.get(request.params.name);
    if (!tool || !validate) return failed(`no tool named ${JSON.stringify(request.params.name)}`);
    const args = structuredClone(request.params.arguments ?? {});
    if (!validate(args)) return failed(`bad arguments for ${tool.name}: ${ajv.errorsText(validate.errors)}`);
    try {
      const result = await tool.run(get, args);
      return { content: [{ type: 'text', text: JSON.stringify(result, null, 2) }] };
    } catch (err) {
      return failed(err instanceof Error ? err.message : String(err));
    }
  });
  return server;
}

/** A tool's failure, as MCP wants it: a result the model reads, not a protocol error. */
function failed(message: string) {
  return { isError: true, content: [{ type: 'text' as const, text: message }] };
}
