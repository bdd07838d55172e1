/**
 * The store of a team: a PostgreSQL database that any number of server instances share, through a
 * pool of connections (node-postgres). Nothing lives in an instance: a write is one transaction,
 * event ingest is `ON CONFLICT DO NOTHING` (the same batch arriving at two instances at once is
 * stored once), and the schema is migrated under an advisory lock, so instances may start together.
 */
import type {
  AgentPayload,
  EvaluationPayload,
  EventPayload,
  SessionPayload,
  SessionRecord,
  SpanLinkPayload,
} from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import type pg from 'pg';
import {
  assembleOverview,
  type Overview,
  type OverviewQuery,
  type OverviewRows,
  overviewStatements,
} from './overview.js';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';
import {
  AGENT_COUNT_COLUMN,
  type AgentRow,
  agentOfRow,
  EQUALITY_FILTERS,
  type EvaluationTotalsRow,
  type EventCursor,
  evaluationColumns,
  eventColumns,
  eventData,
  jsonPage,
  type ListedSession,
  listedSession,
  type NewUpload,
  newerSchema,
  type ProjectRow,
  RANGE_FILTERS,
  SESSION_TOTALS_COLUMNS,
  type SessionBatch,
  type SessionListFilter,
  type SessionRow,
  type SessionTotalsRow,
  type Store,
  type StoredEvent,
  sessionColumns,
  sessionRecord,
  type UploadRow,
  withCost,
} from './Store.js';

