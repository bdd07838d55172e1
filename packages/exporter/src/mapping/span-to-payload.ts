/**
 * One finished span -> the AgentOps data it stands for: a session update, an agent, events.
 * Pure: no I/O, no clock, no globals; prices come in as a function.
 */
import { type Attributes, SpanStatusCode } from '@opentelemetry/api';
import { CONVENTIONS, isDuplicateLlmSpan, isSdkEventSpan } from '../conventions/index.js';
import type { PriceFn, TokenUsage } from '../cost.js';
import { isUuid, traceIdToSessionId } from '../internal/ids.js';
import { parseJsonAttribute } from '../internal/json.js';
import { clamp, LIMITS, tagList } from '../internal/limits.js';
import { asCost, asScore, asString, asText, isRecord } from '../internal/values.js';
import * as S from '../semconv.js';
import {
  type ActionEventPayload,
  type AgentPayload,
  type ErrorEventPayload,
  type EvaluationPayload,
  type EventPayload,
  type EventPeer,
  fromWireEndState,
  type LlmEventPayload,
  type ReplayExchange,
  type SessionPayload,
  type SpanLinkPayload,
  toWireEndState,
} from '../wire.js';
import { derivedEventId } from './event-id.js';
import {
  actionKind,
  actionParams,
  actionReturns,
  actionType,
  agentId,
  agentName,
  type LlmUsage,
  llmCompletion,
  llmModel,
  llmPrompt,
  llmProvider,
  llmUsage,
  sessionTags,
  threadId,
  toolName,
  toolParams,
  toolReturns,
} from './fields.js';
import { resourceToHostEnv, resourceToOrigin } from './host-env.js';
import { classifySpan, defaultSpanFilter, type SpanCategory, type SpanFilter } from './span-filter.js';
import type { SpanLike } from './span-like.js';
import { hrTimeToIso } from './time.js';

export type MappedItem =
  | { kind: 'session'; sessionId: string; session: SessionPayload; ended: boolean; inherited: boolean }
  | { kind: 'agent'; sessionId: string; agent: AgentPayload }
  | { kind: 'event'; sessionId: string; event: EventPayload }
  | { kind: 'evaluation'; sessionId: string; evaluation: EvaluationPayload }
  /** Events not built because the caller has no room for them (`eventsFull`). */
  | { kind: 'dropped'; sessionId: string; count: number }
  | { kind: 'link'; sessionId: string; link: SpanLinkPayload };

export interface MapOptions {
  /** Which spans to send; the default sends agent work only. */
  filter?: SpanFilter;
  /** Prices LLM calls that carry no cost; without it their cost stays unknown. */
  price?: PriceFn;
  /** Spans without `agentops.session.id` join the session named by their trace id (OTLP receiver). */
  traceIdFallback?: boolean;
  /**
   * Each trace is a session (`sessionFrom: 'trace'`): as `traceIdFallback`, and a trace's root span
   * (one without a parent, and not a session's own span) also ends its session: the root's start
   * and end, Success, or Failure with its status message when it failed.
   */
  traceIsSession?: boolean;
  /** Events would be dropped anyway: count them instead of building them. Sessions and agents still map. */
  eventsFull?: boolean;
}

export function sessionIdOf(span: SpanLike, traceIdFallback = false): string | undefined {
  const id = span.attributes[S.ATTR_SESSION_ID];
  if (typeof id === 'string' && id.length > 0) return id;
  return traceIdFallback ? traceIdToSessionId(span.spanContext().traceId) : undefined;
}

/**
 * The session data of a session's root span. A process that joined a session started elsewhere
 * (`inherited`) says nothing of the session's host, and unless it ended the session explicitly,
 * nothing of its end or tags: it never overwrites what the owning process reports. (Its events
 * still carry their own origin.)
 */
