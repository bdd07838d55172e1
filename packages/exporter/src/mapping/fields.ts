/**
 * An LLM call's, a tool call's, an action's, an agent's and a session root's fields, read from whichever convention the span
 * follows (conventions/): for each field the first convention that has it wins.
 */
import type { Attributes } from '@opentelemetry/api';
import { CONVENTIONS, isSdkEventSpan } from '../conventions/index.js';
import { asCount, asString, asText } from '../internal/values.js';
import * as S from '../semconv.js';
import type { ChatMessage } from '../wire.js';

type KeyList =
  | 'model'
  | 'provider'
  | 'inputTokens'
  | 'outputTokens'
  | 'cacheReadTokens'
  | 'cacheWriteTokens'
  | 'reasoningTokens'
  | 'threadId'
  | 'toolName'
  | 'toolParams'
  | 'toolReturns'
  | 'actionType'
  | 'actionParams'
  | 'actionReturns'
  | 'actionKind'
  | 'sessionTags'
  | 'agentId'
  | 'agentName';

/** Every convention's keys of one field, in convention order (built once, not per span). */
function keysOf(field: KeyList): readonly string[] {
  return CONVENTIONS.flatMap((c) => c[field] ?? []);
}

const KEYS = {
  model: keysOf('model'),
  provider: keysOf('provider'),
  inputTokens: keysOf('inputTokens'),
  outputTokens: keysOf('outputTokens'),
  cacheReadTokens: keysOf('cacheReadTokens'),
  cacheWriteTokens: keysOf('cacheWriteTokens'),
  reasoningTokens: keysOf('reasoningTokens'),
  threadId: keysOf('threadId'),
  toolName: keysOf('toolName'),
  toolParams: keysOf('toolParams'),
  toolReturns: keysOf('toolReturns'),
  actionType: keysOf('actionType'),
  actionParams: keysOf('actionParams'),
  actionReturns: keysOf('actionReturns'),
  actionKind: keysOf('actionKind'),
  sessionTags: keysOf('sessionTags'),
  agentId: keysOf('agentId'),
  agentName: keysOf('agentName'),
};
const PROMPTS = CONVENTIONS.flatMap((c) => (c.prompt ? [c.prompt] : []));
const COMPLETIONS = CONVENTIONS.flatMap((c) => (c.completion ? [c.completion] : []));

