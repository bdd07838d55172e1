/**
 * One model call is often recorded twice: by an agent framework's integration (the OpenAI Agents
 * SDK's processor, OpenInference's LangChain instrumentation), nested under its agent or chain, and
 * by the client's instrumentation (`openai`), which the framework does not make a child of its own
 * span. When a client's LLM span ends while a framework's model call is open in the same session,
 * it is that same call: a duplicate, not sent to AgentOps. (A direct call to a model at that very
 * moment, in the same session, would be taken for one.) Decided at the end: a framework's span may
 * say what it is only after it started (OpenInference sets its attributes then).
 */
import { isLlmOperation, semconv as S } from '@agentops/exporter';
import type { Attributes } from '@opentelemetry/api';
import { processWide } from '../process-wide.js';

/** Marks the spans of this SDK's own integrations. */
export const ATTR_INTEGRATION = 'agentops.integration';

/** Instrumentations whose spans are a framework's, by their scope. */
const FRAMEWORK_SCOPES = new Set(['@arizeai/openinference-instrumentation-langchain']);
/** Open framework spans per session; at most this many kept per session (spans that never end). */
const MAX_OPEN = 1000;

interface SpanLikeWithScope {
  attributes: Attributes;
  instrumentationScope?: { name: string };
}

const open = processWide('framework-spans', () => new Map<string, Set<SpanLikeWithScope>>());

function isFrameworkSpan(span: SpanLikeWithScope): boolean {
  return span.attributes[ATTR_INTEGRATION] !== undefined || FRAMEWORK_SCOPES.has(span.instrumentationScope?.name ?? '');
}

function isFrameworkModelCall(a: Attributes): boolean {
  return (a[ATTR_INTEGRATION] !== undefined && isLlmOperation(a)) || a['openinference.span.kind'] === 'LLM';
}

const sessionOf = (span: SpanLikeWithScope) => {
  const id = span.attributes[S.ATTR_SESSION_ID];
  return typeof id === 'string' ? id : undefined;
};

/** A span started (after it was stamped with its session). */
export function spanStarted(span: SpanLikeWithScope): void {
  const sessionId = sessionOf(span);
  if (!sessionId || !isFrameworkSpan(span)) return;
  let spans = open.get(sessionId);
  if (!spans) {
    spans = new Set();
    open.set(sessionId, spans);
  }
  if (spans.size < MAX_OPEN) spans.add(span);
}

/** A span ended: true when it is a client's LLM span of a framework's model call under way (a duplicate). */
export function spanEndedIsDuplicate(span: SpanLikeWithScope): boolean {
  const sessionId = sessionOf(span);
  if (!sessionId) return false;
  const spans = open.get(sessionId);
  if (!spans) return false;
  if (spans.delete(span)) {
    if (spans.size === 0) open.delete(sessionId);
    return false;
  }
  if (!isLlmOperation(span.attributes)) return false;
  for (const s of spans) if (isFrameworkModelCall(s.attributes)) return true;
  return false;
}

/** Forgets every open span (the SDK shut down). */
export function forgetOpenSpans(): void {
  open.clear();
}
