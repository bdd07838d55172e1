/**
 * The store's logic, once for both databases: each `Store` call is one op of the repositories (one
 * per aggregate: projects, sessions, events, evaluations, uploads), run by the database's executor
 * in the dialect it speaks. `SqliteStore` and `PostgresStore` add only their connection: how it is
 * opened, migrated, checked and closed.
 */
import type { AgentPayload, EvaluationPayload, EventPayload, SessionPayload, SessionRecord } from '@agentops/exporter';
import type { AlertOutcome, AlertRecord, AlertRule, AlertRuleInput, Budget, DueAlert, Group } from '../alerts/rules.js';
import type { ProjectPolicy, RetentionPolicy, RetentionPreview, RetentionWork } from '../retention/policy.js';
import { type Overview, type OverviewQuery, overviewOf } from './overview.js';
import { alertRepository } from './repositories/alerts.js';
import { evaluationRepository } from './repositories/evaluations.js';
import { eventRepository } from './repositories/events.js';
import { projectRepository } from './repositories/projects.js';
import { retentionRepository } from './repositories/retention.js';
import { sessionRepository } from './repositories/sessions.js';
import { uploadRepository } from './repositories/uploads.js';
import type {
  EvaluationTotalsRow,
  EventCursor,
  ListedSession,
  NewUpload,
  ProjectRow,
  SessionBatch,
  SessionListFilter,
  SessionTotalsRow,
  Store,
  StoredEvent,
  UploadRow,
} from './Store.js';
import { searchWords } from './search-text.js';
import type { Dialect, Executor, Op } from './sql/query.js';

/**
 * What PostgreSQL answers an instance that detaches or drops a day's partition another is
 * detaching or has dropped: not a partition (any more), a detach pending, a lock it waited too long for.
 */
const PARTITION_RACES = new Set(['42P01', '42P16', '55000', '55P03', '40P01']);

/** The store's logic over a SQL database: `SqliteStore` and `PostgresStore` are its two connections. */
export abstract class SqlStore implements Store {
  abstract readonly kind: 'sqlite' | 'postgres';
  abstract readonly location: string;
  abstract close(): Promise<void>;
  abstract ready(): Promise<string | undefined>;

  readonly #dialect: Dialect;
  #executor: Executor | undefined;
  readonly #projects;
  readonly #sessions;
  readonly #events;
  readonly #evaluations;
  readonly #uploads;
  readonly #retention;
  readonly #alerts;

  /** @internal */
  protected constructor(dialect: Dialect) {
    this.#dialect = dialect;
    this.#projects = projectRepository(dialect);
    this.#sessions = sessionRepository(dialect);
    this.#alerts = alertRepository(dialect);
    this.#events = eventRepository(dialect, this.#sessions, this.#alerts);
    this.#evaluations = evaluationRepository(dialect, this.#sessions);
    this.#uploads = uploadRepository(dialect);
    this.#retention = retentionRepository(dialect);
  }

  /** @internal The connection's executor, given once it is open. */
  protected use(executor: Executor): void {
    this.#executor = executor;
  }

  get #x(): Executor {
    if (!this.#executor) throw new Error('the store is not connected');
    return this.#executor;
  }

  metaOrSet(key: string, value: string): Promise<string> {
    return this.#x.write(() => this.#projects.metaOrSet(key, value));
  }

  addFirstProject(project: ProjectRow): Promise<boolean> {
    return this.#x.transaction(() => this.#projects.addFirst(project));
  }

  addProject(project: ProjectRow): Promise<void> {
    return this.#x.write(() => this.#projects.add(project));
  }

  projectByKeyHash(keyHash: string): Promise<ProjectRow | undefined> {
    return this.#x.read(() => this.#projects.byKeyHash(keyHash));
  }

  projectById(id: string): Promise<ProjectRow | undefined> {
    return this.#x.read(() => this.#projects.byId(id));
  }

  listProjects(): Promise<ProjectRow[]> {
    return this.#x.read(() => this.#projects.list());
  }

  sessionOwner(sessionId: string): Promise<string | undefined> {
    return this.#x.read(() => this.#sessions.owner(sessionId));
  }

  getSession(projectId: string, sessionId: string): Promise<SessionRecord | undefined> {
    return this.#x.read(() => this.#sessions.get(projectId, sessionId));
  }

