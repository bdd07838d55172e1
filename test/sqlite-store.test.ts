/**
 * What only the SQLite store has: its checkpoints in a thread of their own (so a checkpoint never
 * stalls a request), and its migrations, which two processes opening one file must not both run.
 * Its behaviour through the API is tested with every other server test, on both stores.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventPayload } from '@agentops/exporter';
import { SqliteStore } from '@agentops/server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runNode } from './helpers/child.js';

const SESSION = '0af76519-16cd-43dd-8448-eb211c80319c';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentops-sqlite-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A timestamp in the form the server stores (microseconds), `i` ms after the session's start. */
const at = (i: number) => new Date(Date.UTC(2024, 4, 1, 12) + i).toISOString().replace('Z', '000Z');

function tool(i: number): EventPayload {
  return {
    id: randomUUID(),
    session_id: SESSION,
    event_type: 'tools',
    name: `tool-${i}`,
    init_timestamp: at(i),
    end_timestamp: at(i + 1),
  };
}

describe('checkpoints in a thread of their own', () => {
  let store: SqliteStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('the log is copied into the database file by the checkpoint thread, not by the writer', async () => {
    const file = join(dir, 'checkpoints.db');
    store = new SqliteStore(file);
    store.checkpointInBackground(20);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await store.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: at(0) });
    await store.upsertSession('p', { session_id: SESSION, init_timestamp: at(0) });
    await store.insertEvents(
      SESSION,
      Array.from({ length: 5000 }, (_, i) => ({ payload: tool(i), cost: null })),
    );
    const inDatabaseFile = async () => {
      // The database file alone, without its log: only what a checkpoint has copied is there.
      const copy = join(dir, `copy-${randomUUID()}.db`);
      copyFileSync(file, copy);
      const db = new SqliteStore(copy);
      try {
        return Number((await db.sessionTotals(SESSION))?.tool_calls ?? 0);
      } finally {
        await db.close();
        rmSync(copy);
      }
    };
    // The thread's count of checkpoints may arrive a moment after the file it wrote is read.
    await vi.waitFor(
      async () => {
        expect(await inDatabaseFile()).toBe(5000);
        expect(store?.checkpoints).toBeGreaterThan(0);
      },
      { timeout: 20_000, interval: 50 },
    );
  });

  it('after stopCheckpoints the store goes on writing, and close leaves nothing in the log', async () => {
    const file = join(dir, 'stopped.db');
    store = new SqliteStore(file);
    store.checkpointInBackground(20);
    await store.stopCheckpoints();
    await store.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: at(0) });
    await store.close();
    store = undefined;
    expect(existsSync(`${file}-wal`)).toBe(false);
    const db = new SqliteStore(file);
    expect(await db.listProjects()).toHaveLength(1);
    await db.close();
  });

  it('a store in memory has no checkpoint thread', () => {
    store = new SqliteStore(':memory:');
    store.checkpointInBackground();
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).not.toBe(0);
  });
});

describe('migrations', () => {
  it('a new file is brought to the latest schema, and opening it again changes nothing', async () => {
    const file = join(dir, 'migrate.db');
    const first = new SqliteStore(file);
    const version = first.schemaVersion;
    expect(version).toBeGreaterThan(0);
    await first.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: at(0) });
    await first.close();
    const again = new SqliteStore(file);
    expect(again.schemaVersion).toBe(version);
    expect(await again.listProjects()).toHaveLength(1);
    await again.close();
  });

  it('four processes opening one new file at once all open it, and it is migrated once', async () => {
    const file = join(dir, 'race.db');
    const server = createRequire(import.meta.url).resolve('@agentops/server');
    const script = `(async () => {
      const { SqliteStore } = require(${JSON.stringify(server)});
      const store = new SqliteStore(${JSON.stringify(file)});
      await store.metaOrSet('opened-by-' + process.pid, 'yes');
      process.stdout.write(String(store.schemaVersion));
      await store.close();
    })();`;
    const runs = await Promise.all(Array.from({ length: 4 }, () => runNode('-e', [script], {})));
    for (const r of runs) expect(r).toMatchObject({ code: 0, stderr: '' });
    const store = new SqliteStore(file);
    expect(runs.map((r) => Number(r.stdout))).toEqual(Array(4).fill(store.schemaVersion));
    expect(store.db.prepare("SELECT count(*) AS n FROM meta WHERE key LIKE 'opened-by-%'").get()).toEqual({ n: 4 });
    await store.close();
  });

  it('a file from a newer server is refused with what to do, and left as it was', async () => {
    const file = join(dir, 'newer.db');
    const store = new SqliteStore(file);
    const version = store.schemaVersion;
    store.db.pragma(`user_version = ${version + 5}`);
    await store.close();
    expect(() => new SqliteStore(file)).toThrow(
      `schema is version ${version + 5}, newer than this server's (${version})`,
    );
  });
});

