/**
 * PostgreSQL keeps events and their search words in a partition per day (the day their session was
 * first stored), and retention drops a past day whose sessions have all had their time, instead of
 * deleting its rows: once across instances, never while a session of the day is kept, and a session
 * of a dropped day that sends again is stored afresh. A database of the schema before is moved into
 * its days. Run by `pnpm test:postgres`.
 */
import { openStore, PostgresStore, runRetention, type Store, wholeDays } from '@agentops/server';
import pg from 'pg';
import { afterEach, expect, it, vi } from 'vitest';
import { retentionCommand } from '../../packages/server/src/cli/retention.js';
import { POSTGRES_MIGRATIONS } from '../../packages/server/src/db/postgres-schema.js';
import { freshPostgresDatabase, instancesPerTest, selectRows } from '../helpers/stores.js';

const DAY = 86_400_000;
const A = 'project-a';
const B = 'project-b';
const instances = instancesPerTest(openStore, A);

afterEach(() => {
  vi.useRealTimers();
});

/** The day partitions of the events table, by name. */
async function partitions(store: Store, table = 'events'): Promise<string[]> {
  const rows = await selectRows<{ name: string }>(
    store,
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = '${table}'::regclass ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

const partitionOf = (ms: number, table = 'events') =>
  `${table}_${new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')}`;

function events(sessionId: string, n: number, at: string, word = 'quokka', from = 0) {
  return Array.from({ length: n }, (_, i) => ({
    payload: {
      id: `${sessionId}-${String(from + i).padStart(5, '0')}`,
      event_type: 'llms' as const,
      model: 'gpt-4o-mini',
      prompt: `question ${i} about the ${word}`,
      completion: `answer ${i}`,
      init_timestamp: at,
      end_timestamp: at,
    },
    cost: 0.001,
  }));
}

/** A session written `daysAgo` days ago (the server's clock then), ended then unless `ended` is false. */
async function writtenAgo(store: Store, projectId: string, id: string, daysAgo: number, n: number, ended = true) {
  const then = Date.now() - daysAgo * DAY;
  vi.useFakeTimers({ toFake: ['Date'], now: then });
  try {
    const at = new Date(then).toISOString();
    await store.writeSession(projectId, id, {
      session: { session_id: id, init_timestamp: at, ...(ended ? { end_timestamp: at, end_state: 'Success' } : {}) },
      start: at,
      agents: [],
      events: events(id, n, at),
    });
  } finally {
    vi.useRealTimers();
  }
  return then;
}

it('drops a past day whose sessions have all had their time, once across instances, and keeps a day with a session in its time', async () => {
  const [a, b, c] = (await instances(3)) as [Store, Store, Store];
  await a.addProject({ id: B, name: B, key_hash: 'h2', created_at: new Date().toISOString() });
  // Forty days ago: five sessions of A, all ended then.
  let old = 0;
  for (let i = 0; i < 5; i++) old = await writtenAgo(a, A, `old-${i}`, 40, 30);
  // Thirty-five days ago: two sessions of A, and one of B (which has no policy: it keeps everything).
  let mixed = 0;
  for (let i = 0; i < 2; i++) mixed = await writtenAgo(a, A, `mixed-${i}`, 35, 20);
  await writtenAgo(a, B, 'kept-by-b', 35, 10);
  // Thirty-eight days ago a session began that is still running: a batch of its events today goes to its day.
  const running = await writtenAgo(a, A, 'running', 38, 5, false);
  const now = new Date().toISOString();
  await a.writeSession(A, 'running', { start: now, agents: [], events: events('running', 3, now, 'wombat', 5) });

  const before = await partitions(a);
  expect(before).toEqual(expect.arrayContaining([partitionOf(old), partitionOf(mixed), partitionOf(running)]));
  expect(Number((await selectRows<{ n: string }>(a, `SELECT COUNT(*) AS n FROM ${partitionOf(running)}`))[0]?.n)).toBe(
    8,
  );

  await a.setRetentionPolicy(A, { keep_days: { Success: 7, unended: 30 } });
  // What `retention --dry-run` says goes whole: forty days ago only.
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  expect(await wholeDays(a)).toEqual([iso(old)]);
  const printed: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((text) => printed.push(String(text)) > 0);
  try {
    const options = { db: a.location, project: undefined, dryRun: true, keep: {}, payloadBytes: undefined };
    expect(await retentionCommand(options, undefined)).toBe(0);
  } finally {
    write.mockRestore();
  }
  expect(printed.join('')).toContain(`days that would go whole (partitions dropped): ${iso(old)}\n`);
  const works = await Promise.all([a, b, c].map((s) => runRetention(s, { stepLimit: 25 })));

  // Every expired session and event of A went once; forty days ago went as a partition.
  const sum = (k: 'deleted_sessions' | 'deleted_events') => works.reduce((n, w) => n + w[k], 0);
  expect(sum('deleted_sessions')).toBe(7);
  expect(sum('deleted_events')).toBe(5 * 30 + 2 * 20);
  const after = await partitions(a);
  expect(after).not.toContain(partitionOf(old));
  expect(await partitions(a, 'search')).not.toContain(partitionOf(old, 'search'));
  // B's session keeps its day (A's sessions of that day went row by row); the running session keeps its.
  expect(after).toEqual(expect.arrayContaining([partitionOf(mixed), partitionOf(running)]));
  for (const id of ['old-0', 'old-4', 'mixed-0', 'mixed-1']) expect(await b.getSession(A, id)).toBeUndefined();
  expect(Number((await b.sessionTotals('kept-by-b'))?.llm_calls)).toBe(10);
  expect(Number((await b.sessionTotals('running'))?.llm_calls)).toBe(8);
  expect(
    (await b.listSessions(A, { limit: 10, offset: 0, q: 'wombat' })).sessions.map((s) => s.session.session_id),
  ).toEqual(['running']);
  expect((await b.listSessions(B, { limit: 10, offset: 0, q: 'quokka' })).total).toBe(1);
  // Nothing of the dropped sessions is left in the tables beside the events.
  const left = await selectRows<{ n: string }>(
    a,
    `SELECT COUNT(*) AS n FROM session_models WHERE session_id LIKE 'old-%' OR session_id LIKE 'mixed-%'`,
  );
  expect(Number(left[0]?.n)).toBe(0);

  // A session of the dropped day that sends again is a new session, stored on today.
  await a.writeSession(A, 'old-0', { start: now, agents: [], events: events('old-0', 2, now) });
  expect(Number((await a.sessionTotals('old-0'))?.llm_calls)).toBe(2);
  expect(await partitions(a)).not.toContain(partitionOf(old));
});

it('keeps a past day when one of its sessions is kept by its own policy, and when retention runs for another project only', async () => {
  const [a] = (await instances(1)) as [Store];
  await a.addProject({ id: B, name: B, key_hash: 'h2', created_at: new Date().toISOString() });
  const day = await writtenAgo(a, A, 'a-old', 20, 10);
  await writtenAgo(a, B, 'b-old', 20, 10);
  await a.setRetentionPolicy(A, { keep_days: { Success: 7 } });
  // B keeps Success 30 days: its session of twenty days ago keeps the day, A's goes by rows.
  await a.setRetentionPolicy(B, { keep_days: { Success: 30 } });
  const first = await runRetention(a);
  expect(first).toMatchObject({ deleted_sessions: 1, deleted_events: 10 });
  expect(await partitions(a)).toContain(partitionOf(day));
  // Run for A alone, B's session keeps the day even once B's own time for it has passed.
  await a.setRetentionPolicy(B, { keep_days: { Success: 7 } });
  expect(await wholeDays(a, { projectId: A })).toEqual([]);
  expect(await wholeDays(a)).toEqual([new Date(day).toISOString().slice(0, 10)]);
  expect(await runRetention(a, { projectId: A })).toMatchObject({ deleted_sessions: 0 });
  expect(await partitions(a)).toContain(partitionOf(day));
  // Run for all, the day goes whole.
  expect(await runRetention(a)).toMatchObject({ deleted_sessions: 1, deleted_events: 10 });
  expect(await partitions(a)).not.toContain(partitionOf(day));
});

it('leaves the sessions of a day that all reach their time within a day to go whole with it', async () => {
  const [a] = (await instances(1)) as [Store];
  // Two sessions first stored eight days ago: one ended then, one (its client's end) six and a half days ago.
  const day = await writtenAgo(a, A, 'ended-then', 8, 10);
  vi.useFakeTimers({ toFake: ['Date'], now: day + 60_000 });
  try {
    const end = new Date(Date.now() + 1.5 * DAY - 60_000).toISOString();
    const at = new Date().toISOString();
    await a.writeSession(A, 'ended-later', {
      session: { session_id: 'ended-later', init_timestamp: at, end_timestamp: end, end_state: 'Success' },
      start: at,
      agents: [],
      events: events('ended-later', 10, at),
    });
  } finally {
    vi.useRealTimers();
  }
  await a.setRetentionPolicy(A, { keep_days: { Success: 7 } });
  // The first is past its time, the second is not yet: the first waits for its day.
  expect(await runRetention(a)).toMatchObject({ deleted_sessions: 0, deleted_events: 0 });
  expect(Number((await a.sessionTotals('ended-then'))?.llm_calls)).toBe(10);
  // Half a day on, both are past their time: the day goes whole.
  expect(await runRetention(a, { now: Date.now() + DAY / 2 })).toMatchObject({
    deleted_sessions: 2,
    deleted_events: 20,
  });
  expect(await partitions(a)).not.toContain(partitionOf(day));
});

it('finishes a drop cut short: a day whose sessions went, its events detached but not dropped, and one not yet detached', async () => {
  const [a] = (await instances(1)) as [Store];
  const day = await writtenAgo(a, A, 'a-old', 20, 10);
  const other = await writtenAgo(a, A, 'a-older', 21, 10);
  await a.setRetentionPolicy(A, { keep_days: { Success: 7 } });
  // As a server that stopped after the day's sessions were deleted leaves it: one day's events
  // detached but not dropped, the other's search words not yet detached.
  for (const table of ['session_models', 'sessions']) {
    await selectRows(
      a,
      `DELETE FROM ${table} WHERE ${table === 'sessions' ? 'id' : 'session_id'} IN ('a-old', 'a-older')`,
    );
  }
  await selectRows(a, `ALTER TABLE events DETACH PARTITION ${partitionOf(day)}`);
  expect(await partitions(a)).not.toContain(partitionOf(day));
  expect(await runRetention(a)).toMatchObject({ deleted_sessions: 0, deleted_events: 0 });
  const tables = await selectRows<{ name: string }>(
    a,
    `SELECT relname AS name FROM pg_class WHERE relname IN ('${partitionOf(day)}', '${partitionOf(day, 'search')}',
       '${partitionOf(other)}', '${partitionOf(other, 'search')}')`,
  );
  expect(tables).toEqual([]);
});

it('moves the events and search words of a database of the schema before into their days', async () => {
  const { url, drop } = await freshPostgresDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let store: PostgresStore | undefined;
  try {
    // The schema before the one that made the days' partitions.
    const before = POSTGRES_MIGRATIONS.findIndex((m) => m.includes('CREATE FUNCTION agentops_partition'));
    expect(before).toBeGreaterThan(0);
    await client.query(
      'CREATE TABLE agentops_schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    for (let v = 0; v < before; v++) {
      await client.query(POSTGRES_MIGRATIONS[v] as string);
      await client.query('INSERT INTO agentops_schema_migrations VALUES ($1, $2)', [v + 1, '']);
    }
    await client.query(`INSERT INTO projects (id, name, key_hash, created_at) VALUES ('p', 'p', 'h', '')`);
    // Two sessions first stored on two days, their events (out of seq order) and words.
    for (const [id, created] of [
      ['s1', '2026-10-01T10:00:00.000Z'],
      ['s2', '2026-10-03T23:59:59.999Z'],
    ]) {
      await client.query(
        `INSERT INTO sessions (id, project_id, init_timestamp, created_at, updated_at, llm_calls)
         VALUES ($1, 'p', $2, $2, $2, 2)`,
        [id, created],
      );
      for (const e of ['e2', 'e1']) {
        await client.query(
          `INSERT INTO events (session_id, id, event_type, init_timestamp, end_timestamp, data, received_at)
           VALUES ($1, $2, 'llms', $3, $3, $4, $3)`,
          [
            id,
            e,
            created,
            JSON.stringify({ id: e, event_type: 'llms', init_timestamp: created, end_timestamp: created }),
          ],
        );
      }
      await client.query(`INSERT INTO search (session_id, doc_id, doc) VALUES ($1, 'e2', 'platypus'::tsvector)`, [id]);
    }
    // A created_at the server never writes does not stop the upgrade: its session is on the first day.
    await client.query(
      `INSERT INTO sessions (id, project_id, init_timestamp, created_at, updated_at) VALUES ('s3', 'p', '', '', '')`,
    );
    store = await PostgresStore.open(url);
    expect(await store.schemaVersion()).toBe(POSTGRES_MIGRATIONS.length);
    expect(await partitions(store)).toEqual(['events_19700101', 'events_20261001', 'events_20261003']);
    for (const id of ['s1', 's2']) {
      const { json } = await store.eventsJsonPage(id, 'llms', undefined, 10);
      // In the order they were stored (seq kept).
      expect(json.map((j) => JSON.parse(j).id)).toEqual(['e2', 'e1']);
    }
    expect((await store.listSessions('p', { limit: 10, offset: 0, q: 'platypus' })).total).toBe(2);
    // Events stored after the move are numbered after those moved.
    const at = '2026-10-03T23:59:59.999Z';
    await store.insertEvents('s2', events('s2', 1, at));
    const { json } = await store.eventsJsonPage('s2', 'llms', undefined, 10);
    expect(json.map((j) => JSON.parse(j).id)).toEqual(['e2', 'e1', 's2-00000']);
  } finally {
    await client.end();
    await store?.close();
    await drop();
  }
});
