/**
 * The OpenTelemetry GenAI semantic conventions (`gen_ai.*`, incubating 1.45): what the SDK's own
 * spans and the official instrumentations write. Also the older GenAI spans that have no
 * `gen_ai.operation.name` but name a model and a system (`genAiLegacy`, asked last).
 */

import { parseJsonAttribute } from '../internal/json.js';
import { otelToChatMessage } from '../mapping/messages.js';
import * as S from '../semconv.js';
import type { Convention } from './convention.js';
import { jsonMessages } from './convention.js';

const LLM_OPERATIONS = new Set<unknown>([
  S.GEN_AI_OPERATION_CHAT,
  S.GEN_AI_OPERATION_TEXT_COMPLETION,
  S.GEN_AI_OPERATION_GENERATE_CONTENT,
  S.GEN_AI_OPERATION_EMBEDDINGS,
]);
const AGENT_OPERATIONS = new Set<unknown>([S.GEN_AI_OPERATION_INVOKE_AGENT, S.GEN_AI_OPERATION_CREATE_AGENT]);

/** An LLM operation by the GenAI conventions (chat, completion, generate_content, embeddings). */
export function isLlmOperation(attributes: Readonly<Record<string, unknown>>): boolean {
  return LLM_OPERATIONS.has(attributes[S.ATTR_GEN_AI_OPERATION_NAME]);
}

export const genAi: Convention = {
  name: 'gen-ai',
  category(span) {
    if (span.name === S.EVALUATION_SPAN_NAME || typeof span.attributes[S.ATTR_GEN_AI_EVALUATION_NAME] === 'string') {
      return 'evaluations';
    }
    const op = span.attributes[S.ATTR_GEN_AI_OPERATION_NAME];
    if (LLM_OPERATIONS.has(op)) return 'llms';
    if (op === S.GEN_AI_OPERATION_EXECUTE_TOOL) return 'tools';
    if (AGENT_OPERATIONS.has(op)) return 'agents';
    // A workflow; a step of an agent's loop (the AI SDK's `agent_step`: one model call and its tools).
    if (op === S.GEN_AI_OPERATION_INVOKE_WORKFLOW || op === S.GEN_AI_OPERATION_AGENT_STEP) return 'actions';
    return undefined;
  },
  model: [S.ATTR_GEN_AI_RESPONSE_MODEL, S.ATTR_GEN_AI_REQUEST_MODEL],
  provider: [S.ATTR_GEN_AI_PROVIDER_NAME, S.ATTR_GEN_AI_SYSTEM],
  // The deprecated prompt/completion names are what OpenLLMetry writes.
  inputTokens: [S.ATTR_GEN_AI_USAGE_INPUT_TOKENS, S.ATTR_GEN_AI_USAGE_PROMPT_TOKENS],
  outputTokens: [S.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, S.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS],
  cacheReadTokens: [S.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS],
  cacheWriteTokens: [S.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, S.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS],
  reasoningTokens: [S.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS],
  prompt(a) {
    const messages = jsonMessages(a[S.ATTR_GEN_AI_INPUT_MESSAGES]);
    if (!messages) return undefined;
    const system = parseJsonAttribute(a[S.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]);
    return Array.isArray(system) ? [otelToChatMessage({ role: 'system', parts: system }), ...messages] : messages;
  },
  completion(a) {
    return jsonMessages(a[S.ATTR_GEN_AI_OUTPUT_MESSAGES])?.[0];
  },
  toolName: [S.ATTR_GEN_AI_TOOL_NAME],
  toolParams: [S.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS],
  toolReturns: [S.ATTR_GEN_AI_TOOL_CALL_RESULT],
  threadId: [S.ATTR_GEN_AI_CONVERSATION_ID],
  agentId: [S.ATTR_GEN_AI_AGENT_ID],
  agentName: [S.ATTR_GEN_AI_AGENT_NAME],
};

export const genAiLegacy: Convention = {
  name: 'gen-ai-legacy',
  category(span) {
    const a = span.attributes;
    return a[S.ATTR_GEN_AI_REQUEST_MODEL] !== undefined && a[S.ATTR_GEN_AI_SYSTEM] !== undefined ? 'llms' : undefined;
  },
};
