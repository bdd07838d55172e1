/**
 * PostgreSQL's search index, written off the ingest path. Ingest queues each batch's stored events
 * (`search_queue`, in the batch's transaction); an instance's queue takes entries no other instance
 * holds (`FOR UPDATE SKIP LOCKED`), works out their words (search-text.ts), writes them and removes
 * the entries in one transaction: each entry is indexed once, by one instance, across any number
 * of instances on one database. A search first waits (a while at most) for the entries queued
 * before it, lending a hand, so what was stored is found.
 */
import { errorText } from '@agentops/exporter/internal';
import type pg from 'pg';
import { searchDocuments, storedEventWords } from './search-text.js';
import { tsvectorOf } from './sql/postgres.js';

/** Entries looked at per transaction, and events indexed per transaction at most (about 10 ms of words). */
const STEP_ENTRIES = 100;
const STEP_EVENTS = 2_000;
/** How often an idle instance looks for new entries. */
const LOOK_MILLIS = 100;
/**
 * Ingest goes first: in the background, while entries keep coming, an instance indexes an eighth
 * of the time when it is up to date (it waits seven times as long as a step took), more as the
 * oldest entry waits longer, and without a pause once that entry has waited `MAX_LAG_MILLIS`, or
 * once ingest pauses.
 */
const PAUSE_PER_STEP = 7;
const MAX_LAG_MILLIS = 30_000;
/** How long a search waits for what was stored before it to be indexed, at most; then it reads what is. */
const CATCH_UP_MILLIS = 2_000;

interface QueueEntry {
  id: string;
  /** Milliseconds since it was queued. */
  waited: number;
  /** The last entry queued, by any instance. */
  newest: string;
  part: number;
  session_id: string;
  event_ids: string[];
}

/** An instance's side of PostgreSQL's search queue: it indexes entries, in the background or for a search. */
export class PostgresSearchQueue {
  readonly #pool: pg.Pool;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #background = false;
  #closed = false;
  /** The last entry queued when the background last looked: ingest goes on while it grows. */
  #newest: string | undefined;
  /** Steps that failed in a row (in the background and for searches). */
  #failures = 0;

  constructor(pool: pg.Pool, onError: (err: unknown) => void = warn) {
    this.#pool = pool;
    this.#onError = onError;
  }

