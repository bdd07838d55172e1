/**
 * OpenLLMetry (Traceloop): `traceloop.span.kind` / `traceloop.entity.*`, `llm.request.type`,
 * `llm.usage.*`, and prompts and completions as indexed `gen_ai.prompt.N.*` / `gen_ai.completion.N.*`.
 */

import * as S from '../semconv.js';
import type { Convention } from './convention.js';
import { indexedCompletion, indexedMessages } from './convention.js';

export const openLlmetry: Convention = {
  name: 'openllmetry',
  category(span) {
    const a = span.attributes;
    const kind = a['traceloop.span.kind'];
    if (kind === 'tool') return 'tools';
    if (kind === 'agent') return 'agents';
    if (kind === 'workflow' || kind === 'task') return 'actions';
    const requestType = a['llm.request.type'];
    if (requestType === 'chat' || requestType === 'completion' || requestType === 'embedding') return 'llms';
    return undefined;
  },
  model: ['llm.response.model', 'llm.request.model'],
  inputTokens: ['llm.usage.prompt_tokens'],
  outputTokens: ['llm.usage.completion_tokens'],
  // OpenLLMetry's names from before the GenAI conventions had them.
  cacheReadTokens: [S.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_FLAT],
  cacheWriteTokens: [S.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_FLAT],
  reasoningTokens: [S.ATTR_GEN_AI_USAGE_REASONING_TOKENS_FLAT, 'llm.usage.reasoning_tokens'],
  prompt: (a) => indexedMessages(a, S.GEN_AI_PROMPT_PREFIX, 'role', 'content'),
  completion: (a) => indexedCompletion(a, S.GEN_AI_COMPLETION_PREFIX),
  actionKind: ['traceloop.span.kind'],
  actionType: ['traceloop.entity.name'],
  toolName: ['traceloop.entity.name'],
  toolParams: ['traceloop.entity.input'],
  toolReturns: ['traceloop.entity.output'],
  agentName: ['traceloop.entity.name'],
};