export function spanToSession(span: SpanLike, sessionId: string): SessionPayload {
  const a = span.attributes;
  const inherited = a[S.ATTR_SESSION_INHERITED] === true;
  const endState = fromWireEndState(asString(a[S.ATTR_SESSION_END_STATE]));
  const ended = (span.ended ?? (span.endTime[0] !== 0 || span.endTime[1] !== 0)) && !(inherited && !endState);
  const tags = tagList(sessionTags(a)) ?? [];
  return {
    session_id: sessionId,
    init_timestamp: hrTimeToIso(span.startTime),
    end_timestamp: ended ? hrTimeToIso(span.endTime) : null,
    end_state: ended ? toWireEndState(endState ?? 'Indeterminate') : null,
    end_state_reason: ended
      ? clampOrNull(asString(a[S.ATTR_SESSION_END_STATE_REASON]), LIMITS.endStateReasonLength)
      : null,
    ...(inherited && tags.length === 0 ? {} : { tags }),
    ...(inherited ? {} : { host_env: resourceToHostEnv(span.resource.attributes), ...sessionContext(span) }),
    video: clampOrNull(asString(a[S.ATTR_SESSION_VIDEO]), LIMITS.videoLength),
  };
}

/** What the run is, who, where and which release a session's root span says it ran for: the span's own, else its resource's. */
function sessionContext(
  span: SpanLike,
): Pick<SessionPayload, 'name' | 'user_id' | 'environment' | 'release' | 'forked_from' | 'fork_step'> {
  const a = span.attributes;
  const r = span.resource.attributes;
  const origin = asString(a[S.ATTR_SESSION_FORKED_FROM]);
  const step = a[S.ATTR_SESSION_FORK_STEP];
  return {
    ...(origin && isUuid(origin)
      ? {
          forked_from: origin.toLowerCase(),
          fork_step: Number.isInteger(step) && (step as number) >= 0 ? (step as number) : null,
        }
      : {}),
    name: textOrNull(a[S.ATTR_SESSION_NAME], LIMITS.nameLength),
    user_id: textOrNull(a[S.ATTR_USER_ID], LIMITS.nameLength),
    environment: textOrNull(a[S.ATTR_DEPLOYMENT_ENVIRONMENT] ?? r[S.ATTR_DEPLOYMENT_ENVIRONMENT], LIMITS.nameLength),
    release: textOrNull(a[S.ATTR_SESSION_RELEASE] ?? r[S.ATTR_SERVICE_VERSION], LIMITS.nameLength),
  };
}

export function clampOrNull(value: string | undefined, max: number): string | null {
  return value === undefined ? null : clamp(value, max);
}

/** A non-empty string attribute, clamped; null for anything else. */
function textOrNull(value: unknown, max: number): string | null {
  return clampOrNull(asText(value), max);
}

/** The span's own event id when it is a usable one, else one derived from the span. */
export function eventIdOf(span: SpanLike, purpose: 'event' | 'evaluation' = 'event'): string {
  const id = asString(span.attributes[S.ATTR_EVENT_ID]);
  return id && id.length <= LIMITS.idLength ? id : derivedEventId(span.spanContext(), purpose);
}

function exceptionEvent(span: SpanLike): Attributes | undefined {
  return span.events?.find((e) => e.name === 'exception')?.attributes;
}

function commonFields(span: SpanLike, sessionId: string) {
  const a = span.attributes;
  const ctx = span.spanContext();
  return {
    id: eventIdOf(span),
    session_id: sessionId,
    init_timestamp: hrTimeToIso(span.startTime),
    end_timestamp: hrTimeToIso(span.endTime),
    agent_id: clampOrNull(asString(a[S.ATTR_AGENT_ID]), LIMITS.idLength),
    span_id: ctx.spanId,
    parent_span_id: span.parentSpanContext?.spanId ?? null,
    origin: resourceToOrigin(span.resource.attributes),
  };
}

function llmEvent(span: SpanLike, sessionId: string, price?: PriceFn): EventPayload {
  const a = span.attributes;
  const model = llmModel(a);
  const provider = llmProvider(a);
  const usage = llmUsage(a, span.instrumentationScope?.name);
  const cost = llmCost(a, model, usage, provider, price);
  const event: LlmEventPayload = Object.assign(commonFields(span, sessionId), {
    event_type: 'llms' as const,
    model: clampOrNull(model, LIMITS.modelLength),
    provider: clampOrNull(provider, LIMITS.modelLength),
    prompt: llmPrompt(a) ?? null,
    completion: llmCompletion(a) ?? null,
    prompt_tokens: usage.input ?? null,
    completion_tokens: usage.output ?? null,
    cost: cost ?? null,
    thread_id: threadOf(a, sessionId),
    params: parseJsonAttribute(a[S.ATTR_EVENT_PARAMS]),
    returns: parseJsonAttribute(a[S.ATTR_EVENT_RETURNS]),
  });
  // Only where there are such counts (set, not spread: a literal with spreads is built, and later
  // written as JSON, on a slower path, for every LLM call).
  if (usage.cacheRead !== undefined) event.cache_read_tokens = usage.cacheRead;
  if (usage.cacheWrite !== undefined) event.cache_creation_tokens = usage.cacheWrite;
  if (usage.reasoning !== undefined) event.reasoning_tokens = usage.reasoning;
  const exchange = a[S.ATTR_REPLAY_EXCHANGE];
  if (exchange !== undefined) {
    const parsed = parseJsonAttribute(exchange);
    if (isReplayExchange(parsed)) event.replay = parsed;
  }
  return event;
}

