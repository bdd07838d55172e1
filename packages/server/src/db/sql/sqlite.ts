/**
 * SQLite's dialect and executor. The drivers are synchronous: an op runs start to end inside one
 * call, so its transaction holds no other request's statements. Statements are prepared once per
 * text and kept: event batches are the server's hottest path.
 */
import type { SqliteConnection, SqliteStatement, Transaction } from '../sqlite-driver.js';
import { all, answer, type Dialect, type Executor, type Op, run, type Statement } from './query.js';

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  seq: 'rowid',
  seqNumber: 'rowid',
  int: (expr) => expr,
  // Each operand written once (it may be a parameter); ISO times and text, so '' is below any value.
  greatest: (a, b) => `NULLIF(MAX(COALESCE(${a}, ''), COALESCE(${b}, '')), '')`,
  least: (a, b) => `MIN(${a}, ${b})`,
  jsonParam: '?',
  boolParam: '?',
  json: (value) => JSON.stringify(value),
  hasElement: (column) => `EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ?)`,
  hasElementValue: (element) => element,
  exactSum: (expr) => `TOTAL(${expr})`,
  eventData: `CASE WHEN cost IS NULL THEN data ELSE json_remove(data, '$.cost') END`,
  durationMs: (end, start) => `MAX(0, CAST(ROUND((julianday(${end}) - julianday(${start})) * 86400000) AS INTEGER))`,
  skipLocked: '',
  // SQLite keeps its events in one table: no partitions.
  eventPartition: () => answer([]),
  pastPartitions: () => answer([]),
  dropPartition: () => {
    throw new Error('SQLite keeps its events in one table: it has no partitions to drop');
  },
  *lock() {
    // A write transaction here is BEGIN IMMEDIATE: it excludes every other writer already.
  },
  *indexEvents(_sessionId, inserted) {
    // The rows just inserted have the rowids up to the last one, one after another (SQLite gives
    // each new row the highest rowid plus one, and this transaction is the only writer): queued,
    // for the index's writer to read (sqlite-search.ts).
    yield* run(
      'INSERT INTO search_queue (first_event, last_event) VALUES (last_insert_rowid() - ? + 1, last_insert_rowid())',
      [inserted.length],
    );
  },
  *indexSessionWords(sessionId, words) {
    // The session's document is the session's rowid: replaced without a scan of the index.
    yield* run('DELETE FROM search_tags WHERE rowid = (SELECT rowid FROM sessions WHERE id = ?)', [sessionId]);
    if (words)
      yield* run('INSERT INTO search_tags (rowid, body) SELECT rowid, ? FROM sessions WHERE id = ?', [
        words,
        sessionId,
      ]);
  },
  *matchingSessions(words, indexed = []) {
    // The sessions whose events (read off the index apart) or tags hold each word (a quoted FTS5
    // string: words hold letters and digits only); those that hold them all.
    let found: Set<unknown> | undefined;
    for (const [i, word] of words.entries()) {
      const tagged = yield* all<{ k: number }>('SELECT rowid AS k FROM search_tags WHERE search_tags MATCH ?', [
        `"${word}"`,
      ]);
      const holding = new Set<unknown>(indexed[i] ?? []);
      for (const row of tagged) holding.add(row.k);
      found = found === undefined ? holding : new Set([...found].filter((k) => holding.has(k)));
      if (found.size === 0) break;
    }
    return [...(found ?? [])];
  },
  sessionKeyIn: 'sessions.rowid IN (SELECT value FROM json_each(?))',
  sessionKeysParam: (keys) => JSON.stringify(keys),
  eventKey: 'rowid',
  eventKeyIn: 'rowid IN (SELECT value FROM json_each(?))',
  keysParam: (keys) => JSON.stringify(keys),
  sessionEvents: { where: 'session_id = ?', params: (sessionId) => [sessionId] },
  *unindexSessionEvents(sessionId) {
    // Queued: the index's writer removes the session's documents (its rowid << 32 up to the next one's).
    yield* run('INSERT INTO search_queue (session_key) SELECT rowid FROM sessions WHERE id = ?', [sessionId]);
  },
};

export class SqliteExecutor implements Executor {
  readonly #db: SqliteConnection;
  readonly #statements = new Map<string, SqliteStatement>();
  readonly #inTransaction: Transaction<[() => Op<unknown>], unknown>;
  /** Called before each write: throws when the store must not be written. */
  readonly #beforeWrite: () => void;

  constructor(db: SqliteConnection, beforeWrite: () => void = () => {}) {
    this.#db = db;
    this.#beforeWrite = beforeWrite;
    this.#inTransaction = db.transaction((op: () => Op<unknown>) => this.#run(op()));
  }

  async read<T>(op: () => Op<T>): Promise<T> {
    return this.#run(op());
  }

  async write<T>(op: () => Op<T>): Promise<T> {
    this.#beforeWrite();
    return this.#run(op());
  }

  async transaction<T>(op: () => Op<T>): Promise<T> {
    this.#beforeWrite();
    return this.#inTransaction.immediate(op) as T;
  }

  async snapshot<T>(op: () => Op<T>): Promise<T> {
    return this.#inTransaction(op) as T;
  }

  #run<T>(op: Op<T>): T {
    let step = op.next();
    while (!step.done) step = op.next(this.#execute(step.value));
    return step.value;
  }

  #execute(s: Statement): unknown {
    switch (s.kind) {
      case 'all':
        return this.#prepared(s.sql).all(...s.params);
      case 'get':
        return this.#prepared(s.sql).get(...s.params);
      case 'run':
        return Number(this.#prepared(s.sql).run(...s.params).changes);
      case 'insert': {
        const names = [...s.fixed, ...s.columns].map((c) => c.name);
        const statement = this.#prepared(
          `INSERT INTO ${s.table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
        );
        const fixed = s.fixed.map((c) => c.value);
        const key = s.columns.findIndex((c) => c.name === s.returning);
        const inserted: unknown[] = [];
        for (const row of s.rows) {
          if (Number(statement.run(...fixed, ...row).changes) > 0) inserted.push(row[key]);
        }
        return inserted;
      }
    }
  }

  #prepared(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
