/**
 * What the server keeps, whatever keeps it: the SQLite file of the embedded default
 * (`SqliteStore`) or a PostgreSQL database several instances share (`PostgresStore`). Every read
 * and write names the project or a session the caller has already tied to one, so one project's
 * key can never reach another's sessions. Every call is one short transaction; nothing is kept
 * between calls, so any instance on a shared database answers any request.
 */

import {
  type AgentPayload,
  type EvaluationPayload,
  type EventPayload,
  formatCost,
  type SessionPayload,
  type SessionRecord,
  type SpanLinkPayload,
  type WireEndState,
} from '@agentops/exporter';
import type { AlertOutcome, AlertRecord, AlertRule, AlertRuleInput, Budget, DueAlert, Group } from '../alerts/rules.js';
import type { ProjectPolicy, RetentionPolicy, RetentionPreview, RetentionWork } from '../retention/policy.js';
import type { Overview, OverviewQuery } from './overview.js';

export interface ProjectRow {
  id: string;
  name: string;
  key_hash: string;
  created_at: string;
}

/** A session's evaluations of one name and label, counted (scores summed, for the mean). */
export interface EvaluationTotalsRow {
  name: string;
  label: string | null;
  count: number;
  /** How many gave a score, and their sum (PostgreSQL's, exact, as text). */
  scored: number;
  score_sum: number | string | null;
}

export interface SessionListFilter {
  limit: number;
  offset: number;
  tag?: string;
  endState?: WireEndState | 'running';
  userId?: string;
  environment?: string;
  release?: string;
  /** The replays and forks of this session. */
  forkedFrom?: string;
  /** The start of the session's id (lowercase hex and dashes). */
  idPrefix?: string;
  /** Full-text search: sessions with an event (or tags) holding every word of it. */
  q?: string;
  /** Sessions started at or after `from`, before `to` (normalized ISO times). */
  from?: string;
  to?: string;
}

/** The list filters that are a column equal to the value given, and their columns. */
export const EQUALITY_FILTERS = [
  ['userId', 'user_id'],
  ['environment', 'environment'],
  ['release', 'release'],
  ['forkedFrom', 'forked_from'],
] as const satisfies readonly (readonly [keyof SessionListFilter, string])[];

/** The list filters that compare a column with the value given: how, and the value compared. */
export const RANGE_FILTERS = [
  ['idPrefix', 'id', 'LIKE', (v: string) => `${v}%`],
  ['from', 'init_timestamp', '>=', (v: string) => v],
  ['to', 'init_timestamp', '<', (v: string) => v],
] as const satisfies readonly (readonly [keyof SessionListFilter, string, string, (v: string) => string])[];

/** An upload of an AgentOps 0.4 client, without its body. */
export interface UploadRow {
  id: string;
  kind: 'logs' | 'object';
  size: number;
  created_at: string;
}

export interface NewUpload extends UploadRow {
  project_id: string;
  session_id: string | null;
  body: string;
}

/** Where a page of events ends: the last event's start and its place in the store. */
export interface EventCursor {
  timestamp: string;
  seq: number;
}

/** An event as stored: the payload, plus the cost the server worked out when the client gave none. */
export interface StoredEvent {
  payload: EventPayload;
  cost: number | null;
}

/** What one OTLP request (or a chunk of one) holds for one session, written all or nothing. */
export interface SessionBatch {
  /** The session's own payload, merged as `upsertSession` merges it. */
  session?: SessionPayload;
  /** Without a payload: the start a session not stored yet is made with. */
  start: string;
  agents: AgentPayload[];
  events: StoredEvent[];
  evaluations?: EvaluationPayload[];
  /** Spans that are no events, each with its parent: events under them are shown under that parent. */
  links?: SpanLinkPayload[];
}

/**
 * The store cannot serve the request now: the database is saturated or locked (try again:
 * `retryAfterSeconds`), or its file was deleted under the server (no retry helps). Answered 503.
 */
export class StoreUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** PostgreSQL's codes for a statement or lock that timed out, and for a server out of connections. */
const BUSY_CODES = new Set(['57014', '55P03', '53300', '57P03', 'SQLITE_BUSY', 'ECONNREFUSED', 'ECONNRESET']);

/**
 * A failure of the database that says it is saturated, locked or away (not that the request was
 * wrong): as StoreUnavailable, to answer 503 with Retry-After; undefined for any other error.
 */
