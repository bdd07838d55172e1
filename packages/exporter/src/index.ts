export type { AgentOpsSpanExporterOptions, ExporterStats } from './AgentOpsSpanExporter.js';
export { AgentOpsSpanExporter } from './AgentOpsSpanExporter.js';
export type { ClientOptions } from './client/agentops-client.js';
export { AgentOpsClient, DEFAULT_ENDPOINT } from './client/agentops-client.js';
export { ApiError, parseRetryAfter } from './client/api-error.js';
export type { BackoffOptions } from './client/backoff.js';
export { backoffDelay, DEFAULT_BACKOFF } from './client/backoff.js';
export type { PriceFn } from './cost.js';
export { formatCost, loadPriceFn, priceFnFrom } from './cost.js';
export type { SessionId } from './ids.js';
export { isSessionId, isUuid, isValidTraceId, sessionIdToTraceId, traceIdToSessionId } from './ids.js';
export {
  describeValue,
  MAX_STRING_LENGTH,
  parseJsonAttribute,
  parseStructuredAttribute,
  safeJsonStringify,
  truncate,
} from './json.js';
export { clamp, clampTags, LIMITS } from './limits.js';
export type { Logger, LogLevel } from './logger.js';
export { createConsoleLogger, isLogLevel, onceBy } from './logger.js';
export { derivedEventId } from './mapping/event-id.js';
export { resourceToHostEnv, resourceToOrigin } from './mapping/host-env.js';
export type { OtelMessage, OtelMessagePart } from './mapping/messages.js';
export {
  chatToOtelMessage,
  completionMessagesJson,
  completionToOtelMessages,
  otelToChatMessage,
  plainTextMessagesFromJson,
  promptMessagesJson,
  promptToOtelMessages,
} from './mapping/messages.js';
export type { SpanCategory, SpanFilter } from './mapping/span-filter.js';
export { classifySpan, defaultSpanFilter, exportAllSpansFilter, isLlmOperation } from './mapping/span-filter.js';
export type { SpanLike } from './mapping/span-like.js';
export type { MapOptions, MappedItem } from './mapping/span-to-payload.js';
export { mapSpan, sessionIdOf, spanToSession } from './mapping/span-to-payload.js';
export { formatDuration, hrTimeToIso, hrTimeToMillis } from './mapping/time.js';
export * as semconv from './semconv.js';
export type { CountedEvent, SessionTotals } from './session-outbox.js';
export { addToTotals, countEvent, emptyTotals } from './session-outbox.js';
export type * from './wire.js';
export { END_STATES, fromWireEndState, toWireEndState } from './wire.js';
