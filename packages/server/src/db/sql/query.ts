/**
 * The one query layer both stores share. The store's logic (the repositories beside this folder) is
 * written once as generator functions that yield the statements they need and receive their rows:
 * an `Op`. An `Executor` runs an op against its database: SQLite's synchronously inside one
 * transaction (nothing of another request can run between its statements), PostgreSQL's over a
 * pooled connection, awaiting each answer. What differs between the two SQL dialects is named once,
 * in a `Dialect` (placeholders are always `?`; PostgreSQL's executor numbers them).
 */

export type Params = readonly unknown[];

/** A column of a bulk insert, with the SQL type PostgreSQL gives its array. */
export interface Column {
  name: string;
  type: 'text' | 'bigint' | 'float8' | 'int';
}

export type Statement =
  | { kind: 'all' | 'get' | 'run'; sql: string; params: Params }
  | {
      /** Rows inserted unless their key is stored already (`ON CONFLICT DO NOTHING`); yields the inserted rows' `returning` column. */
      kind: 'insert';
      table: string;
      /** Columns of the same value in every row. */
      fixed: readonly (Column & { value: unknown })[];
      columns: readonly Column[];
      rows: readonly (readonly unknown[])[];
      returning: string;
    };

/** Store logic: the statements it runs, in order, each given the answer of the one before. */
export type Op<T> = Generator<Statement, T, unknown>;

/** All rows of a query. */
export function* all<T>(sql: string, params: Params = []): Op<T[]> {
  return (yield { kind: 'all', sql, params }) as T[];
}

/** The first row of a query, if any. */
export function* get<T>(sql: string, params: Params = []): Op<T | undefined> {
  return (yield { kind: 'get', sql, params }) as T | undefined;
}

/** Runs a statement; returns how many rows it changed. */
export function* run(sql: string, params: Params = []): Op<number> {
  return (yield { kind: 'run', sql, params }) as number;
}

/**
 * Inserts the rows whose key is not stored yet (a retried batch, or the same batch at two instances
 * at once, is stored once), in the order given; returns the `returning` values of those inserted.
 */
export function* insertNew(
  table: string,
  fixed: readonly (Column & { value: unknown })[],
  columns: readonly Column[],
  rows: readonly (readonly unknown[])[],
  returning: string,
): Op<unknown[]> {
  if (rows.length === 0) return [];
  return (yield { kind: 'insert', table, fixed, columns, rows, returning }) as unknown[];
}

/** An op that runs no statement: its answer is known already. */
// biome-ignore lint/correctness/useYield: the answer needs no statement
export function* answer<T>(value: T): Op<T> {
  return value;
}

