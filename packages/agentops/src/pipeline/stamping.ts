/**
 * What `AgentOpsSpanProcessor.onStart` writes on each span: the session it belongs to (also as the
 * GenAI `gen_ai.conversation.id`, where the span has none), the agent that encloses it, and whether
 * it duplicates the LLM call around it: data on the span, which the exporter's mapping reads. (A
 * framework's model call under way is known only when the client's span ends: model-calls.ts.)
 */
import { agentIdOf, classifySpan, isLlmOperation, semconv as S, traceIdToSessionId } from '@agentops/exporter';
import { type Context, trace } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import { agentIdFromContext, sessionIdFromContext } from '../context-keys.js';
import { keepIntercepting } from '../replay/http.js';
import { noteSpanStarted } from '../replay/intercepted.js';
import { sameCallAs } from '../replay/outer-calls.js';

/**
 * Where stamping finds the open sessions a span may belong to when its context does not say: the
 * one of its trace, else the one open session. The SDK's session registry is one.
 */
export interface SessionDirectory {
  byTraceId(traceId: string): { readonly id: string } | undefined;
  /** The open session when there is exactly one. */
  only(): { readonly id: string } | undefined;
}

export function stamp(span: Span, parentContext: Context, directory: SessionDirectory): void {
  noteSpanStarted(span, parentContext);
  if (span.attributes[S.ATTR_SESSION_ID] === undefined) {
    const sessionId = sessionIdOfNewSpan(span, parentContext, directory);
    if (sessionId) span.setAttribute(S.ATTR_SESSION_ID, sessionId);
  }
  const sessionId = span.attributes[S.ATTR_SESSION_ID];
  if (sessionId !== undefined && span.attributes[S.ATTR_GEN_AI_CONVERSATION_ID] === undefined)
    span.setAttribute(S.ATTR_GEN_AI_CONVERSATION_ID, sessionId);
  const parent = trace.getSpan(parentContext);
  if (span.attributes[S.ATTR_AGENT_ID] === undefined) {
    const agentId = agentIdFromContext(parentContext) ?? agentOfParent(parent);
    if (agentId) span.setAttribute(S.ATTR_AGENT_ID, agentId);
  }
  if (isLlmOperation(span.attributes)) {
    // Its request is recorded or replayed through the dispatcher the app has now.
    keepIntercepting();
    if (parent && isSameLlmCall(parent, span)) {
      span.setAttribute(S.ATTR_LLM_REENTRANT, true);
      sameCallAs(span, parent);
    }
  }
}

/**
 * The session a new span belongs to. A session's own root span is the session: its id is its trace
 * id, whatever session the context it starts in belongs to (a session started inside another is
 * not part of it). Any other span: baggage, then the trace, then the one open session.
 */
function sessionIdOfNewSpan(span: Span, parentContext: Context, directory: SessionDirectory): string | undefined {
  if (span.name === S.SESSION_SPAN_NAME) return traceIdToSessionId(span.spanContext().traceId);
  const fromBaggage = sessionIdFromContext(parentContext);
  if (fromBaggage) return fromBaggage;
  const parent = trace.getSpanContext(parentContext);
  if (parent) {
    const session = directory.byTraceId(parent.traceId);
    if (session) return session.id;
  }
  return directory.only()?.id;
}

/**
 * The agent a span's parent is, or works for: a framework's agent span (the OpenAI Agents SDK's,
 * the AI SDK's, an OpenInference agent) under the id its agent is sent with, or the agent stamped
 * on the parent; so every event under any agent names it, as under `trackAgent()`. Only a parent
 * in this process is seen (a remote parent has no attributes here).
 */
function agentOfParent(parent: unknown): string | undefined {
  const p = parent as Partial<ReadableSpan> | undefined;
  const a = p?.attributes;
  if (!a || p.name === S.SESSION_SPAN_NAME) return undefined;
  if (classifySpan(p as ReadableSpan) === 'agents') return agentIdOf(p as ReadableSpan);
  const stamped = a[S.ATTR_AGENT_ID];
  return typeof stamped === 'string' ? stamped : undefined;
}

/**
 * One model call is often recorded at two layers (an instrumentation around an SDK that traces
 * itself, or a patched method calling another patched one): an LLM span started directly inside an
 * LLM span for the same provider and model is that same call. The outer span is kept.
 */
function isSameLlmCall(parent: unknown, child: Span): boolean {
  const p = (parent as Partial<ReadableSpan> | undefined)?.attributes;
  if (!p || !isLlmOperation(p)) return false;
  const c = child.attributes;
  return (
    p[S.ATTR_GEN_AI_REQUEST_MODEL] === c[S.ATTR_GEN_AI_REQUEST_MODEL] &&
    (p[S.ATTR_GEN_AI_PROVIDER_NAME] ?? p[S.ATTR_GEN_AI_SYSTEM]) ===
      (c[S.ATTR_GEN_AI_PROVIDER_NAME] ?? c[S.ATTR_GEN_AI_SYSTEM])
  );
}