/** A recorded exchange of the shape `ReplayExchange` (a masked or clipped one is not: it is left out). */
function isReplayExchange(value: unknown): value is ReplayExchange {
  if (!isRecord(value) || !isRecord(value.request) || !isRecord(value.response)) return false;
  const { request, response } = value;
  return (
    typeof request.method === 'string' &&
    typeof request.url === 'string' &&
    (request.body === null || typeof request.body === 'string') &&
    typeof response.status === 'number' &&
    Array.isArray(response.chunks) &&
    response.chunks.every((c) => typeof c === 'string') &&
    Array.isArray(response.headers)
  );
}

/** An LLM call's thread, unless it is only the session again (the SDK gives every span `gen_ai.conversation.id`). */
export function threadOf(a: Attributes, sessionId: string): string | null {
  const thread = threadId(a);
  return thread === undefined || thread.toLowerCase() === sessionId ? null : thread;
}

function toolEvent(span: SpanLike, sessionId: string): EventPayload {
  const a = span.attributes;
  const event: EventPayload = Object.assign(commonFields(span, sessionId), {
    event_type: 'tools' as const,
    name: clamp(toolName(a) ?? span.name, LIMITS.nameLength),
    params: parseJsonAttribute(toolParams(a)),
    returns: toolOutput(parseJsonAttribute(toolReturns(a))),
    logs: parseJsonAttribute(a[S.ATTR_TOOL_LOGS]),
  });
  return withPeer(event, a);
}

/** The event with the other side of its protocol call (an MCP server, a remote agent), when the span names one. */
function withPeer<E extends EventPayload>(event: E, a: Attributes): E {
  const protocol = a[S.ATTR_PEER_PROTOCOL];
  const name = asText(a[S.ATTR_PEER_NAME]);
  if ((protocol !== 'mcp' && protocol !== 'a2a') || name === undefined) return event;
  const peer: EventPeer = { protocol, name: clamp(name, LIMITS.nameLength) };
  const version = asText(a[S.ATTR_PEER_VERSION]);
  if (version !== undefined) peer.version = clamp(version, LIMITS.nameLength);
  event.peer = peer;
  return event;
}

/**
 * A tool's result as the tool gave it. OpenInference's LangChain instrumentation records a tool's
 * output as LangChain serialized it: a `ToolMessage` constructor (`{"lc":1,"type":"constructor",
 * "id":[..."ToolMessage"],"kwargs":{"content":...}}`, alone or as `{"output": ...}`); its content
 * is the tool's result (JSON text parsed as the other results are). Anything else is kept as it is.
 */
function toolOutput(value: unknown): unknown {
  const wrapped = isRecord(value) && Object.keys(value).length === 1 ? value.output : undefined;
  const message = isToolMessage(wrapped) ? wrapped : isToolMessage(value) ? value : undefined;
  return message ? parseJsonAttribute(message.kwargs.content) : value;
}

function isToolMessage(value: unknown): value is { kwargs: { content: unknown } } {
  if (!isRecord(value) || value.lc !== 1 || value.type !== 'constructor' || !Array.isArray(value.id)) return false;
  return value.id[value.id.length - 1] === 'ToolMessage' && isRecord(value.kwargs) && 'content' in value.kwargs;
}

function actionEvent(span: SpanLike, sessionId: string): EventPayload {
  const a = span.attributes;
  const event: ActionEventPayload = Object.assign(commonFields(span, sessionId), {
    event_type: 'actions' as const,
    action_type: clamp(actionType(a) ?? span.name, LIMITS.nameLength),
    params: parseJsonAttribute(actionParams(a)),
    returns: parseJsonAttribute(actionReturns(a)),
    logs: parseJsonAttribute(a[S.ATTR_ACTION_LOGS]),
    screenshot: asString(a[S.ATTR_ACTION_SCREENSHOT]) ?? null,
  });
  const kind = actionKind(a);
  if (kind) event.action_kind = kind;
  return withPeer(event, a);
}

