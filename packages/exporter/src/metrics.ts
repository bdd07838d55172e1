/**
 * The OpenTelemetry GenAI metrics of what a session records, and AgentOps' own session metrics, on
 * an app's `MeterProvider`: `gen_ai.client.operation.duration` and `gen_ai.client.token.usage` for
 * every LLM call, whichever instrumentation made its span (read through the same conventions as
 * the export), `mcp.client.operation.duration` / `mcp.server.operation.duration` for MCP requests,
 * and sessions by end state with their duration and cost. Every attribute is low-cardinality
 * (operation, provider, model, token type, error type, MCP method, end state): never a session id,
 * a prompt or a user. Spans of instrumentations that emit these metrics themselves (the official
 * OpenAI instrumentation) are left to them, so no call is counted twice.
 */
import {
  type Attributes,
  type Histogram,
  type Meter,
  type MeterProvider,
  SpanKind,
  SpanStatusCode,
} from '@opentelemetry/api';
import { llmModel, llmProvider, llmUsage } from './mapping/fields.js';
import { classifySpan } from './mapping/span-filter.js';
import type { SpanLike } from './mapping/span-like.js';
import * as S from './semconv.js';
import type { EndState } from './wire.js';

/** The OpenTelemetry GenAI conventions' advice for the two client metrics. */
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** A session lasts up to hours; its cost from fractions of a cent to dollars. */
const SESSION_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 10800];
const SESSION_COST_BUCKETS = [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 50];

/** Instrumentations that record the GenAI client metrics of their own spans. */
const SELF_MEASURED_SCOPES = new Set(['@opentelemetry/instrumentation-openai']);

export interface GenAiMetricsOptions {
  /** Scopes whose spans are not measured (their instrumentation measures them). Default: the official OpenAI instrumentation. */
  selfMeasuredScopes?: Iterable<string>;
  /** The version the meter is named with (the SDK's). */
  version?: string;
}

/** What a session's end is measured by. */
export interface EndedSession {
  endState: EndState;
  durationMillis: number;
  costUsd: number;
}

const seconds = (span: SpanLike) => span.endTime[0] - span.startTime[0] + (span.endTime[1] - span.startTime[1]) / 1e9;

function put(attributes: Attributes, key: string, value: unknown): void {
  if (typeof value === 'string' && value) attributes[key] = value;
}

/** The error type of a failed span: its `error.type`, else the generic `_OTHER` the conventions name. */
function errorType(span: SpanLike): string | undefined {
  if (span.status.code !== SpanStatusCode.ERROR) return undefined;
  const type = span.attributes[S.ATTR_ERROR_TYPE];
  return typeof type === 'string' && type ? type : '_OTHER';
}

export class GenAiMetrics {
  readonly #operationDuration: Histogram;
  readonly #tokenUsage: Histogram;
  readonly #mcpClientDuration: Histogram;
  readonly #mcpServerDuration: Histogram;
  readonly #sessions;
  readonly #sessionDuration: Histogram;
  readonly #sessionCost: Histogram;
  readonly #selfMeasured: Set<string>;

