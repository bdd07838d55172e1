/**
 * Full-text search with several instances on one PostgreSQL database: events stored through two
 * stores (each with its own pool, as each server instance has) into the same sessions at once are
 * found through either, each session once, and a session's tags replaced through one are searched
 * as replaced through the other. Ingest only queues what to index: the queue is indexed by the
 * instances, each entry once, and retention's removal of a session's words is never undone by an
 * instance indexing it at that moment. Run by `pnpm test:postgres`.
 */
import { openStore, type PostgresSearchQueue, PostgresStore, type Store } from '@agentops/server';
import pg from 'pg';
import { expect, it } from 'vitest';
import { instancesPerTest } from '../helpers/stores.js';

const instances = instancesPerTest(openStore, 'p');
const postgresInstances = instancesPerTest((url) => PostgresStore.open(url), 'p');

/** A batch of `count` tool events of a session, each holding `word` and its own `item{i}`. */
function toolEvents(sessionId: string, word: string, count: number, from = 0) {
  const at = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => ({
    payload: {
      id: `${sessionId}-${from + i}`,
      session_id: sessionId,
      event_type: 'tools' as const,
      name: 'lookup',
      params: { q: `${word} item${from + i}` },
      init_timestamp: at,
      end_timestamp: at,
    },
    cost: null,
  }));
}

const found = async (store: Store, q: string) =>
  (await store.listSessions('p', { limit: 50, offset: 0, q })).sessions.map((s) => s.session.session_id).sort();

