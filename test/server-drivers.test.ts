/**
 * A server loads the database driver of the store it opens, and only that one: node-postgres is not
 * loaded by a SQLite server, nor better-sqlite3 (a native addon) by a PostgreSQL one, nor by a SQLite
 * one on a Node that has node:sqlite (22.13+), which it uses instead. Run on SQLite by `pnpm test`
 * and on PostgreSQL by `pnpm test:postgres` (the store of test/helpers/stores.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { TEST_STORE, testDatabase } from './helpers/stores.js';

const dir = mkdtempSync(join(tmpdir(), 'agentops-drivers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// In a fresh process, as the server's CLI opens its store: which drivers did it load?
const probe = `
const { openStore } = await import('@agentops/server');
const store = await openStore(process.env.DB);
await store.close();
const { createRequire } = await import('node:module');
const loaded = Object.keys(createRequire(import.meta.url).cache);
const driver = (name) => loaded.some((f) => f.includes('/node_modules/' + name + '/'));
console.log(JSON.stringify({ pg: driver('pg'), betterSqlite3: driver('better-sqlite3'), sqlite: store.driver ?? null }));
`;

it(`a ${TEST_STORE} server loads its own database driver and not the other`, async () => {
  const { db, drop } = await testDatabase(join(dir, 'drivers.db'));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: { ...process.env, DB: db },
    });
    const loaded = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const nodeSqlite = major > 22 || (major === 22 && minor >= 13);
    expect(loaded).toEqual(
      TEST_STORE === 'sqlite'
        ? { pg: false, betterSqlite3: !nodeSqlite, sqlite: nodeSqlite ? 'node:sqlite' : 'better-sqlite3' }
        : { pg: true, betterSqlite3: false, sqlite: null },
    );
  } finally {
    await drop();
  }
});
