/** JSON schemas of request bodies: every route rejects what does not fit with a 400 and a message. */
import { LIMITS, MAX_COST_USD, MAX_SCORE, MAX_TOKEN_COUNT } from '@agentops/exporter/internal';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const timestamp = { type: 'string', minLength: 1, maxLength: 64 } as const;
const nullableTimestamp = { type: ['string', 'null'], maxLength: 64 } as const;

/** A UUID, not the all-zero one (no trace has the all-zero id). */
export const sessionIdSchema = {
  type: 'string',
  pattern: UUID,
  not: { pattern: '^[0-]+$' },
} as const;
/** A token count of one event: a whole number up to a billion (sums of them cannot overflow). */
const count = { type: ['integer', 'null'], minimum: 0, maximum: MAX_TOKEN_COUNT } as const;

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
    name: { type: ['string', 'null'], maxLength: LIMITS.nameLength },
    user_id: { type: ['string', 'null'], maxLength: LIMITS.nameLength },
    environment: { type: ['string', 'null'], maxLength: LIMITS.nameLength },
    release: { type: ['string', 'null'], maxLength: LIMITS.nameLength },
  },
} as const;

export const sessionBodySchema = {
  type: 'object',
  required: ['session'],
  properties: { session: sessionSchema },
} as const;

export const reauthorizeBodySchema = {
  type: 'object',
  required: ['session_id'],
  properties: { session_id: sessionIdSchema },
} as const;

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
    name: { type: ['string', 'null'], maxLength: LIMITS.nameLength },
    action_type: { type: ['string', 'null'], maxLength: LIMITS.nameLength },
    error_type: { type: ['string', 'null'], maxLength: LIMITS.nameLength },
    peer: {
      type: 'object',
      required: ['protocol', 'name'],
      properties: {
        protocol: { type: 'string', enum: ['mcp', 'a2a'] },
        name: { type: 'string', minLength: 1, maxLength: LIMITS.nameLength },
        version: { type: 'string', maxLength: LIMITS.nameLength },
      },
    },
  },
} as const;

export const eventsBodySchema = {
  type: 'object',
  required: ['events'],
  properties: { events: { type: 'array', maxItems: LIMITS.eventsPerBatch, items: eventSchema } },
} as const;

/** An evaluation: through create_evaluations (the SDK's, complete) or after the fact (the server gives id and time). */
export const evaluationSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: LIMITS.idLength },
    session_id: sessionIdSchema,
    timestamp,
    name: { type: 'string', minLength: 1, maxLength: LIMITS.nameLength },
    score: { type: ['number', 'null'], minimum: -MAX_SCORE, maximum: MAX_SCORE },
    label: { type: ['string', 'null'], maxLength: LIMITS.nameLength },
    explanation: { type: ['string', 'null'], maxLength: LIMITS.explanationLength },
    event_id: { type: ['string', 'null'], maxLength: LIMITS.idLength },
    parent_span_id: { type: ['string', 'null'], pattern: '^[0-9a-f]{16}$' },
    response_id: { type: ['string', 'null'], maxLength: LIMITS.idLength * 4 },
    origin: { type: 'object' },
  },
} as const;

export const evaluationsBodySchema = {
  type: 'object',
  required: ['evaluations'],
  properties: { evaluations: { type: 'array', maxItems: LIMITS.eventsPerBatch, items: evaluationSchema } },
} as const;

export const agentSchema = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: LIMITS.idLength },
    name: { type: 'string', minLength: 1, maxLength: LIMITS.nameLength },
    span_id: { type: 'string', pattern: '^[0-9a-f]{16}$' },
    parent_span_id: { type: 'string', pattern: '^[0-9a-f]{16}$' },
  },
} as const;

export const agentBodySchema = agentSchema;

export const sessionParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: sessionIdSchema },
} as const;

const page = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
} as const;

/** A page of a list: `limit` (1 to 200, default 50) from `offset`. */
export const pageQuerySchema = { type: 'object', properties: page } as const;

export const listQuerySchema = {
  type: 'object',
  properties: {
    ...page,
    tag: { type: 'string', maxLength: 512 },
    end_state: { type: 'string', enum: ['Success', 'Fail', 'Indeterminate', 'running'] },
    user_id: { type: 'string', maxLength: 512 },
    environment: { type: 'string', maxLength: 512 },
    release: { type: 'string', maxLength: 512 },
    id: { type: 'string', pattern: '^[0-9a-fA-F-]{1,36}$' },
    from: { type: 'string', minLength: 1, maxLength: 64 },
    to: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

export const overviewQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', minLength: 1, maxLength: 64 },
    to: { type: 'string', minLength: 1, maxLength: 64 },
    bucket: { type: 'string', enum: ['hour', 'day'] },
  },
} as const;
