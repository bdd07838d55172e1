/**
 * The wire's payloads as JSON Schemas: the one place their shape is written. The local server
 * validates requests with them (and its OpenAPI document shows them); the exporter's payload types
 * (wire.ts) are read off them with `SchemaType`. What the server accepts is what the types say,
 * lenient where AgentOps clients differ (`Failure` besides `Fail`, fields sent as null).
 */
import { LIMITS } from './internal/limits.js';
import { MAX_COST_USD, MAX_SCORE, MAX_TOKEN_COUNT } from './internal/values.js';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const SPAN_ID = '^[0-9a-f]{16}$';
const timestamp = { type: 'string', minLength: 1, maxLength: 64 } as const;
const nullableTimestamp = { type: ['string', 'null'], maxLength: 64 } as const;
const nullableName = { type: ['string', 'null'], maxLength: LIMITS.nameLength } as const;
/** A token count of one event: a whole number up to a billion (sums of them cannot overflow). */
const count = { type: ['integer', 'null'], minimum: 0, maximum: MAX_TOKEN_COUNT } as const;

/** A session id: a UUID, not the all-zero one (no trace has the all-zero id). */
export const sessionIdSchema = {
  type: 'string',
  pattern: UUID,
  not: { pattern: '^[0-]+$' },
} as const;

/** Where an event or evaluation was recorded: lets a session from several processes show who did what. */
export const originSchema = {
  type: 'object',
  properties: {
    host: { type: 'string' },
    pid: { type: 'integer' },
    service: { type: 'string' },
  },
} as const;

export const sessionSchema = {
  type: 'object',
  required: ['session_id', 'init_timestamp'],
  properties: {
    session_id: sessionIdSchema,
    init_timestamp: timestamp,
    end_timestamp: nullableTimestamp,
    end_state: { type: ['string', 'null'], enum: ['Success', 'Fail', 'Failure', 'Indeterminate', null] },
    end_state_reason: { type: ['string', 'null'], maxLength: LIMITS.endStateReasonLength },
    tags: { type: ['array', 'null'], maxItems: LIMITS.tags, items: { type: 'string', maxLength: LIMITS.tagLength } },
    host_env: { type: ['object', 'null'] },
    video: { type: ['string', 'null'], maxLength: LIMITS.videoLength },
    /** What the run is, as its app names it. */
    name: nullableName,
    /** Who the session ran for, in which environment (production, staging, ...) and release of the app. */
    user_id: nullableName,
    environment: nullableName,
    release: nullableName,
    /**
     * The session this one replays (`agentops.replay()`), and the step from which it ran live (a
     * fork); a whole replay has no step.
     */
    forked_from: { type: ['string', 'null'], pattern: UUID },
    fork_step: { type: ['integer', 'null'], minimum: 0, maximum: 1_000_000 },
  },
} as const;

/**
 * The other side of a call across a protocol boundary, as the caller knew it: the MCP server its
 * request went to (`serverInfo`), or the remote agent an A2A message went to (its card).
 */
export const peerSchema = {
  type: 'object',
  required: ['protocol', 'name'],
  properties: {
    protocol: { type: 'string', enum: ['mcp', 'a2a'] },
    name: { type: 'string', minLength: 1, maxLength: LIMITS.nameLength },
    version: { type: 'string', maxLength: LIMITS.nameLength },
  },
} as const;

/** The fields of an event the server checks; the rest of an event (messages, params, returns) is kept as sent. */
export const eventSchema = {
  type: 'object',
  required: ['id', 'event_type', 'init_timestamp'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: LIMITS.idLength },
    event_type: { type: 'string', enum: ['llms', 'tools', 'actions', 'errors'] },
    session_id: sessionIdSchema,
    init_timestamp: timestamp,
    end_timestamp: nullableTimestamp,
    agent_id: { type: ['string', 'null'], maxLength: LIMITS.idLength },
    model: { type: ['string', 'null'], maxLength: LIMITS.modelLength },
    prompt_tokens: count,
    completion_tokens: count,
    cache_read_tokens: count,
    cache_creation_tokens: count,
    reasoning_tokens: count,
    cost: { type: ['number', 'null'], minimum: 0, maximum: MAX_COST_USD },
    name: nullableName,
    action_type: nullableName,
    error_type: nullableName,
    peer: peerSchema,
  },
} as const;

/** An evaluation: through create_evaluations (the SDK's, complete) or after the fact (the server gives id and time). */
export const evaluationSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: LIMITS.idLength },
    session_id: sessionIdSchema,
    timestamp,
    /** What was evaluated for (`relevance`, `user_feedback`, ...). */
    name: { type: 'string', minLength: 1, maxLength: LIMITS.nameLength },
    score: { type: ['number', 'null'], minimum: -MAX_SCORE, maximum: MAX_SCORE },
    /** The score in words (`pass`, `relevant`, ...): few distinct values. */
    label: nullableName,
    explanation: { type: ['string', 'null'], maxLength: LIMITS.explanationLength },
    /** The event judged: by its AgentOps id, or by its span (the evaluation's parent). Neither: the session. */
    event_id: { type: ['string', 'null'], maxLength: LIMITS.idLength },
    parent_span_id: { type: ['string', 'null'], pattern: SPAN_ID },
    /** The provider's id of the completion judged (`gen_ai.response.id`). */
    response_id: { type: ['string', 'null'], maxLength: LIMITS.idLength * 4 },
    origin: originSchema,
  },
} as const;

export const agentSchema = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: LIMITS.idLength },
    name: { type: 'string', minLength: 1, maxLength: LIMITS.nameLength },
    /** The agent's span, so events nested under it (at any depth) can be shown under the agent. */
    span_id: { type: 'string', pattern: SPAN_ID },
    /** The span it was invoked under: for a remote agent (A2A), the caller's call, in another process. */
    parent_span_id: { type: 'string', pattern: SPAN_ID },
  },
} as const;
