/**
 * What one attribute convention (OpenTelemetry GenAI, AgentOps, OpenLLMetry, OpenInference, the
 * Vercel AI SDK) says about a span: its category, and where it keeps an LLM call's or a tool call's
 * fields. Each convention lives in one file of this folder; mapping/ composes them in order.
 */
import type { Attributes } from '@opentelemetry/api';
import { parseJsonAttribute, parseStructuredAttribute } from '../internal/json.js';
import { otelToChatMessage, plainTextMessagesFromJson } from '../mapping/messages.js';
import type { SpanCategory } from '../mapping/span-category.js';
import type { SpanLike } from '../mapping/span-like.js';
import type { ChatMessage } from '../wire.js';

export interface Convention {
  readonly name: string;
  /** The category this convention gives the span, or undefined when it says nothing of it. */
  category(span: SpanLike): SpanCategory | undefined;
  /**
   * A span that is no event but stands between events (a tool's execution inside the tool's span):
   * what starts inside it nests under its parent. Sent as a link, so the session's events name
   * their parent event wherever the two spans arrive from.
   */
  transparent?(span: SpanLike): boolean;
  /** Attribute keys of an LLM call's fields, most standard first. */
  readonly model?: readonly string[];
  readonly provider?: readonly string[];
  readonly inputTokens?: readonly string[];
  readonly outputTokens?: readonly string[];
  /** Keys of the parts of the input tokens read from and written to the prompt cache, and of the output's reasoning. */
  readonly cacheReadTokens?: readonly string[];
  readonly cacheWriteTokens?: readonly string[];
  readonly reasoningTokens?: readonly string[];
  /** The prompt, as ChatML messages or a string. */
  prompt?(a: Attributes): ChatMessage[] | string | undefined;
  /** The conversation (thread) an LLM call belongs to. */
  readonly threadId?: readonly string[];
  /** The first message of the completion. */
  completion?(a: Attributes): ChatMessage | undefined;
  /** Attribute keys of a tool call's name, arguments and result. */
  readonly toolName?: readonly string[];
  readonly toolParams?: readonly string[];
  readonly toolReturns?: readonly string[];
  /** Attribute keys of an action's type, arguments and result. */
  readonly actionType?: readonly string[];
  /** Attribute keys saying an action is a `workflow` or a `task`. */
  readonly actionKind?: readonly string[];
  readonly actionParams?: readonly string[];
  readonly actionReturns?: readonly string[];
  /** Attribute keys of a session root's tags (a list of strings). */
  readonly sessionTags?: readonly string[];
  /** Attribute keys of an agent's id and name. */
  readonly agentId?: readonly string[];
  readonly agentName?: readonly string[];
}

/** Indexed flat attributes (`prefix.0.role`, `prefix.0.content`, ...) as ChatML messages. */
export function indexedMessages(
  a: Attributes,
  prefix: string,
  roleKey: string,
  contentKey: string,
): ChatMessage[] | undefined {
  const messages: ChatMessage[] = [];
  for (let i = 0; i < 1000; i++) {
    const role = a[`${prefix}.${i}.${roleKey}`];
    const content = a[`${prefix}.${i}.${contentKey}`];
    if (role === undefined && content === undefined) break;
    messages.push({ role: typeof role === 'string' ? role : 'user', content: parseStructuredAttribute(content) });
  }
  return messages.length > 0 ? messages : undefined;
}

/**
 * The first message of indexed flat attributes with what OpenLLMetry and AgentOps 0.4 write beside
 * role and content: `finish_reason` and `tool_calls.J.{id,name,arguments}`.
 */
export function indexedCompletion(a: Attributes, prefix: string): ChatMessage | undefined {
  const message = indexedMessages(a, prefix, 'role', 'content')?.[0];
  const finish = a[`${prefix}.0.finish_reason`];
  const calls: NonNullable<ChatMessage['tool_calls']> = [];
  for (let j = 0; j < 1000; j++) {
    const name = a[`${prefix}.0.tool_calls.${j}.name`];
    if (typeof name !== 'string') break;
    const id = a[`${prefix}.0.tool_calls.${j}.id`];
    const args = a[`${prefix}.0.tool_calls.${j}.arguments`];
    calls.push({
      ...(typeof id === 'string' ? { id } : {}),
      type: 'function',
      function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) },
    });
  }
  if (!message && calls.length === 0) return undefined;
  return {
    ...(message ?? { role: 'assistant' }),
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
    ...(typeof finish === 'string' ? { finish_reason: finish } : {}),
  };
}

/** A JSON array of GenAI messages (or of plain-text ones) as ChatML messages. */
export function jsonMessages(value: unknown): ChatMessage[] | undefined {
  if (typeof value === 'string') {
    const plain = plainTextMessagesFromJson(value);
    if (plain) return plain;
  }
  const parsed = parseJsonAttribute(value);
  if (Array.isArray(parsed)) return parsed.map(otelToChatMessage);
  return undefined;
}

/** A plain-text completion as the assistant's message. */
export function assistantText(text: string | undefined): ChatMessage | undefined {
  return text === undefined ? undefined : { role: 'assistant', content: text };
}
