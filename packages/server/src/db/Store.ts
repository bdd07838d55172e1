/**
 * Everything the server keeps, in one SQLite file (WAL). Synchronous, as better-sqlite3 is: each
 * call is one short transaction. Every read and write names the project, so one project's key can
 * never reach another's sessions.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AgentPayload, EventPayload, SessionPayload, SessionRecord, WireEndState } from '@agentops/exporter';
import Database, { type Database as SqliteDatabase } from 'better-sqlite3';
import type { CheckpointWorkerData, CheckpointWorkerReply, CheckpointWorkerRequest } from './checkpoint-worker.js';
import { MIGRATIONS } from './schema.js';

const CHECKPOINT_WORKER = new URL('./checkpoint-worker.js', import.meta.url);
/** Pages of WAL between SQLite's own checkpoints, when no checkpointer thread runs. */
const AUTOCHECKPOINT_PAGES = 10_000;

export interface ProjectRow {
  id: string;
  name: string;
  key_hash: string;
  created_at: string;
}

interface SessionRow {
  id: string;
  project_id: string;
  init_timestamp: string;
  end_timestamp: string | null;
  end_state: string | null;
  end_state_reason: string | null;
  tags: string;
  host_env: string | null;
  video: string | null;
}

export interface EventTotalsRow {
  event_type: string;
  count: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost: number | null;
  first_start: string | null;
  last_end: string | null;
}

export interface SessionListFilter {
  limit: number;
  offset: number;
  tag?: string;
  endState?: WireEndState | 'running';
}

/** An upload of an AgentOps 0.4 client, without its body. */
export interface UploadRow {
  id: string;
  kind: 'logs' | 'object';
  size: number;
  created_at: string;
}

/** Where a page of events ends: the last event's start and row. */
export interface EventCursor {
  timestamp: string;
  rowid: number;
}

/** An event as stored: the payload, plus the cost the server worked out when the client gave none. */
export interface StoredEvent {
  payload: EventPayload;
  cost: number | null;
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toRecord(row: SessionRow): SessionRecord {
  return {
    session_id: row.id,
    init_timestamp: row.init_timestamp,
    end_timestamp: row.end_timestamp,
    end_state: row.end_state as WireEndState | null,
    end_state_reason: row.end_state_reason,
    tags: parseJson<string[]>(row.tags, []),
    host_env: parseJson(row.host_env, null),
    video: row.video,
  };
}

export class Store {
  readonly db: SqliteDatabase;
  readonly #insertEvents: (sessionId: string, rows: StoredEvent[], receivedAt: string) => number;
  #checkpointer: { worker: Worker; stopped: Promise<void> } | undefined;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Event ids are random, so each batch dirties pages all over the primary-key index; at the
    // default (1,000 pages) the WAL was checkpointed, with its two fsyncs, every couple of
    // batches, which halved the insert rate. Up to 40 MB of WAL between checkpoints instead.
    this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    // After a checkpoint the log is reused from its start; beyond this it is also cut back.
    this.db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.#migrate();
    // Prepared once: a batch of events is the server's hottest path.
    this.#insertEvents = this.#insertEventsTransaction();
  }

