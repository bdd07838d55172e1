/**
 * The Vercel AI SDK (`ai.*`): the provider-call spans (`ai.generateText.doGenerate`, ...) hold the
 * model call; the outer `ai.generateText` span only wraps them.
 */
import { asText } from '../internal/values.js';
import type { Convention } from './convention.js';
import { assistantText, jsonMessages } from './convention.js';

const LLM_OPERATIONS = new Set<unknown>([
  'ai.generateText.doGenerate',
  'ai.streamText.doStream',
  'ai.generateObject.doGenerate',
  'ai.streamObject.doStream',
  'ai.embed.doEmbed',
  'ai.embedMany.doEmbed',
]);

export const vercelAi: Convention = {
  name: 'vercel-ai',
  category(span) {
    const op = span.attributes['ai.operationId'];
    if (LLM_OPERATIONS.has(op)) return 'llms';
    if (op === 'ai.toolCall') return 'tools';
    return undefined;
  },
  model: ['ai.response.model', 'ai.model.id'],
  provider: ['ai.model.provider'],
  inputTokens: ['ai.usage.inputTokens', 'ai.usage.promptTokens'],
  outputTokens: ['ai.usage.outputTokens', 'ai.usage.completionTokens'],
  cacheReadTokens: ['ai.usage.inputTokenDetails.cacheReadTokens', 'ai.usage.cachedInputTokens'],
  cacheWriteTokens: ['ai.usage.inputTokenDetails.cacheWriteTokens'],
  reasoningTokens: ['ai.usage.outputTokenDetails.reasoningTokens', 'ai.usage.reasoningTokens'],
  prompt: (a) => jsonMessages(a['ai.prompt.messages']) ?? asText(a['ai.prompt']),
  completion: (a) => assistantText(asText(a['ai.response.text'])),
  toolName: ['ai.toolCall.name'],
  toolParams: ['ai.toolCall.args'],
  toolReturns: ['ai.toolCall.result'],
};
