/** `agentops-server sessions list | stats ID | export ID`: read sessions back from a running server. */
import { AgentOpsClient } from '@agentops/exporter';
import { readSavedApiKey } from '../app.js';

export interface SessionsOptions {
  db: string;
  apiKey: string | undefined;
  endpoint: string | undefined;
  limit: string | undefined;
}

export async function sessionsCommand(
  o: SessionsOptions,
  sub: string | undefined,
  id: string | undefined,
): Promise<number> {
  const apiKey = o.apiKey ?? process.env.AGENTOPS_API_KEY ?? readSavedApiKey(o.db);
  if (!apiKey) {
    process.stderr.write('no API key: pass --api-key or set AGENTOPS_API_KEY\n');
    return 2;
  }
  const endpoint = o.endpoint ?? process.env.AGENTOPS_API_ENDPOINT ?? 'http://127.0.0.1:8787';
  const client = new AgentOpsClient({ apiKey, endpoint });
  let result: unknown;
  if (sub === 'list') {
    const res = await fetch(`${endpoint}/v2/sessions?limit=${Number(o.limit ?? 50)}`, {
      headers: { 'x-agentops-api-key': apiKey },
    });
    result = await res.json();
  } else if (sub === 'stats' && id) result = await client.getSessionStats(id);
  else if (sub === 'export' && id) result = await client.exportSession(id);
  else {
    process.stderr.write('usage: agentops-server sessions list | stats ID | export ID\n');
    return 2;
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}