/** The advisory lock migrations and the first project are made under (any fixed number; "agentops"). */
const SCHEMA_LOCK = 0x6167_656e_746f;
const MIGRATIONS_TABLE = 'agentops_schema_migrations';
/** A transaction that lost a deadlock or a serialization race is run again, this many times in all. */
const ATTEMPTS = 4;
const RETRIED_CODES = new Set(['40P01', '40001']);

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

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly location: string;
  /** The connections: for the server's own diagnostics and tests, not for writes. */
  readonly pool: pg.Pool;

  private constructor(url: string, pool: pg.Pool) {
    this.location = redactedUrl(url);
    this.pool = pool;
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
    const pool = new postgres.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      application_name: 'agentops-server',
      // A saturated pool or a locked table answers 503 with Retry-After in seconds (the SDK backs
      // off on it), not a request that hangs until its socket closes.
      connectionTimeoutMillis: options.timeouts?.connectMillis ?? 3_000,
      statement_timeout: options.timeouts?.statementMillis ?? 15_000,
      lock_timeout: options.timeouts?.lockMillis ?? 3_000,
    });
    // A connection that breaks while idle is dropped from the pool and replaced; it must not crash the server.
    pool.on('error', (err) => process.emitWarning(`a PostgreSQL connection failed while idle: ${err.message}`));
    const store = new PostgresStore(url, pool);
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
      client.release();
    }
  }

  /** The schema version of the database (the last migration applied). */
  async schemaVersion(): Promise<number> {
    return schemaVersionOf(this.pool);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Runs `work` in a transaction, again when PostgreSQL chose it as a deadlock's or serialization race's loser. */
  #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#retrying(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    });
  }

  /**
   * Runs `attempt` on one connection, again (up to ATTEMPTS in all) when it lost a deadlock or a
   * serialization race. A connection that failed under it (not a statement PostgreSQL refused) is
   * not given back to the pool.
   */
  async #retrying<T>(attempt: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      for (let n = 1; ; n++) {
        try {
          return await attempt(client);
        } catch (err) {
          if (n >= ATTEMPTS || !RETRIED_CODES.has((err as { code?: string }).code ?? '')) throw err;
        }
      }
    } catch (err) {
      if (typeof (err as { code?: unknown }).code !== 'string' || !/^[0-9A-Z]{5}$/.test((err as { code: string }).code))
        broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async #rows<T>(text: string, values: unknown[]): Promise<T[]> {
    return (await this.pool.query(text, clean(values))).rows as T[];
  }

  async #row<T>(text: string, values: unknown[]): Promise<T | undefined> {
    return (await this.#rows<T>(text, values))[0];
  }

  async metaOrSet(key: string, value: string): Promise<string> {
    await this.pool.query(
      'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
      clean([key, value]),
    );
    return ((await this.#row<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key])) as { value: string })
      .value;
  }

  async addFirstProject(project: ProjectRow): Promise<boolean> {
    return this.#transaction(async (client) => {
      // Two instances starting on an empty database: one makes the project, the other sees it.
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      if ((await client.query('SELECT 1 FROM projects LIMIT 1')).rowCount) return false;
      await insertProject(client, project);
      return true;
    });
  }

  async addProject(project: ProjectRow): Promise<void> {
    await insertProject(this.pool, project);
  }

  projectByKeyHash(keyHash: string): Promise<ProjectRow | undefined> {
    return this.#row<ProjectRow>('SELECT id, name, key_hash, created_at FROM projects WHERE key_hash = $1', [keyHash]);
  }

  projectById(id: string): Promise<ProjectRow | undefined> {
    return this.#row<ProjectRow>('SELECT id, name, key_hash, created_at FROM projects WHERE id = $1', [id]);
  }

  listProjects(): Promise<ProjectRow[]> {
    return this.#rows<ProjectRow>('SELECT id, name, key_hash, created_at FROM projects ORDER BY created_at, seq', []);
  }

  async sessionOwner(sessionId: string): Promise<string | undefined> {
    return ownerOf(this.pool, sessionId);
  }

  async getSession(projectId: string, sessionId: string): Promise<SessionRecord | undefined> {
    const row = await this.#row<SessionRow>(
      `SELECT ${SESSION_FIELDS} FROM sessions WHERE id = $1 AND project_id = $2`,
      [sessionId, projectId],
    );
    return row ? sessionRecord(row) : undefined;
  }

  async upsertSession(projectId: string, s: SessionPayload): Promise<void> {
    await upsertSession(this.pool, projectId, s);
  }

  writeSession(projectId: string, sessionId: string, batch: SessionBatch): Promise<boolean> {
    return this.#transaction(async (client) => {
      const now = new Date().toISOString();
      if (batch.session) await upsertSession(client, projectId, batch.session);
      else
        await client.query({
          name: 'agentops_session_create',
          text: `INSERT INTO sessions (id, project_id, init_timestamp, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
                 ON CONFLICT (id) DO NOTHING`,
          values: clean([sessionId, projectId, batch.start, now]),
        });
      // Both writes above leave another project's session as it was; nothing more is written to it.
      if ((await ownerOf(client, sessionId)) !== projectId) return false;
      for (const agent of batch.agents) await upsertAgent(client, sessionId, agent);
      if (batch.links?.length) await insertLinks(client, sessionId, batch.links);
      await insertEvents(client, sessionId, batch.events, now);
      if (batch.evaluations) await insertEvaluations(client, sessionId, batch.evaluations, now);
      return true;
    });
  }

  insertEvaluations(sessionId: string, evaluations: EvaluationPayload[]): Promise<number> {
    return this.#retrying((client) => insertEvaluations(client, sessionId, evaluations, new Date().toISOString()));
  }

  async evaluationsJsonPage(
    sessionId: string,
    after: EventCursor | undefined,
    limit: number,
  ): Promise<{ json: string[]; next: EventCursor | undefined }> {
    const rows = await this.#rows<{ seq: number; timestamp: string; data: string }>(
      `SELECT seq::float8 AS seq, timestamp, data FROM evaluations
       WHERE session_id = $1 AND (timestamp, seq) > ($2, $3) ORDER BY timestamp, seq LIMIT $4`,
      [sessionId, after?.timestamp ?? '', after?.seq ?? 0, limit],
    );
    return jsonPage(
      rows,
      limit,
      (r) => r.timestamp,
      (r) => r.data,
    );
  }

  evaluationTotals(sessionId: string): Promise<EvaluationTotalsRow[]> {
    return this.#rows<EvaluationTotalsRow>(
      // A numeric sum: a float8 one overflows ("value out of range") on scores an older server accepted.
      `SELECT name, label, COUNT(*)::int AS count, COUNT(score)::int AS scored, SUM(score::numeric)::text AS score_sum
       FROM evaluations WHERE session_id = $1 GROUP BY name, label ORDER BY name, label`,
      [sessionId],
    );
  }

  insertEvents(sessionId: string, events: StoredEvent[]): Promise<number> {
    // One statement, atomic by itself: run again if it loses a deadlock, without a BEGIN and COMMIT around it.
    return this.#retrying((client) => insertEvents(client, sessionId, events, new Date().toISOString()));
  }

  async upsertAgent(sessionId: string, agent: AgentPayload): Promise<void> {
    await upsertAgent(this.pool, sessionId, agent);
  }

  async spanLinks(sessionId: string): Promise<Map<string, string>> {
    const rows = await this.#rows<{ span_id: string; parent_span_id: string }>(
      'SELECT span_id, parent_span_id FROM span_links WHERE session_id = $1',
      [sessionId],
    );
    return new Map(rows.map((r) => [r.span_id, r.parent_span_id]));
  }

  async agents(sessionId: string): Promise<AgentPayload[]> {
    const rows = await this.#rows<AgentRow>(
      'SELECT id, name, span_id, parent_span_id FROM agents WHERE session_id = $1 ORDER BY seq',
      [sessionId],
    );
    return rows.map(agentOfRow);
  }

  async agentCount(sessionId: string): Promise<number> {
    const row = await this.#row<{ n: number }>('SELECT COUNT(*)::int AS n FROM agents WHERE session_id = $1', [
      sessionId,
    ]);
    return row?.n ?? 0;
  }

  async eventsJsonPage(
    sessionId: string,
    type: EventPayload['event_type'],
    after: EventCursor | undefined,
    limit: number,
  ): Promise<{ json: string[]; next: EventCursor | undefined }> {
    const rows = await this.#rows<{ seq: number; init_timestamp: string; cost: number | null; data: string }>(
      `SELECT seq::float8 AS seq, init_timestamp, cost, data FROM events
       WHERE session_id = $1 AND event_type = $2 AND (init_timestamp, seq) > ($3, $4)
       ORDER BY init_timestamp, seq LIMIT $5`,
      [sessionId, type, after?.timestamp ?? '', after?.seq ?? 0, limit],
    );
    return jsonPage(
      rows,
      limit,
      (r) => r.init_timestamp,
      (r) => withCost(r.data, r.cost),
    );
  }

  async sessionTotals(sessionId: string): Promise<SessionTotalsRow | undefined> {
    const [row] = await this.#rows<SessionTotalsRow>(`SELECT ${SESSION_TOTALS_COLUMNS} FROM sessions WHERE id = $1`, [
      sessionId,
    ]);
    return row;
  }

  async addUpload(u: NewUpload, sessionLimit?: number): Promise<boolean> {
    const insert = (db: Queryable) =>
      db.query(
        'INSERT INTO uploads (id, project_id, session_id, kind, body, size, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        clean([u.id, u.project_id, u.session_id, u.kind, u.body, u.size, u.created_at]),
      );
    if (sessionLimit === undefined || u.session_id === null) {
      await insert(this.pool);
      return true;
    }
    const sessionId = u.session_id;
    // The session's uploads of this kind, one at a time across instances (a lock for this
    // transaction only): the sum checked is the sum the insert adds to.
    return this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`uploads:${sessionId}:${u.kind}`]);
      const { rows } = await client.query<{ n: number }>(
        'SELECT COALESCE(SUM(size), 0)::float8 AS n FROM uploads WHERE session_id = $1 AND kind = $2',
        [sessionId, u.kind],
      );
      if ((rows[0]?.n ?? 0) + u.size > sessionLimit) return false;
      await insert(client);
      return true;
    });
  }

  sessionUploads(sessionId: string): Promise<UploadRow[]> {
    return this.#rows<UploadRow>(
      'SELECT id, kind, size, created_at FROM uploads WHERE session_id = $1 ORDER BY created_at, seq',
      [sessionId],
    );
  }

  async uploadBody(projectId: string, id: string): Promise<string | undefined> {
    const row = await this.#row<{ body: string }>('SELECT body FROM uploads WHERE id = $1 AND project_id = $2', [
      id,
      projectId,
    ]);
    return row?.body;
  }

  async overview(projectId: string, query: OverviewQuery): Promise<Overview> {
    const statements = overviewStatements('postgres', query.bucket);
    const values = [projectId, query.from, query.to];
    // One snapshot: every part sees the same sessions.
    return this.#transaction(async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const all = async <T>(text: string) => (await client.query(text, values)).rows as T[];
      const durations = await client.query<[string, number]>({ text: statements.durations, values, rowMode: 'array' });
      const rows: OverviewRows = {
        buckets: await all(statements.buckets),
        durations: durations.rows,
        states: await all(statements.states),
        models: await all(statements.models),
        slowest: await all(statements.slowest),
        costliest: await all(statements.costliest),
      };
      return assembleOverview(query, rows);
    });
  }

  async listSessions(
    projectId: string,
    filter: SessionListFilter,
  ): Promise<{ sessions: ListedSession[]; total: number }> {
    const values: unknown[] = [projectId];
    const where = ['project_id = $1'];
    if (filter.tag !== undefined) {
      values.push(JSON.stringify(clean([filter.tag])));
      where.push(`tags @> $${values.length}::jsonb`);
    }
    if (filter.endState === 'running') where.push('end_state IS NULL');
    else if (filter.endState !== undefined) {
      values.push(filter.endState);
      where.push(`end_state = $${values.length}`);
    }
    for (const [name, column] of EQUALITY_FILTERS) {
      if (filter[name] === undefined) continue;
      values.push(filter[name]);
      where.push(`${column} = $${values.length}`);
    }
    for (const [name, column, op, value] of RANGE_FILTERS) {
      const given = filter[name];
      if (given === undefined) continue;
      values.push(value(given));
      where.push(`${column} ${op} $${values.length}`);
    }
    const clause = where.join(' AND ');
    const [rows, count] = await Promise.all([
      this.#rows<Parameters<typeof listedSession>[0]>(
        `SELECT ${SESSION_FIELDS}, ${SESSION_TOTALS_COLUMNS}, ${AGENT_COUNT_COLUMN} FROM sessions WHERE ${clause}
         ORDER BY init_timestamp DESC, seq DESC LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
        [...values, filter.limit, filter.offset],
      ),
      this.#row<{ n: number }>(`SELECT COUNT(*)::int AS n FROM sessions WHERE ${clause}`, values),
    ]);
    return { sessions: rows.map(listedSession), total: count?.n ?? 0 };
  }
}

/**
 * Query values PostgreSQL can hold: its text and jsonb cannot hold the NUL character, which JSON
 * and SQLite can, so a NUL in a name or id is kept as U+FFFD instead of failing the whole write.
 * (Payload JSON is unaffected: JSON.stringify writes a NUL as the six characters \u0000.)
 */
function clean(values: unknown[]): unknown[] {
  return values.map((v) =>
    typeof v === 'string' ? noNul(v) : Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? noNul(x) : x)) : v,
  );
}

function noNul(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
}

const SESSION_FIELDS =
  'id, init_timestamp, end_timestamp, end_state, end_state_reason, tags, host_env, video, user_id, environment, release';

async function schemaVersionOf(db: Queryable): Promise<number> {
  const { rows } = await db.query(`SELECT COALESCE(MAX(version), 0)::int AS v FROM ${MIGRATIONS_TABLE}`);
  return (rows[0] as { v: number }).v;
}

async function insertProject(db: Queryable, p: ProjectRow): Promise<void> {
  await db.query(
    'INSERT INTO projects (id, name, key_hash, created_at) VALUES ($1, $2, $3, $4)',
    clean([p.id, p.name, p.key_hash, p.created_at]),
  );
}

async function ownerOf(db: Queryable, sessionId: string): Promise<string | undefined> {
  const { rows } = await db.query({
    name: 'agentops_session_owner',
    text: 'SELECT project_id FROM sessions WHERE id = $1',
    values: clean([sessionId]),
  });
  return (rows[0] as { project_id: string } | undefined)?.project_id;
}

async function upsertSession(db: Queryable, projectId: string, s: SessionPayload): Promise<void> {
  const c = sessionColumns({ ...s, ...(s.tags ? { tags: clean(s.tags) as string[] } : {}) });
  await db.query({
    name: 'agentops_session_upsert_3',
    text: `INSERT INTO sessions (id, project_id, init_timestamp, end_timestamp, end_state, end_state_reason, tags, host_env, video,
             user_id, environment, release, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $12, $13, $14, $10, $10)
           ON CONFLICT (id) DO UPDATE SET
             init_timestamp = LEAST(sessions.init_timestamp, excluded.init_timestamp),
             end_timestamp = COALESCE(excluded.end_timestamp, sessions.end_timestamp),
             end_state = COALESCE(excluded.end_state, sessions.end_state),
             end_state_reason = COALESCE(excluded.end_state_reason, sessions.end_state_reason),
             tags = CASE WHEN $11::boolean THEN excluded.tags ELSE sessions.tags END,
             host_env = CASE WHEN $15::boolean THEN excluded.host_env ELSE sessions.host_env END,
             video = CASE WHEN $16::boolean THEN excluded.video ELSE sessions.video END,
             user_id = CASE WHEN $17::boolean THEN excluded.user_id ELSE sessions.user_id END,
             environment = CASE WHEN $18::boolean THEN excluded.environment ELSE sessions.environment END,
             release = CASE WHEN $19::boolean THEN excluded.release ELSE sessions.release END,
             updated_at = excluded.updated_at
           WHERE sessions.project_id = excluded.project_id`,
    values: clean([
      s.session_id,
      projectId,
      s.init_timestamp,
      c.end_timestamp,
      c.end_state,
      c.end_state_reason,
      c.tags,
      c.host_env,
      c.video,
      new Date().toISOString(),
      c.tags_given,
      c.user_id,
      c.environment,
      c.release,
      c.host_env_given,
      c.video_given,
      c.user_id_given,
      c.environment_given,
      c.release_given,
    ]),
  });
}

/** A batch's span links in one statement; a link stored already is kept. */
async function insertLinks(db: Queryable, sessionId: string, links: SpanLinkPayload[]): Promise<void> {
  await db.query({
    text: `INSERT INTO span_links (session_id, span_id, parent_span_id)
           SELECT $1, * FROM UNNEST($2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
    values: clean([sessionId, links.map((l) => l.span_id), links.map((l) => l.parent_span_id)]),
  });
}

async function upsertAgent(db: Queryable, sessionId: string, agent: AgentPayload): Promise<void> {
  await db.query({
    name: 'agentops_agent_upsert',
    text: `INSERT INTO agents (session_id, id, name, span_id, parent_span_id) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (session_id, id) DO UPDATE SET name = excluded.name, span_id = COALESCE(excluded.span_id, agents.span_id),
             parent_span_id = COALESCE(excluded.parent_span_id, agents.parent_span_id)`,
    values: clean([sessionId, agent.id, agent.name, agent.span_id ?? null, agent.parent_span_id ?? null]),
  });
}

/** Evaluations in one statement, as events are (see `insertEvents`). */
async function insertEvaluations(db: Queryable, sessionId: string, rows: EvaluationPayload[], receivedAt: string) {
  if (rows.length === 0) return 0;
  const columns: unknown[][] = Array.from({ length: 6 }, () => []);
  for (const e of rows) {
    const c = evaluationColumns(e);
    const row = [e.id, c.timestamp, c.name, c.score, c.label, JSON.stringify(e)];
    for (let i = 0; i < row.length; i++) columns[i]?.push(row[i]);
  }
  const result = await db.query({
    name: 'agentops_evaluations_insert_2',
    // The evaluations not stored yet, and in the same statement their count on the session's row.
    text: `WITH added AS (
             INSERT INTO evaluations (session_id, id, timestamp, name, score, label, data, received_at)
             SELECT $1, u.*, $8 FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[]) AS u
             ON CONFLICT DO NOTHING
             RETURNING 1
           ), counted AS (
             UPDATE sessions SET evaluations = evaluations + (SELECT COUNT(*) FROM added)
             WHERE id = $1 AND EXISTS (SELECT 1 FROM added)
             RETURNING 1
           )
           SELECT (SELECT COUNT(*) FROM added)::int AS added`,
    values: clean([sessionId, ...columns, receivedAt]),
  });
  return (result.rows[0] as { added: number } | undefined)?.added ?? 0;
}

/**
 * A batch of events in one statement (a column of each field, unnested), in the order sent, which
 * orders events of the same instant. The same batch at two instances takes its row locks in the
 * same order: the second waits for the first, then finds every row there. Batches that overlap in
 * another order may deadlock; PostgreSQL then fails one, and its transaction is run again.
 */
async function insertEvents(db: Queryable, sessionId: string, rows: StoredEvent[], receivedAt: string) {
  if (rows.length === 0) return 0;
  const columns: unknown[][] = Array.from({ length: 13 }, () => []);
  for (const { payload: e, cost } of rows) {
    const c = eventColumns(e);
    const row = [
      e.id,
      e.event_type,
      e.init_timestamp,
      e.end_timestamp,
      c.agentId,
      c.model,
      c.promptTokens,
      c.completionTokens,
      c.cacheReadTokens,
      c.cacheCreationTokens,
      c.reasoningTokens,
      cost,
      eventData(e),
    ];
    for (let i = 0; i < row.length; i++) columns[i]?.push(row[i]);
  }
  // The events not stored yet, and in the same statement what they add to the session's totals and
  // to its cost per model (see SessionTotals): a retried batch adds nothing twice.
  const result = await db.query<{ added: number }>({
    name: 'agentops_events_insert_4',
    text: `WITH added AS (
             INSERT INTO events (session_id, id, event_type, init_timestamp, end_timestamp, agent_id, model, prompt_tokens,
               completion_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, cost, data, received_at)
             SELECT $1, u.*, $15 FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                            $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[],
                                            $13::float8[], $14::text[]) AS u
             ON CONFLICT DO NOTHING
             RETURNING event_type, end_timestamp, model, prompt_tokens, completion_tokens, cache_read_tokens,
               cache_creation_tokens, reasoning_tokens, cost
           ), llms AS (SELECT * FROM added WHERE event_type = 'llms'),
           totals AS (
             UPDATE sessions s SET llm_calls = s.llm_calls + t.llm_calls, errors = s.errors + t.errors,
               tool_calls = s.tool_calls + t.tool_calls, actions = s.actions + t.actions,
               prompt_tokens = s.prompt_tokens + t.prompt_tokens, completion_tokens = s.completion_tokens + t.completion_tokens,
               cache_read_tokens = s.cache_read_tokens + t.cache_read_tokens,
               cache_creation_tokens = s.cache_creation_tokens + t.cache_creation_tokens,
               reasoning_tokens = s.reasoning_tokens + t.reasoning_tokens, cost = s.cost + t.cost,
               last_event_end = GREATEST(s.last_event_end, t.last_end)
             FROM (SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE event_type = 'llms') AS llm_calls,
                          COUNT(*) FILTER (WHERE event_type = 'errors') AS errors,
                          COUNT(*) FILTER (WHERE event_type = 'tools') AS tool_calls,
                          COUNT(*) FILTER (WHERE event_type = 'actions') AS actions,
                          COALESCE(SUM(prompt_tokens) FILTER (WHERE event_type = 'llms'), 0) AS prompt_tokens,
                          COALESCE(SUM(completion_tokens) FILTER (WHERE event_type = 'llms'), 0) AS completion_tokens,
                          COALESCE(SUM(cache_read_tokens) FILTER (WHERE event_type = 'llms'), 0) AS cache_read_tokens,
                          COALESCE(SUM(cache_creation_tokens) FILTER (WHERE event_type = 'llms'), 0) AS cache_creation_tokens,
                          COALESCE(SUM(reasoning_tokens) FILTER (WHERE event_type = 'llms'), 0) AS reasoning_tokens,
                          COALESCE(SUM(cost), 0) AS cost, MAX(end_timestamp) AS last_end FROM added) AS t
             WHERE s.id = $1 AND t.n > 0
             RETURNING 1
           ), models AS (
             INSERT INTO session_models AS m (session_id, model, llm_calls, prompt_tokens, completion_tokens, cost)
             SELECT $1, model, COUNT(*), COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0),
                    COALESCE(SUM(cost), 0)
             FROM llms WHERE model IS NOT NULL GROUP BY model ORDER BY model
             ON CONFLICT (session_id, model) DO UPDATE SET llm_calls = m.llm_calls + excluded.llm_calls,
               prompt_tokens = m.prompt_tokens + excluded.prompt_tokens,
               completion_tokens = m.completion_tokens + excluded.completion_tokens, cost = m.cost + excluded.cost
             RETURNING 1
           )
           SELECT (SELECT COUNT(*) FROM added)::int AS added`,
    values: clean([sessionId, ...columns, receivedAt]),
  });
  return result.rows[0]?.added ?? 0;
}
