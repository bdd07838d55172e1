/**
 * The embedded default: everything in one SQLite file (WAL), through `node:sqlite` or better-sqlite3
 * (sqlite-driver.ts). Its calls are synchronous underneath (each is one short transaction), answered
 * as promises to fit `Store`.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AgentPayload, EvaluationPayload, EventPayload, SessionPayload, SessionRecord } from '@agentops/exporter';
import { errorText, safeJsonStringify } from '@agentops/exporter/internal';
import type { CheckpointWorkerData, CheckpointWorkerReply, CheckpointWorkerRequest } from './checkpoint-worker.js';
import {
  assembleOverview,
  type Overview,
  type OverviewQuery,
  type OverviewRows,
  overviewStatements,
} from './overview.js';
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
  SessionTotals,
  type SessionTotalsRow,
  type Store,
  type StoredEvent,
  StoreUnavailable,
  sessionColumns,
  sessionRecord,
  type UploadRow,
  withCost,
} from './Store.js';
import { openSqlite, type SqliteConnection, type SqliteDriverName, sqliteDriver } from './sqlite-driver.js';
import { MIGRATIONS } from './sqlite-schema.js';

const CHECKPOINT_WORKER = new URL('./checkpoint-worker.js', import.meta.url);
/** Pages of WAL between SQLite's own checkpoints, when no checkpointer thread runs. */
const AUTOCHECKPOINT_PAGES = 10_000;

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  /** The connection itself: for the server's own diagnostics and tests, not for writes. */
  readonly db: SqliteConnection;
  /** The driver the file was opened with. */
  readonly driver: SqliteDriverName;
  readonly #statements: ReturnType<typeof prepare> & {
    insertEventsTransaction: (sessionId: string, rows: StoredEvent[], receivedAt: string) => number;
    writeSessionTransaction: (projectId: string, sessionId: string, batch: SessionBatch) => boolean;
    insertEvaluationsTransaction: (sessionId: string, rows: EvaluationPayload[], receivedAt: string) => number;
  };
  #checkpointer: { worker: Worker; stopped: Promise<void> } | undefined;
  /** The database file's identity when it was opened (device and inode): undefined in memory. */
  readonly #identity: string | undefined;

  constructor(file: string, driver: SqliteDriverName = sqliteDriver()) {
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
    // Prepared once: batches of events (v2 and OTLP) are the server's hottest path.
    this.#statements = {
      ...prepare(this.db),
      insertEventsTransaction: this.db.transaction((sessionId: string, rows: StoredEvent[], receivedAt: string) =>
        this.#insertEvents(sessionId, rows, receivedAt),
      ),
      writeSessionTransaction: this.db.transaction((projectId: string, sessionId: string, batch: SessionBatch) =>
        this.#writeSession(projectId, sessionId, batch),
      ),
      insertEvaluationsTransaction: this.db.transaction(
        (sessionId: string, rows: EvaluationPayload[], receivedAt: string) =>
          this.#insertEvaluations(sessionId, rows, receivedAt),
      ),
    };
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
        for (let v = version; v < MIGRATIONS.length; v++) this.db.exec(MIGRATIONS[v] as string);
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
    // No script beside this module (the sources run as they are, in this repository's tests): SQLite's own checkpoints.
    if (this.#checkpointer || this.db.memory || !existsSync(fileURLToPath(CHECKPOINT_WORKER))) return;
    const worker = new Worker(CHECKPOINT_WORKER, {
      workerData: { file: this.db.name, everyMillis, driver: this.driver } satisfies CheckpointWorkerData,
    });
    worker.unref();
    this.db.pragma('wal_autocheckpoint = 0');
    const fallBack = (why: unknown) => {
      if (this.#checkpointer?.worker !== worker) return;
      this.#checkpointer = undefined;
      if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
      process.emitWarning(checkpointFallbackWarning(why));
    };
    const stopped = new Promise<void>((resolve) => {
      worker.on('message', (reply: CheckpointWorkerReply) => {
        if (reply.kind === 'checkpointed') this.checkpoints++;
        else resolve();
      });
      worker.on('error', fallBack);
      worker.on('exit', (code) => {
        fallBack(`exit code ${code}`);
        resolve();
      });
    });
    this.#checkpointer = { worker, stopped };
  }

  /** Checkpoints the background thread has made: a count for tests and diagnostics. */
  checkpoints = 0;

  /** Stops the checkpoint thread (its connection closed cleanly); then `close()` checkpoints what is left. */
  async stopCheckpoints(): Promise<void> {
    const checkpointer = this.#checkpointer;
    if (!checkpointer) return;
    this.#checkpointer = undefined;
    checkpointer.worker.postMessage({ kind: 'stop' } satisfies CheckpointWorkerRequest);
    await checkpointer.stopped;
  }

  async close(): Promise<void> {
    await this.stopCheckpoints();
    if (this.db.open) this.db.close();
  }

  async metaOrSet(key: string, value: string): Promise<string> {
    this.#checkFile();
    this.#statements.metaInsert.run(key, value);
    return (this.#statements.metaGet.get(key) as { value: string }).value;
  }

  async addFirstProject(project: ProjectRow): Promise<boolean> {
    this.#checkFile();
    return this.db
      .transaction(() => {
        if (this.db.prepare('SELECT 1 FROM projects LIMIT 1').get()) return false;
        this.#statements.projectInsert.run(project);
        return true;
      })
      .immediate();
  }

  async addProject(project: ProjectRow): Promise<void> {
    this.#checkFile();
    this.#statements.projectInsert.run(project);
  }

  async projectByKeyHash(keyHash: string): Promise<ProjectRow | undefined> {
    return this.#statements.projectByKeyHash.get(keyHash) as ProjectRow | undefined;
  }

  async projectById(id: string): Promise<ProjectRow | undefined> {
    return this.#statements.projectById.get(id) as ProjectRow | undefined;
  }

  async listProjects(): Promise<ProjectRow[]> {
    return this.db.prepare('SELECT * FROM projects ORDER BY created_at, rowid').all() as ProjectRow[];
  }

  async sessionOwner(sessionId: string): Promise<string | undefined> {
    return this.#owner(sessionId);
  }

  #owner(sessionId: string): string | undefined {
    return (this.#statements.sessionOwner.get(sessionId) as { project_id: string } | undefined)?.project_id;
  }

  async getSession(projectId: string, sessionId: string): Promise<SessionRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ? AND project_id = ?').get(sessionId, projectId) as
      | SessionRow
      | undefined;
    return row ? sessionRecord(row) : undefined;
  }

  async upsertSession(projectId: string, s: SessionPayload): Promise<void> {
    this.#checkFile();
    this.#upsertSession(projectId, s);
  }

  #upsertSession(projectId: string, s: SessionPayload): void {
    const columns = sessionColumns(s);
    this.#statements.sessionUpsert.run({
      ...columns,
      id: s.session_id,
      project_id: projectId,
      init_timestamp: s.init_timestamp,
      now: new Date().toISOString(),
    });
  }

  async writeSession(projectId: string, sessionId: string, batch: SessionBatch): Promise<boolean> {
    this.#checkFile();
    return this.#statements.writeSessionTransaction(projectId, sessionId, batch);
  }

  #writeSession(projectId: string, sessionId: string, batch: SessionBatch): boolean {
    if (batch.session) this.#upsertSession(projectId, batch.session);
    else {
      const now = new Date().toISOString();
      this.#statements.sessionCreate.run(sessionId, projectId, batch.start, now, now);
    }
    // Both writes above leave another project's session as it was; nothing more is written to it.
    if (this.#owner(sessionId) !== projectId) return false;
    for (const agent of batch.agents) this.#upsertAgent(sessionId, agent);
    for (const link of batch.links ?? []) this.#statements.linkInsert.run(sessionId, link.span_id, link.parent_span_id);
    const receivedAt = new Date().toISOString();
    this.#insertEvents(sessionId, batch.events, receivedAt);
    if (batch.evaluations) this.#insertEvaluations(sessionId, batch.evaluations, receivedAt);
    return true;
  }

  async insertEvaluations(sessionId: string, evaluations: EvaluationPayload[]): Promise<number> {
    this.#checkFile();
    return this.#statements.insertEvaluationsTransaction(sessionId, evaluations, new Date().toISOString());
  }

  #insertEvaluations(sessionId: string, evaluations: EvaluationPayload[], receivedAt: string): number {
    let added = 0;
    for (const e of evaluations) {
      const c = evaluationColumns(e);
      added += Number(
        this.#statements.evaluationInsert.run(
          sessionId,
          e.id,
          c.timestamp,
          c.name,
          c.score,
          c.label,
          JSON.stringify(e),
          receivedAt,
        ).changes,
      );
    }
    if (added > 0) this.#statements.sessionEvaluationsAdd.run(added, sessionId);
    return added;
  }

  async evaluationsJsonPage(
    sessionId: string,
    after: EventCursor | undefined,
    limit: number,
  ): Promise<{ json: string[]; next: EventCursor | undefined }> {
    const rows = this.#statements.evaluationsPage.all(sessionId, after?.timestamp ?? '', after?.seq ?? 0, limit) as {
      seq: number;
      timestamp: string;
      data: string;
    }[];
    return jsonPage(
      rows,
      limit,
      (r) => r.timestamp,
      (r) => r.data,
    );
  }

  async evaluationTotals(sessionId: string): Promise<EvaluationTotalsRow[]> {
    return this.#statements.evaluationTotals.all(sessionId) as EvaluationTotalsRow[];
  }

  async insertEvents(sessionId: string, events: StoredEvent[]): Promise<number> {
    this.#checkFile();
    return this.#statements.insertEventsTransaction(sessionId, events, new Date().toISOString());
  }

  #insertEvents(sessionId: string, rows: StoredEvent[], receivedAt: string): number {
    let added = 0;
    const totals = new SessionTotals();
    for (const { payload: e, cost } of rows) {
      const c = eventColumns(e);
      const inserted = Number(
        this.#statements.eventInsert.run(
          sessionId,
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
          receivedAt,
        ).changes,
      );
      if (inserted === 0) continue;
      added += inserted;
      totals.add(e, c, cost);
    }
    if (added > 0) this.#addTotals(sessionId, totals);
    return added;
  }

  /** Adds what newly stored events count to their session's totals and its per-model costs. */
  #addTotals(sessionId: string, t: SessionTotals): void {
    const s = t.session;
    this.#statements.sessionTotalsAdd.run(
      s.llmCalls,
      s.errors,
      s.toolCalls,
      s.actions,
      s.promptTokens,
      s.completionTokens,
      s.cacheReadTokens,
      s.cacheCreationTokens,
      s.reasoningTokens,
      s.cost,
      s.lastEnd ?? null,
      sessionId,
    );
    for (const [model, m] of t.models) {
      this.#statements.sessionModelAdd.run(sessionId, model, m.llmCalls, m.promptTokens, m.completionTokens, m.cost);
    }
  }

  async upsertAgent(sessionId: string, agent: AgentPayload): Promise<void> {
    this.#checkFile();
    this.#upsertAgent(sessionId, agent);
  }

  #upsertAgent(sessionId: string, agent: AgentPayload): void {
    this.#statements.agentUpsert.run(
      sessionId,
      agent.id,
      agent.name,
      agent.span_id ?? null,
      agent.parent_span_id ?? null,
    );
  }

  async spanLinks(sessionId: string): Promise<Map<string, string>> {
    this.#checkFile();
    const rows = this.#statements.linksOf.all(sessionId) as { span_id: string; parent_span_id: string }[];
    return new Map(rows.map((r) => [r.span_id, r.parent_span_id]));
  }

  async agents(sessionId: string): Promise<AgentPayload[]> {
    const rows = this.db
      .prepare('SELECT id, name, span_id, parent_span_id FROM agents WHERE session_id = ? ORDER BY rowid')
      .all(sessionId) as AgentRow[];
    return rows.map(agentOfRow);
  }

  async agentCount(sessionId: string): Promise<number> {
    return (this.#statements.agentCount.get(sessionId) as { n: number }).n;
  }

  async eventsJsonPage(
    sessionId: string,
    type: EventPayload['event_type'],
    after: EventCursor | undefined,
    limit: number,
  ): Promise<{ json: string[]; next: EventCursor | undefined }> {
    // Rows written before payloads were stored without their cost may still hold one: the server's wins.
    const rows = this.#statements.eventsPage.all(sessionId, type, after?.timestamp ?? '', after?.seq ?? 0, limit) as {
      seq: number;
      init_timestamp: string;
      cost: number | null;
      data: string;
    }[];
    return jsonPage(
      rows,
      limit,
      (r) => r.init_timestamp,
      (r) => withCost(r.data, r.cost),
    );
  }

  async sessionTotals(sessionId: string): Promise<SessionTotalsRow | undefined> {
    return this.#statements.sessionTotals.get(sessionId) as SessionTotalsRow | undefined;
  }

  async addUpload(upload: NewUpload, sessionLimit?: number): Promise<boolean> {
    this.#checkFile();
    // Synchronous: the check and the insert are one step of this process; IMMEDIATE against others.
    return this.db
      .transaction(() => {
        if (sessionLimit !== undefined && upload.session_id !== null) {
          const stored = (
            this.db
              .prepare('SELECT COALESCE(SUM(size), 0) AS n FROM uploads WHERE session_id = ? AND kind = ?')
              .get(upload.session_id, upload.kind) as { n: number }
          ).n;
          if (stored + upload.size > sessionLimit) return false;
        }
        this.db
          .prepare(
            'INSERT INTO uploads (id, project_id, session_id, kind, body, size, created_at) VALUES (@id, @project_id, @session_id, @kind, @body, @size, @created_at)',
          )
          .run(upload);
        return true;
      })
      .immediate();
  }

  async sessionUploads(sessionId: string): Promise<UploadRow[]> {
    return this.db
      .prepare('SELECT id, kind, size, created_at FROM uploads WHERE session_id = ? ORDER BY created_at, rowid')
      .all(sessionId) as UploadRow[];
  }

  async uploadBody(projectId: string, id: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT body FROM uploads WHERE id = ? AND project_id = ?').get(id, projectId) as
      | { body: string }
      | undefined;
    return row?.body;
  }

  async overview(projectId: string, query: OverviewQuery): Promise<Overview> {
    const statements = overviewStatements('sqlite', query.bucket);
    const params = { project: projectId, from: query.from, to: query.to };
    const all = <T>(text: string) => this.db.prepare(text).all(params) as T[];
    // One read transaction: every part sees the same sessions.
    return this.db.transaction(() => {
      const rows: OverviewRows = {
        buckets: all(statements.buckets),
        durations: all<Record<string, unknown>>(statements.durations).map((row) => Object.values(row)) as [
          string,
          number,
        ][],
        states: all(statements.states),
        models: all(statements.models),
        slowest: all(statements.slowest),
        costliest: all(statements.costliest),
      };
      return assembleOverview(query, rows);
    })();
  }

  async listSessions(
    projectId: string,
    filter: SessionListFilter,
  ): Promise<{ sessions: ListedSession[]; total: number }> {
    const where = ['project_id = @projectId'];
    if (filter.tag !== undefined) where.push('EXISTS (SELECT 1 FROM json_each(sessions.tags) WHERE value = @tag)');
    if (filter.endState === 'running') where.push('end_state IS NULL');
    else if (filter.endState !== undefined) where.push('end_state = @endState');
    const params: Record<string, unknown> = {
      projectId,
      tag: filter.tag,
      endState: filter.endState,
      limit: filter.limit,
      offset: filter.offset,
    };
    for (const [name, column] of EQUALITY_FILTERS) {
      if (filter[name] === undefined) continue;
      where.push(`${column} = @${name}`);
      params[name] = filter[name];
    }
    for (const [name, column, op, value] of RANGE_FILTERS) {
      const given = filter[name];
      if (given === undefined) continue;
      where.push(`${column} ${op} @${name}`);
      params[name] = value(given);
    }
    const clause = where.join(' AND ');
    const rows = this.db
      .prepare(
        `SELECT *, ${AGENT_COUNT_COLUMN} FROM sessions WHERE ${clause}
         ORDER BY init_timestamp DESC, rowid DESC LIMIT @limit OFFSET @offset`,
      )
      .all(params) as Parameters<typeof listedSession>[0][];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM sessions WHERE ${clause}`).get(params) as { n: number })
      .n;
    return { sessions: rows.map(listedSession), total };
  }
}

/**
 * Turns on write-ahead logging. On a new file several processes opening it at once race to change
 * its journal mode, and SQLite answers the losers "database is locked" at once, without waiting
 * out the busy timeout: they try again shortly, for up to about five seconds.
 */
function useWal(db: SqliteConnection): void {
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

/** The statements of the hot paths, prepared once per connection. */
function prepare(db: SqliteConnection) {
  return {
    metaInsert: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING'),
    metaGet: db.prepare('SELECT value FROM meta WHERE key = ?'),
    projectInsert: db.prepare(
      'INSERT INTO projects (id, name, key_hash, created_at) VALUES (@id, @name, @key_hash, @created_at)',
    ),
    projectByKeyHash: db.prepare('SELECT * FROM projects WHERE key_hash = ?'),
    projectById: db.prepare('SELECT * FROM projects WHERE id = ?'),
    sessionOwner: db.prepare('SELECT project_id FROM sessions WHERE id = ?'),
    sessionCreate: db.prepare(
      `INSERT INTO sessions (id, project_id, init_timestamp, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO NOTHING`,
    ),
    sessionUpsert: db.prepare(
      `INSERT INTO sessions (id, project_id, init_timestamp, end_timestamp, end_state, end_state_reason, tags, host_env, video,
         user_id, environment, release, created_at, updated_at)
       VALUES (@id, @project_id, @init_timestamp, @end_timestamp, @end_state, @end_state_reason, @tags, @host_env, @video,
         @user_id, @environment, @release, @now, @now)
       ON CONFLICT(id) DO UPDATE SET
         init_timestamp = MIN(sessions.init_timestamp, excluded.init_timestamp),
         end_timestamp = COALESCE(excluded.end_timestamp, sessions.end_timestamp),
         end_state = COALESCE(excluded.end_state, sessions.end_state),
         end_state_reason = COALESCE(excluded.end_state_reason, sessions.end_state_reason),
         tags = CASE WHEN @tags_given THEN excluded.tags ELSE sessions.tags END,
         host_env = CASE WHEN @host_env_given THEN excluded.host_env ELSE sessions.host_env END,
         video = CASE WHEN @video_given THEN excluded.video ELSE sessions.video END,
         user_id = CASE WHEN @user_id_given THEN excluded.user_id ELSE sessions.user_id END,
         environment = CASE WHEN @environment_given THEN excluded.environment ELSE sessions.environment END,
         release = CASE WHEN @release_given THEN excluded.release ELSE sessions.release END,
         updated_at = excluded.updated_at
       WHERE sessions.project_id = excluded.project_id`,
    ),
    // Positional parameters: binding by name built an object per row.
    eventInsert: db.prepare(
      `INSERT OR IGNORE INTO events (session_id, id, event_type, init_timestamp, end_timestamp, agent_id, model,
         prompt_tokens, completion_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, cost, data, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    eventsPage: db.prepare(
      `SELECT rowid AS seq, init_timestamp, cost,
              CASE WHEN cost IS NULL THEN data ELSE json_remove(data, '$.cost') END AS data
       FROM events WHERE session_id = ? AND event_type = ? AND (init_timestamp, rowid) > (?, ?)
       ORDER BY init_timestamp, rowid LIMIT ?`,
    ),
    sessionTotals: db.prepare(`SELECT ${SESSION_TOTALS_COLUMNS} FROM sessions WHERE id = ?`),
    sessionTotalsAdd: db.prepare(
      `UPDATE sessions SET llm_calls = llm_calls + ?, errors = errors + ?, tool_calls = tool_calls + ?, actions = actions + ?,
         prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?, cache_read_tokens = cache_read_tokens + ?,
         cache_creation_tokens = cache_creation_tokens + ?, reasoning_tokens = reasoning_tokens + ?, cost = cost + ?,
         last_event_end = MAX(COALESCE(last_event_end, ''), COALESCE(?, ''))
       WHERE id = ?`,
    ),
    sessionEvaluationsAdd: db.prepare('UPDATE sessions SET evaluations = evaluations + ? WHERE id = ?'),
    sessionModelAdd: db.prepare(
      `INSERT INTO session_models (session_id, model, llm_calls, prompt_tokens, completion_tokens, cost)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET llm_calls = llm_calls + excluded.llm_calls, prompt_tokens = prompt_tokens + excluded.prompt_tokens,
         completion_tokens = completion_tokens + excluded.completion_tokens, cost = cost + excluded.cost`,
    ),
    linkInsert: db.prepare(
      'INSERT INTO span_links (session_id, span_id, parent_span_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    linksOf: db.prepare('SELECT span_id, parent_span_id FROM span_links WHERE session_id = ?'),
    agentUpsert: db.prepare(
      `INSERT INTO agents (session_id, id, name, span_id, parent_span_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET name = excluded.name, span_id = COALESCE(excluded.span_id, agents.span_id),
         parent_span_id = COALESCE(excluded.parent_span_id, agents.parent_span_id)`,
    ),
    agentCount: db.prepare('SELECT COUNT(*) AS n FROM agents WHERE session_id = ?'),
    evaluationInsert: db.prepare(
      `INSERT OR IGNORE INTO evaluations (session_id, id, timestamp, name, score, label, data, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    evaluationsPage: db.prepare(
      `SELECT rowid AS seq, timestamp, data FROM evaluations
       WHERE session_id = ? AND (timestamp, rowid) > (?, ?) ORDER BY timestamp, rowid LIMIT ?`,
    ),
    evaluationTotals: db.prepare(
      `SELECT name, label, COUNT(*) AS count, COUNT(score) AS scored, TOTAL(score) AS score_sum
       FROM evaluations WHERE session_id = ? GROUP BY name, label ORDER BY name, label`,
    ),
  };
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