  #migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v] as string);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
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
      workerData: { file: this.db.name, everyMillis } satisfies CheckpointWorkerData,
    });
    worker.unref();
    this.db.pragma('wal_autocheckpoint = 0');
    const fallBack = (why: string) => {
      if (this.#checkpointer?.worker !== worker) return;
      this.#checkpointer = undefined;
      if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
      process.emitWarning(`the SQLite checkpoint thread stopped (${why}); checkpoints run on the main thread again`);
    };
    const stopped = new Promise<void>((resolve) => {
      worker.on('message', (reply: CheckpointWorkerReply) => {
        if (reply.kind === 'checkpointed') this.checkpoints++;
        else resolve();
      });
      worker.on('error', (err) => fallBack(err.message));
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

  close(): void {
    // A checkpointer left running (close without stopCheckpoints) is ended; its connection closes with it.
    const checkpointer = this.#checkpointer;
    this.#checkpointer = undefined;
    if (checkpointer) void checkpointer.worker.terminate();
    this.db.close();
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  addProject(project: ProjectRow): void {
    this.db
      .prepare('INSERT INTO projects (id, name, key_hash, created_at) VALUES (@id, @name, @key_hash, @created_at)')
      .run(project);
  }

  projectByKeyHash(keyHash: string): ProjectRow | undefined {
    return this.db.prepare('SELECT * FROM projects WHERE key_hash = ?').get(keyHash) as ProjectRow | undefined;
  }

  projectById(id: string): ProjectRow | undefined {
    return this.db.prepare('SELECT * FROM projects WHERE id = ?').get(id) as ProjectRow | undefined;
  }

  projectCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM projects').get() as { n: number }).n;
  }

  listProjects(): ProjectRow[] {
    return this.db.prepare('SELECT * FROM projects ORDER BY created_at').all() as ProjectRow[];
  }

  /** Which project a session belongs to, if it exists. */
  sessionOwner(sessionId: string): string | undefined {
    const row = this.db.prepare('SELECT project_id FROM sessions WHERE id = ?').get(sessionId) as
      | { project_id: string }
      | undefined;
    return row?.project_id;
  }

  getSession(projectId: string, sessionId: string): SessionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ? AND project_id = ?').get(sessionId, projectId) as
      | SessionRow
      | undefined;
    return row ? toRecord(row) : undefined;
  }

  /**
   * Creates the session, or merges into it when it exists (a retried create, or a second process
   * that got there first): the earliest start wins, and given fields replace older ones.
   */
  upsertSession(projectId: string, s: SessionPayload): void {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO sessions (id, project_id, init_timestamp, end_timestamp, end_state, end_state_reason, tags, host_env, video, created_at, updated_at)
         VALUES (@id, @project_id, @init_timestamp, @end_timestamp, @end_state, @end_state_reason, @tags, @host_env, @video, @now, @now)
         ON CONFLICT(id) DO UPDATE SET
           init_timestamp = MIN(sessions.init_timestamp, excluded.init_timestamp),
           end_timestamp = COALESCE(excluded.end_timestamp, sessions.end_timestamp),
           end_state = COALESCE(excluded.end_state, sessions.end_state),
           end_state_reason = COALESCE(excluded.end_state_reason, sessions.end_state_reason),
           tags = CASE WHEN @tags_given THEN excluded.tags ELSE sessions.tags END,
           host_env = COALESCE(excluded.host_env, sessions.host_env),
           video = COALESCE(excluded.video, sessions.video),
           updated_at = excluded.updated_at
         WHERE sessions.project_id = excluded.project_id`,
      )
      .run({
        id: s.session_id,
        project_id: projectId,
        init_timestamp: s.init_timestamp,
        end_timestamp: s.end_timestamp ?? null,
        end_state: s.end_state ?? null,
        end_state_reason: s.end_state_reason ?? null,
        tags: JSON.stringify(s.tags ?? []),
        tags_given: s.tags !== undefined ? 1 : 0,
        host_env: s.host_env && Object.keys(s.host_env).length > 0 ? JSON.stringify(s.host_env) : null,
        video: s.video ?? null,
        now,
      });
  }

  /** Inserts events that are not stored yet; a retried batch changes nothing. Returns how many were new. */
  insertEvents(sessionId: string, events: StoredEvent[]): number {
    return this.#insertEvents(sessionId, events, new Date().toISOString());
  }

  #insertEventsTransaction() {
    // Positional parameters: binding by name built an object per row.
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO events (session_id, id, event_type, init_timestamp, end_timestamp, agent_id, model, prompt_tokens, completion_tokens, cost, data, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return this.db.transaction((sessionId: string, rows: StoredEvent[], receivedAt: string): number => {
      let added = 0;
      for (const { payload: e, cost } of rows) {
        const llm = e.event_type === 'llms' ? e : undefined;
        added += insert.run(
          sessionId,
          e.id,
          e.event_type,
          e.init_timestamp,
          e.end_timestamp,
          e.agent_id ?? null,
          llm?.model ?? null,
          llm?.prompt_tokens ?? null,
          llm?.completion_tokens ?? null,
          cost,
          JSON.stringify(e),
          receivedAt,
        ).changes;
      }
      return added;
    });
  }

  upsertAgent(sessionId: string, agent: AgentPayload): void {
    this.db
      .prepare(
        `INSERT INTO agents (session_id, id, name, span_id) VALUES (?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET name = excluded.name, span_id = COALESCE(excluded.span_id, agents.span_id)`,
      )
      .run(sessionId, agent.id, agent.name, agent.span_id ?? null);
  }

  agents(sessionId: string): AgentPayload[] {
    return (
      this.db
        .prepare('SELECT id, name, span_id FROM agents WHERE session_id = ? ORDER BY rowid')
        .all(sessionId) as (AgentPayload & { span_id: string | null })[]
    ).map(({ span_id, ...agent }) => (span_id ? { ...agent, span_id } : agent));
  }

  /**
   * One page of a session's events of one type, in time order, each as its JSON text (with the cost
   * the server keeps), from just after `after`; `next` is where the following page starts, if any.
   * Nothing is parsed: a 100k-event export is read and written a page at a time.
   */
  eventsJsonPage(
    sessionId: string,
    type: EventPayload['event_type'],
    after: EventCursor | undefined,
    limit: number,
  ): { json: string[]; next: EventCursor | undefined } {
    const rows = this.db
      .prepare(
        `SELECT rowid AS rowid, init_timestamp, cost,
                CASE WHEN cost IS NULL THEN data ELSE json_remove(data, '$.cost') END AS data
         FROM events WHERE session_id = ? AND event_type = ? AND (init_timestamp, rowid) > (?, ?)
         ORDER BY init_timestamp, rowid LIMIT ?`,
      )
      .all(sessionId, type, after?.timestamp ?? '', after?.rowid ?? 0, limit) as {
      rowid: number;
      init_timestamp: string;
      cost: number | null;
      data: string;
    }[];
    const json = rows.map(({ data, cost }) =>
      cost === null ? data : `${data.slice(0, -1)}${data.length > 2 ? ',' : ''}"cost":${JSON.stringify(cost)}}`,
    );
    const last = rows.at(-1);
    return {
      json,
      next: rows.length === limit && last ? { timestamp: last.init_timestamp, rowid: last.rowid } : undefined,
    };
  }

  eventTotals(sessionId: string): EventTotalsRow[] {
    return this.db
      .prepare(
        `SELECT event_type, COUNT(*) AS count, SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
                SUM(cost) AS cost, MIN(init_timestamp) AS first_start, MAX(end_timestamp) AS last_end
         FROM events WHERE session_id = ? GROUP BY event_type`,
      )
      .all(sessionId) as EventTotalsRow[];
  }

  addUpload(upload: UploadRow & { project_id: string; session_id: string | null; body: string }): void {
    this.db
      .prepare(
        'INSERT INTO uploads (id, project_id, session_id, kind, body, size, created_at) VALUES (@id, @project_id, @session_id, @kind, @body, @size, @created_at)',
      )
      .run(upload);
  }

  /** Bytes of uploads a session has of one kind. */
  uploadedBytes(sessionId: string, kind: UploadRow['kind']): number {
    return (
      this.db
        .prepare('SELECT COALESCE(SUM(size), 0) AS n FROM uploads WHERE session_id = ? AND kind = ?')
        .get(sessionId, kind) as { n: number }
    ).n;
  }

  /** A session's uploads, oldest first, without their bodies. */
  sessionUploads(sessionId: string): UploadRow[] {
    return this.db
      .prepare('SELECT id, kind, size, created_at FROM uploads WHERE session_id = ? ORDER BY created_at, rowid')
      .all(sessionId) as UploadRow[];
  }

  /** One upload's body, if it belongs to the project. */
  uploadBody(projectId: string, id: string): string | undefined {
    const row = this.db.prepare('SELECT body FROM uploads WHERE id = ? AND project_id = ?').get(id, projectId) as
      | { body: string }
      | undefined;
    return row?.body;
  }

  agentCount(sessionId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM agents WHERE session_id = ?').get(sessionId) as { n: number }).n;
  }

  listSessions(projectId: string, filter: SessionListFilter): { sessions: SessionRecord[]; total: number } {
    const where = ['project_id = @projectId'];
    if (filter.tag !== undefined) where.push('EXISTS (SELECT 1 FROM json_each(sessions.tags) WHERE value = @tag)');
    if (filter.endState === 'running') where.push('end_state IS NULL');
    else if (filter.endState !== undefined) where.push('end_state = @endState');
    const clause = where.join(' AND ');
    const params = {
      projectId,
      tag: filter.tag,
      endState: filter.endState,
      limit: filter.limit,
      offset: filter.offset,
    };
    const rows = this.db
      .prepare(
        `SELECT * FROM sessions WHERE ${clause} ORDER BY init_timestamp DESC, rowid DESC LIMIT @limit OFFSET @offset`,
      )
      .all(params) as SessionRow[];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM sessions WHERE ${clause}`).get(params) as { n: number })
      .n;
    return { sessions: rows.map(toRecord), total };
  }
}
