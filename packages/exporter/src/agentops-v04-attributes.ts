/**
 * What AgentOps' current cloud (the 0.4.x protocol) reads off a span, worked out from what the span
 * stands for here (`mapSpan`): `agentops.span.kind`, `operation.name`, `agentops.entity.input`/
 * `.output`, `agentops.tags` on the session root, and for LLM calls the token counts under
 * `gen_ai.usage.prompt_tokens`/`completion_tokens`/`total_tokens` and the content flattened as
 * `gen_ai.prompt.N.*`/`gen_ai.completion.N.*`. Written beside the span's own (current GenAI) names,
 * never over them.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_V04_ENTITY_INPUT,
  ATTR_V04_ENTITY_OUTPUT,
  ATTR_V04_OPERATION_NAME,
  ATTR_V04_SPAN_KIND,
  ATTR_V04_TAGS,
} from './conventions/agentops-v04.js';
import { safeJsonStringify } from './internal/json.js';
import type { SpanLike } from './mapping/span-like.js';
import { mapSpan } from './mapping/span-to-payload.js';
import * as S from './semconv.js';
import type { ChatMessage, EventPayload } from './wire.js';

/** Most messages of a prompt flattened into attributes. */
const MAX_FLAT_MESSAGES = 100;

function text(content: unknown): string {
  return typeof content === 'string' ? content : (safeJsonStringify(content) ?? '');
}

function flatten(out: Attributes, prefix: string, messages: readonly ChatMessage[]): void {
  messages.slice(0, MAX_FLAT_MESSAGES).forEach((m, i) => {
    out[`${prefix}.${i}.role`] = m.role;
    out[`${prefix}.${i}.content`] = text(m.content);
    if (m.finish_reason) out[`${prefix}.${i}.finish_reason`] = m.finish_reason;
    m.tool_calls?.forEach((call, j) => {
      if (call.id) out[`${prefix}.${i}.tool_calls.${j}.id`] = call.id;
      out[`${prefix}.${i}.tool_calls.${j}.name`] = call.function.name;
      out[`${prefix}.${i}.tool_calls.${j}.arguments`] = call.function.arguments;
    });
  });
}

function json(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : safeJsonStringify(value);
}

function eventAttributes(e: EventPayload, out: Attributes): void {
  switch (e.event_type) {
    case 'llms': {
      out[ATTR_V04_SPAN_KIND] = 'llm';
      if (e.prompt_tokens != null) out[S.ATTR_GEN_AI_USAGE_PROMPT_TOKENS] = e.prompt_tokens;
      if (e.completion_tokens != null) out[S.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS] = e.completion_tokens;
      if (e.prompt_tokens != null || e.completion_tokens != null)
        out[S.ATTR_GEN_AI_USAGE_TOTAL_TOKENS] = (e.prompt_tokens ?? 0) + (e.completion_tokens ?? 0);
      if (e.model) out[S.ATTR_GEN_AI_REQUEST_MODEL] = e.model;
      if (typeof e.prompt === 'string') flatten(out, S.GEN_AI_PROMPT_PREFIX, [{ role: 'user', content: e.prompt }]);
      else if (Array.isArray(e.prompt)) flatten(out, S.GEN_AI_PROMPT_PREFIX, e.prompt);
      if (typeof e.completion === 'string')
        flatten(out, S.GEN_AI_COMPLETION_PREFIX, [{ role: 'assistant', content: e.completion }]);
      else if (e.completion) flatten(out, S.GEN_AI_COMPLETION_PREFIX, [e.completion]);
      return;
    }
    case 'tools':
      out[ATTR_V04_SPAN_KIND] = 'tool';
      out[ATTR_V04_OPERATION_NAME] = e.name;
      break;
    case 'actions':
      out[ATTR_V04_SPAN_KIND] = 'operation';
      out[ATTR_V04_OPERATION_NAME] = e.action_type;
      break;
    default:
      return;
  }
  const input = json(e.params);
  const output = json(e.returns);
  if (input !== undefined) out[ATTR_V04_ENTITY_INPUT] = input;
  if (output !== undefined) out[ATTR_V04_ENTITY_OUTPUT] = output;
}

/** The 0.4 attributes a span lacks, or undefined when it stands for nothing AgentOps shows. */
export function agentOpsV04Attributes(span: SpanLike): Attributes | undefined {
  const out: Attributes = {};
  for (const item of mapSpan(span)) {
    if (item.kind === 'session') {
      out[ATTR_V04_SPAN_KIND] = 'session';
      out[ATTR_V04_TAGS] = item.session.tags ?? [];
      if (item.session.end_state) out[S.ATTR_SESSION_END_STATE] = item.session.end_state;
    } else if (item.kind === 'agent') {
      out[ATTR_V04_SPAN_KIND] = 'agent';
      out[ATTR_V04_OPERATION_NAME] = item.agent.name;
    } else if (item.kind === 'event' && out[ATTR_V04_SPAN_KIND] === undefined) {
      eventAttributes(item.event, out);
    }
  }
  for (const key of Object.keys(out)) if (span.attributes[key] !== undefined) delete out[key];
  return Object.keys(out).length > 0 ? out : undefined;
}