export function asUnavailable(err: unknown): StoreUnavailable | undefined {
  if (err instanceof StoreUnavailable) return err;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (BUSY_CODES.has(code) || /timeout exceeded when trying to connect|Connection terminated/i.test(message)) {
    return new StoreUnavailable(`the database is not answering in time (${code || message}); try again shortly`, 2);
  }
  return undefined;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data is: the SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  close(): Promise<void>;
  /** Why the store cannot serve now (the database does not answer, its file is gone), or undefined when it can. */
  ready(): Promise<string | undefined>;

  /** The value kept under `key`; when there is none yet, `value` is kept and returned (the first writer wins). */
  metaOrSet(key: string, value: string): Promise<string>;

  /** Adds `project` if the store has no project yet, atomically; true when it was added. */
  addFirstProject(project: ProjectRow): Promise<boolean>;
  addProject(project: ProjectRow): Promise<void>;
  projectByKeyHash(keyHash: string): Promise<ProjectRow | undefined>;
  projectById(id: string): Promise<ProjectRow | undefined>;
  listProjects(): Promise<ProjectRow[]>;

  /** Which project a session belongs to, if it exists. */
  sessionOwner(sessionId: string): Promise<string | undefined>;
  getSession(projectId: string, sessionId: string): Promise<SessionRecord | undefined>;
  /**
   * Creates the session, or merges into it when it exists (a retried create, or a second process
   * that got there first): the earliest start wins, and given fields replace older ones. A session
   * of another project is left as it is.
   */
  upsertSession(projectId: string, session: SessionPayload): Promise<void>;
  /**
   * Writes a session (made if new), its agents and its events in one transaction; false, with
   * nothing written, when the session belongs to another project.
   */
  writeSession(projectId: string, sessionId: string, batch: SessionBatch): Promise<boolean>;
  /** A page of a project's sessions, newest first, each with its totals (read off its row). */
  listSessions(projectId: string, filter: SessionListFilter): Promise<{ sessions: ListedSession[]; total: number }>;
  /** The project's overview of the sessions started in a range (see overview.ts). */
  overview(projectId: string, query: OverviewQuery): Promise<Overview>;

  /** Inserts events that are not stored yet; a retried batch changes nothing. Returns how many were new. */
  insertEvents(sessionId: string, events: StoredEvent[]): Promise<number>;
  /** A session's totals, kept on its row as its events and evaluations are stored: never a scan of them. */
  sessionTotals(sessionId: string): Promise<SessionTotalsRow | undefined>;
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
  ): Promise<{ json: string[]; next: EventCursor | undefined }>;

  /** Inserts evaluations not stored yet (by id); returns how many were new. */
  insertEvaluations(sessionId: string, evaluations: EvaluationPayload[]): Promise<number>;
  /** One page of a session's evaluations, oldest first, each as its JSON text (see `eventsJsonPage`). */
  evaluationsJsonPage(
    sessionId: string,
    after: EventCursor | undefined,
    limit: number,
  ): Promise<{ json: string[]; next: EventCursor | undefined }>;
  evaluationTotals(sessionId: string): Promise<EvaluationTotalsRow[]>;

  upsertAgent(sessionId: string, agent: AgentPayload): Promise<void>;
  /** The session's span links (a span that is no event -> its parent span), to resolve events' parents through. */
  spanLinks(sessionId: string): Promise<Map<string, string>>;
  agents(sessionId: string): Promise<AgentPayload[]>;
  agentCount(sessionId: string): Promise<number>;

  /**
   * Stores an upload; with `sessionLimit`, only if the session's uploads of its kind stay within
   * that many bytes, checked and written as one step (concurrent uploads cannot both pass the
   * check). False when it would go past the limit (nothing is stored).
   */
  addUpload(upload: NewUpload, sessionLimit?: number): Promise<boolean>;
  /** A session's uploads, oldest first, without their bodies. */
  sessionUploads(sessionId: string): Promise<UploadRow[]>;
  /** One upload's body, if it belongs to the project. */
  uploadBody(projectId: string, id: string): Promise<string | undefined>;

  /** The project's retention policy; undefined when it keeps everything. */
  retentionPolicy(projectId: string): Promise<RetentionPolicy | undefined>;
  /** Sets the project's retention policy (undefined: keep everything). */
  setRetentionPolicy(projectId: string, policy: RetentionPolicy | undefined): Promise<void>;
  /** Every project with a retention policy, and its policy. */
  retentionPolicies(): Promise<ProjectPolicy[]>;
  /**
   * One small step of the project's retention at `now` (ms), in one transaction of at most `limit`
   * events; undefined when nothing is left to do. Across instances, each row is removed once.
   */
  retentionStep(
    projectId: string,
    policy: RetentionPolicy,
    now: number,
    limit: number,
    /** Days (PostgreSQL's partitions) whose sessions are left to go whole with their day. */
    waitingDays?: readonly number[],
  ): Promise<RetentionWork | undefined>;
  /**
   * The days past whose events are a partition of their own (PostgreSQL; SQLite: none): each is
   * dropped whole by `retentionDropDay` once all its sessions are past their time.
   */
  retentionPastDays(): Promise<number[]>;
  /** Whether a session of the day past is kept under `policies` at `now` (as `retentionDropDay` asks, without a lock). */
  retentionDayKept(day: number, policies: readonly ProjectPolicy[], now: number): Promise<boolean>;
  /**
   * Drops the day's partition, with its sessions, when every session of it is past its time under
   * its project's policy among `policies` at `now` (a session of a project not among them is kept,
   * and keeps its day). Undefined when the day is kept (or another instance dropped it first).
   */
  retentionDropDay(day: number, policies: readonly ProjectPolicy[], now: number): Promise<RetentionWork | undefined>;
  /** What the policy would remove if it ran at `now` (ms). */
  retentionPreview(projectId: string, policy: RetentionPolicy, now: number): Promise<RetentionPreview>;

  /** Adds an alert rule to the project, its webhooks signed with `secret`. */
  addAlertRule(projectId: string, rule: AlertRuleInput, secret: string): Promise<AlertRule>;
  alertRules(projectId: string): Promise<AlertRule[]>;
  /** False when the project has no such rule. */
  deleteAlertRule(projectId: string, id: string): Promise<boolean>;
  /** The project's alerts, newest first, with their deliveries. */
  alerts(projectId: string, limit: number): Promise<AlertRecord[]>;
  /** Up to `limit` alerts due for delivery at `now` (ms), each claimed for `leaseMs` by this caller alone. */
  claimDueAlerts(now: number, limit: number, leaseMs: number): Promise<DueAlert[]>;
  /** How a delivery attempt went: delivered, to try again at `retryAt`, or (without one) given up. */
  settleAlert(id: string, outcome: AlertOutcome): Promise<void>;
  /** Where the project's spend rules stand for these subjects at `now` (ms). */
  budgets(projectId: string, keys: Partial<Record<Group, string>>, now: number): Promise<Budget[]>;
}

