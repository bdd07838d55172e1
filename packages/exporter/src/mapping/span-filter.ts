/**
 * Which spans become AgentOps data, and as what. Pure predicates over span attributes, one per
 * convention, so they can be tested from tables and replaced by users (`spanFilter` option).
 */
import * as S from '../semconv.js';
import type { SpanLike } from './span-like.js';

export type SpanCategory = 'session' | 'llms' | 'tools' | 'actions' | 'errors' | 'agents';

/** An LLM operation by the GenAI conventions (chat, completion, generate_content, embeddings). */
export function isLlmOperation(attributes: SpanLike['attributes']): boolean {
  return LLM_OPERATIONS.has(attributes[S.ATTR_GEN_AI_OPERATION_NAME]);
}

/** Decides whether a span is exported. Given the category `classifySpan` found (or undefined). */
export type SpanFilter = (span: SpanLike, category: SpanCategory | undefined) => boolean;

const LLM_OPERATIONS = new Set<unknown>([
  S.GEN_AI_OPERATION_CHAT,
  S.GEN_AI_OPERATION_TEXT_COMPLETION,
  S.GEN_AI_OPERATION_GENERATE_CONTENT,
  S.GEN_AI_OPERATION_EMBEDDINGS,
]);
const AGENT_OPERATIONS = new Set<unknown>([S.GEN_AI_OPERATION_INVOKE_AGENT, S.GEN_AI_OPERATION_CREATE_AGENT]);
const SDK_TYPES = new Set<unknown>([
  S.EVENT_TYPE_LLM,
  S.EVENT_TYPE_TOOL,
  S.EVENT_TYPE_ACTION,
  S.EVENT_TYPE_ERROR,
  S.EVENT_TYPE_AGENT,
]);

// Vercel AI SDK: the provider-call spans hold the model call; the outer ai.generateText span wraps them.
const VERCEL_LLM_OPERATIONS = new Set<unknown>([
  'ai.generateText.doGenerate',
  'ai.streamText.doStream',
  'ai.generateObject.doGenerate',
  'ai.streamObject.doStream',
  'ai.embed.doEmbed',
  'ai.embedMany.doEmbed',
]);

function genAiCategory(a: SpanLike['attributes']): SpanCategory | undefined {
  const op = a[S.ATTR_GEN_AI_OPERATION_NAME];
  if (LLM_OPERATIONS.has(op)) return 'llms';
  if (op === S.GEN_AI_OPERATION_EXECUTE_TOOL) return 'tools';
  if (AGENT_OPERATIONS.has(op)) return 'agents';
  return undefined;
}

function openInferenceCategory(a: SpanLike['attributes']): SpanCategory | undefined {
  switch (a['openinference.span.kind']) {
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
}

function openLlmetryCategory(a: SpanLike['attributes']): SpanCategory | undefined {
  const kind = a['traceloop.span.kind'];
  if (kind === 'tool') return 'tools';
  if (kind === 'agent') return 'agents';
  const requestType = a['llm.request.type'];
  if (requestType === 'chat' || requestType === 'completion' || requestType === 'embedding') return 'llms';
  return undefined;
}

function vercelCategory(a: SpanLike['attributes']): SpanCategory | undefined {
  const op = a['ai.operationId'];
  if (VERCEL_LLM_OPERATIONS.has(op)) return 'llms';
  if (op === 'ai.toolCall') return 'tools';
  return undefined;
}

/** The AgentOps category of a span, or undefined for spans that are not agent work (HTTP, DB, ...). */
export function classifySpan(span: SpanLike): SpanCategory | undefined {
  const a = span.attributes;
  if (a[S.ATTR_LLM_REENTRANT] === true) return undefined;
  if (span.name === S.SESSION_SPAN_NAME && typeof a[S.ATTR_SESSION_ID] === 'string') return 'session';
  const sdkType = a[S.ATTR_EVENT_TYPE];
  if (SDK_TYPES.has(sdkType)) return sdkType as SpanCategory;
  return (
    genAiCategory(a) ??
    openInferenceCategory(a) ??
    vercelCategory(a) ??
    openLlmetryCategory(a) ??
    // Older GenAI spans without gen_ai.operation.name still name a model.
    (a[S.ATTR_GEN_AI_REQUEST_MODEL] !== undefined && a[S.ATTR_GEN_AI_SYSTEM] !== undefined ? 'llms' : undefined)
  );
}

/** The default filter: agent work only. */
export const defaultSpanFilter: SpanFilter = (_span, category) => category !== undefined;

/** Every span: unclassified ones are sent as actions. */
export const exportAllSpansFilter: SpanFilter = () => true;
