import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionExport } from '@agentops/exporter';
import { type AgentOpsServer, type ServerOptions, startServer } from '@agentops/server';
import { testDatabase } from './stores.js';

export const TEST_API_KEY = '6f9ad3c0-1b2e-4c4d-9e8f-0a1b2c3d4e5f';

export interface TestServer extends AgentOpsServer {
  apiKey: string;
  dir: string;
  get<T = unknown>(path: string, apiKey?: string): Promise<{ status: number; body: T }>;
  post<T = unknown>(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  /** `GET /v2/sessions/:id/export` with the project's key; throws unless it answers 200. */
  exported(sessionId: string): Promise<SessionExport>;
  /**
   * The export once `done` holds of it, for a session other processes deliver to on their own
   * schedule; up to `timeoutMillis` (default 20 s), then the last export, for the test to judge.
   */
  exportedWhen(sessionId: string, done: (e: SessionExport) => boolean, timeoutMillis?: number): Promise<SessionExport>;
  stop(): Promise<void>;
}

/**
 * The real server on 127.0.0.1, a free port, and a fresh store: a SQLite file in a temp folder, or
 * under `pnpm test:postgres` a PostgreSQL database of its own.
 */
export async function startTestServer(
  options: ServerOptions = {},
  dir = mkdtempSync(join(tmpdir(), 'agentops-test-')),
): Promise<TestServer> {
  const database = options.db === undefined ? await testDatabase(join(dir, 'agentops.db')) : undefined;
  const server = await startServer({ db: database?.db, port: 0, apiKey: TEST_API_KEY, ...options });
  const apiKey = options.apiKey ?? TEST_API_KEY;
  async function request<T>(method: string, path: string, body: unknown, headers: Record<string, string>) {
    const res = await fetch(server.url + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed as T };
  }
  return {
    ...server,
    apiKey,
    dir,
    get: <T>(path: string, key = apiKey) => request<T>('GET', path, undefined, { 'x-agentops-api-key': key }),
    post: <T>(path: string, body: unknown, headers: Record<string, string> = { 'x-agentops-api-key': apiKey }) =>
      request<T>('POST', path, body, headers),
    async exported(sessionId: string) {
      const res = await request<SessionExport>('GET', `/v2/sessions/${sessionId}/export`, undefined, {
        'x-agentops-api-key': apiKey,
      });
      if (res.status !== 200) throw new Error(`export of ${sessionId}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async exportedWhen(sessionId: string, done: (e: SessionExport) => boolean, timeoutMillis = 20_000) {
      const until = Date.now() + timeoutMillis;
      let exported = await this.exported(sessionId);
      while (!done(exported) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        exported = await this.exported(sessionId);
      }
      return exported;
    },
    async stop() {
      await server.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