describe('the sessions totals migration', () => {
  it("a file of the schema before it gets each session's totals (LLM calls, tokens, tools, actions, evaluations) and cost per model from what it has", async () => {
    const { MIGRATIONS } = await import('../packages/server/src/db/sqlite-schema.js');
    const { openSqlite } = await import('../packages/server/src/db/sqlite-driver.js');
    const file = join(dir, 'before-totals.db');
    const old = openSqlite(file);
    // The schema before the migration that keeps sessions' totals (and so before every later one).
    const before = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes('ADD COLUMN llm_calls'));
    for (const m of MIGRATIONS.slice(0, before)) old.exec(m as string);
    old.pragma(`user_version = ${before}`);
    old.exec(`INSERT INTO projects VALUES ('p', 'p', 'h', '${at(0)}');
      INSERT INTO sessions (id, project_id, init_timestamp, created_at, updated_at) VALUES ('${SESSION}', 'p', '${at(0)}', '${at(0)}', '${at(0)}');`);
    const insert = old.prepare(`INSERT INTO events (session_id, id, event_type, init_timestamp, end_timestamp, model,
      prompt_tokens, completion_tokens, cache_read_tokens, cost, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?)`);
    insert.run(SESSION, 'e1', 'llms', at(1), at(2), 'gpt-4o', 100, 20, 40, 0.01, at(2));
    insert.run(SESSION, 'e2', 'llms', at(3), at(4), 'gpt-4o', 50, 10, null, 0.005, at(4));
    insert.run(SESSION, 'e3', 'errors', at(5), at(9), null, null, null, null, null, at(9));
    insert.run(SESSION, 'e4', 'tools', at(5), at(6), null, null, null, null, null, at(6));
    insert.run(SESSION, 'e5', 'tools', at(6), at(7), null, null, null, null, null, at(7));
    insert.run(SESSION, 'e6', 'actions', at(7), at(8), null, null, null, null, null, at(8));
    old.exec(`INSERT INTO evaluations (session_id, id, timestamp, name, score, label, data, received_at)
      VALUES ('${SESSION}', 'v1', '${at(9)}', 'judge', 1, NULL, '{}', '${at(9)}')`);
    old.close();

    const store = new SqliteStore(file);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(
      store.db
        .prepare(
          'SELECT llm_calls, errors, prompt_tokens, completion_tokens, cache_read_tokens, last_event_end FROM sessions',
        )
        .get(),
    ).toEqual({
      llm_calls: 2,
      errors: 1,
      prompt_tokens: 150,
      completion_tokens: 30,
      cache_read_tokens: 40,
      last_event_end: at(9),
    });
    expect(await store.sessionTotals(SESSION)).toMatchObject({ tool_calls: 2, actions: 1, evaluations: 1 });
    expect(store.db.prepare('SELECT model, llm_calls, prompt_tokens, cost FROM session_models').all()).toEqual([
      { model: 'gpt-4o', llm_calls: 2, prompt_tokens: 150, cost: 0.015 },
    ]);
    await store.close();
  });
});

