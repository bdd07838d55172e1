/**
 * How the MCP tools read a project's sessions: through the server's own read API (`/v2/sessions`,
 * `/v2/sessions/:id/export`, `/v2/overview`) with the project's API key, so they see exactly what
 * that key may see and nothing is read a second way. Over HTTP from another process (the stdio
 * server), or in process through Fastify's `inject` (the `/mcp` route).
 */
import type { FastifyInstance } from 'fastify';

/** A GET of the read API; rejects with the server's message on any answer but 200. */
export type ApiGet = <T>(path: string) => Promise<T>;

export class ReadError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function failure(path: string, status: number, text: string): ReadError {
  let message = text.slice(0, 300);
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? message;
  } catch {
    // Not JSON: its start, as it is.
  }
  return new ReadError(`GET ${path.split('?')[0]}: ${status} ${message}`, status);
}

/** Over HTTP, to the server at `endpoint`. */
export function httpGet(endpoint: string, apiKey: string): ApiGet {
  const base = endpoint.replace(/\/+$/, '');
  return async <T>(path: string) => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { headers: { 'x-agentops-api-key': apiKey } });
    } catch (err) {
      const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : String(err);
      throw new ReadError(`cannot reach ${base} (${cause})`, 0);
    }
    const text = await res.text();
    if (res.status !== 200) throw failure(path, res.status, text);
    return JSON.parse(text) as T;
  };
}

/** In process, through the app's own routes, with the caller's credentials (an API key or a v3 token). */
export function injectGet(app: FastifyInstance, credentials: Record<string, string>): ApiGet {
  return async <T>(path: string) => {
    const res = await app.inject({ method: 'GET', url: path, headers: credentials });
    if (res.statusCode !== 200) throw failure(path, res.statusCode, res.body);
    return JSON.parse(res.body) as T;
  };
}
