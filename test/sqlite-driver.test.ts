/**
 * The two SQLite drivers the server opens its file with behave alike where the store relies on them:
 * node:sqlite (Node 22.13+, the default there) and better-sqlite3 (Node 20, or by
 * AGENTOPS_SQLITE_DRIVER). Each driver this Node can run is tested: both on the Node 24 leg, where
 * better-sqlite3 is built for Node 24; better-sqlite3 alone on Node 20, which has no node:sqlite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  openSqlite,
  SQLITE_DRIVERS,
  type SqliteConnection,
  type SqliteDriverName,
  sqliteDriver,
} from '../packages/server/src/db/sqlite-driver.js';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const hasNodeSqlite = major > 22 || (major === 22 && minor >= 13);
const drivers = SQLITE_DRIVERS.filter((d) => d !== 'node:sqlite' || hasNodeSqlite);
const dir = mkdtempSync(join(tmpdir(), 'agentops-sqlite-driver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the default driver is node:sqlite where Node has it, else better-sqlite3; AGENTOPS_SQLITE_DRIVER names one', () => {
  expect(sqliteDriver({})).toBe(hasNodeSqlite ? 'node:sqlite' : 'better-sqlite3');
  expect(sqliteDriver({ AGENTOPS_SQLITE_DRIVER: 'better-sqlite3' })).toBe('better-sqlite3');
  expect(() => sqliteDriver({ AGENTOPS_SQLITE_DRIVER: 'sqlite3' })).toThrow(
    'AGENTOPS_SQLITE_DRIVER must be one of node:sqlite, better-sqlite3 (got "sqlite3")',
  );
});

it.runIf(!hasNodeSqlite)('opening with node:sqlite on a Node without it says which Node to use', () => {
  expect(() => openSqlite(join(dir, 'none.db'), 'node:sqlite')).toThrow(/has no node:sqlite .* use Node 22\.13\+/);
});

describe.each(drivers)('%s', (driver: SqliteDriverName) => {
  let n = 0;
  const open = (): SqliteConnection => {
    const db = openSqlite(join(dir, `${driver.replace(':', '-')}-${n++}.db`), driver);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, score REAL)');
    return db;
  };

  it('binds positional and named parameters (undefined as NULL, unnamed keys ignored) and reads rows back', () => {
    const db = open();
    const insert = db.prepare('INSERT INTO t (name, score) VALUES (@name, @score)');
    expect(insert.run({ name: 'a', score: 1.5, unused: 'x' })).toMatchObject({ changes: 1 });
    expect(Number(insert.run({ name: 'b', score: undefined }).lastInsertRowid)).toBe(2);
    db.prepare('INSERT INTO t (name, score) VALUES (?, ?)').run('c', undefined);
    expect(db.prepare('SELECT name, score FROM t ORDER BY id').all()).toEqual([
      { name: 'a', score: 1.5 },
      { name: 'b', score: null },
      { name: 'c', score: null },
    ]);
    expect(db.prepare('SELECT score FROM t WHERE name = ?').get('a')).toEqual({ score: 1.5 });
    expect(db.prepare('SELECT score FROM t WHERE name = ?').get('zzz')).toBeUndefined();
    db.close();
    expect(db.open).toBe(false);
  });

  it('pragmas: rows, or the first value with simple', () => {
    const db = open();
    db.pragma('user_version = 7');
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    expect(db.pragma('user_version')).toEqual([{ user_version: 7 }]);
    expect(db.pragma('journal_mode = WAL', { simple: true })).toBe('wal');
    expect(db.memory).toBe(false);
    db.close();
  });

  it('a transaction commits, rolls back what it did when its function throws, and nests as a savepoint', () => {
    const db = open();
    const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
    const count = () => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
    const both = db.transaction((a: string, b: string) => {
      insert.run(a);
      insert.run(b);
      return 'done';
    });
    expect(both('a', 'b')).toBe('done');
    expect(() => both('c', 'a')).toThrow(); // 'a' again: UNIQUE fails, 'c' is rolled back
    expect(count()).toBe(2);
    const outer = db.transaction(() => {
      insert.run('d');
      try {
        both('e', 'd'); // the inner one fails: only its own work is undone
      } catch {}
      insert.run('f');
    });
    outer.immediate();
    expect((db.prepare('SELECT name FROM t ORDER BY id').all() as { name: string }[]).map((r) => r.name)).toEqual([
      'a',
      'b',
      'd',
      'f',
    ]);
    db.close();
  });

  it("errors carry SQLite's code as better-sqlite3 names it: SQLITE_CONSTRAINT, SQLITE_BUSY", () => {
    const db = open();
    db.prepare('INSERT INTO t (name) VALUES (?)').run('a');
    expect(() => db.prepare('INSERT INTO t (name) VALUES (?)').run('a')).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^SQLITE_CONSTRAINT/) }),
    );
    // A second connection to the file while this one holds the write lock.
    const other = openSqlite(db.name, driver);
    other.pragma('busy_timeout = 0');
    const hold = db.transaction(() => {
      db.prepare('INSERT INTO t (name) VALUES (?)').run('b');
      expect(() => other.prepare('INSERT INTO t (name) VALUES (?)').run('c')).toThrow(
        expect.objectContaining({ code: 'SQLITE_BUSY' }),
      );
    });
    hold.immediate();
    other.close();
    db.close();
  });

  it('fileMustExist refuses a missing file instead of making one', () => {
    expect(() => openSqlite(join(dir, 'missing.db'), driver, { fileMustExist: true })).toThrow();
  });
});