function errorEvent(span: SpanLike, sessionId: string): ErrorEventPayload {
  const a = span.attributes;
  const exception = exceptionEvent(span);
  return Object.assign(commonFields(span, sessionId), {
    event_type: 'errors' as const,
    error_type: clampOrNull(
      asString(a[S.ATTR_ERROR_TYPE]) ?? asString(exception?.['exception.type']),
      LIMITS.nameLength,
    ),
    code: asString(a[S.ATTR_ERROR_CODE]) ?? null,
    details:
      asString(a[S.ATTR_ERROR_DETAILS]) ?? asString(exception?.['exception.message']) ?? span.status.message ?? null,
    logs: asString(a[S.ATTR_ERROR_LOGS]) ?? asString(exception?.['exception.stacktrace']) ?? null,
    trigger_event_id: asString(a[S.ATTR_ERROR_TRIGGER_EVENT_ID]) ?? null,
    trigger_event_type: asString(a[S.ATTR_ERROR_TRIGGER_EVENT_TYPE]) ?? null,
  });
}

/** A foreign span that failed (status ERROR) also stands for an error event, triggered by it. */
function derivedErrorEvent(span: SpanLike, sessionId: string, trigger: EventPayload): ErrorEventPayload {
  const event = errorEvent(span, sessionId);
  event.id = derivedEventId(span.spanContext(), 'error');
  event.error_type ??= 'Error';
  event.trigger_event_id = trigger.id;
  event.trigger_event_type = trigger.event_type;
  return event;
}

/**
 * An evaluation span (`gen_ai.evaluation.result`): it judges its parent span, or the event it names.
 * Unlike an event's, its `parent_span_id` is always the judged span's (the SDK parents it so).
 */
export function evaluationOf(span: SpanLike, sessionId: string): EvaluationPayload {
  const a = span.attributes;
  return {
    id: eventIdOf(span, 'evaluation'),
    session_id: sessionId,
    timestamp: hrTimeToIso(span.startTime),
    name: clamp(asString(a[S.ATTR_GEN_AI_EVALUATION_NAME]) || 'evaluation', LIMITS.nameLength),
    score: asScore(a[S.ATTR_GEN_AI_EVALUATION_SCORE_VALUE]) ?? null,
    label: textOrNull(a[S.ATTR_GEN_AI_EVALUATION_SCORE_LABEL], LIMITS.nameLength),
    explanation: textOrNull(a[S.ATTR_GEN_AI_EVALUATION_EXPLANATION], LIMITS.explanationLength),
    event_id: textOrNull(a[S.ATTR_EVALUATION_EVENT_ID], LIMITS.idLength),
    parent_span_id: span.parentSpanContext?.spanId ?? null,
    response_id: textOrNull(a[S.ATTR_GEN_AI_RESPONSE_ID], LIMITS.idLength * 4),
    origin: resourceToOrigin(span.resource.attributes),
  };
}

/**
 * The id an agent's span is sent under: its own (`gen_ai.agent.id` and the like, or its event id),
 * else one derived from its span ids. The SDK stamps it on the work done under the agent.
 */
export function agentIdOf(span: SpanLike): string {
  const a = span.attributes;
  const id = agentId(a) ?? asString(a[S.ATTR_EVENT_ID]);
  return id && id.length <= LIMITS.idLength ? id : derivedEventId(span.spanContext(), 'agent');
}

function agentOf(span: SpanLike): AgentPayload {
  const agent: AgentPayload = {
    id: agentIdOf(span),
    name: clamp(agentName(span.attributes) ?? span.name, LIMITS.nameLength) || 'agent',
    span_id: span.spanContext().spanId,
  };
  const parent = span.parentSpanContext?.spanId;
  if (parent) agent.parent_span_id = parent;
  return agent;
}

function eventFor(span: SpanLike, category: SpanCategory | undefined, sessionId: string, price?: PriceFn) {
  switch (category) {
    case 'llms':
      return llmEvent(span, sessionId, price);
    case 'tools':
      return toolEvent(span, sessionId);
    case 'errors':
      return errorEvent(span, sessionId);
    default:
      return actionEvent(span, sessionId);
  }
}