/** What the two SQL dialects write differently: everything else in the store's SQL is the same text. */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** The column that orders rows written in the same instant (SQLite's `rowid`, PostgreSQL's identity). */
  readonly seq: string;
  /** `seq` as a JavaScript number (PostgreSQL's BIGINT is read as text). */
  readonly seqNumber: string;
  /** A count or integer read as a number. */
  int(expr: string): string;
  /** The larger of two texts, either of which may be NULL (NULL only when both are); each written once. */
  greatest(a: string, b: string): string;
  /** The smaller of two values, neither NULL. */
  least(a: string, b: string): string;
  /** A parameter holding JSON text stored in a JSON column (SQLite's TEXT, PostgreSQL's JSONB). */
  readonly jsonParam: string;
  /** A parameter holding 1 or 0, read as a condition. */
  readonly boolParam: string;
  /** JSON text for a JSON column: PostgreSQL's JSONB cannot hold NUL, kept as U+FFFD there. */
  json(value: unknown): string;
  /** A condition: the JSON array in `column` holds a string, given as the parameter `hasElementValue` makes. */
  hasElement(column: string): string;
  hasElementValue(element: string): unknown;
  /** An exact sum of a REAL column, as a number or decimal text (a float8 sum overflows on huge scores). */
  exactSum(expr: string): string;
  /** An event's stored JSON as it is served (SQLite rows of an older server may hold a cost inside). */
  readonly eventData: string;
  /** Milliseconds from ISO time `start` to ISO time `end`, at least 0. */
  durationMs(end: string, start: string): string;
  /**
   * Queues a session's newly stored events (`inserted`: the ids of the rows its insert just added)
   * for full-text search, in the batch's transaction; their words are worked out and indexed off
   * the ingest path: SQLite's FTS5 by its `IndexWriter` (sqlite-search.ts), PostgreSQL's `tsvector`
   * with a GIN index by its `PostgresSearchQueue` (postgres-search.ts).
   */
  indexEvents(sessionId: string, inserted: readonly unknown[]): Op<void>;
  /** Replaces the session's own words (its tags) in the index; '' removes them. */
  indexSessionWords(sessionId: string, words: string): Op<void>;
  /**
   * The keys of the sessions whose events and own words (tags), together, hold every word given
   * (of any project: the caller filters): SQLite's session rowids, PostgreSQL's session ids. Found
   * once per search, then used by the list and its count. `indexed`: for each word, the sessions
   * whose events hold it, when the index is read apart (SQLite's, in its own file).
   */
  matchingSessions(words: readonly string[], indexed?: readonly (readonly unknown[])[]): Op<unknown[]>;
  /** A condition: the session is one of the keys (`matchingSessions`) the parameter `sessionKeysParam` makes. */
  readonly sessionKeyIn: string;
  sessionKeysParam(keys: readonly unknown[]): unknown;
  /** The column events are deleted by (SQLite's `rowid`, PostgreSQL's event `id`), and a condition that it is one of `keysParam`'s. */
  readonly eventKey: string;
  readonly eventKeyIn: string;
  keysParam(keys: readonly unknown[]): unknown;
  /**
   * A condition that an event is one of the session's: PostgreSQL's names the session's day too
   * (read in the statement), so only that day's partition is scanned; and its parameters.
   */
  readonly sessionEvents: { readonly where: string; params(sessionId: string): unknown[] };
  /**
   * Removes the words of all the session's events from the index (not its tags'): retention removes
   * a session's events, or their payloads, all of them, in steps that begin with this.
   */
  unindexSessionEvents(sessionId: string): Op<void>;
  /**
   * The columns a session's event rows are stored with beside their own: PostgreSQL's partition
   * (the day the session was first stored, its partition made if this is the day's first event);
   * SQLite: none. In the write transaction; keeps the session from retention's drop of its day
   * until the transaction ends.
   */
  eventPartition(sessionId: string): Op<readonly (Column & { value: unknown })[]>;
  /** The days (since 1970-01-01, UTC) whose events are in a partition and are over: PostgreSQL's; SQLite has none. */
  pastPartitions(): Op<number[]>;
  /**
   * Drops the events and search words of a day past (`pastPartitions`) whose sessions are gone: its
   * partitions, not their rows. Run outside a transaction (PostgreSQL detaches them concurrently).
   */
  dropPartition(day: number): Op<void>;
  /** Ends a subquery that picks rows to claim: PostgreSQL skips the rows another transaction claims (SQLite: nothing). */
  readonly skipLocked: string;
  /**
   * Takes a lock named `key` until the transaction ends: across PostgreSQL instances; SQLite's
   * write transactions exclude each other already.
   */
  lock(key: string): Op<void>;
}

/**
 * Runs ops against one database. Each takes the op's maker, not the op: a transaction PostgreSQL
 * chose as a deadlock's loser is run again from its start.
 */
export interface Executor {
  /** Runs an op that only reads. */
  read<T>(op: () => Op<T>): Promise<T>;
  /** Runs an op whose writes are each a whole (one statement, or statements that need not be one step). */
  write<T>(op: () => Op<T>): Promise<T>;
  /** Runs an op in one write transaction: all of it or nothing. */
  transaction<T>(op: () => Op<T>): Promise<T>;
  /** Runs an op in one read-only snapshot: every statement sees the same data. */
  snapshot<T>(op: () => Op<T>): Promise<T>;
}