function firstOf<T>(a: Attributes, keys: readonly string[], read: (v: unknown) => T | undefined): T | undefined {
  for (const key of keys) {
    const value = read(a[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

function firstFrom<T>(a: Attributes, readers: readonly ((a: Attributes) => T | undefined)[]): T | undefined {
  for (const read of readers) {
    const value = read(a);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Any value that is there (null counts as missing). */
const present = (v: unknown) => v ?? undefined;

export const llmModel = (a: Attributes): string | undefined => firstOf(a, KEYS.model, asText);
export const llmProvider = (a: Attributes): string | undefined => firstOf(a, KEYS.provider, asText);
export const inputTokens = (a: Attributes): number | undefined => firstOf(a, KEYS.inputTokens, asCount);
export const outputTokens = (a: Attributes): number | undefined => firstOf(a, KEYS.outputTokens, asCount);
export const cacheReadTokens = (a: Attributes): number | undefined => firstOf(a, KEYS.cacheReadTokens, asCount);
export const cacheWriteTokens = (a: Attributes): number | undefined => firstOf(a, KEYS.cacheWriteTokens, asCount);
export const reasoningTokens = (a: Attributes): number | undefined => firstOf(a, KEYS.reasoningTokens, asCount);
export const threadId = (a: Attributes): string | undefined => firstOf(a, KEYS.threadId, asString);
export const llmPrompt = (a: Attributes): ChatMessage[] | string | undefined => firstFrom(a, PROMPTS);
export const llmCompletion = (a: Attributes): ChatMessage | undefined => firstFrom(a, COMPLETIONS);
export const toolName = (a: Attributes): string | undefined => firstOf(a, KEYS.toolName, asString);
export const toolParams = (a: Attributes): unknown => firstOf(a, KEYS.toolParams, present);
export const toolReturns = (a: Attributes): unknown => firstOf(a, KEYS.toolReturns, present);
export const actionType = (a: Attributes): string | undefined => firstOf(a, KEYS.actionType, asString);
export const actionParams = (a: Attributes): unknown => firstOf(a, KEYS.actionParams, present);
export const actionReturns = (a: Attributes): unknown => firstOf(a, KEYS.actionReturns, present);
const WORK_KINDS = new Set<unknown>(['workflow', 'task']);
/** Whether an action is a workflow or a task: by GenAI's `invoke_workflow`, else the conventions' span kinds. */
export function actionKind(a: Attributes): 'workflow' | 'task' | undefined {
  if (a[S.ATTR_GEN_AI_OPERATION_NAME] === S.GEN_AI_OPERATION_INVOKE_WORKFLOW) return 'workflow';
  return firstOf(a, KEYS.actionKind, (v) => (WORK_KINDS.has(v) ? (v as 'workflow' | 'task') : undefined));
}
export const sessionTags = (a: Attributes): unknown => firstOf(a, KEYS.sessionTags, present);
export const agentId = (a: Attributes): string | undefined => firstOf(a, KEYS.agentId, asString);
export const agentName = (a: Attributes): string | undefined => firstOf(a, KEYS.agentName, asString);

/** An LLM call's token counts: `input` with its cached parts included, as the GenAI conventions count it. */
export interface LlmUsage {
  input: number | undefined;
  output: number | undefined;
  cacheRead: number | undefined;
  cacheWrite: number | undefined;
  /** The part of `output` spent reasoning. */
  reasoning: number | undefined;
}

/**
 * The token counts of an LLM call's span. Anthropic's API counts `input_tokens` without the parts
 * read from or written to the cache, and the Anthropic instrumentations write it as it is; so do
 * some others. Such a count (a call of Anthropic's not recorded by this SDK or by the Anthropic
 * SDK's own tracing, which count them in as the GenAI conventions ask, or any input smaller than its
 * own cached part) has the cached parts added, so every call is priced on the same basis.
 * `scope` is the name of the instrumentation scope that made the span, when known.
 */
/** The Anthropic SDK's own tracer (1.x): `com.anthropic.sdk.typescript`, with a platform suffix on some. */
const ANTHROPIC_SDK_SCOPE = 'com.anthropic.sdk';

export function llmUsage(a: Attributes, scope?: string): LlmUsage {
  // The SDK's own events keep every count under its GenAI name: read there, not through every
  // convention's names (the missing cache and reasoning counts were most of the cost of counting).
  if (isSdkEventSpan(a)) {
    const cacheRead = asCount(a[S.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]);
    const cacheWrite = asCount(a[S.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]);
    return {
      input: withCachedParts(asCount(a[S.ATTR_GEN_AI_USAGE_INPUT_TOKENS]), cacheRead, cacheWrite, () => false),
      output: asCount(a[S.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]),
      cacheRead,
      cacheWrite,
      reasoning: asCount(a[S.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]),
    };
  }
  const cacheRead = cacheReadTokens(a);
  const cacheWrite = cacheWriteTokens(a);
  const anthropic = () =>
    llmProvider(a)?.toLowerCase() === 'anthropic' && scope?.startsWith(ANTHROPIC_SDK_SCOPE) !== true;
  return {
    input: withCachedParts(inputTokens(a), cacheRead, cacheWrite, anthropic),
    output: outputTokens(a),
    cacheRead,
    cacheWrite,
    reasoning: reasoningTokens(a),
  };
}

/**
 * An input count with the cached parts in it: as given when it already includes them, else with
 * them added (a count smaller than its cached part, or Anthropic's, which counts them apart).
 */
function withCachedParts(
  counted: number | undefined,
  cacheRead: number | undefined,
  cacheWrite: number | undefined,
  countsThemApart: () => boolean,
): number | undefined {
  const cached = (cacheRead ?? 0) + (cacheWrite ?? 0);
  if (counted === undefined || cached === 0 || !(counted < cached || countsThemApart())) return counted;
  return counted + cached;
}