  upsertSession(projectId: string, session: SessionPayload): Promise<void> {
    return this.#x.write(() => this.#upsertSession(projectId, session));
  }

  /**
   * A session's payload merged; its spend attributed to whom it now names, and when it ends the
   * session, the rules over ended sessions evaluated.
   */
  *#upsertSession(projectId: string, session: SessionPayload): Op<void> {
    // Told whom the session runs for: what it spent before counts toward their budgets from now on.
    const who = session.user_id !== undefined || session.environment !== undefined || session.tags !== undefined;
    const before = who ? yield* this.#alerts.attributionBefore(projectId, session.session_id) : undefined;
    yield* this.#sessions.upsert(projectId, session);
    if (before) yield* this.#alerts.onAttribution(session.session_id, before, Date.now());
    if (session.end_state) yield* this.#alerts.onSessionEnd(projectId, session.session_id, Date.now());
  }

  writeSession(projectId: string, sessionId: string, batch: SessionBatch): Promise<boolean> {
    return this.#x.transaction(() => this.#writeSession(projectId, sessionId, batch));
  }

  *#writeSession(projectId: string, sessionId: string, batch: SessionBatch): Op<boolean> {
    if (batch.session) yield* this.#upsertSession(projectId, batch.session);
    else yield* this.#sessions.create(projectId, sessionId, batch.start);
    // Both writes above leave another project's session as it was; nothing more is written to it.
    if ((yield* this.#sessions.owner(sessionId)) !== projectId) return false;
    for (const agent of batch.agents) yield* this.#sessions.upsertAgent(sessionId, agent);
    if (batch.links?.length) yield* this.#sessions.addLinks(sessionId, batch.links);
    const receivedAt = new Date().toISOString();
    yield* this.#events.insert(sessionId, batch.events, receivedAt);
    if (batch.evaluations) yield* this.#evaluations.insert(sessionId, batch.evaluations, receivedAt);
    return true;
  }

  async listSessions(
    projectId: string,
    filter: SessionListFilter,
  ): Promise<{ sessions: ListedSession[]; total: number }> {
    if (filter.q === undefined) return this.#x.read(() => this.#sessions.list(projectId, filter));
    // A search in one snapshot: the list and its count agree, and PostgreSQL's search plans its own way.
    const indexed = await this.indexedSessions(searchWords(filter.q));
    return this.#x.snapshot(() => this.#sessions.list(projectId, filter, indexed));
  }

  /**
   * For each word, the sessions whose events hold it, where the event index is read apart from
   * the store's statements (SQLite's, in a file of its own); undefined where the statements read it.
   */
  protected async indexedSessions(_words: readonly string[]): Promise<unknown[][] | undefined> {
    return undefined;
  }

  overview(projectId: string, query: OverviewQuery): Promise<Overview> {
    return this.#x.snapshot(() => overviewOf(this.#dialect, projectId, query));
  }

  insertEvents(sessionId: string, events: StoredEvent[]): Promise<number> {
    return this.#x.transaction(() => this.#events.insert(sessionId, events, new Date().toISOString()));
  }

  sessionTotals(sessionId: string): Promise<SessionTotalsRow | undefined> {
    return this.#x.read(() => this.#sessions.totals(sessionId));
  }

  eventsJsonPage(
    sessionId: string,
    type: EventPayload['event_type'],
    after: EventCursor | undefined,
    limit: number,
  ): Promise<{ json: string[]; next: EventCursor | undefined }> {
    return this.#x.read(() => this.#events.jsonPage(sessionId, type, after, limit));
  }

  insertEvaluations(sessionId: string, evaluations: EvaluationPayload[]): Promise<number> {
    return this.#x.transaction(() => this.#evaluations.insert(sessionId, evaluations, new Date().toISOString()));
  }

  evaluationsJsonPage(
    sessionId: string,
    after: EventCursor | undefined,
    limit: number,
  ): Promise<{ json: string[]; next: EventCursor | undefined }> {
    return this.#x.read(() => this.#evaluations.jsonPage(sessionId, after, limit));
  }

  evaluationTotals(sessionId: string): Promise<EvaluationTotalsRow[]> {
    return this.#x.read(() => this.#evaluations.totals(sessionId));
  }

  upsertAgent(sessionId: string, agent: AgentPayload): Promise<void> {
    return this.#x.write(() => this.#sessions.upsertAgent(sessionId, agent));
  }

  spanLinks(sessionId: string): Promise<Map<string, string>> {
    return this.#x.read(() => this.#sessions.links(sessionId));
  }

  agents(sessionId: string): Promise<AgentPayload[]> {
    return this.#x.read(() => this.#sessions.agents(sessionId));
  }

  agentCount(sessionId: string): Promise<number> {
    return this.#x.read(() => this.#sessions.agentCount(sessionId));
  }

  addUpload(upload: NewUpload, sessionLimit?: number): Promise<boolean> {
    return this.#x.transaction(() => this.#uploads.add(upload, sessionLimit));
  }

  sessionUploads(sessionId: string): Promise<UploadRow[]> {
    return this.#x.read(() => this.#uploads.ofSession(sessionId));
  }

  uploadBody(projectId: string, id: string): Promise<string | undefined> {
    return this.#x.read(() => this.#uploads.body(projectId, id));
  }

  retentionPolicy(projectId: string): Promise<RetentionPolicy | undefined> {
    return this.#x.read(() => this.#retention.policy(projectId));
  }

  setRetentionPolicy(projectId: string, policy: RetentionPolicy | undefined): Promise<void> {
    return this.#x.write(() => this.#retention.setPolicy(projectId, policy));
  }

  retentionPolicies(): Promise<ProjectPolicy[]> {
    return this.#x.read(() => this.#retention.policies());
  }

  retentionStep(
    projectId: string,
    policy: RetentionPolicy,
    now: number,
    limit: number,
    waitingDays: readonly number[] = [],
  ): Promise<RetentionWork | undefined> {
    return this.#x.transaction(() => this.#retention.step(projectId, policy, now, limit, waitingDays));
  }

  retentionPastDays(): Promise<number[]> {
    return this.#x.read(() => this.#dialect.pastPartitions());
  }

  retentionDayKept(day: number, policies: readonly ProjectPolicy[], now: number): Promise<boolean> {
    return this.#x.read(() => this.#retention.dayKept(day, policies, now));
  }

  async retentionDropDay(
    day: number,
    policies: readonly ProjectPolicy[],
    now: number,
  ): Promise<RetentionWork | undefined> {
    const work = await this.#x.transaction(() => this.#retention.dropDay(day, policies, now));
    if (!work) return undefined;
    try {
      await this.#x.write(() => this.#dialect.dropPartition(day));
    } catch (err) {
      // Another instance is dropping the day: the sessions were each deleted once, and the day's
      // next pass drops what is left of it.
      if (!PARTITION_RACES.has((err as { code?: string }).code ?? '')) throw err;
    }
    return work;
  }

  retentionPreview(projectId: string, policy: RetentionPolicy, now: number): Promise<RetentionPreview> {
    return this.#x.snapshot(() => this.#retention.preview(projectId, policy, now));
  }

  addAlertRule(projectId: string, rule: AlertRuleInput, secret: string): Promise<AlertRule> {
    return this.#x.write(() => this.#alerts.addRule(projectId, rule, secret));
  }

  alertRules(projectId: string): Promise<AlertRule[]> {
    return this.#x.read(() => this.#alerts.rules(projectId));
  }

  deleteAlertRule(projectId: string, id: string): Promise<boolean> {
    return this.#x.write(() => this.#alerts.deleteRule(projectId, id));
  }

  alerts(projectId: string, limit: number): Promise<AlertRecord[]> {
    return this.#x.read(() => this.#alerts.history(projectId, limit));
  }

  async claimDueAlerts(now: number, limit: number, leaseMs: number): Promise<DueAlert[]> {
    if (!(await this.#x.read(() => this.#alerts.anyDue(now)))) return [];
    return this.#x.transaction(() => this.#alerts.claimDue(now, limit, leaseMs));
  }

  settleAlert(id: string, outcome: AlertOutcome): Promise<void> {
    return this.#x.write(() => this.#alerts.settle(id, outcome));
  }

  budgets(projectId: string, keys: Partial<Record<Group, string>>, now: number): Promise<Budget[]> {
    return this.#x.read(() => this.#alerts.budgets(projectId, keys, now));
  }
}
