#!/usr/bin/env node
/** `agentops-server`: run the local AgentOps API, manage projects, read sessions. */
import { parseArgs } from 'node:util';
import { AgentOpsClient } from '@agentops/exporter';
import { DEFAULT_DB_FILE, ensureLocalProject, readSavedApiKey, startServer } from './app.js';
import { createProject } from './auth/api-keys.js';
import { Store } from './db/Store.js';

const HELP = `agentops-server: a local AgentOps-compatible API with a SQLite store and a dashboard.

Usage:
  agentops-server [--port 8787] [--host 127.0.0.1] [--db ${DEFAULT_DB_FILE}] [--api-key KEY]
  agentops-server projects add NAME [--db FILE]     prints the new project's API key
  agentops-server projects list [--db FILE]
  agentops-server sessions list [--endpoint URL] [--api-key KEY] [--limit N]
  agentops-server sessions stats ID [--endpoint URL] [--api-key KEY]
  agentops-server sessions export ID [--endpoint URL] [--api-key KEY]

Options:
  --port N         port to listen on (0: any free port). Default 8787, or $PORT.
  --host H         address to bind. Default 127.0.0.1.
  --db FILE        SQLite database. Default ${DEFAULT_DB_FILE}.
  --api-key KEY    on first start, the local project's key (default $AGENTOPS_API_KEY, else a new one);
                   for 'sessions', the key to read with (default: the saved local key).
  --endpoint URL   for 'sessions': the server to ask. Default http://127.0.0.1:8787.
  --jwt-ttl S      lifetime of session tokens in seconds. Default 86400.
  -h, --help       this text.
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      'api-key': { type: 'string' },
      endpoint: { type: 'string' },
      'jwt-ttl': { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const db = values.db ?? DEFAULT_DB_FILE;
  const [command, sub, arg] = positionals;

  if (command === 'projects') {
    const store = new Store(db);
    try {
      if (sub === 'add' && arg) {
        ensureLocalProject(store, db);
        process.stdout.write(`${createProject(store, arg).apiKey}\n`);
        return 0;
      }
      if (sub === 'list') {
        for (const p of store.listProjects()) process.stdout.write(`${p.id}\t${p.name}\t${p.created_at}\n`);
        return 0;
      }
    } finally {
      store.close();
    }
    process.stderr.write('usage: agentops-server projects add NAME | projects list\n');
    return 2;
  }

  if (command === 'sessions') {
    const apiKey = values['api-key'] ?? process.env.AGENTOPS_API_KEY ?? readSavedApiKey(db);
    if (!apiKey) {
      process.stderr.write('no API key: pass --api-key or set AGENTOPS_API_KEY\n');
      return 2;
    }
    const endpoint = values.endpoint ?? process.env.AGENTOPS_API_ENDPOINT ?? 'http://127.0.0.1:8787';
    const client = new AgentOpsClient({ apiKey, endpoint });
    let result: unknown;
    if (sub === 'list') {
      const res = await fetch(`${endpoint}/v2/sessions?limit=${Number(values.limit ?? 50)}`, {
        headers: { 'x-agentops-api-key': apiKey },
      });
      result = await res.json();
    } else if (sub === 'stats' && arg) result = await client.getSessionStats(arg);
    else if (sub === 'export' && arg) result = await client.exportSession(arg);
    else {
      process.stderr.write('usage: agentops-server sessions list | stats ID | export ID\n');
      return 2;
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }

  if (command !== undefined) {
    process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
    return 2;
  }

  const server = await startServer({
    db,
    host: values.host,
    port: Number(values.port ?? process.env.PORT ?? 8787),
    apiKey: values['api-key'] ?? process.env.AGENTOPS_API_KEY,
    jwtTtlSeconds: values['jwt-ttl'] ? Number(values['jwt-ttl']) : undefined,
  });
  process.stdout.write(`AgentOps local server listening on ${server.url}\n`);
  process.stdout.write(`Dashboard: ${server.url}/\n`);
  if (server.createdApiKey) {
    process.stdout.write(`Created the local project. Its API key: ${server.createdApiKey}\n`);
    if (server.apiKeyFile) process.stdout.write(`(saved in ${server.apiKeyFile})\n`);
  } else if (server.apiKeyFile) {
    process.stdout.write(`API key of the local project: see ${server.apiKeyFile}\n`);
  }
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
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
