import { completionMessagesJson, promptMessagesJson, semconv as S } from '@agentops/exporter';
import { asCost, LIMITS, MAX_TOKEN_COUNT, truncate } from '@agentops/exporter/internal';
import { AgentOpsEvent, bounded, type EventOptions, type EventSpanShape, put, SpanKind } from './AgentOpsEvent.js';
import { safeOptions } from './safe-options.js';

export interface LLMEventOptions extends EventOptions {
  model?: string;
  /** A string, or ChatML messages (`[{ role, content }]`). */
  prompt?: unknown;
  /** A string, or one ChatML message. */
  completion?: unknown;
  /** Every prompt token, cached ones included (as the GenAI conventions count them). */
  promptTokens?: number;
  completionTokens?: number;
  /** Of `promptTokens`: read from the provider's prompt cache (priced at its cache-read rate). */
  cacheReadTokens?: number;
  /** Of `promptTokens`: written to the prompt cache (cache creation, priced at its cache-write rate). */
  cacheWriteTokens?: number;
  /** Of `completionTokens`: spent reasoning. */
  reasoningTokens?: number;
  /** Cost in USD; default: computed from the model and token counts. */
  cost?: number;
  threadId?: string;
  /** `gen_ai.provider.name` (openai, anthropic, ...); default: guessed from the model name. */
  provider?: string;
}

const PROVIDER_BY_PREFIX: [RegExp, string][] = [
  [/^(gpt-|o\d|chatgpt|text-embedding|davinci|babbage|dall-e|whisper)/i, 'openai'],
  [/^claude/i, 'anthropic'],
  [/^gemini|^gemma/i, 'gcp.gemini'],
  [/^(mistral|mixtral|codestral|pixtral|ministral)/i, 'mistral_ai'],
  [/^command/i, 'cohere'],
  [/^deepseek/i, 'deepseek'],
  [/^grok/i, 'x_ai'],
];

export function guessProvider(model: string | undefined): string | undefined {
  if (!model) return undefined;
  return PROVIDER_BY_PREFIX.find(([re]) => re.test(model))?.[1];
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && value >= 0 && value <= MAX_TOKEN_COUNT ? Math.floor(value) : undefined;
}

/** One call to a language model. */
export class LLMEvent extends AgentOpsEvent {
  readonly eventType = 'llms' as const;
  model: string | undefined;
  prompt: unknown;
  completion: unknown;
  promptTokens: number | undefined;
  completionTokens: number | undefined;
  cacheReadTokens: number | undefined;
  cacheWriteTokens: number | undefined;
  reasoningTokens: number | undefined;
  cost: number | undefined;
  threadId: string | undefined;
  provider: string | undefined;

  constructor(options: LLMEventOptions) {
    const o = safeOptions<LLMEventOptions>(options);
    super(o);
    this.model = typeof o.model === 'string' ? o.model : undefined;
    this.prompt = o.prompt;
    this.completion = o.completion;
    this.promptTokens = count(o.promptTokens);
    this.completionTokens = count(o.completionTokens);
    this.cacheReadTokens = count(o.cacheReadTokens);
    this.cacheWriteTokens = count(o.cacheWriteTokens);
    this.reasoningTokens = count(o.reasoningTokens);
    this.cost = asCost(o.cost);
    this.threadId = typeof o.threadId === 'string' ? o.threadId : undefined;
    this.provider = typeof o.provider === 'string' ? o.provider : guessProvider(this.model);
  }

  toSpanShape(content: boolean): EventSpanShape {
    const attributes = this.baseAttributes(content);
    attributes[S.ATTR_GEN_AI_OPERATION_NAME] = S.GEN_AI_OPERATION_CHAT;
    put(attributes, S.ATTR_GEN_AI_PROVIDER_NAME, bounded(this.provider));
    const model = bounded(this.model);
    put(attributes, S.ATTR_GEN_AI_REQUEST_MODEL, model);
    put(attributes, S.ATTR_GEN_AI_RESPONSE_MODEL, model);
    put(attributes, S.ATTR_GEN_AI_USAGE_INPUT_TOKENS, this.promptTokens);
    put(attributes, S.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, this.completionTokens);
    put(attributes, S.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, this.cacheReadTokens);
    put(attributes, S.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, this.cacheWriteTokens);
    put(attributes, S.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, this.reasoningTokens);
    put(attributes, S.ATTR_LLM_COST_USD, this.cost);
    put(attributes, S.ATTR_LLM_THREAD_ID, bounded(this.threadId));
    if (content && this.prompt !== undefined)
      attributes[S.ATTR_GEN_AI_INPUT_MESSAGES] = promptMessagesJson(this.prompt);
    if (content && this.completion !== undefined)
      attributes[S.ATTR_GEN_AI_OUTPUT_MESSAGES] = completionMessagesJson(this.completion);
    const name = `${S.GEN_AI_OPERATION_CHAT} ${this.model ?? 'unknown'}`;
    return { name: truncate(name, LIMITS.spanNameLength), kind: SpanKind.CLIENT, attributes };
  }
}
