/** OpenInference (Arize Phoenix): `openinference.span.kind`, `llm.*`, `input.value` / `output.value`. */
import { asText } from '../internal/values.js';
import type { Convention } from './convention.js';
import { assistantText, indexedMessages } from './convention.js';

export const openInference: Convention = {
  name: 'openinference',
  category(span) {
    switch (span.attributes['openinference.span.kind']) {
      case 'LLM':
      case 'EMBEDDING':
        return 'llms';
      case 'TOOL':
        return 'tools';
      case 'AGENT':
        return 'agents';
      default:
        return undefined;
    }
  },
  model: ['llm.model_name'],
  provider: ['llm.provider', 'llm.system'],
  inputTokens: ['llm.token_count.prompt'],
  outputTokens: ['llm.token_count.completion'],
  cacheReadTokens: ['llm.token_count.prompt_details.cache_read'],
  cacheWriteTokens: ['llm.token_count.prompt_details.cache_write'],
  reasoningTokens: ['llm.token_count.completion_details.reasoning'],
  prompt: (a) =>
    indexedMessages(a, 'llm.input_messages', 'message.role', 'message.content') ?? asText(a['input.value']),
  completion: (a) =>
    indexedMessages(a, 'llm.output_messages', 'message.role', 'message.content')?.[0] ??
    assistantText(asText(a['output.value'])),
  toolName: ['tool.name'],
  toolParams: ['input.value'],
  toolReturns: ['output.value'],
};