describe('the search index migration', () => {
  it("a file whose index names each event's session in a column gets the index that names it in the document id, made again from the stored events", async () => {
    const { MIGRATIONS } = await import('../packages/server/src/db/sqlite-schema.js');
    const { openSqlite } = await import('../packages/server/src/db/sqlite-driver.js');
    const file = join(dir, 'before-search-ids.db');
    const old = openSqlite(file);
    const before = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes('DROP TABLE search;'));
    expect(before).toBeGreaterThan(0);
    for (const m of MIGRATIONS.slice(0, before)) old.exec(m as string);
    old.pragma(`user_version = ${before}`);
    const other = randomUUID();
    old.exec(`INSERT INTO projects VALUES ('p', 'p', 'h', '${at(0)}');`);
    for (const id of [other, SESSION])
      old.exec(`INSERT INTO sessions (id, project_id, init_timestamp, created_at, updated_at)
        VALUES ('${id}', 'p', '${at(0)}', '${at(0)}', '${at(0)}')`);
    const insert = old.prepare(`INSERT INTO events (session_id, id, event_type, init_timestamp, end_timestamp, data,
      received_at) VALUES (?, ?, 'tools', ?, ?, ?, ?)`);
    const event = (session: string, id: string, fields: object) =>
      insert.run(session, id, at(1), at(2), JSON.stringify({ id, event_type: 'tools', ...fields }), at(2));
    event(SESSION, 'e1', { name: 'lookup', params: { city: 'Lisbon' }, returns: 'sunny and warm' });
    event(SESSION, 'e2', { name: 'lookup', payload_removed: true });
    event(other, 'e3', { name: 'lookup', params: { city: 'Porto' }, returns: 'rain' });
    event(other, 'e4', { name: 'broken', params: 'unreadable' });
    old.prepare("UPDATE events SET data = '{not json' WHERE id = 'e4'").run();
    // The old index: documents the events' rowids, the session a column of each.
    old.exec(`INSERT INTO search (rowid, body, session_id) SELECT rowid, 'lisbon sunny', session_id FROM events
      WHERE id = 'e1'`);
    old.close();

    const store = new SqliteStore(file);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    const found = async (q: string) =>
      (await store.listSessions('p', { limit: 10, offset: 0, q })).sessions.map((s) => s.session.session_id);
    expect(await found('lisbon warm')).toEqual([SESSION]);
    expect(await found('porto rain')).toEqual([other]);
    expect(await found('lookup')).toHaveLength(2);
    // Not indexed: what retention removed (only its name stays), and JSON that cannot be read.
    expect(await found('broken')).toEqual([]);
    expect(await found('lisbon porto')).toEqual([]);
    // New events are indexed and found beside the migrated ones.
    await store.insertEvents(SESSION, [
      {
        payload: { ...tool(5), name: 'fetch', params: { city: 'Faro' } },
        cost: null,
      },
    ]);
    expect(await found('faro')).toEqual([SESSION]);
    await store.close();
  });
});

