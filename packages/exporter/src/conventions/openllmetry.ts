/**
 * OpenLLMetry (Traceloop): `traceloop.span.kind` / `traceloop.entity.*`, `llm.request.type`,
 * `llm.usage.*`, and prompts and completions as indexed `gen_ai.prompt.N.*` / `gen_ai.completion.N.*`.
 */
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
  cacheReadTokens: ['gen_ai.usage.cache_read_input_tokens'],
  cacheWriteTokens: ['gen_ai.usage.cache_creation_input_tokens'],
  reasoningTokens: ['gen_ai.usage.reasoning_tokens', 'llm.usage.reasoning_tokens'],
  prompt: (a) => indexedMessages(a, 'gen_ai.prompt', 'role', 'content'),
  completion: (a) => indexedCompletion(a, 'gen_ai.completion'),
  actionKind: ['traceloop.span.kind'],
  actionType: ['traceloop.entity.name'],
  toolName: ['traceloop.entity.name'],
  toolParams: ['traceloop.entity.input'],
  toolReturns: ['traceloop.entity.output'],
  agentName: ['traceloop.entity.name'],
};
