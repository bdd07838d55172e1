/**
 * Each test of a file gets a real store (SQLite in memory, or PostgreSQL under `pnpm test:postgres`),
 * a project with its API key, and the server's app on that store (driven with Fastify's inject),
 * all closed after the test. The fields are the current test's.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach } from 'vitest';
import { openTestStore } from '../../../test/helpers/stores.js';
import { buildApp } from '../src/app.js';
import { createProject } from '../src/auth/api-keys.js';
import { openStore } from '../src/db/open-store.js';
import type { Store } from '../src/db/Store.js';

export interface AppUnderTest {
  store: Store;
  app: FastifyInstance;
  apiKey: string;
  projectId: string;
  /** The API key as the header that carries it. */
  key: Record<string, string>;
}

export function appPerTest(): AppUnderTest {
  const current = {} as AppUnderTest;
  let closeStore: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const opened = await openTestStore(openStore);
    closeStore = opened.close;
    const made = await createProject(opened.store, 'test');
    Object.assign(current, {
      store: opened.store,
      apiKey: made.apiKey,
      projectId: made.project.id,
      key: { 'x-agentops-api-key': made.apiKey },
      app: await buildApp(opened.store, { publicUrl: () => 'http://local' }),
    });
  });
  afterEach(async () => {
    await current.app?.close();
    await closeStore?.();
  });
  return current;
}

/** Creates session `sessionId` (started 2024-05-01 12:00 UTC) with the project's key; its JWT. */
export async function sessionJwt(t: AppUnderTest, sessionId: string): Promise<string> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v2/create_session',
    headers: t.key,
    payload: { session: { session_id: sessionId, init_timestamp: '2024-05-01T12:00:00Z' } },
  });
  return r.json<{ jwt: string }>().jwt;
}
