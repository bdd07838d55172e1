/**
 * The SQLite connection the store uses, from one of two drivers: Node's own `node:sqlite` where this
 * Node has it (22.13+, 24), so a server installs and runs with no native addon to build and none
 * built for another Node's ABI; else `better-sqlite3` (an optional dependency: Node 20). Both are
 * synchronous; the store uses the part of better-sqlite3's interface written here, which
 * `node:sqlite` is given by a thin adapter. `AGENTOPS_SQLITE_DRIVER` names one to use.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';
export const SQLITE_DRIVERS: readonly SqliteDriverName[] = ['node:sqlite', 'better-sqlite3'];

export interface SqliteRunResult {
  changes: number | bigint;
  lastInsertRowid: number | bigint;
}

export interface SqliteStatement {
  run(...params: unknown[]): SqliteRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** A function run in one transaction; `.immediate` takes the write lock at its start. */
export type Transaction<A extends unknown[], R> = ((...args: A) => R) & { immediate(...args: A): R };

export interface SqliteConnection {
  /** The file it was opened on (`:memory:` for none). */
  readonly name: string;
  readonly memory: boolean;
  readonly open: boolean;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  /** A `PRAGMA`: its rows, or with `simple` the first column of its first row. */
  pragma(text: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): Transaction<A, R>;
  close(): unknown;
}

const requireHere = createRequire(import.meta.url);

/**
 * The part of `node:sqlite` the adapter uses (the project's Node types are Node 20's, which has
 * none: the module is reached at run time through `process.getBuiltinModule`).
 */
interface NodeStatement {
  run(...params: unknown[]): SqliteRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  setAllowUnknownNamedParameters(enabled: boolean): void;
}
interface NodeDatabase {
  readonly isTransaction: boolean;
  prepare(sql: string): NodeStatement;
  exec(sql: string): void;
  close(): void;
}
interface NodeSqlite {
  DatabaseSync: new (file: string) => NodeDatabase;
  StatementSync: { prototype: Partial<NodeStatement> };
}

/** `node:sqlite`, where this Node has it without a flag and with what the adapter needs. */
function nodeSqlite(): NodeSqlite | undefined {
  try {
    const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    const m = getBuiltin?.('node:sqlite') as NodeSqlite | undefined;
    if (!m?.DatabaseSync) return undefined;
    return typeof m.StatementSync?.prototype?.setAllowUnknownNamedParameters === 'function' ? m : undefined;
  } catch {
    return undefined;
  }
}

/** The driver a store opens its file with: `AGENTOPS_SQLITE_DRIVER`'s, else `node:sqlite` where there is one. */
export function sqliteDriver(env: NodeJS.ProcessEnv = process.env): SqliteDriverName {
  const named = env.AGENTOPS_SQLITE_DRIVER?.trim();
  if (named) {
    if (!(SQLITE_DRIVERS as readonly string[]).includes(named))
      throw new Error(
        `AGENTOPS_SQLITE_DRIVER must be one of ${SQLITE_DRIVERS.join(', ')} (got ${JSON.stringify(named)})`,
      );
    return named as SqliteDriverName;
  }
  return nodeSqlite() ? 'node:sqlite' : 'better-sqlite3';
}

/** Opens `file` (made when missing, unless `fileMustExist`) with `driver`. */
export function openSqlite(
  file: string,
  driver: SqliteDriverName = sqliteDriver(),
  options: { fileMustExist?: boolean } = {},
): SqliteConnection {
  if (driver === 'node:sqlite') {
    const m = nodeSqlite();
    if (!m)
      throw new Error(
        `this Node (${process.version}) has no node:sqlite to open ${file} with: use Node 22.13+, or better-sqlite3`,
      );
    if (options.fileMustExist && file !== ':memory:' && !existsSync(file))
      throw new Error(`no SQLite database at ${file}`);
    return new NodeSqliteConnection(
      sqlite(() => new m.DatabaseSync(file)),
      file,
    );
  }
  let Database: typeof import('better-sqlite3');
  try {
    Database = requireHere('better-sqlite3') as typeof import('better-sqlite3');
  } catch (err) {
    throw new Error(
      `better-sqlite3 could not be loaded (${(err as Error).message.split('\n')[0]}): on Node 22.13+ the server uses node:sqlite instead; on Node 20 install better-sqlite3 beside the server`,
    );
  }
  return new Database(file, { fileMustExist: options.fileMustExist === true }) as SqliteConnection;
}