describe('the search index in a file of its own, written by a thread of its own', () => {
  const words = (i: number) => ({ ...tool(i), name: 'lookup', params: { city: i % 2 ? 'Lisbon' : 'Porto' } });
  const found = async (store: SqliteStore, q: string) =>
    (await store.listSessions('p', { limit: 10, offset: 0, q })).sessions.map((s) => s.session.session_id).sort();
  /** The index's documents (that hold `word`). */
  const documents = async (file: string, word?: string) => {
    const { openSqlite } = await import('../packages/server/src/db/sqlite-driver.js');
    const index = openSqlite(`${file}-search`, undefined, { fileMustExist: true });
    try {
      const matching = word === undefined ? '' : ' WHERE search MATCH ?';
      const count = index.prepare(`SELECT COUNT(*) AS n FROM search${matching}`);
      return ((word === undefined ? count.get() : count.get(word)) as { n: number }).n;
    } finally {
      index.close();
    }
  };

  it('what was stored is found by the next search; a session retention removes is not; nothing is indexed twice', async () => {
    const file = join(dir, 'search-thread.db');
    let store = new SqliteStore(file);
    store.indexInBackground();
    expect(store.search.threaded).toBe(true);
    await store.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: at(0) });
    const sessions = [SESSION, randomUUID(), randomUUID()];
    for (const [n, id] of sessions.entries()) {
      await store.upsertSession('p', {
        session_id: id,
        init_timestamp: at(n),
        end_timestamp: at(n + 1),
        end_state: 'Fail',
      });
      // Batches into each session: each a document of its own.
      for (let b = 0; b < 3; b++) {
        const batch = Array.from({ length: 50 }, (_, i) => ({ payload: words(n * 1000 + b * 100 + i), cost: null }));
        if (n === 2) for (const e of batch) e.payload.params = { city: 'Faro' };
        await store.insertEvents(id, batch);
      }
    }
    // Asked at once: the search waits for the index to have what was stored before it.
    expect(await found(store, 'lisbon')).toEqual([SESSION, sessions[1]].sort());
    expect(await found(store, 'faro lookup')).toEqual([sessions[2]]);
    expect(store.search.upto).toBeGreaterThan(0);
    expect(await documents(file)).toBe(9);

    // A session retention removes is not found, its documents gone.
    const policy = { keep_days: { Fail: 1 } };
    while (await store.retentionStep('p', policy, Date.UTC(2030, 0, 1), 1000)) {}
    expect(await found(store, 'lookup')).toEqual([]);
    expect(await documents(file)).toBe(0);
    const later = randomUUID();
    await store.upsertSession('p', { session_id: later, init_timestamp: at(9) });
    await store.insertEvents(later, [{ payload: words(1), cost: null }]);
    expect(await found(store, 'lisbon')).toEqual([later]);
    await store.close();

    // Opened again: nothing queued is done twice.
    store = new SqliteStore(file);
    const upto = store.search.upto;
    store.indexInBackground();
    expect(await found(store, 'lisbon')).toEqual([later]);
    expect(store.search.upto).toBe(upto);
    expect(await documents(file)).toBe(1);
    await store.close();

    // The index file deleted: made again from the stored events.
    rmSync(`${file}-search`);
    for (const end of ['-wal', '-shm']) rmSync(`${file}-search${end}`, { force: true });
    store = new SqliteStore(file);
    // A batch stored before the index is made again is indexed once (by its own entry, not also by the remaking).
    await store.insertEvents(later, [
      { payload: { ...tool(7), name: 'lookup', params: { city: 'Braga' } }, cost: null },
    ]);
    expect(await found(store, 'braga lookup')).toEqual([later]);
    expect(await documents(file)).toBe(2);
    expect(await documents(file, 'braga')).toBe(1);
    await store.close();

    // An index file SQLite cannot read is moved aside, said, and made again.
    writeFileSync(`${file}-search`, 'not a database, '.repeat(400));
    for (const end of ['-wal', '-shm']) rmSync(`${file}-search${end}`, { force: true });
    const warned = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      store = new SqliteStore(file);
      expect(String(warned.mock.calls[0]?.[0])).toMatch(/could not be read .*moved to .*-search\.unreadable-\d+/);
    } finally {
      warned.mockRestore();
    }
    expect(await found(store, 'lisbon')).toEqual([later]);
    expect(await documents(file)).toBe(1);
    await store.close();
  });
});

describe('the database file deleted while the server runs', () => {
  it('writes are refused with a 503 that says so, /ready says why, reads of what is in memory go on', async () => {
    const { startTestServer } = await import('./helpers/server.js');
    const server = await startTestServer({ db: join(dir, 'deleted', 'agentops.db') });
    try {
      const session = (id: string) => ({ session: { session_id: id, init_timestamp: at(0) } });
      expect((await server.post('/v2/create_session', session(randomUUID()))).status).toBe(200);
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, 'deleted', `agentops.db${suffix}`), { force: true });

      const refused = await server.post<{ message: string }>('/v2/create_session', session(randomUUID()));
      expect(refused.status).toBe(503);
      expect(refused.body.message).toMatch(/agentops\.db was deleted or replaced while the server ran/);
      const ready = await fetch(`${server.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: 'unavailable',
        reason: expect.stringMatching(/deleted or replaced/),
      });
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