  constructor(meterProvider: MeterProvider, options: GenAiMetricsOptions = {}) {
    const meter: Meter = meterProvider.getMeter('agentops', options.version);
    this.#selfMeasured = new Set(options.selfMeasuredScopes ?? SELF_MEASURED_SCOPES);
    this.#operationDuration = meter.createHistogram(S.METRIC_GEN_AI_CLIENT_OPERATION_DURATION, {
      description: 'GenAI operation duration',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.#tokenUsage = meter.createHistogram(S.METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
      description: 'Number of input and output tokens used',
      unit: '{token}',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    });
    this.#mcpClientDuration = meter.createHistogram(S.METRIC_MCP_CLIENT_OPERATION_DURATION, {
      description: 'The duration of the MCP request or notification as observed on the sender',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.#mcpServerDuration = meter.createHistogram(S.METRIC_MCP_SERVER_OPERATION_DURATION, {
      description: 'MCP request or notification duration as observed on the receiver',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.#sessions = meter.createCounter(S.METRIC_SESSIONS, {
      description: 'Sessions ended, by end state',
      unit: '{session}',
    });
    this.#sessionDuration = meter.createHistogram(S.METRIC_SESSION_DURATION, {
      description: 'Duration of ended sessions',
      unit: 's',
      advice: { explicitBucketBoundaries: SESSION_DURATION_BUCKETS },
    });
    this.#sessionCost = meter.createHistogram(S.METRIC_SESSION_COST, {
      description: 'Cost of ended sessions (what their LLM calls cost)',
      unit: 'USD',
      advice: { explicitBucketBoundaries: SESSION_COST_BUCKETS },
    });
  }

  /** Measures what a finished span stands for: an LLM call, an MCP request; any other span is not measured. */
  record(span: SpanLike): void {
    try {
      const a = span.attributes;
      const method = a[S.ATTR_MCP_METHOD_NAME];
      if (typeof method === 'string') {
        this.#recordMcp(span, method);
        return;
      }
      if (this.#selfMeasured.has(span.instrumentationScope?.name ?? '')) return;
      if (classifySpan(span) !== 'llms') return;
      const attributes: Attributes = {};
      put(attributes, S.ATTR_GEN_AI_OPERATION_NAME, a[S.ATTR_GEN_AI_OPERATION_NAME] ?? S.GEN_AI_OPERATION_CHAT);
      put(attributes, S.ATTR_GEN_AI_PROVIDER_NAME, llmProvider(a));
      put(attributes, S.ATTR_GEN_AI_REQUEST_MODEL, a[S.ATTR_GEN_AI_REQUEST_MODEL] ?? llmModel(a));
      put(attributes, S.ATTR_GEN_AI_RESPONSE_MODEL, a[S.ATTR_GEN_AI_RESPONSE_MODEL]);
      put(attributes, S.ATTR_ERROR_TYPE, errorType(span));
      this.#operationDuration.record(seconds(span), attributes);
      const usage = llmUsage(a, span.instrumentationScope?.name);
      if (usage.input !== undefined)
        this.#tokenUsage.record(usage.input, { ...attributes, [S.ATTR_GEN_AI_TOKEN_TYPE]: S.GEN_AI_TOKEN_TYPE_INPUT });
      if (usage.output !== undefined)
        this.#tokenUsage.record(usage.output, {
          ...attributes,
          [S.ATTR_GEN_AI_TOKEN_TYPE]: S.GEN_AI_TOKEN_TYPE_OUTPUT,
        });
    } catch {
      // A span that cannot be read is not measured; recording goes on.
    }
  }

  #recordMcp(span: SpanLike, method: string): void {
    const attributes: Attributes = { [S.ATTR_MCP_METHOD_NAME]: method };
    put(attributes, S.ATTR_GEN_AI_TOOL_NAME, span.attributes[S.ATTR_GEN_AI_TOOL_NAME]);
    put(attributes, S.ATTR_ERROR_TYPE, errorType(span));
    if (span.kind === SpanKind.CLIENT) this.#mcpClientDuration.record(seconds(span), attributes);
    else if (span.kind === SpanKind.SERVER) this.#mcpServerDuration.record(seconds(span), attributes);
  }

  /** Measures a session this process ended: counted by end state, with its duration and cost. */
  sessionEnded(session: EndedSession): void {
    const attributes = { [S.ATTR_SESSION_END_STATE]: session.endState };
    this.#sessions.add(1, attributes);
    if (Number.isFinite(session.durationMillis) && session.durationMillis >= 0)
      this.#sessionDuration.record(session.durationMillis / 1000, attributes);
    if (Number.isFinite(session.costUsd) && session.costUsd >= 0) this.#sessionCost.record(session.costUsd, attributes);
  }
}
