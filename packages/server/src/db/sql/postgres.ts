/**
 * PostgreSQL's dialect and executor (node-postgres). Placeholders are numbered here, once per
 * statement text, and each text is a named prepared statement (parsed once per connection). A bulk
 * insert is one statement of unnested arrays. A write transaction that lost a deadlock or a
 * serialization race is run again.
 */
import type pg from 'pg';
import { all, type Dialect, type Executor, get, type Op, run, type Statement } from './query.js';

/** A transaction that lost a deadlock or a serialization race is run again, this many times in all. */
const ATTEMPTS = 4;
const SERIALIZATION_FAILURE = '40001';
const RETRIED_CODES = new Set(['40P01', SERIALIZATION_FAILURE]);
const DAY_MS = 86_400_000;

/**
 * PostgreSQL's text and JSONB cannot hold the NUL character, which JSON and SQLite can: a NUL in a
 * value is kept as U+FFFD instead of failing the whole write. (Payload JSON is unaffected:
 * JSON.stringify writes a NUL as the six characters \u0000.)
 */
function noNul(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return noNul(value);
  if (Array.isArray(value)) return value.map(clean);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [noNul(k), clean(v)]));
  return value;
}

/** A word as a tsvector or tsquery lexeme: quoted (words hold letters and digits only, never a quote). */
const lexeme = (word: string): string => `'${word}'`;
/** Space-separated words as a tsvector. */
export const tsvectorOf = (words: string): string => words.split(' ').map(lexeme).join(' ');

