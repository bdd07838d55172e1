/**
 * The store of a team: a PostgreSQL database that any number of server instances share, through a
 * pool of connections (node-postgres). Nothing lives in an instance: a write is one transaction,
 * event ingest is `ON CONFLICT DO NOTHING` (the same batch arriving at two instances at once is
 * stored once), and the schema is migrated under an advisory lock, so instances may start together.
 */
import { errorText } from '@agentops/exporter/internal';
import type pg from 'pg';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';
import { PostgresSearchQueue } from './postgres-search.js';
import type {
  PostgresSearchWorkerData,
  PostgresSearchWorkerReply,
  PostgresSearchWorkerRequest,
} from './postgres-search-worker.js';
import { SqlStore } from './SqlStore.js';
import { newerSchema } from './Store.js';
import { PostgresExecutor, postgresDialect } from './sql/postgres.js';
import { type StoreThread, searchThreadStopped, startStoreThread } from './store-thread.js';

const SEARCH_WORKER = new URL('./postgres-search-worker.js', import.meta.url);

/** The advisory lock migrations and the first project are made under (any fixed number; "agentops"). */
const SCHEMA_LOCK = 0x6167_656e_746f;
const MIGRATIONS_TABLE = 'agentops_schema_migrations';
type Queryable = Pick<pg.PoolClient, 'query'>;

/** A PostgreSQL URL as it may be shown: without its password. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '';
    return parsed.toString();
  } catch {
    return 'postgres://(an unreadable URL)';
  }
}

/** How long a request waits on PostgreSQL before it is answered 503. */
export interface PostgresTimeouts {
  /** For a connection of the pool (all of them busy). Default 3 s. */
  connectMillis?: number;
  /** For a statement. Default 15 s. */
  statementMillis?: number;
  /** For a lock another transaction holds. Default 3 s. */
  lockMillis?: number;
}

/** How long `/ready` waits for the database's answer. */
const READY_MILLIS = 2_000;

export class PostgresStore extends SqlStore {
  readonly kind = 'postgres' as const;
  readonly location: string;
  /** The connections: for the server's own diagnostics and tests, not for writes. */
  readonly pool: pg.Pool;
  /** The search index's queue: what ingest stored, indexed off its path (postgres-search.ts). */
  readonly search: PostgresSearchQueue;
  /** How the search index's thread connects: as the pool does. */
  readonly #connection: PostgresSearchWorkerData;
  #indexer: StoreThread<PostgresSearchWorkerRequest> | undefined;

  private constructor(pool: pg.Pool, connection: PostgresSearchWorkerData) {
    super(postgresDialect);
    this.use(new PostgresExecutor(pool));
    this.location = redactedUrl(connection.url);
    this.pool = pool;
    this.search = new PostgresSearchQueue(pool);
    this.#connection = connection;
  }

  /** A search reads the index once what was stored before it is indexed (2 s at most). */
  protected override async indexedSessions(): Promise<undefined> {
    await this.search.caughtUp();
    return undefined;
  }

  /**
   * Indexes what ingest stores in the background, as a running server does (every instance on one
   * database may: each entry is indexed by one), on a thread of its own at the lowest priority with
   * a connection of its own; on this thread if that thread cannot run (or sources are run as they
   * are: no script beside this module). Without it, searches index what they wait for.
   */
  indexInBackground(): void {
    if (this.#indexer || this.#closed) return;
    this.#indexer = startStoreThread<PostgresSearchWorkerRequest, PostgresSearchWorkerReply>(
      SEARCH_WORKER,
      this.#connection,
      (reply) => {
        if (reply.kind === 'failed')
          process.emitWarning(`the search index could not be written (tried again shortly): ${reply.error}`);
      },
      (why) => {
        this.#indexer = undefined;
        process.emitWarning(searchThreadStopped(why));
        this.search.background();
      },
    );
    if (!this.#indexer) this.search.background();
  }

  /** Whether a thread of its own writes the search index. */
  get indexThreaded(): boolean {
    return this.#indexer !== undefined;
  }

  async ready(): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`the database did not answer within ${READY_MILLIS} ms`), READY_MILLIS);
    });
    const answer = this.pool.query('SELECT 1').then(
      () => undefined,
      (err: unknown) => errorText(err),
    );
    try {
      return await Promise.race([answer, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The schema version this server migrates a database to. */
  static readonly latestSchemaVersion = POSTGRES_MIGRATIONS.length;

  /** Connects, and brings the schema up to date (waiting for an instance that is doing so). */
  static async open(
    url: string,
    options: { maxConnections?: number; timeouts?: PostgresTimeouts } = {},
  ): Promise<PostgresStore> {
    // node-postgres is loaded only by a server that opens PostgreSQL, never by a SQLite one.
    const { default: postgres } = await import('pg');
    const connection: PostgresSearchWorkerData = {
      url,
      statementMillis: options.timeouts?.statementMillis ?? 15_000,
      lockMillis: options.timeouts?.lockMillis ?? 3_000,
    };
    const pool = new postgres.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      application_name: 'agentops-server',
      // A saturated pool or a locked table answers 503 with Retry-After in seconds (the SDK backs
      // off on it), not a request that hangs until its socket closes.
      connectionTimeoutMillis: options.timeouts?.connectMillis ?? 3_000,
      statement_timeout: connection.statementMillis,
      lock_timeout: connection.lockMillis,
    });
    // A connection that breaks while idle is dropped from the pool and replaced; it must not crash the server.
    pool.on('error', (err) => process.emitWarning(`a PostgreSQL connection failed while idle: ${err.message}`));
    const store = new PostgresStore(pool, connection);
    try {
      await store.#migrate();
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return store;
  }

  async #migrate(): Promise<void> {
    const client = await this.pool.connect();
    // A migration of a large database takes what it takes: no request's timeouts.
    await client.query('SET statement_timeout = 0; SET lock_timeout = 0');
    try {
      await client.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`,
      );
      const version = await schemaVersionOf(client);
      if (version > POSTGRES_MIGRATIONS.length) throw newerSchema(version, POSTGRES_MIGRATIONS.length);
      for (let v = version; v < POSTGRES_MIGRATIONS.length; v++) {
        await client.query('BEGIN');
        try {
          await client.query(POSTGRES_MIGRATIONS[v] as string);
          await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, applied_at) VALUES ($1, $2)`, [
            v + 1,
            new Date().toISOString(),
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK]).catch(() => {});
      // Closed, not pooled: this connection has no timeouts, and a request given it could hang on a lock.
      client.release(true);
    }
  }

  /** The schema version of the database (the last migration applied). */
  async schemaVersion(): Promise<number> {
    return schemaVersionOf(this.pool);
  }

  #closed: Promise<void> | undefined;

  /** Stops the search index's work and closes the connections (once: a second call waits for the first). */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#indexer?.stop();
      await this.search.close();
      await this.pool.end();
    })();
    return this.#closed;
  }
}

async function schemaVersionOf(db: Queryable): Promise<number> {
  const { rows } = await db.query(`SELECT COALESCE(MAX(version), 0)::int AS v FROM ${MIGRATIONS_TABLE}`);
  return (rows[0] as { v: number }).v;
}
