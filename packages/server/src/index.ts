export type { AlertDeliveryOptions } from './alerts/AlertDeliveryWorker.js';
export { AlertDeliveryWorker, signature as alertSignature } from './alerts/AlertDeliveryWorker.js';
export type {
  AlertBody,
  AlertCondition,
  AlertOutcome,
  AlertRecord,
  AlertRule,
  AlertRuleInput,
  AlertWebhook,
  Budget,
  DueAlert,
  Group as AlertGroup,
  Window as AlertWindow,
} from './alerts/rules.js';
export { AlertRuleError, parseAlertRule } from './alerts/rules.js';
export type { AgentOpsServer, Refusal, ServerOptions } from './app.js';
export { buildApp, DEFAULT_DB_FILE, ensureLocalProject, readSavedApiKey, startServer } from './app.js';
export { createProject, hashApiKey, projectForKey } from './auth/api-keys.js';
export type { SessionClaims, VerifyResult } from './auth/SessionTokens.js';
export { SessionTokens } from './auth/SessionTokens.js';
export { isPostgresUrl, openStore } from './db/open-store.js';
export type {
  Money,
  Overview,
  OverviewBucket,
  OverviewModel,
  OverviewPoint,
  OverviewQuery,
  OverviewSession,
} from './db/overview.js';
export type { PostgresTimeouts } from './db/PostgresStore.js';
export { PostgresStore } from './db/PostgresStore.js';
export type { PostgresSearchQueue } from './db/postgres-search.js';
export type { Spend } from './db/repositories/alerts.js';
export { SqliteStore } from './db/SqliteStore.js';
export { SqlStore } from './db/SqlStore.js';
export type {
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
} from './db/Store.js';
export type { Column, Dialect, Executor, Op, Params, Statement } from './db/sql/query.js';
export {
  openSqlite,
  SQLITE_DRIVERS,
  type SqliteConnection,
  type SqliteDriverName,
  type SqliteRunResult,
  type SqliteStatement,
  sqliteDriver,
  type Transaction,
} from './db/sqlite-driver.js';
export type { SearchIndex } from './db/sqlite-search-index.js';
export { decodeOtlp } from './otlp/decode.js';
export type { AnyValue, KeyValue, OtlpSpan, OtlpTraceRequest } from './otlp/otlp-spans.js';
export { otlpToSpans } from './otlp/otlp-spans.js';
export type {
  ProjectPolicy,
  RetentionPolicy,
  RetentionPreview,
  RetentionWork,
  SessionKind,
} from './retention/policy.js';
export { parseRetentionPolicy, RetentionPolicyError, SESSION_KINDS } from './retention/policy.js';
export type { RetentionRunOptions, RetentionWorkerOptions } from './retention/RetentionWorker.js';
export { RETENTION_STEP_EVENTS, RetentionWorker, runRetention, wholeDays } from './retention/RetentionWorker.js';
export { sessionStats } from './stats.js';
export { normalizeTimestamp } from './timestamps.js';
