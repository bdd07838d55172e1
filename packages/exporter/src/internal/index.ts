/**
 * `@agentops/exporter/internal`: helpers the `agentops` SDK and `@agentops/server` share with the
 * exporter (JSON for attribute values, payload limits, value readers, callback guards). Not a public
 * API: it changes without notice between versions.
 */

export { guarded } from './guard.js';
export { isUuid } from './ids.js';
export {
  describeValue,
  MAX_STRING_LENGTH,
  parseJsonAttribute,
  parseStructuredAttribute,
  safeJsonStringify,
  truncate,
} from './json.js';
export { clamp, LIMITS, tagList } from './limits.js';
export { isLogLevel, withDiag } from './logger.js';
export { nextTurn, unrefTimer } from './timers.js';
export {
  asCost,
  asCount,
  asNumber,
  asNumeric,
  asScore,
  asString,
  asText,
  errorText,
  isRecord,
  MAX_COST_USD,
  MAX_SCORE,
  MAX_TOKEN_COUNT,
} from './values.js';