/** An agent as both stores read it: its spans are left out where unknown. */
export interface AgentRow {
  id: string;
  name: string;
  span_id: string | null;
  parent_span_id: string | null;
}

export function agentOfRow({ span_id, parent_span_id, ...agent }: AgentRow): AgentPayload {
  return {
    ...agent,
    ...(span_id ? { span_id } : {}),
    ...(parent_span_id ? { parent_span_id } : {}),
  };
}

/** A session row's stored JSON (text in SQLite, already parsed from PostgreSQL's jsonb), read leniently. */
export function storedJson<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

export interface SessionRow {
  id: string;
  init_timestamp: string;
  end_timestamp: string | null;
  end_state: string | null;
  end_state_reason: string | null;
  tags: unknown;
  host_env: unknown;
  video: string | null;
  name: string | null;
  user_id: string | null;
  environment: string | null;
  release: string | null;
  forked_from: string | null;
  fork_step: number | string | null;
}

/** A session row (`SELECT *`) as the list gives it: the session and its totals. */
export function listedSession(row: SessionRow & SessionTotalsRow & { agent_count: number | string }): ListedSession {
  return { session: sessionRecord(row), totals: row, agents: Number(row.agent_count) };
}

export function sessionRecord(row: SessionRow): SessionRecord {
  return {
    session_id: row.id,
    init_timestamp: row.init_timestamp,
    end_timestamp: row.end_timestamp,
    end_state: row.end_state as WireEndState | null,
    end_state_reason: row.end_state_reason,
    tags: storedJson<string[]>(row.tags, []),
    host_env: storedJson(row.host_env, null),
    video: row.video,
    name: row.name ?? null,
    user_id: row.user_id ?? null,
    environment: row.environment ?? null,
    release: row.release ?? null,
    forked_from: row.forked_from ?? null,
    fork_step: row.fork_step === null || row.fork_step === undefined ? null : Number(row.fork_step),
  };
}

/** The columns of an event row, in the order both stores insert them. */
export function eventColumns(e: EventPayload) {
  const llm = e.event_type === 'llms' ? e : undefined;
  return {
    agentId: e.agent_id ?? null,
    model: llm?.model ?? null,
    promptTokens: llm?.prompt_tokens ?? null,
    completionTokens: llm?.completion_tokens ?? null,
    cacheReadTokens: llm?.cache_read_tokens ?? null,
    cacheCreationTokens: llm?.cache_creation_tokens ?? null,
    reasoningTokens: llm?.reasoning_tokens ?? null,
  };
}

