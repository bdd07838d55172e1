/**
 * Which store the server tests run on: SQLite (`pnpm test`), or PostgreSQL (`pnpm test:postgres`,
 * which sets AGENTOPS_TEST_STORE=postgres and a cluster's URL). Each test server or store on
 * PostgreSQL gets a database of its own, dropped when it stops.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Store } from '@agentops/server';
import pg from 'pg';
import { afterEach, inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | undefined;
  }
}

export const TEST_STORE: 'sqlite' | 'postgres' = process.env.AGENTOPS_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** The PostgreSQL server the tests use (its maintenance database). */
export function postgresUrl(): string {
  const url = process.env.AGENTOPS_TEST_DATABASE_URL || inject('postgresUrl');
  if (!url) throw new Error('no PostgreSQL for the tests: run them with pnpm test:postgres');
  return url;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty PostgreSQL database: its URL, and `drop()` to remove it (its connections closed first). */
export async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `agentops_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(postgresUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => dropDatabase(name),
  };
}

/**
 * Where a test server keeps its data: the SQLite file, or a fresh PostgreSQL database whose URL is
 * noted beside that file, so a server started again on the same folder finds the same database.
 */
export async function testDatabase(sqliteFile: string): Promise<{ db: string; drop: () => Promise<void> }> {
  if (TEST_STORE === 'sqlite') return { db: sqliteFile, drop: async () => {} };
  const note = sqliteFile === ':memory:' ? undefined : `${sqliteFile}.postgres-url`;
  if (note && existsSync(note)) {
    const url = readFileSync(note, 'utf8');
    return { db: url, drop: () => dropDatabase(new URL(url).pathname.slice(1)) };
  }
  const { url, drop } = await freshPostgresDatabase();
  if (note) writeFileSync(note, url);
  return { db: url, drop };
}

function dropDatabase(name: string): Promise<void> {
  return admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));
}

/**
 * A store of the kind under test, empty, opened with the given `openStore` (the built package's, or
 * the sources' in the server package's own tests); `close()` also removes a PostgreSQL database.
 */
export async function openTestStore<S extends Store>(
  openStore: (db: string) => Promise<S>,
): Promise<{ store: S; close: () => Promise<void> }> {
  const { db, drop } = await testDatabase(':memory:');
  const store = await openStore(db);
  return {
    store,
    close: async () => {
      await store.close();
      await drop();
    },
  };
}

/**
 * For tests of several server instances on one PostgreSQL database: `open(n)` gives `n` stores on a
 * new database (each with its own pool of connections, as each instance has), the project
 * `projectId` made through the first; they are closed and the database dropped after each test.
 */
export function instancesPerTest<S extends Store>(
  openStore: (db: string) => Promise<S>,
  projectId: string,
): (n: number) => Promise<S[]> {
  const opened: { stores: S[]; drop: () => Promise<void> }[] = [];
  afterEach(async () => {
    for (const { stores, drop } of opened.splice(0)) {
      for (const store of stores) await store.close();
      await drop();
    }
  });
  return async (n) => {
    const db = await freshPostgresDatabase();
    const stores: S[] = [];
    opened.push({ stores, drop: db.drop });
    for (let i = 0; i < n; i++) stores.push(await openStore(db.url));
    await stores[0]?.addProject({
      id: projectId,
      name: projectId,
      key_hash: 'h',
      created_at: new Date().toISOString(),
    });
    return stores;
  };
}

/** Rows of a plain SELECT (counts `CAST(... AS INTEGER)`), on either store, for tests that look under the API. */
export async function selectRows<T>(store: Store, sql: string): Promise<T[]> {
  const { db, pool } = store as {
    db?: { prepare(sql: string): { all(): unknown[] } };
    pool?: { query(sql: string): Promise<{ rows: unknown[] }> };
  };
  if (db) return db.prepare(sql).all() as T[];
  if (pool) return (await pool.query(sql)).rows as T[];
  throw new Error(`no SQL for a ${store.kind} store`);
}
