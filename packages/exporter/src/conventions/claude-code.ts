/**
 * Claude Code's own traces (the process the Claude Agent SDK runs, with its enhanced telemetry on:
 * scope `com.anthropic.claude_code.tracing`). Its spans say what they are in GenAI terms (a turn is
 * `invoke_agent`, a tool `execute_tool` with `gen_ai.tool.name`, a model request carries
 * `gen_ai.request.model` and `gen_ai.system`), but a model request's token counts are under bare
 * names, as Anthropic's API gives them: `input_tokens` without the cached parts, which are
 * `cache_read_tokens` and `cache_creation_tokens`.
 */
import type { Convention } from './convention.js';

export const CLAUDE_CODE_SCOPE = 'com.anthropic.claude_code.tracing';

export const claudeCode: Convention = {
  name: 'claude-code',
  // The GenAI conventions classify its spans; its other spans (a tool's execution inside the tool's
  // span, the wait for a permission) are no events.
  category: () => undefined,
  // A subagent's model requests start inside the execution of its Agent tool call: they nest under the call.
  transparent: (span) => span.name === 'claude_code.tool.execution',
  inputTokens: ['input_tokens'],
  outputTokens: ['output_tokens'],
  cacheReadTokens: ['cache_read_tokens'],
  cacheWriteTokens: ['cache_creation_tokens'],
};