export const postgresDialect: Dialect = {
  name: 'postgres',
  seq: 'seq',
  seqNumber: 'seq::float8',
  int: (expr) => `(${expr})::int`,
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  least: (a, b) => `LEAST(${a}, ${b})`,
  jsonParam: '?::jsonb',
  boolParam: '?::boolean',
  json: (value) => JSON.stringify(clean(value)),
  hasElement: (column) => `${column} @> ?::jsonb`,
  hasElementValue: (element) => JSON.stringify([noNul(element)]),
  exactSum: (expr) => `SUM((${expr})::numeric)::text`,
  eventData: 'data',
  durationMs: (end, start) =>
    `GREATEST(0, (EXTRACT(EPOCH FROM (${end}::timestamptz - ${start}::timestamptz)) * 1000)::bigint)`,
  skipLocked: ' FOR UPDATE SKIP LOCKED',
  *lock(key) {
    yield* run('SELECT pg_advisory_xact_lock(hashtext(?))', [key]);
  },
  *eventPartition(sessionId) {
    // The session's row is locked first, as the totals' update locks it (two batches of one
    // session take turns from here, not from a deadlock; retention's drop of a day locks its
    // sessions' rows and waits for this transaction), then its day's partition made if it is not yet.
    const row = yield* get<{ part: number }>(
      'SELECT agentops_partition(part) AS part FROM (SELECT part FROM sessions WHERE id = ? FOR NO KEY UPDATE) AS s',
      [sessionId],
    );
    if (!row) {
      // Retention dropped the session's day between this transaction's first write and this one:
      // run again, the session is stored afresh, on today.
      throw Object.assign(new Error(`session ${sessionId} was removed by retention while its events were stored`), {
        code: SERIALIZATION_FAILURE,
      });
    }
    return [{ name: 'part', type: 'int', value: row.part }];
  },
  *pastPartitions() {
    // By their tables' names: a day's partitions, and what is left of a day whose drop was cut short.
    const rows = yield* all<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname ~ '^events_[0-9]{8}$'`,
    );
    const today = Math.floor(Date.now() / DAY_MS);
    return rows
      .map(({ name }) => Date.UTC(+name.slice(7, 11), +name.slice(11, 13) - 1, +name.slice(13, 15)) / DAY_MS)
      .filter((day) => day < today)
      .sort((a, b) => a - b);
  },
  *dropPartition(day) {
    // Detached first, concurrently (no writer or reader of events waits), then dropped: a table of
    // no one's, whose files are removed without holding back anything else. Not in a transaction.
    const suffix = new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
    for (const table of ['events', 'search']) {
      const partition = yield* get<{ pending: boolean }>(
        `SELECT inhdetachpending AS pending FROM pg_inherits
         WHERE inhrelid = to_regclass(?) AND inhparent = to_regclass(?)`,
        [`${table}_${suffix}`, table],
      );
      // A detach cut short (the server stopped) is finished.
      if (partition)
        yield* run(
          `ALTER TABLE ${table} DETACH PARTITION ${table}_${suffix} ${partition.pending ? 'FINALIZE' : 'CONCURRENTLY'}`,
        );
    }
    yield* run(`DROP TABLE IF EXISTS events_${suffix}, search_${suffix}`);
  },
  *indexEvents(sessionId, inserted) {
    // Queued, for an instance's PostgresSearchQueue to index (postgres-search.ts): the batch's
    // transaction neither works out words nor writes the GIN index.
    yield* run(
      'INSERT INTO search_queue (part, session_id, event_ids) SELECT part, id, ?::text[] FROM sessions WHERE id = ?',
      [inserted, sessionId],
    );
  },
  *indexSessionWords(sessionId, words) {
    // The session's own document has no event id.
    yield* run('DELETE FROM search WHERE session_id = ? AND doc_id IS NULL', [sessionId]);
    if (!words) return;
    // Its day's partition made first if the session's tags come before its first event.
    yield* run('SELECT agentops_partition(part) FROM sessions WHERE id = ?', [sessionId]);
    yield* run('INSERT INTO search (part, session_id, doc) SELECT part, id, ?::tsvector FROM sessions WHERE id = ?', [
      tsvectorOf(words),
      sessionId,
    ]);
  },
  *matchingSessions(words) {
    // The sessions whose events or tags hold each word, then those that hold them all. Through
    // the GIN index even when most documents hold a word: a scan of the table reads every
    // document's words (stored out of line), the index and the rows never do.
    yield* run('SET LOCAL enable_seqscan = off');
    const rows = yield* all<{ id: string }>(
      words.map(() => 'SELECT session_id AS id FROM search WHERE doc @@ ?::tsquery').join(' INTERSECT '),
      words.map(lexeme),
    );
    yield* run('SET LOCAL enable_seqscan = on');
    return rows.map((r) => r.id);
  },
  sessionKeyIn: 'sessions.id = ANY (?::text[])',
  sessionKeysParam: (keys) => keys,
  eventKey: 'id',
  eventKeyIn: 'id = ANY (?::text[])',
  keysParam: (keys) => keys,
  sessionEvents: {
    // The other days' partitions are skipped when the statement runs (their scans never start).
    where: 'part = (SELECT part FROM sessions WHERE id = ?) AND session_id = ?',
    params: (sessionId) => [sessionId, sessionId],
  },
  *unindexSessionEvents(sessionId) {
    // The session held first: an instance indexing its queued events (postgres-search.ts) holds it
    // too while it writes their words, which are then removed here, or waits and reads the events
    // as this transaction leaves them.
    yield* run('SELECT 1 FROM sessions WHERE id = ? FOR UPDATE', [sessionId]);
    yield* run('DELETE FROM search WHERE session_id = ? AND doc_id IS NOT NULL', [sessionId]);
  },
};

type Queryable = Pick<pg.PoolClient, 'query'>;

export class PostgresExecutor implements Executor {
  readonly #pool: pg.Pool;
  /** Each statement text as PostgreSQL is sent it: numbered placeholders and a prepared statement's name. */
  readonly #texts = new Map<string, { text: string; name: string }>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  read<T>(op: () => Op<T>): Promise<T> {
    return this.#run(this.#pool, op());
  }

  write<T>(op: () => Op<T>): Promise<T> {
    return this.#run(this.#pool, op());
  }

  transaction<T>(op: () => Op<T>): Promise<T> {
    return this.#transaction('BEGIN', op);
  }

  snapshot<T>(op: () => Op<T>): Promise<T> {
    return this.#transaction('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY', op);
  }

  /** Runs `op` in a transaction, again when PostgreSQL chose it as a deadlock's or serialization race's loser. */
  async #transaction<T>(begin: string, op: () => Op<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      for (let n = 1; ; n++) {
        await client.query(begin);
        try {
          const result = await this.#run(client, op());
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK');
          if (n >= ATTEMPTS || !RETRIED_CODES.has((err as { code?: string }).code ?? '')) throw err;
        }
      }
    } catch (err) {
      // A connection that failed under the transaction (not a statement PostgreSQL refused) is not given back.
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async #run<T>(db: Queryable, op: Op<T>): Promise<T> {
    let step = op.next();
    while (!step.done) step = op.next(await this.#execute(db, step.value));
    return step.value;
  }

  async #execute(db: Queryable, s: Statement): Promise<unknown> {
    if (s.kind === 'insert') {
      const names = [...s.fixed, ...s.columns].map((c) => c.name);
      const fixed = s.fixed.map((c, i) => `$${i + 1}::${c.type}`);
      const arrays = s.columns.map((c, i) => `$${s.fixed.length + i + 1}::${c.type}[]`);
      const text = `INSERT INTO ${s.table} (${names.join(', ')})
                    SELECT ${[...fixed, 'u.*'].join(', ')} FROM unnest(${arrays.join(', ')}) AS u
                    ON CONFLICT DO NOTHING RETURNING ${s.returning}`;
      const columns = s.columns.map((_, i) => s.rows.map((row) => row[i]));
      const { rows } = await db.query({
        ...this.#named(text, false),
        values: clean([...s.fixed.map((c) => c.value), ...columns]) as unknown[],
      });
      return rows.map((row: Record<string, unknown>) => row[s.returning]);
    }
    const result = await db.query({ ...this.#named(s.sql, true), values: clean(s.params) as unknown[] });
    if (s.kind === 'run') return result.rowCount ?? 0;
    return s.kind === 'get' ? result.rows[0] : result.rows;
  }

  #named(sql: string, numbered: boolean): { text: string; name: string } {
    let named = this.#texts.get(sql);
    if (!named) {
      let n = 0;
      const text = numbered ? sql.replaceAll('?', () => `$${++n}`) : sql;
      named = { text, name: `agentops_${this.#texts.size + 1}` };
      this.#texts.set(sql, named);
    }
    return named;
  }
}
