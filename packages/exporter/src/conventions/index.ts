/**
 * The conventions the mapping understands, in the order they are asked: AgentOps' own first, then
 * the OpenTelemetry GenAI conventions, then the foreign ones, and the GenAI spans of before
 * `gen_ai.operation.name` last. For each field the first convention that has it wins.
 */
import { agentOps } from './agentops.js';
import type { Convention } from './convention.js';
import { genAi, genAiLegacy } from './gen-ai.js';
import { openInference } from './openinference.js';
import { openLlmetry } from './openllmetry.js';
import { vercelAi } from './vercel.js';

export const CONVENTIONS: readonly Convention[] = [agentOps, genAi, openInference, vercelAi, openLlmetry, genAiLegacy];

export { isDuplicateLlmSpan, isSdkEventSpan } from './agentops.js';
export type { Convention } from './convention.js';
export { isLlmOperation } from './gen-ai.js';
