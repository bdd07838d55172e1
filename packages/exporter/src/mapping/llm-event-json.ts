/**
 * The export side of the recording hot path: the JSON of the LLM event that a span the SDK itself
 * recorded (`record(new LLMEvent(...))`) stands for, written straight from the span's attributes,
 * where `mapSpan` builds the event as an object (its messages decoded into ChatML objects) only to
 * have it encoded again. Only spans of exactly that shape take this path: the SDK's LLM event keys
 * and no others, messages of one text part each as the SDK writes them; for any other span it
 * gives undefined and `mapSpan` maps it. The fields are read by the same functions the mapping
 * uses; the JSON is `JSON.stringify` of the event `mapSpan` gives, key for key (a property test
 * holds the two together).
 */
import type { Attributes } from '@opentelemetry/api';
import type { PriceFn } from '../cost.js';
import { LIMITS } from '../internal/limits.js';
import { asString } from '../internal/values.js';
import * as S from '../semconv.js';
import { llmModel, llmProvider, llmUsage } from './fields.js';
import { resourceToOrigin } from './host-env.js';
import { plainTextChatJson } from './messages.js';
import type { SpanLike } from './span-like.js';
import { clampOrNull, eventIdOf, llmCost, threadOf } from './span-to-payload.js';
import { hrTimeToIso } from './time.js';

/** Every key an SDK LLM event's span may carry (content switched on or off, an id given or not). */
const SDK_LLM_KEYS = new Set<string>([
  S.ATTR_EVENT_TYPE,
  S.ATTR_EVENT_ID,
  S.ATTR_AGENT_ID,
  S.ATTR_SESSION_ID,
  S.ATTR_GEN_AI_CONVERSATION_ID,
  S.ATTR_GEN_AI_OPERATION_NAME,
  S.ATTR_GEN_AI_PROVIDER_NAME,
  S.ATTR_GEN_AI_REQUEST_MODEL,
  S.ATTR_GEN_AI_RESPONSE_MODEL,
  S.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  S.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  S.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  S.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  S.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  S.ATTR_LLM_COST_USD,
  S.ATTR_LLM_THREAD_ID,
  S.ATTR_GEN_AI_INPUT_MESSAGES,
  S.ATTR_GEN_AI_OUTPUT_MESSAGES,
]);

/** What the outbox counts of an event, beside its JSON. */
export interface EncodedLlmEvent {
  json: string;
  initTimestamp: string;
  promptTokens: number | null;
  completionTokens: number | null;
  cost: number | null;
}

/** An origin's JSON per resource attributes object (one per resource: the same for all its spans). */
const originJson = new WeakMap<Attributes, string>();

function originOf(resource: Attributes): string {
  let json = originJson.get(resource);
  if (json === undefined) {
    json = JSON.stringify(resourceToOrigin(resource));
    originJson.set(resource, json);
  }
  return json;
}

const text = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value));

/**
 * The LLM event of an SDK span of session `sessionId`, as JSON, priced by `price` where it carries
 * no cost; undefined when the span is not of the SDK's plain shape (map it with `mapSpan`).
 */
export function encodedSdkLlmEvent(span: SpanLike, sessionId: string, price?: PriceFn): EncodedLlmEvent | undefined {
  const a = span.attributes;
  if (a[S.ATTR_EVENT_TYPE] !== S.EVENT_TYPE_LLM || a[S.ATTR_GEN_AI_OPERATION_NAME] !== S.GEN_AI_OPERATION_CHAT)
    return undefined;
  if (span.name === S.SESSION_SPAN_NAME) return undefined;
  for (const key in a) if (!SDK_LLM_KEYS.has(key)) return undefined;
  const input = a[S.ATTR_GEN_AI_INPUT_MESSAGES];
  const output = a[S.ATTR_GEN_AI_OUTPUT_MESSAGES];
  const prompt = input === undefined ? 'null' : typeof input === 'string' ? plainTextChatJson(input) : undefined;
  const completion =
    output === undefined ? 'null' : typeof output === 'string' ? plainTextChatJson(output, true) : undefined;
  if (prompt === undefined || completion === undefined) return undefined;

  const ctx = span.spanContext();
  const model = llmModel(a);
  const provider = llmProvider(a);
  const usage = llmUsage(a, span.instrumentationScope?.name);
  const cost = llmCost(a, model, usage, provider, price);
  const initTimestamp = hrTimeToIso(span.startTime);
  // Pieces joined once: one flat string, the shape JSON.stringify gives (a string built with `+`
  // is a tree of its pieces, which costs the garbage collector and the batch's encoding more).
  const parts: (string | number)[] = [
    '{"id":',
    JSON.stringify(eventIdOf(span)),
    ',"session_id":',
    JSON.stringify(sessionId),
    ',"init_timestamp":"',
    initTimestamp,
    '","end_timestamp":"',
    hrTimeToIso(span.endTime),
    '","agent_id":',
    text(clampOrNull(asString(a[S.ATTR_AGENT_ID]), LIMITS.idLength)),
    ',"span_id":"',
    ctx.spanId,
    '","parent_span_id":',
    span.parentSpanContext ? `"${span.parentSpanContext.spanId}"` : 'null',
    ',"origin":',
    originOf(span.resource.attributes),
    ',"event_type":"llms","model":',
    text(clampOrNull(model, LIMITS.modelLength)),
    ',"provider":',
    text(clampOrNull(provider, LIMITS.modelLength)),
    ',"prompt":',
    prompt,
    ',"completion":',
    completion,
    ',"prompt_tokens":',
    usage.input ?? 'null',
    ',"completion_tokens":',
    usage.output ?? 'null',
    ',"cost":',
    cost ?? 'null',
    ',"thread_id":',
    text(threadOf(a, sessionId)),
  ];
  if (usage.cacheRead !== undefined) parts.push(',"cache_read_tokens":', usage.cacheRead);
  if (usage.cacheWrite !== undefined) parts.push(',"cache_creation_tokens":', usage.cacheWrite);
  if (usage.reasoning !== undefined) parts.push(',"reasoning_tokens":', usage.reasoning);
  parts.push('}');
  return {
    json: parts.join(''),
    initTimestamp,
    promptTokens: usage.input ?? null,
    completionTokens: usage.output ?? null,
    cost: cost ?? null,
  };
}
