/**
 * A slow PostgreSQL: a table locked by another client, or every connection of the pool taken.
 * Requests are answered 503 with Retry-After (the SDK backs off on it) within the lock and pool
 * timeouts, instead of hanging until their sockets close, and `/ready` says the database does not
 * answer while `/health` says the process does. Run by `pnpm test:postgres`.
 */
import { randomUUID } from 'node:crypto';
import type { PostgresStore } from '@agentops/server';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

it('a locked sessions table: requests that need it answer 503 with Retry-After, and go on once it is free', async () => {
  const id = randomUUID();
  const session = { session: { session_id: id, init_timestamp: new Date().toISOString() } };
  const url = (server.store as PostgresStore).pool.options.connectionString as string;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE');
    const [created, listed] = await Promise.all([
      server.post('/v2/create_session', session),
      server.get('/v2/sessions'),
    ]);
    for (const r of [created, listed]) {
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({
        message: expect.stringMatching(/the database is not answering in time \(55P03\)/),
      });
    }
    const res = await fetch(`${server.url}/v2/sessions`, { headers: { 'x-agentops-api-key': server.apiKey } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
  } finally {
    await client.query('ROLLBACK');
    await client.end();
  }
  expect((await server.post('/v2/create_session', session)).status).toBe(200);
});

it('every pooled connection taken: /ready answers 503 saying why, /health 200; then ready again', async () => {
  const pool = (server.store as PostgresStore).pool;
  const held = await Promise.all(Array.from({ length: pool.options.max ?? 10 }, () => pool.connect()));
  try {
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'unavailable',
      reason: expect.stringMatching(/did not answer/),
    });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const list = await fetch(`${server.url}/v2/sessions`, { headers: { 'x-agentops-api-key': server.apiKey } });
    expect(list.status).toBe(503);
    expect(list.headers.get('retry-after')).toBe('2');
  } finally {
    for (const c of held) c.release();
  }
  const again = await fetch(`${server.url}/ready`);
  expect(again.status).toBe(200);
  expect(await again.json()).toEqual({ status: 'ready' });
});
