/**
 * The embedded default: everything in one SQLite file (WAL), through `node:sqlite` or better-sqlite3
 * (sqlite-driver.ts). Its calls are synchronous underneath (each is one short transaction), answered
 * as promises to fit `Store`. What it stores and how is `SqlStore`'s; this class is the file: opened,
 * migrated, checked and checkpointed.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorText, safeJsonStringify } from '@agentops/exporter/internal';
import type { CheckpointWorkerData, CheckpointWorkerReply, CheckpointWorkerRequest } from './checkpoint-worker.js';
import { SqlStore } from './SqlStore.js';
import { newerSchema, StoreUnavailable } from './Store.js';
import { SqliteExecutor, sqliteDialect } from './sql/sqlite.js';
import { openSqlite, type SqliteConnection, type SqliteDriverName, sqliteDriver, useWal } from './sqlite-driver.js';
import { MIGRATIONS } from './sqlite-schema.js';
import { SearchIndex } from './sqlite-search-index.js';
import { type StoreThread, startStoreThread } from './store-thread.js';

const CHECKPOINT_WORKER = new URL('./checkpoint-worker.js', import.meta.url);
/** Pages of WAL between SQLite's own checkpoints, when no checkpointer thread runs. */
const AUTOCHECKPOINT_PAGES = 10_000;

export class SqliteStore extends SqlStore {
  readonly kind = 'sqlite' as const;
  /** The connection itself: for the server's own diagnostics and tests, not for writes. */
  readonly db: SqliteConnection;
  /** The driver the file was opened with. */
  readonly driver: SqliteDriverName;
  #checkpointer: StoreThread<CheckpointWorkerRequest> | undefined;
  /** The full-text index of events, in a file of its own (sqlite-search.ts). */
  readonly search: SearchIndex;
  /** The database file's identity when it was opened (device and inode): undefined in memory. */
  readonly #identity: string | undefined;

  constructor(file: string, driver: SqliteDriverName = sqliteDriver()) {
    super(sqliteDialect);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    // The driver is loaded only by a server that opens SQLite, never by a PostgreSQL one.
    this.driver = driver;
    this.db = openSqlite(file, driver);
    this.#identity = this.db.memory ? undefined : fileIdentity(file);
    this.db.pragma('busy_timeout = 5000');
    useWal(this.db);
    this.db.pragma('synchronous = NORMAL');
    // Event ids are random, so each batch dirties pages all over the primary-key index; at the
    // default (1,000 pages) the WAL was checkpointed, with its two fsyncs, every couple of
    // batches, which halved the insert rate. Up to 40 MB of WAL between checkpoints instead.
    this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    // After a checkpoint the log is reused from its start; beyond this it is also cut back.
    this.db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    this.db.pragma('foreign_keys = ON');
    this.#migrate();
    this.search = new SearchIndex(this.db, driver);
    this.use(new SqliteExecutor(this.db, () => this.#checkFile()));
  }

  /** Each word's sessions, from the index file, once what was stored before is indexed. */
  protected override indexedSessions(words: readonly string[]): Promise<number[][]> {
    return this.search.sessions(words);
  }

  /**
   * Moves the search index's writes off this thread: ingest only queues what to index, and a
   * thread of its own writes the index file. For a long-running server.
   */
  indexInBackground(): void {
    this.search.background();
  }

  get location(): string {
    return this.db.name;
  }

  /**
   * Throws StoreUnavailable when the database file is no longer the one opened (deleted, or
   * replaced): writes would go to a file nobody can open again, and be lost at the next start.
   */
  #checkFile(): void {
    if (this.#identity === undefined || fileIdentity(this.db.name) === this.#identity) return;
    throw new StoreUnavailable(
      `the SQLite database ${this.db.name} was deleted or replaced while the server ran: nothing more is written ` +
        'to it. Restart the server (it opens the file again, or makes a new one).',
    );
  }

  async ready(): Promise<string | undefined> {
    try {
      this.#checkFile();
      this.db.prepare('SELECT 1').get();
      return undefined;
    } catch (err) {
      return errorText(err);
    }
  }

  /** Brings the schema up to date; IMMEDIATE, so two processes opening one file at once do not both migrate. */
  #migrate(): void {
    this.db
      .transaction(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        if (version > MIGRATIONS.length) throw newerSchema(version, MIGRATIONS.length);
        for (let v = version; v < MIGRATIONS.length; v++) {
          const step = MIGRATIONS[v];
          if (typeof step === 'function') step(this.db);
          else this.db.exec(step as string);
        }
        if (version < MIGRATIONS.length) this.db.pragma(`user_version = ${MIGRATIONS.length}`);
      })
      .immediate();
  }

  /** The schema version of the file (`PRAGMA user_version`). */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Moves checkpoints off this thread: a worker with its own connection copies the WAL into the
   * database every `everyMillis` the log has grown. If it fails, SQLite's own checkpoints resume.
   * For a long-running server; a short-lived command needs none.
   */
  checkpointInBackground(everyMillis = 200): void {
    if (this.#checkpointer || this.db.memory) return;
    this.#checkpointer = startStoreThread<CheckpointWorkerRequest, CheckpointWorkerReply>(
      CHECKPOINT_WORKER,
      { file: this.db.name, everyMillis, driver: this.driver } satisfies CheckpointWorkerData,
      () => {
        this.checkpoints++;
      },
      (why) => {
        this.#checkpointer = undefined;
        if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
        process.emitWarning(checkpointFallbackWarning(why));
      },
    );
    // The thread checkpoints now (its failure gives SQLite's own back); with no thread, SQLite's own.
    if (this.#checkpointer) this.db.pragma('wal_autocheckpoint = 0');
  }

  /** Checkpoints the background thread has made: a count for tests and diagnostics. */
  checkpoints = 0;

  /** Stops the checkpoint thread (its connection closed cleanly); then `close()` checkpoints what is left. */
  async stopCheckpoints(): Promise<void> {
    const checkpointer = this.#checkpointer;
    if (!checkpointer) return;
    this.#checkpointer = undefined;
    await checkpointer.stop();
  }

  async close(): Promise<void> {
    await this.search.close();
    await this.stopCheckpoints();
    if (this.db.open) this.db.close();
  }
}

/** What is said when the checkpoint thread stops: its reason, whatever it threw (an Error or not). */
export function checkpointFallbackWarning(why: unknown): string {
  const reason =
    typeof why === 'string'
      ? why
      : why instanceof Error
        ? errorText(why)
        : why === undefined || why === null
          ? 'it gave no reason'
          : (safeJsonStringify(why) ?? errorText(why));
  return `the SQLite checkpoint thread stopped (${reason}); checkpoints run on the main thread again`;
}

/** A file's identity: its device and inode (a file deleted and made again has another); '' when it is gone. */
function fileIdentity(file: string): string {
  try {
    const s = statSync(file);
    return `${s.dev}:${s.ino}`;
  } catch {
    return '';
  }
}
