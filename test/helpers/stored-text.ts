/**
 * Everything a store holds, as text: every row of every table, read through SQL (PostgreSQL
 * compresses long values on disk, so its files are no place to search), and for SQLite also the raw
 * bytes of its database and WAL files (what a deleted or overwritten row leaves behind).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Store } from '@agentops/server';
import { selectRows } from './stores.js';

export async function storedText(store: Store): Promise<string> {
  const tables =
    store.kind === 'sqlite'
      ? await selectRows<{ name: string }>(store, "SELECT name FROM sqlite_master WHERE type = 'table'")
      : await selectRows<{ name: string }>(
          store,
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        );
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await allRows(store, name);
    parts.push(
      JSON.stringify(rows, (_key, value) =>
        value instanceof Uint8Array
          ? Buffer.from(value).toString('latin1')
          : typeof value === 'bigint'
            ? String(value)
            : value,
      ),
    );
  }
  const file = (store as { db?: { name?: string } }).db?.name;
  if (store.kind === 'sqlite' && file && file !== ':memory:') {
    for (const f of [file, `${file}-wal`]) if (existsSync(f)) parts.push(readFileSync(f).toString('latin1'));
  }
  return parts.join('\n');
}

/**
 * Every row of a table. On SQLite each column is read as text: the full-text index's own tables hold
 * integers past 2^53, which `node:sqlite` refuses to read as numbers (the raw file is searched too).
 */
async function allRows(store: Store, name: string): Promise<unknown[]> {
  if (store.kind !== 'sqlite') return selectRows(store, `SELECT * FROM "${name}"`);
  const columns = await selectRows<{ name: string }>(store, `PRAGMA table_info("${name}")`);
  if (columns.length === 0) return [];
  const list = columns.map((c) => `CAST("${c.name}" AS TEXT) AS "${c.name}"`).join(', ');
  return selectRows(store, `SELECT ${list} FROM "${name}"`);
}