/** An LLM call's cost in USD: the one its span carries, else priced from its model and tokens. */
export function llmCost(
  a: Attributes,
  model: string | undefined,
  usage: LlmUsage,
  provider: string | undefined,
  price: PriceFn | undefined,
): number | undefined {
  const given = asCost(a[S.ATTR_LLM_COST_USD]);
  if (given !== undefined || !price || !model) return given;
  return asCost(price(model, pricedUsage(usage), provider));
}

/** Token counts as the price function takes them (missing counts are none). */
export function pricedUsage(u: {
  input?: number | null;
  output?: number | null;
  cacheRead?: number | null;
  cacheWrite?: number | null;
}): TokenUsage {
  return { input: u.input ?? 0, output: u.output ?? 0, cacheRead: u.cacheRead ?? 0, cacheWrite: u.cacheWrite ?? 0 };
}

/** A failed span of another instrumentation (status ERROR) also stands for an error event. */
export function alsoStandsForError(span: SpanLike, category: SpanCategory | undefined): boolean {
  return category !== 'errors' && !isSdkEventSpan(span.attributes) && span.status.code === SpanStatusCode.ERROR;
}

/** Everything one finished span stands for; [] for spans outside any session or filtered out. */
export function mapSpan(span: SpanLike, options: MapOptions = {}): MappedItem[] {
  const items = mapInSession(span, options);
  if (!options.traceIsSession || span.parentSpanContext || classifySpan(span) === 'session') return items;
  const sessionId = sessionIdOf(span, true) as string;
  return [
    ...items,
    { kind: 'session', sessionId, session: traceRootToSession(span, sessionId), ended: true, inherited: false },
  ];
}

/**
 * The session a trace is (`traceIsSession`), from its root span: its start and end, Success or
 * Failure (with the status message) by the root's status, the host of its resource.
 */
export function traceRootToSession(span: SpanLike, sessionId: string): SessionPayload {
  const failed = span.status.code === SpanStatusCode.ERROR;
  return {
    session_id: sessionId,
    init_timestamp: hrTimeToIso(span.startTime),
    end_timestamp: hrTimeToIso(span.endTime),
    end_state: toWireEndState(failed ? 'Failure' : 'Success'),
    end_state_reason: failed ? clampOrNull(span.status.message, LIMITS.endStateReasonLength) : null,
    tags: [],
    host_env: resourceToHostEnv(span.resource.attributes),
    ...sessionContext(span),
  };
}

function mapInSession(span: SpanLike, options: MapOptions): MappedItem[] {
  const sessionId = sessionIdOf(span, options.traceIdFallback || options.traceIsSession);
  if (!sessionId) return [];
  // A second record of a call recorded already is never sent, whatever the filter says.
  if (isDuplicateLlmSpan(span.attributes)) return [];
  const category = classifySpan(span);
  if (category === 'session') {
    return [
      {
        kind: 'session',
        sessionId,
        session: spanToSession(span, sessionId),
        ended: span.ended ?? true,
        inherited: span.attributes[S.ATTR_SESSION_INHERITED] === true,
      },
    ];
  }
  if (!(options.filter ?? defaultSpanFilter)(span, category)) {
    const parent = span.parentSpanContext?.spanId;
    return category === undefined && parent && isTransparent(span)
      ? [{ kind: 'link', sessionId, link: { span_id: span.spanContext().spanId, parent_span_id: parent } }]
      : [];
  }
  if (category === 'agents') return [{ kind: 'agent', sessionId, agent: agentOf(span) }];
  if (category === 'evaluations') {
    return options.eventsFull
      ? [{ kind: 'dropped', sessionId, count: 1 }]
      : [{ kind: 'evaluation', sessionId, evaluation: evaluationOf(span, sessionId) }];
  }
  const alsoError = alsoStandsForError(span, category);
  if (options.eventsFull) return [{ kind: 'dropped', sessionId, count: alsoError ? 2 : 1 }];
  const event = eventFor(span, category, sessionId, options.price);
  const items: MappedItem[] = [{ kind: 'event', sessionId, event }];
  if (alsoError) {
    items.push({ kind: 'event', sessionId, event: derivedErrorEvent(span, sessionId, event) });
  }
  return items;
}

/** Whether a convention says the span stands between events (see `Convention.transparent`). */
function isTransparent(span: SpanLike): boolean {
  for (const convention of CONVENTIONS) if (convention.transparent?.(span)) return true;
  return false;
}
