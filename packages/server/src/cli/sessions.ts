/** `agentops-server sessions list | stats ID | export ID`: read sessions back from a running server. */
import { AgentOpsClient, ApiError } from '@agentops/exporter';
import { readSavedApiKey } from '../app.js';

export interface SessionsOptions {
  db: string;
  apiKey: string | undefined;
  endpoint: string | undefined;
  limit: string | undefined;
  /** Print the API's JSON as it is, not a table. */
  json: boolean;
}

interface ListedSession {
  session_id: string;
  init_timestamp: string;
  end_state: string | null;
  tags?: string[] | null;
  stats?: { events?: number; cost?: string };
}

/** The endpoint as a URL, or why it is not one. */
function endpointOf(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--endpoint is not a URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--endpoint must be http(s): ${text}`);
  return text.replace(/\/+$/, '');
}

export class UsageError extends Error {}

/** GET /v2/sessions; an answer other than 2xx becomes an ApiError with the server's message. */
async function listSessions(
  endpoint: string,
  apiKey: string,
  limit: number,
): Promise<{ total: number; sessions: ListedSession[] }> {
  let res: Response;
  try {
    res = await fetch(`${endpoint}/v2/sessions?limit=${limit}`, { headers: { 'x-agentops-api-key': apiKey } });
  } catch (err) {
    const cause =
      (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
    throw new ApiError(`cannot reach ${endpoint} (${cause})`, 0);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 200);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {}
    throw new ApiError(`GET /v2/sessions: ${res.status} ${message}`, res.status);
  }
  return JSON.parse(text) as { total: number; sessions: ListedSession[] };
}

function table(sessions: ListedSession[], total: number): string {
  const rows = sessions.map((s) => [
    s.session_id,
    s.init_timestamp.replace('T', ' ').slice(0, 19),
    s.end_state === 'Fail' ? 'Failure' : (s.end_state ?? 'Running'),
    String(s.stats?.events ?? ''),
    s.stats?.cost === undefined ? '' : `$${s.stats.cost}`,
    (s.tags ?? []).join(','),
  ]);
  const head = ['SESSION', 'STARTED (UTC)', 'END STATE', 'EVENTS', 'COST', 'TAGS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line), `${sessions.length} of ${total} sessions`].join('\n');
}

/** The server to read and the key to read with: the options, else the environment, else the local ones. */
export function readTarget(o: Pick<SessionsOptions, 'db' | 'apiKey' | 'endpoint'>): {
  apiKey: string;
  endpoint: string;
} {
  const apiKey = o.apiKey ?? process.env.AGENTOPS_API_KEY ?? readSavedApiKey(o.db);
  if (!apiKey) throw new UsageError('no API key: pass --api-key or set AGENTOPS_API_KEY');
  return { apiKey, endpoint: endpointOf(o.endpoint ?? process.env.AGENTOPS_API_ENDPOINT ?? 'http://127.0.0.1:8787') };
}

export async function sessionsCommand(
  o: SessionsOptions,
  sub: string | undefined,
  id: string | undefined,
): Promise<number> {
  try {
    const { apiKey, endpoint } = readTarget(o);
    const client = new AgentOpsClient({ apiKey, endpoint });
    let result: unknown;
    if (sub === 'list') {
      const limit = Number(o.limit ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new UsageError('--limit must be 1 to 200');
      const page = await listSessions(endpoint, apiKey, limit);
      if (!o.json) {
        process.stdout.write(`${table(page.sessions, page.total)}\n`);
        return 0;
      }
      result = page;
    } else if (sub === 'stats' && id) result = await client.getSessionStats(id);
    else if (sub === 'export' && id) result = await client.exportSession(id);
    else throw new UsageError('usage: agentops-server sessions list [--json] | stats ID | export ID');
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`agentops-server: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ApiError) {
      process.stderr.write(`agentops-server: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
