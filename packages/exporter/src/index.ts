export type {
  AgentOpsSpanExporterOptions,
  ExitDelivery,
  ExporterStats,
  SessionAnnouncer,
  SessionResults,
} from './AgentOpsSpanExporter.js';
export { AgentOpsSpanExporter } from './AgentOpsSpanExporter.js';
export { agentOpsV04Attributes } from './agentops-v04-attributes.js';
export type { ClientOptions } from './client/agentops-client.js';
export { AgentOpsClient, DEFAULT_ENDPOINT } from './client/agentops-client.js';
export { ApiError } from './client/api-error.js';
export type { BackoffOptions } from './client/backoff.js';
export type { PriceFn, TokenUsage } from './cost.js';
export { formatCost, loadPriceFn } from './cost.js';
export type { SessionTotals } from './delivery/totals.js';
export { countEvent, emptyTotals } from './delivery/totals.js';
export type { HandOffSpanProcessorOptions } from './HandOffSpanProcessor.js';
export { HandOffSpanProcessor } from './HandOffSpanProcessor.js';
export type { SessionId } from './internal/ids.js';
export { sessionIdToTraceId, traceIdToSessionId } from './internal/ids.js';
export type { Logger, LogLevel } from './internal/logger.js';
export { createConsoleLogger } from './internal/logger.js';
export type { SchemaType } from './internal/schema-type.js';
export type { EventIdPurpose } from './mapping/event-id.js';
export { derivedEventId } from './mapping/event-id.js';
export type { OtelMessage, OtelMessagePart } from './mapping/messages.js';
export { chatToOtelMessage, completionMessagesJson, promptMessagesJson } from './mapping/messages.js';
export type { SpanCategory, SpanFilter } from './mapping/span-filter.js';
export { classifySpan, defaultSpanFilter, exportAllSpansFilter, isLlmOperation } from './mapping/span-filter.js';
export type { SpanLike } from './mapping/span-like.js';
export type { MapOptions, MappedItem } from './mapping/span-to-payload.js';
export { agentIdOf, mapSpan, pricedUsage } from './mapping/span-to-payload.js';
export { formatDuration } from './mapping/time.js';
export { Mask, REDACTED } from './mask/Mask.js';
export type { MaskAction, MaskFunction, MaskOption, MaskRule } from './mask/rules.js';
export { parseMaskRules } from './mask/rules.js';
export type { EndedSession, GenAiMetricsOptions } from './metrics.js';
export { GenAiMetrics } from './metrics.js';
export * as semconv from './semconv.js';
export { SessionTally } from './session-tally.js';
export type * from './wire.js';
export { END_STATES, fromWireEndState, toWireEndState } from './wire.js';
export {
  agentSchema,
  evaluationSchema,
  eventSchema,
  originSchema,
  peerSchema,
  sessionIdSchema,
  sessionSchema,
} from './wire-schemas.js';
