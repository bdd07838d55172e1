/**
 * Reads an LLM call's model, tokens, prompt and completion from the attribute shapes that exist in
 * the wild: OpenTelemetry GenAI, OpenLLMetry (`gen_ai.prompt.N.*`, `llm.usage.*`), OpenInference
 * (`llm.*`, `input.value`) and the Vercel AI SDK (`ai.*`). First match wins, GenAI first.
 */
import type { Attributes } from '@opentelemetry/api';
import { parseJsonAttribute, parseStructuredAttribute } from '../json.js';
import * as S from '../semconv.js';
import type { ChatMessage } from '../wire.js';
import { otelToChatMessage, plainTextMessagesFromJson } from './messages.js';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function firstOf<T>(a: Attributes, keys: string[], read: (v: unknown) => T | undefined): T | undefined {
  for (const key of keys) {
    const value = read(a[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

// Where each field may be, most standard first (module constants: built once, not per span).
const MODEL_KEYS = [
  S.ATTR_GEN_AI_RESPONSE_MODEL,
  S.ATTR_GEN_AI_REQUEST_MODEL,
  'llm.model_name',
  'llm.response.model',
  'llm.request.model',
  'ai.response.model',
  'ai.model.id',
];
const PROVIDER_KEYS = [
  S.ATTR_GEN_AI_PROVIDER_NAME,
  S.ATTR_GEN_AI_SYSTEM,
  'llm.provider',
  'llm.system',
  'ai.model.provider',
];
const INPUT_TOKEN_KEYS = [
  S.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  S.ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  'llm.usage.prompt_tokens',
  'llm.token_count.prompt',
  'ai.usage.inputTokens',
  'ai.usage.promptTokens',
];
const OUTPUT_TOKEN_KEYS = [
  S.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  S.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  'llm.usage.completion_tokens',
  'llm.token_count.completion',
  'ai.usage.outputTokens',
  'ai.usage.completionTokens',
];

export function llmModel(a: Attributes): string | undefined {
  return firstOf(a, MODEL_KEYS, str);
}

export function llmProvider(a: Attributes): string | undefined {
  return firstOf(a, PROVIDER_KEYS, str);
}

export function inputTokens(a: Attributes): number | undefined {
  return firstOf(a, INPUT_TOKEN_KEYS, num);
}

export function outputTokens(a: Attributes): number | undefined {
  return firstOf(a, OUTPUT_TOKEN_KEYS, num);
}

/** Indexed flat attributes (`prefix.0.role`, `prefix.0.content`, ...) as ChatML messages. */
function indexedMessages(
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

function jsonMessages(value: unknown): ChatMessage[] | undefined {
  if (typeof value === 'string') {
    const plain = plainTextMessagesFromJson(value);
    if (plain) return plain;
  }
  const parsed = parseJsonAttribute(value);
  if (Array.isArray(parsed)) return parsed.map(otelToChatMessage);
  return undefined;
}

export function llmPrompt(a: Attributes): ChatMessage[] | string | undefined {
  const fromGenAi = jsonMessages(a[S.ATTR_GEN_AI_INPUT_MESSAGES]);
  if (fromGenAi) {
    const system = parseJsonAttribute(a[S.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]);
    if (Array.isArray(system)) return [otelToChatMessage({ role: 'system', parts: system }), ...fromGenAi];
    return fromGenAi;
  }
  return (
    indexedMessages(a, 'gen_ai.prompt', 'role', 'content') ??
    indexedMessages(a, 'llm.input_messages', 'message.role', 'message.content') ??
    jsonMessages(a['ai.prompt.messages']) ??
    str(a['ai.prompt']) ??
    str(a['input.value'])
  );
}

export function llmCompletion(a: Attributes): ChatMessage | string | undefined {
  const fromGenAi = jsonMessages(a[S.ATTR_GEN_AI_OUTPUT_MESSAGES]);
  if (fromGenAi && fromGenAi.length > 0) return fromGenAi[0];
  const indexed =
    indexedMessages(a, 'gen_ai.completion', 'role', 'content') ??
    indexedMessages(a, 'llm.output_messages', 'message.role', 'message.content');
  if (indexed) return indexed[0];
  const text = str(a['ai.response.text']) ?? str(a['output.value']);
  return text === undefined ? undefined : { role: 'assistant', content: text };
}
