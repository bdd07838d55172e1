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
    const rows = await selectRows<Record<string, unknown>>(store, `SELECT * FROM "${name}"`);
    parts.push(JSON.stringify(rows, (_key, value) => (Buffer.isBuffer(value) ? value.toString('latin1') : value)));
  }
  const file = (store as { db?: { name?: string } }).db?.name;
  if (store.kind === 'sqlite' && file && file !== ':memory:') {
    for (const f of [file, `${file}-wal`]) if (existsSync(f)) parts.push(readFileSync(f).toString('latin1'));
  }
  return parts.join('\n');
}