/** SQLite's primary result codes by number, as better-sqlite3 names them in an error's `code`. */
const RESULT_CODES: Record<number, string> = {
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  19: 'SQLITE_CONSTRAINT',
  26: 'SQLITE_NOTADB',
};

/**
 * node:sqlite's error, with the `code` better-sqlite3 would give it (`SQLITE_BUSY`...): node:sqlite
 * says `ERR_SQLITE_ERROR` and puts SQLite's own code in `errcode`.
 */
function asDriverError(err: unknown): unknown {
  const e = err as { code?: unknown; errcode?: unknown } | null;
  if (e?.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') {
    const name = RESULT_CODES[e.errcode & 0xff];
    if (name) e.code = name;
  }
  return err;
}

/** Runs `f`, its error given better-sqlite3's code. */
function sqlite<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw asDriverError(err);
  }
}

/** better-sqlite3 binds `undefined` as NULL; node:sqlite refuses it. */
function bindable(param: unknown): unknown {
  if (param === undefined) return null;
  if (typeof param !== 'object' || param === null || Array.isArray(param) || ArrayBuffer.isView(param)) return param;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(param)) out[key] = value === undefined ? null : value;
  return out;
}

class NodeSqliteStatement implements SqliteStatement {
  readonly #statement: NodeStatement;
  constructor(statement: NodeStatement) {
    // As better-sqlite3: an object of parameters may hold more than the statement names.
    statement.setAllowUnknownNamedParameters(true);
    this.#statement = statement;
  }
  run(...params: unknown[]): SqliteRunResult {
    return sqlite(() => this.#statement.run(...params.map(bindable)));
  }
  get(...params: unknown[]): unknown {
    return sqlite(() => this.#statement.get(...params.map(bindable)));
  }
  all(...params: unknown[]): unknown[] {
    return sqlite(() => this.#statement.all(...params.map(bindable)));
  }
}

class NodeSqliteConnection implements SqliteConnection {
  readonly #db: NodeDatabase;
  readonly name: string;
  readonly memory: boolean;
  #open = true;
  /** Transactions under way in this connection: an inner one is a savepoint, as in better-sqlite3. */
  #depth = 0;

  constructor(db: NodeDatabase, name: string) {
    this.#db = db;
    this.name = name;
    this.memory = name === ':memory:' || name === '';
  }

  get open(): boolean {
    return this.#open;
  }

  prepare(sql: string): SqliteStatement {
    return new NodeSqliteStatement(sqlite(() => this.#db.prepare(sql)));
  }

  exec(sql: string): void {
    sqlite(() => this.#db.exec(sql));
  }

  pragma(text: string, options: { simple?: boolean } = {}): unknown {
    const rows = sqlite(() => this.#db.prepare(`PRAGMA ${text}`).all());
    if (!options.simple) return rows;
    const first = rows[0];
    return first === undefined ? undefined : Object.values(first as object)[0];
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): Transaction<A, R> {
    const run = (begin: string, args: A): R => {
      const nested = this.#depth > 0;
      const savepoint = `agentops_${this.#depth}`;
      this.exec(nested ? `SAVEPOINT ${savepoint}` : begin);
      this.#depth++;
      try {
        const result = fn(...args);
        this.exec(nested ? `RELEASE ${savepoint}` : 'COMMIT');
        return result;
      } catch (err) {
        if (nested) this.#db.exec(`ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
        else if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        throw err;
      } finally {
        this.#depth--;
      }
    };
    const deferred = (...args: A) => run('BEGIN', args);
    return Object.assign(deferred, { immediate: (...args: A) => run('BEGIN IMMEDIATE', args) });
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#db.close();
  }
}

/**
 * Turns on write-ahead logging. On a new file several processes opening it at once race to change
 * its journal mode, and SQLite answers the losers "database is locked" at once, without waiting
 * out the busy timeout: they try again shortly, for up to about five seconds.
 */
export function useWal(db: SqliteConnection): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 100) throw err;
      Atomics.wait(pause, 0, 0, 10 + Math.min(attempt, 10) * 5);
    }
  }
}