  /**
   * Indexes the next entries no other instance holds, in one transaction; how many events (or
   * entries whose events are gone) it did. A failure (a lock not given in time) is thrown, and the
   * entries are taken again by the next step.
   */
  async step(): Promise<number> {
    return (await this.#step()).events;
  }

  async #step(): Promise<{ events: number; lagMillis: number; newest: string | undefined }> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      try {
        const { rows } = await client.query<QueueEntry>(
          `SELECT id, part, session_id, event_ids,
                  (EXTRACT(EPOCH FROM clock_timestamp() - queued_at) * 1000)::float8 AS waited,
                  (SELECT MAX(id) FROM search_queue) AS newest
           FROM search_queue ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [STEP_ENTRIES],
        );
        const events = await indexEntries(client, rows);
        await client.query('COMMIT');
        this.#failures = 0;
        return { events, lagMillis: rows[0]?.waited ?? 0, newest: rows[0]?.newest };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      }
    } finally {
      client.release(broken);
    }
  }

  /** Indexes in the background while the server runs: each instance on one database may. */
  background(): void {
    if (this.#background || this.#closed) return;
    this.#background = true;
    this.#later(0);
  }

  /**
   * Waits until every entry queued before this call is indexed (by this instance or another),
   * indexing entries itself meanwhile; at most `CATCH_UP_MILLIS`, then a search reads what is.
   */
  async caughtUp(): Promise<void> {
    const { rows } = await this.#pool.query<{ last: string | null }>('SELECT MAX(id) AS last FROM search_queue');
    const last = rows[0]?.last;
    if (last === null || last === undefined) return;
    const until = Date.now() + CATCH_UP_MILLIS;
    for (;;) {
      const waiting = await this.#pool.query('SELECT 1 FROM search_queue WHERE id <= $1 LIMIT 1', [last]);
      if (waiting.rows.length === 0 || Date.now() >= until || this.#closed) return;
      let did = 0;
      try {
        did = (await this.#step()).events;
      } catch (err) {
        this.#failed(err);
      }
      // What is left is being indexed by another instance (or the step failed): looked at again soon.
      if (did === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops the background work (a step under way ends first); what is queued stays for the next. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #later(millis: number): void {
    this.#timer = setTimeout(() => {
      this.#running = this.#drain().then((pause) => {
        this.#running = undefined;
        if (!this.#closed) this.#later(pause);
      });
    }, millis);
    this.#timer.unref();
  }

  /** Indexes until the queue is empty; how long to wait before the next look. */
  async #drain(): Promise<number> {
    try {
      while (!this.#closed) {
        const started = performance.now();
        const { events, lagMillis, newest } = await this.#step();
        if (events === 0) return LOOK_MILLIS;
        const ingesting = newest !== this.#newest;
        this.#newest = newest;
        if (ingesting && lagMillis < MAX_LAG_MILLIS)
          return (performance.now() - started) * PAUSE_PER_STEP * (1 - lagMillis / MAX_LAG_MILLIS);
      }
    } catch (err) {
      this.#failed(err);
    }
    return LOOK_MILLIS;
  }

  /**
   * A step failed, in the background or for a search. A failure once (a connection cut, a lock not
   * given in time) is tried again at the next look and not said; one that comes again is said, once
   * until a step succeeds (a database that is down fails every look).
   */
  #failed(err: unknown): void {
    this.#failures++;
    if (!this.#closed && this.#failures === 2) this.#onError(err);
  }
}

/**
 * Writes the words of the entries' events (up to `STEP_EVENTS`) and removes those entries. Their
 * sessions are held (`FOR KEY SHARE`) while it does, so retention, which removes a session's words
 * under `FOR UPDATE` of it, either waits for these words and removes them, or goes first and these
 * events are read as it left them (their payloads or the events gone). Ingest's updates of the
 * session do not wait.
 */
async function indexEntries(client: pg.PoolClient, entries: readonly QueueEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const sessions = [...new Set(entries.map((e) => e.session_id))].sort();
  await client.query('SELECT 1 FROM sessions WHERE id = ANY($1::text[]) ORDER BY id FOR KEY SHARE', [sessions]);
  const docs = { parts: [] as number[], sessions: [] as string[], ids: [] as string[], words: [] as string[] };
  const done: string[] = [];
  let events = 0;
  for (const entry of entries) {
    const { rows } = await client.query<{ id: string; data: string }>(
      'SELECT id, data FROM events WHERE part = $1 AND session_id = $2 AND id = ANY($3::text[])',
      [entry.part, entry.session_id, entry.event_ids],
    );
    // In the order they were sent, as ingest's batch was: a document holds events next to each other.
    const data = new Map(rows.map((r) => [r.id, r.data]));
    const ids: string[] = [];
    const lists: string[][] = [];
    for (const id of entry.event_ids) {
      const stored = data.get(id);
      if (stored === undefined) continue;
      const words = storedEventWords(stored);
      if (words.length === 0) continue;
      ids.push(id);
      lists.push(words);
    }
    for (const doc of searchDocuments(ids, lists)) {
      docs.parts.push(entry.part);
      docs.sessions.push(entry.session_id);
      docs.ids.push(doc.eventIds[0] as string);
      docs.words.push(tsvectorOf(doc.words));
    }
    done.push(entry.id);
    events += rows.length;
    if (events >= STEP_EVENTS) break;
  }
  if (docs.ids.length > 0)
    await client.query(
      `INSERT INTO search (part, session_id, doc_id, doc)
       SELECT p, s, d, t::tsvector FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS u(p, s, d, t)`,
      [docs.parts, docs.sessions, docs.ids, docs.words],
    );
  await client.query('DELETE FROM search_queue WHERE id = ANY($1::bigint[])', [done]);
  return Math.max(events, done.length);
}

function warn(err: unknown): void {
  process.emitWarning(`the search index could not be written (tried again shortly): ${errorText(err)}`);
}
