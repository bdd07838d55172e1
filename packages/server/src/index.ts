export type { AgentOpsServer, Refusal, ServerOptions } from './app.js';
export { buildApp, DEFAULT_DB_FILE, ensureLocalProject, readSavedApiKey, startServer } from './app.js';
export { createProject, hashApiKey, projectForKey } from './auth/api-keys.js';
export { SessionTokens } from './auth/SessionTokens.js';
export { Store, type StoredEvent } from './db/Store.js';
export { decodeOtlp } from './otlp/decode.js';
export { otlpToSpans } from './otlp/otlp-spans.js';
export { sessionStats } from './stats.js';
export { normalizeTimestamp } from './timestamps.js';
