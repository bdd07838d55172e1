#!/usr/bin/env node
/** `agentops-server`: run the local AgentOps API, manage projects, read sessions. */
import { parseArgs } from 'node:util';
import { DEFAULT_DB_FILE } from '../app.js';
import { SERVER_VERSION } from '../version.js';
import { mcpCommand } from './mcp.js';
import { projectsCommand } from './projects.js';
import { retentionCommand } from './retention.js';
import { serveCommand } from './serve.js';
import { sessionsCommand } from './sessions.js';

const HELP = `agentops-server: a local AgentOps-compatible API with a SQLite or PostgreSQL store and a dashboard.

Usage:
  agentops-server [--port 8787] [--host 127.0.0.1] [--db ${DEFAULT_DB_FILE}] [--api-key KEY]
  agentops-server projects add NAME [--db FILE|URL]     prints the new project's API key
  agentops-server projects list [--db FILE|URL]
  agentops-server sessions list [--endpoint URL] [--api-key KEY] [--limit N] [--json]
  agentops-server sessions stats ID [--endpoint URL] [--api-key KEY]
  agentops-server sessions export ID [--endpoint URL] [--api-key KEY]
  agentops-server mcp [--endpoint URL] [--api-key KEY]  an MCP server on stdio over the project's
                   sessions (read-only: list, search, read, explain failures, overview); also at POST /mcp
                   of a running server (Streamable HTTP, the project's key as a bearer token)
  agentops-server retention [--dry-run] [--db FILE|URL] [--project ID|NAME]
                   applies the projects' retention policies now (a running server does every minute);
                   --dry-run says what would go
  agentops-server retention show | clear [--project ID|NAME] [--db FILE|URL]
  agentops-server retention set [--project ID|NAME] [--success 14d] [--fail 90d] [--indeterminate 90d]
                   [--unended 30d] [--payload-bytes 5GB]   keeps each kind of session that long after it
                   ended; past the payload budget the oldest ended sessions keep only metadata and totals

Options:
  --port N         port to listen on (0: any free port). Default 8787, or $PORT.
  --host H         address to bind. Default 127.0.0.1.
  --db FILE|URL    the store: a SQLite file, or a postgres:// URL that several instances may share.
                   Default $AGENTOPS_DATABASE_URL, else ${DEFAULT_DB_FILE}.
  --api-key KEY    on first start, the local project's key (default $AGENTOPS_API_KEY, else a new one);
                   for 'sessions' and 'mcp', the key to read with (default $AGENTOPS_API_KEY, else
                   the saved local key).
  --endpoint URL   for 'sessions' and 'mcp': the server to ask. Default $AGENTOPS_API_ENDPOINT, else
                   http://127.0.0.1:8787.
  --jwt-ttl S      lifetime of session tokens in seconds. Default 86400.
  --mask-file F    a JSON list of mask rules applied at ingest to everything stored (v2, OTLP,
                   evaluations, uploads); the SDK's rule format, names being the wire's field names.
  --json           for 'sessions list': the API's JSON instead of a table.
  --retention-interval S  seconds between the server's passes of the retention policies (0: none).
                   Default 60.
  -v, --version    the server's version.
  -h, --help       this text.
`;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      'api-key': { type: 'string' },
      endpoint: { type: 'string' },
      'jwt-ttl': { type: 'string' },
      'mask-file': { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      'retention-interval': { type: 'string' },
      project: { type: 'string' },
      'dry-run': { type: 'boolean' },
      success: { type: 'string' },
      fail: { type: 'string' },
      indeterminate: { type: 'string' },
      unended: { type: 'string' },
      'payload-bytes': { type: 'string' },
      version: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The exit code, or -1 when the server runs on (it exits when stopped). */
async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    // Node's own message names the option; ours says where to look.
    process.stderr.write(`agentops-server: ${(err as Error).message.split('. ')[0]}. See agentops-server --help.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return 0;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const db = values.db ?? (process.env.AGENTOPS_DATABASE_URL || DEFAULT_DB_FILE);
  const [command, sub, arg] = positionals;
  switch (command) {
    case undefined:
      await serveCommand({
        db,
        host: values.host,
        port: values.port,
        apiKey: values['api-key'],
        jwtTtl: values['jwt-ttl'],
        maskFile: values['mask-file'],
        retentionInterval: values['retention-interval'],
      });
      return -1;
    case 'projects':
      return projectsCommand(db, sub, arg);
    case 'sessions':
      return sessionsCommand(
        { db, apiKey: values['api-key'], endpoint: values.endpoint, limit: values.limit, json: values.json === true },
        sub,
        arg,
      );
    case 'retention':
      return retentionCommand(
        {
          db,
          project: values.project,
          dryRun: values['dry-run'] === true,
          keep: Object.fromEntries(
            (
              [
                ['Success', values.success],
                ['Fail', values.fail],
                ['Indeterminate', values.indeterminate],
                ['unended', values.unended],
              ] as const
            ).filter(([, v]) => v !== undefined),
          ),
          payloadBytes: values['payload-bytes'],
        },
        sub,
      );
    case 'mcp':
      return mcpCommand({ db, apiKey: values['api-key'], endpoint: values.endpoint });
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`agentops-server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
