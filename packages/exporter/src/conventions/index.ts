/**
 * The conventions the mapping understands, in the order they are asked: AgentOps' own first (this
 * SDK's, then the 0.4.x SDKs' span shapes), then the OpenTelemetry GenAI conventions, then the foreign ones, the GenAI spans of before
 * `gen_ai.operation.name`, and last Claude Code's bare token names (the most generic keys). For each field the first convention that has it wins.
 */
import { agentOps } from './agentops.js';
import { agentOpsV04 } from './agentops-v04.js';
import { claudeCode } from './claude-code.js';
import type { Convention } from './convention.js';
import { genAi, genAiLegacy } from './gen-ai.js';
import { openInference } from './openinference.js';
import { openLlmetry } from './openllmetry.js';
import { vercelAi } from './vercel.js';

export const CONVENTIONS: readonly Convention[] = [
  agentOps,
  agentOpsV04,
  genAi,
  openInference,
  vercelAi,
  openLlmetry,
  genAiLegacy,
  claudeCode,
];

export { isDuplicateLlmSpan, isSdkEventSpan } from './agentops.js';
export type { Convention } from './convention.js';
export { isLlmOperation } from './gen-ai.js';
