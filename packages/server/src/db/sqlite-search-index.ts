/**
 * The SQLite store's side of its search index (sqlite-search.ts): the index file opened (made from
 * the stored events when new), its writer run on this thread or on a thread of its own
 * (`background()`, a running server's), searches answered once what was stored before them is
 * indexed, and the queue's done entries removed.
 */
import { renameSync, rmSync } from 'node:fs';
import { errorText } from '@agentops/exporter/internal';
import type { SearchWorkerData, SearchWorkerReply, SearchWorkerRequest } from './search-worker.js';
import { openSqlite, type SqliteConnection, type SqliteDriverName } from './sqlite-driver.js';
import { IndexWriter, indexedSessions, indexFileOf, openIndex } from './sqlite-search.js';
import { type StoreThread, searchThreadStopped, startStoreThread } from './store-thread.js';

const SEARCH_WORKER = new URL('./search-worker.js', import.meta.url);
/** How long a search waits for what was stored before it to be indexed, at most; then it reads what is. */
const CATCH_UP_MILLIS = 2_000;
/** How often the writer looks for new entries (on this thread: how often it catches up). */
const LOOK_MILLIS = 50;
const INLINE_EVERY_MILLIS = 1_000;
/** Done entries are removed from the queue at most this often. */
const PRUNE_EVERY_MILLIS = 1_000;

/**
 * The index file opened (made if new). One SQLite cannot read (not a database, damaged) is moved
 * aside, said, and made again from the stored events: it holds nothing they do not.
 */
function openedIndex(file: string, driver: SqliteDriverName, db: SqliteConnection): SqliteConnection {
  const open = () => {
    const index = openSqlite(file, driver);
    try {
      openIndex(index, db);
      return index;
    } catch (err) {
      index.close();
      throw err;
    }
  };
  try {
    return open();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (file === ':memory:' || (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT')) throw err;
    const aside = `${file}.unreadable-${Date.now()}`;
    renameSync(file, aside);
    for (const end of ['-wal', '-shm']) rmSync(`${file}${end}`, { force: true });
    process.emitWarning(
      `the search index ${file} could not be read (${errorText(err)}): moved to ${aside}, and made again from the stored events`,
    );
    return open();
  }
}

export class SearchIndex {
  readonly #db: SqliteConnection;
  readonly #index: SqliteConnection;
  readonly #file: string;
  readonly #driver: SqliteDriverName;
  /** The writer on this thread, when no thread of its own runs it. */
  readonly #inline: IndexWriter;
  #worker: StoreThread<SearchWorkerRequest> | undefined;
  #upto: number;
  #waiting: { target: number; resolve: () => void }[] = [];
  #pruned = 0;
  #prunedAt = 0;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(db: SqliteConnection, driver: SqliteDriverName) {
    this.#db = db;
    this.#driver = driver;
    this.#file = indexFileOf(db.name);
    this.#index = openedIndex(this.#file, driver, db);
    this.#inline = new IndexWriter(this.#index, db);
    this.#upto = this.#inline.upto;
    // On this thread, the queue is caught up with now and then (and before each search).
    this.#timer = setInterval(() => {
      if (!this.#worker) this.#catchUpInline(Date.now() + LOOK_MILLIS);
    }, INLINE_EVERY_MILLIS);
    this.#timer.unref();
  }

  /** The index file. */
  get file(): string {
    return this.#file;
  }

  /** Whether a thread of its own writes the index. */
  get threaded(): boolean {
    return this.#worker !== undefined;
  }

  /** The last queue entry indexed. */
  get upto(): number {
    return this.#upto;
  }

  /**
   * Moves the writer to a thread of its own: ingest then never waits for the index. A store in
   * memory, or sources run as they are (no script beside this module), keep it on this thread.
   */
  background(): void {
    if (this.#worker || this.#db.memory) return;
    this.#worker = startStoreThread<SearchWorkerRequest, SearchWorkerReply>(
      SEARCH_WORKER,
      {
        file: this.#db.name,
        index: this.#file,
        everyMillis: LOOK_MILLIS,
        driver: this.#driver,
      } satisfies SearchWorkerData,
      (reply) => {
        if (reply.kind === 'indexed') this.#reached(reply.upto);
        else if (reply.kind === 'failed') process.emitWarning(`the search index could not be written: ${reply.error}`);
      },
      (why) => {
        this.#worker = undefined;
        process.emitWarning(searchThreadStopped(why));
      },
    );
  }

  /** For each word, the sessions (rowids) whose events hold it, once what was queued before is indexed. */
  async sessions(words: readonly string[]): Promise<number[][]> {
    await this.#catchUp();
    return words.map((word) => indexedSessions(this.#index, word));
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    const running = this.#worker;
    this.#worker = undefined;
    await running?.stop();
    for (const w of this.#waiting) w.resolve();
    this.#waiting = [];
    if (this.#index.open) this.#index.close();
  }

  /** Waits (a bounded time) until every entry queued before now is indexed. */
  async #catchUp(): Promise<void> {
    const target = (this.#db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM search_queue').get() as { n: number }).n;
    if (this.#upto >= target) return;
    const worker = this.#worker;
    if (!worker) {
      this.#catchUpInline(Date.now() + CATCH_UP_MILLIS);
      return;
    }
    await new Promise<void>((resolve) => {
      const waiter = { target, resolve };
      this.#waiting.push(waiter);
      worker.post({ kind: 'poke' });
      // Past the bound, the search reads what is indexed (a large index being made anew).
      setTimeout(() => {
        this.#waiting = this.#waiting.filter((w) => w !== waiter);
        resolve();
      }, CATCH_UP_MILLIS).unref();
    });
  }

  #catchUpInline(until: number): void {
    if (!this.#index.open || !this.#db.open) return;
    try {
      for (;;) {
        const done = this.#inline.step();
        this.#reached(done.upto);
        if (!done.more || Date.now() >= until) return;
      }
    } catch (err) {
      process.emitWarning(`the search index could not be written: ${errorText(err)}`);
    }
  }

  #reached(upto: number): void {
    this.#upto = upto;
    if (this.#waiting.length > 0) {
      const ready = this.#waiting.filter((w) => w.target <= upto);
      this.#waiting = this.#waiting.filter((w) => w.target > upto);
      for (const w of ready) w.resolve();
    }
    this.#prune();
  }

  /** Removes the queue's done entries (now and then: a small write of the store's). */
  #prune(): void {
    const now = Date.now();
    if (this.#upto <= this.#pruned || now - this.#prunedAt < PRUNE_EVERY_MILLIS || !this.#db.open) return;
    this.#prunedAt = now;
    try {
      this.#db.prepare('DELETE FROM search_queue WHERE id <= ?').run(this.#upto);
      this.#pruned = this.#upto;
    } catch {
      // Tried again later (the database busy with another process's write).
    }
  }
}