async function count(store: PostgresStore, sql: string): Promise<number> {
  const { rows } = await store.pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM (${sql}) AS x`);
  return Number(rows[0]?.n);
}

it('ingest only queues what to index; two instances indexing the queue at once index each entry once', async () => {
  const [a, b] = await postgresInstances(2);
  const at = new Date().toISOString();
  const sessions = Array.from({ length: 12 }, (_, i) => `queued-${i}`);
  for (const [i, id] of sessions.entries()) {
    await (i % 2 ? a : b).upsertSession('p', { session_id: id, init_timestamp: at });
    // Three batches each: entries of one session taken by either instance.
    for (let k = 0; k < 3; k++) await (i % 2 ? b : a).insertEvents(id, toolEvents(id, `word${i}`, 40, k * 40));
  }
  // The batches' transactions wrote no words: 36 entries wait.
  expect(await count(a, 'SELECT 1 FROM search WHERE doc_id IS NOT NULL')).toBe(0);
  expect(await count(a, 'SELECT 1 FROM search_queue')).toBe(36);
  const drain = async (store: PostgresStore) => {
    let done = 0;
    for (let n = await store.search.step(); n > 0; n = await store.search.step()) done += n;
    return done;
  };
  const [byA, byB] = await Promise.all([drain(a), drain(b)]);
  // Every event read once between them, the queue empty, no document written twice.
  expect(byA + byB).toBe(12 * 3 * 40);
  expect(await count(a, 'SELECT 1 FROM search_queue')).toBe(0);
  expect(await count(a, 'SELECT doc_id FROM search WHERE doc_id IS NOT NULL GROUP BY doc_id HAVING COUNT(*) > 1')).toBe(
    0,
  );
  for (const [i, id] of sessions.entries()) expect(await found(i % 2 ? a : b, `word${i} item${80 + i}`)).toEqual([id]);
});

it('a search waits for what was stored before it; events gone or emptied before their turn are not indexed', async () => {
  const [a, b] = await postgresInstances(2);
  const at = new Date().toISOString();
  for (const id of ['kept', 'removed', 'emptied']) {
    await a.upsertSession('p', { session_id: id, init_timestamp: at });
    await a.insertEvents(id, toolEvents(id, `zulu${id}`, 5));
  }
  await a.pool.query(`DELETE FROM events WHERE session_id = 'removed'`);
  await a.pool.query(
    `UPDATE events SET data = jsonb_set(data::jsonb, '{payload_removed}', 'true')::text WHERE session_id = 'emptied'`,
  );
  // Through the other instance, nothing indexed yet by either: the search indexes what it waits for.
  expect(await found(b, 'zulukept')).toEqual(['kept']);
  expect(await found(b, 'zuluremoved')).toEqual([]);
  expect(await found(b, 'zuluemptied')).toEqual([]);
  expect(await count(a, 'SELECT 1 FROM search_queue')).toBe(0);
});

it("retention removing a session's words while an instance indexes its new events: the words stay removed", async () => {
  const [a, b] = await postgresInstances(2);
  const at = new Date().toISOString();
  await a.upsertSession('p', { session_id: 'raced', init_timestamp: at });
  await a.insertEvents('raced', toolEvents('raced', 'yankee', 5));
  // Retention's step empties the payloads, then removes the session's words (holding it first, as
  // unindexSessionEvents does)...
  const retention = await a.pool.connect();
  try {
    await retention.query('BEGIN');
    await retention.query(
      `UPDATE events SET data = jsonb_set(data::jsonb, '{payload_removed}', 'true')::text WHERE session_id = 'raced'`,
    );
    await retention.query(`SELECT 1 FROM sessions WHERE id = 'raced' FOR UPDATE`);
    await retention.query(`DELETE FROM search WHERE session_id = 'raced' AND doc_id IS NOT NULL`);
    // ...while the other instance takes the entry: it waits for the session, then reads what
    // retention left (not the payloads as they were before it, which it would index after the removal).
    const indexing = b.search.step();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await retention.query('COMMIT');
    expect(await indexing).toBe(5);
  } finally {
    retention.release();
  }
  expect(await count(a, `SELECT 1 FROM search WHERE session_id = 'raced' AND doc_id IS NOT NULL`)).toBe(0);
  expect(await found(a, 'yankee')).toEqual([]);
  expect(await found(a, 'lookup')).toEqual([]);
});

it('what two instances store at once is found through either, each session once', async () => {
  const [a, b] = (await instances(2)) as [Store, Store];
  const at = new Date().toISOString();
  const sessions = Array.from({ length: 6 }, (_, i) => `session-${i}`);
  // Each session written through both instances at once, batch after batch.
  await Promise.all(
    [a, b].map(async (store, k) => {
      for (const id of sessions) {
        await store.writeSession('p', id, {
          session: { session_id: id, init_timestamp: at, tags: [`tag${k}`] },
          start: at,
          agents: [],
          events: Array.from({ length: 20 }, (_, i) => ({
            payload: {
              id: `${id}-${k}-${i}`,
              session_id: id,
              event_type: 'tools' as const,
              name: 'lookup',
              params: { q: `${k === 0 ? 'alpha' : 'bravo'} ${id.replace('-', '')} item${i}` },
              init_timestamp: at,
              end_timestamp: at,
            },
            cost: null,
          })),
        });
      }
    }),
  );
  const found = async (store: Store, q: string) =>
    (await store.listSessions('p', { limit: 50, offset: 0, q })).sessions.map((s) => s.session.session_id).sort();
  for (const store of [a, b]) {
    expect(await found(store, 'alpha')).toEqual(sessions);
    expect(await found(store, 'bravo')).toEqual(sessions);
    expect(await found(store, 'bravo session3 item7')).toEqual(['session-3']);
    expect((await store.listSessions('p', { limit: 50, offset: 0, q: 'lookup' })).total).toBe(6);
  }
  // The tags last written win, whichever instance wrote them, and only they are found.
  await b.upsertSession('p', { session_id: 'session-0', init_timestamp: at, tags: ['renamed'] });
  expect(await found(a, 'renamed')).toEqual(['session-0']);
  expect(await found(a, 'tag0')).not.toContain('session-0');
  expect(await found(a, 'tag1')).not.toContain('session-0');
});

it('an instance indexes in the background what is stored, on its own thread, without a search; a failing database is said once', async () => {
  const [a, b] = await postgresInstances(2);
  const at = new Date().toISOString();
  a.indexInBackground();
  // On a thread of its own, with a connection of its own (the built server has the thread's script).
  expect(a.indexThreaded).toBe(true);
  await a.upsertSession('p', { session_id: 'background', init_timestamp: at });
  await a.insertEvents('background', toolEvents('background', 'xray', 30));
  const deadline = Date.now() + 10_000;
  while ((await count(a, 'SELECT 1 FROM search_queue')) > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await count(a, 'SELECT 1 FROM search_queue')).toBe(0);
  expect(await count(a, `SELECT 1 FROM search WHERE session_id = 'background' AND doc_id IS NOT NULL`)).toBe(1);
  const indexers = `SELECT 1 FROM pg_stat_activity WHERE application_name = 'agentops-server search index' AND datname = current_database()`;
  expect(await count(a, indexers)).toBe(1);
  await a.close();
  expect(await count(b, indexers)).toBe(0);

  // A pool that can no longer connect: each look fails, and it is said once, not at every look.
  const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1:1/none' });
  await pool.end();
  const errors: unknown[] = [];
  const Queue = a.search.constructor as new (pool: pg.Pool, onError: (err: unknown) => void) => PostgresSearchQueue;
  const failing = new Queue(pool, (err) => errors.push(err));
  failing.background();
  await new Promise((resolve) => setTimeout(resolve, 600));
  await failing.close();
  expect(errors).toHaveLength(1);
  expect(String(errors[0])).toMatch(/pool/i);
});

it("a search's own indexing that keeps failing is said once, as the background's is, and indexes once it can", async () => {
  const [a] = await postgresInstances(1);
  await a.upsertSession('p', { session_id: 'held', init_timestamp: new Date().toISOString() });
  await a.insertEvents('held', toolEvents('held', 'yodel', 5));
  // Another transaction holds the session as retention would: each step's wait for it times out.
  const holder = await a.pool.connect();
  await holder.query('BEGIN');
  await holder.query(`SELECT 1 FROM sessions WHERE id = 'held' FOR UPDATE`);
  const pool = new pg.Pool({ connectionString: a.pool.options.connectionString, lock_timeout: 50 });
  const errors: unknown[] = [];
  const Queue = a.search.constructor as new (pool: pg.Pool, onError: (err: unknown) => void) => PostgresSearchQueue;
  const queue = new Queue(pool, (err) => errors.push(err));
  try {
    await queue.caughtUp();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/lock/i);
    expect(await count(a, 'SELECT 1 FROM search_queue')).toBe(1);
    await holder.query('ROLLBACK');
    await queue.caughtUp();
    expect(await count(a, 'SELECT 1 FROM search_queue')).toBe(0);
    expect(errors).toHaveLength(1);
  } finally {
    holder.release();
    await queue.close();
    await pool.end();
  }
});
