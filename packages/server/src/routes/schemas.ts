/** JSON schemas of request bodies: every route rejects what does not fit with a 400 and a message. */
import { agentSchema, evaluationSchema, eventSchema, sessionIdSchema, sessionSchema } from '@agentops/exporter';
import { LIMITS } from '@agentops/exporter/internal';

// The payloads' own schemas are the exporter's (wire-schemas.ts), which its types are read off.
export { agentSchema, evaluationSchema, eventSchema, sessionIdSchema, sessionSchema };

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

export const eventsBodySchema = {
  type: 'object',
  required: ['events'],
  properties: { events: { type: 'array', maxItems: LIMITS.eventsPerBatch, items: eventSchema } },
} as const;

export const evaluationsBodySchema = {
  type: 'object',
  required: ['evaluations'],
  properties: { evaluations: { type: 'array', maxItems: LIMITS.eventsPerBatch, items: evaluationSchema } },
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
    /** The replays and forks of a session (`agentops.replay()`). */
    forked_from: sessionIdSchema,
    id: { type: 'string', pattern: '^[0-9a-fA-F-]{1,36}$' },
    /** Full-text search: sessions whose events and tags hold every word of it. */
    q: { type: 'string', minLength: 1, maxLength: 512 },
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

/** A project's retention policy (`PUT /v2/retention`); retention/policy.ts checks it whole again. */
export const retentionPolicySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    keep_days: {
      type: 'object',
      additionalProperties: false,
      description: 'Days each kind of session is kept after it ended; a kind left out is kept.',
      properties: Object.fromEntries(
        ['Success', 'Fail', 'Indeterminate', 'unended'].map((k) => [k, { type: 'number', exclusiveMinimum: 0 }]),
      ),
    },
    payload_bytes: {
      type: 'integer',
      minimum: 0,
      description: 'Bytes of stored events the project keeps; past it the oldest ended sessions keep only metadata.',
    },
  },
} as const;

/** An alert rule (`POST /v2/alerts/rules`); alerts/rules.ts checks it whole again. */
export const alertRuleSchema = {
  type: 'object',
  required: ['name', 'condition', 'webhook'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    condition: {
      type: 'object',
      required: ['kind', 'threshold'],
      description:
        'spend: dollars spent over a rolling window (1h, 24h, 7d, 30d) per user, tag, environment, model or the project; session_cost: one session costing more; failure_rate: the fraction of the sessions ended in the last `minutes` that failed; p95_duration: their 95th percentile duration in ms.',
      properties: {
        kind: { type: 'string', enum: ['spend', 'session_cost', 'failure_rate', 'p95_duration'] },
        group_by: { type: 'string', enum: ['user', 'tag', 'environment', 'model', 'project'] },
        window: { type: 'string', enum: ['1h', '24h', '7d', '30d'] },
        minutes: { type: 'integer', minimum: 1, maximum: 10080 },
        min_sessions: { type: 'integer', minimum: 1 },
        threshold: { type: 'number', minimum: 0 },
      },
    },
    webhook: {
      type: 'object',
      required: ['url'],
      additionalProperties: false,
      properties: {
        url: { type: 'string', minLength: 1, maxLength: 2000 },
        format: { type: 'string', enum: ['json', 'slack'] },
      },
    },
  },
} as const;

export const alertRuleParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const alertsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
} as const;

/** `GET /v2/budgets`: the subjects to read the spend rules for. */
export const budgetsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    ['user_id', 'tag', 'environment', 'model'].map((k) => [k, { type: 'string', minLength: 1, maxLength: 200 }]),
  ),
} as const;