interface Counts {
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/**
 * What a batch of newly stored events adds to its session's totals (kept on the session row, so
 * the overview reads sessions, not events) and to its cost per model.
 */
export class SessionTotals {
  readonly session: Counts & {
    errors: number;
    toolCalls: number;
    actions: number;
    cacheReadTokens: number;
    cacheCreationTokens: number;
    reasoningTokens: number;
    /** Bytes of the stored JSON of the events: what a retention policy's payload budget measures. */
    payloadBytes: number;
    lastEnd: string | undefined;
  } = {
    llmCalls: 0,
    errors: 0,
    toolCalls: 0,
    actions: 0,
    promptTokens: 0,
    completionTokens: 0,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
    reasoningTokens: 0,
    cost: 0,
    payloadBytes: 0,
    lastEnd: undefined,
  };
  readonly models = new Map<string, Counts>();

  add(e: EventPayload, c: ReturnType<typeof eventColumns>, cost: number | null, data: string): void {
    const s = this.session;
    s.payloadBytes += Buffer.byteLength(data);
    if (s.lastEnd === undefined || e.end_timestamp > s.lastEnd) s.lastEnd = e.end_timestamp;
    if (e.event_type === 'errors') s.errors++;
    else if (e.event_type === 'tools') s.toolCalls++;
    else if (e.event_type === 'actions') s.actions++;
    s.cost += cost ?? 0;
    if (e.event_type !== 'llms') return;
    s.llmCalls++;
    s.promptTokens += c.promptTokens ?? 0;
    s.completionTokens += c.completionTokens ?? 0;
    s.cacheReadTokens += c.cacheReadTokens ?? 0;
    s.cacheCreationTokens += c.cacheCreationTokens ?? 0;
    s.reasoningTokens += c.reasoningTokens ?? 0;
    if (c.model === null) return;
    const m = this.models.get(c.model) ?? { llmCalls: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
    m.llmCalls++;
    m.promptTokens += c.promptTokens ?? 0;
    m.completionTokens += c.completionTokens ?? 0;
    m.cost += cost ?? 0;
    this.models.set(c.model, m);
  }
}

/** A session's totals as its row keeps them (see SessionTotals); PostgreSQL gives its BIGINTs as text. */
export interface SessionTotalsRow {
  llm_calls: number;
  tool_calls: number;
  actions: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  reasoning_tokens: number;
  cost: number;
  evaluations: number;
  last_event_end: string | null;
}

/** The columns of a session's totals, for a SELECT of them. */
export const SESSION_TOTALS_COLUMNS =
  'llm_calls, tool_calls, actions, errors, prompt_tokens, completion_tokens, cache_read_tokens, ' +
  'cache_creation_tokens, reasoning_tokens, cost, evaluations, last_event_end';

/** A listed session: what it is, its totals and its number of agents. */
export interface ListedSession {
  session: SessionRecord;
  totals: SessionTotalsRow;
  agents: number;
}

/** An event's payload as it is stored: without its cost, which is kept beside it (the client's, or the server's price). */
export function eventData(e: EventPayload): string {
  if (!('cost' in e)) return JSON.stringify(e);
  const { cost: _, ...rest } = e;
  return JSON.stringify(rest);
}

/**
 * A stored event's JSON with the cost the server keeps (the payload is stored without one), as money
 * is everywhere the server gives it: a decimal string of six places (`formatCost`).
 */
export function withCost(data: string, cost: number | null): string {
  return cost === null
    ? data
    : `${data.slice(0, -1)}${data.length > 2 ? ',' : ''}"cost":${JSON.stringify(formatCost(cost))}}`;
}

/** A page of rows as their JSON texts, and where the next page starts when this one is full. */
export function jsonPage<R extends { seq: number }>(
  rows: R[],
  limit: number,
  timestamp: (row: R) => string,
  json: (row: R) => string,
): { json: string[]; next: EventCursor | undefined } {
  const last = rows.at(-1);
  return {
    json: rows.map(json),
    next: rows.length === limit && last ? { timestamp: timestamp(last), seq: last.seq } : undefined,
  };
}

/** The columns of an evaluation row besides its JSON, in the order both stores insert them. */
export function evaluationColumns(e: EvaluationPayload) {
  return { timestamp: e.timestamp, name: e.name, score: e.score ?? null, label: e.label ?? null };
}

/** Why a database a newer server has migrated is not opened: this one would misread it. */
export function newerSchema(version: number, known: number): Error {
  return new Error(
    `the database's schema is version ${version}, newer than this server's (${known}): run a newer @agentops/server`,
  );
}
