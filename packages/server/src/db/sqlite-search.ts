/**
 * SQLite's full-text index of events (FTS5, contentless): each document's id says which session
 * its events are of, so a search reads the matching sessions off the matches' ids, with no lookup
 * per match. The id is the session's rowid in the high 32 bits and its first event's rowid's low
 * 32 bits below: unique within a session unless one session holds two events 2^32 rowids apart.
 * A session's documents are the ids from its rowid << 32 up to the next rowid's.
 */
import { PAYLOAD_REMOVED } from '../retention/payload.js';
import { searchText } from './search-text.js';
import type { SqliteConnection } from './sqlite-driver.js';

/** A document's id, of `session` and (its first) `event` rowid expressions. */
export const docId = (session: string, event: string): string => `((${session} << 32) | (${event} & 4294967295))`;

/** Events read per step of a reindex. */
const REINDEX_BATCH = 2_000;

/**
 * Indexes every stored event again (a migration: the index was dropped and made anew), each a
 * document of its own, from its stored JSON as ingest reads it, except events whose payload
 * retention removed. In steps of a few thousand events, in the caller's transaction.
 */
export function reindexSearch(db: SqliteConnection): void {
  const read = db.prepare(
    `SELECT e.rowid AS r, s.rowid AS sr, e.data FROM events AS e JOIN sessions AS s ON s.id = e.session_id
     WHERE e.rowid > ? ORDER BY e.rowid LIMIT ${REINDEX_BATCH}`,
  );
  const write = db.prepare(
    `INSERT INTO search (rowid, body) SELECT ${docId("j.value ->> '$[0]'", "j.value ->> '$[1]'")}, j.value ->> '$[2]'
     FROM json_each(?) AS j`,
  );
  let after = 0;
  for (;;) {
    const rows = read.all(after) as { r: number; sr: number; data: string }[];
    if (rows.length === 0) return;
    const docs: [number, number, string][] = [];
    for (const row of rows) {
      const text = storedEventText(row.data);
      if (text) docs.push([row.sr, row.r, text]);
    }
    if (docs.length > 0) write.run(JSON.stringify(docs));
    after = (rows.at(-1) as { r: number }).r;
  }
}

/** The words of a stored event's JSON; '' when it cannot be read or its payload was removed. */
function storedEventText(data: string): string {
  try {
    const event = JSON.parse(data) as unknown;
    if (typeof event !== 'object' || event === null || (event as Record<string, unknown>)[PAYLOAD_REMOVED] === true)
      return '';
    return searchText(event);
  } catch {
    return '';
  }
}
