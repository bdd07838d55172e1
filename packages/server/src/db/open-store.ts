/** The store `--db` / `AGENTOPS_DATABASE_URL` names: a `postgres://` URL is PostgreSQL, anything else a SQLite file. */
import { PostgresStore, redactedUrl } from './PostgresStore.js';
import { SqliteStore } from './SqliteStore.js';
import type { Store } from './Store.js';

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db.trim());
}

/** Opens (and migrates) the store; a failure says which database could not be opened, without its password. */
export async function openStore(db: string): Promise<Store> {
  const postgres = isPostgresUrl(db);
  try {
    return postgres ? await PostgresStore.open(db.trim()) : new SqliteStore(db);
  } catch (err) {
    const where = postgres ? redactedUrl(db.trim()) : db;
    throw new Error(`cannot open the database ${where}: ${(err as Error).message || String(err)}`);
  }
}
