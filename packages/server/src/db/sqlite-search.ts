/**
 * SQLite's full-text index of events, in a file of its own beside the database (`<file>-search`),
 * written off the ingest path. Ingest only queues what to index (`search_queue` in the database: a
 * range of new events' rowids, or a session whose documents go), in the transaction that stores
 * the events; an `IndexWriter` reads the queue in order and writes the index (FTS5, contentless),
 * on a thread of its own in a running server (search-worker.ts) or on the caller's. Two files, two
 * writers: indexing never holds the database's write lock, so ingest does not wait for it. Where
 * it has come is kept in the index file with its documents (one transaction), so each queued step
 * is done once, across restarts. A search first waits until everything queued before it is
 * indexed: what was stored is found.
 *
 * Each document's id says which session its events are of, so a search reads the matching sessions
 * off the matches' ids: the session's rowid in the high 32 bits and its first event's rowid's low
 * 32 bits below. A session's documents are the ids from its rowid << 32 up to the next rowid's.
 *
 * The index can be deleted: a new index file is built from the stored events.
 */
import { searchDocuments, storedEventWords } from './search-text.js';
import { type SqliteConnection, type SqliteStatement, type Transaction, useWal } from './sqlite-driver.js';

/** The index file of a database file. */
export const indexFileOf = (file: string): string => (file === ':memory:' ? ':memory:' : `${file}-search`);

/** Events read per step (and queued per entry when the whole index is made again). */
const STEP_EVENTS = 2_000;
/** Queue entries read per step. */
const STEP_ENTRIES = 500;

const INDEX_SCHEMA = `
  CREATE TABLE IF NOT EXISTS indexed (one INTEGER PRIMARY KEY CHECK (one = 1), upto INTEGER NOT NULL);
  CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(body, content = '', contentless_delete = 1, detail = none,
    tokenize = 'unicode61');
`;

/**
 * Opens the index, made if new: from the database's stored events, queued anew. Under the index's
 * write lock, so processes opening one new index at once make it once.
 */
export function openIndex(index: SqliteConnection, db: SqliteConnection): void {
  index.pragma('busy_timeout = 5000');
  if (!index.memory) useWal(index);
  index.pragma('synchronous = NORMAL');
  index.exec(INDEX_SCHEMA);
  index
    .transaction(() => {
      if (index.prepare('SELECT upto FROM indexed').get() !== undefined) return;
      // Everything stored is queued again, in ranges of rowids, and the index starts past what the
      // queue held (which refers to events these ranges cover).
      const upto = db
        .transaction(() => {
          const last = db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM search_queue').get() as { n: number };
          // Up to the last stored event exactly: events stored after this have their own entries.
          db.prepare(
            `WITH RECURSIVE m(top) AS (SELECT MAX(rowid) FROM events),
               r(a) AS (SELECT 0 UNION ALL SELECT a + ${STEP_EVENTS} FROM r, m WHERE a + ${STEP_EVENTS} < m.top)
             INSERT INTO search_queue (first_event, last_event) SELECT a + 1, MIN(a + ${STEP_EVENTS}, m.top) FROM r, m
             WHERE m.top IS NOT NULL`,
          ).run();
          return last.n;
        })
        .immediate();
      // Merges are left to the writes: a deletion starts none of its own (a purge stalled in them).
      index.prepare("INSERT INTO search (search, rank) VALUES ('deletemerge', 0)").run();
      index.prepare('INSERT INTO indexed (one, upto) VALUES (1, ?)').run(upto);
    })
    .immediate();
}

interface QueueEntry {
  id: number;
  session_key: number | null;
  first_event: number | null;
  last_event: number | null;
}

/** Writes the index from the queue, a step at a time. */
export class IndexWriter {
  readonly #entries: SqliteStatement;
  readonly #events: SqliteStatement;
  readonly #insert: SqliteStatement;
  readonly #unindex: SqliteStatement;
  readonly #done: SqliteStatement;
  readonly #upto: SqliteStatement;
  readonly #step: Transaction<[], { upto: number; more: boolean }>;

  /** `db` is only read; `index` only written. */
  constructor(index: SqliteConnection, db: SqliteConnection) {
    this.#entries = db.prepare(`SELECT id, session_key, first_event, last_event FROM search_queue WHERE id > ?
      ORDER BY id LIMIT ${STEP_ENTRIES}`);
    this.#events = db.prepare(`SELECT e.rowid AS r, s.rowid AS k, e.data FROM events AS e
      JOIN sessions AS s ON s.id = e.session_id WHERE e.rowid BETWEEN ? AND ? ORDER BY e.rowid`);
    this.#insert = index.prepare('INSERT INTO search (rowid, body) VALUES ((? << 32) | (? & 4294967295), ?)');
    this.#unindex = index.prepare('DELETE FROM search WHERE rowid >= (? << 32) AND rowid < ((? + 1) << 32)');
    this.#done = index.prepare('UPDATE indexed SET upto = ?');
    this.#upto = index.prepare('SELECT upto FROM indexed');
    this.#step = index.transaction(() => this.#indexEntries());
  }

  /** How far the index has come: the last queue entry done. */
  get upto(): number {
    return (this.#upto.get() as { upto: number }).upto;
  }

  /**
   * Indexes the next entries of the queue (a few thousand events at most), in one transaction of
   * the index, which holds its write lock from the start: a second writer (another process on the
   * same file) waits, then goes on from where this one ended.
   */
  step(): { upto: number; more: boolean } {
    return this.#step.immediate();
  }

  #indexEntries(): { upto: number; more: boolean } {
    let upto = this.upto;
    const entries = this.#entries.all(upto) as QueueEntry[];
    let events = 0;
    for (const entry of entries) {
      if (entry.session_key !== null) this.#unindex.run(entry.session_key, entry.session_key);
      else if (entry.first_event !== null && entry.last_event !== null)
        events += this.#indexEvents(entry.first_event, entry.last_event);
      upto = entry.id;
      if (events >= STEP_EVENTS) break;
    }
    // Nothing queued: nothing written (the thread looks every 50 ms).
    if (entries.length > 0) this.#done.run(upto);
    return { upto, more: entries.length > 0 && (events >= STEP_EVENTS || entries.length === STEP_ENTRIES) };
  }

  /** The events of a range of rowids, a document per session (as ingest's batch is); how many were read. */
  #indexEvents(first: number, last: number): number {
    const rows = this.#events.all(first, last) as { r: number; k: number; data: string }[];
    const bySession = new Map<number, { ids: string[]; words: string[][] }>();
    for (const row of rows) {
      const words = storedEventWords(row.data);
      if (words.length === 0) continue;
      let session = bySession.get(row.k);
      if (!session) {
        session = { ids: [], words: [] };
        bySession.set(row.k, session);
      }
      session.ids.push(String(row.r));
      session.words.push(words);
    }
    for (const [key, session] of bySession) {
      for (const doc of searchDocuments(session.ids, session.words)) {
        this.#insert.run(key, Number(doc.eventIds[0]), doc.words);
      }
    }
    return rows.length;
  }
}

/** The sessions (their rowids) whose events' documents hold `word` (a word as search-text.ts makes them). */
export function indexedSessions(index: SqliteConnection, word: string): number[] {
  const rows = index.prepare('SELECT DISTINCT rowid >> 32 AS k FROM search WHERE search MATCH ?').all(`"${word}"`) as {
    k: number;
  }[];
  return rows.map((r) => r.k);
}
