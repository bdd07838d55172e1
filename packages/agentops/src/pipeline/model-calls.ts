/**
 * One model call is often recorded twice: by an agent framework's integration (the OpenAI Agents
 * SDK's processor, OpenInference's LangChain instrumentation), nested under its agent or chain, and
 * by the client's instrumentation (`openai`), which the framework does not make a child of its own
 * span. A client's LLM span that ends while a framework's model call is open in the same session is
 * that same call. (A direct call to a model at that very moment, in the same session, would be
 * taken for one.) Known only at the end: LangChain runs its callbacks in the background, so the
 * framework's span may start after the client's. What is kept here is which framework spans are
 * open, per session; the decision is data on the span the processor passes on
 * (`agentops.llm.duplicate_of`: the framework call's span id), and the exporter's pure mapping
 * leaves such a span out.
 */
import { isLlmOperation, semconv as S } from '@agentops/exporter';
import type { Attributes, Span, SpanContext } from '@opentelemetry/api';

/** Marks the spans of this SDK's own integrations. */
export const ATTR_INTEGRATION = 'agentops.integration';

/** Instrumentations whose spans are a framework's, by their scope. */
const FRAMEWORK_SCOPES = new Set(['@arizeai/openinference-instrumentation-langchain']);
/** Open framework spans per session; at most this many kept per session (spans that never end). */
const MAX_OPEN = 1000;

interface SpanLikeWithScope {
  attributes: Attributes;
  instrumentationScope?: { name: string };
  spanContext(): SpanContext;
}

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

/**
 * The framework spans open in each session, as one processor sees them start and end: each
 * `AgentOpsSpanProcessor` has its own (nothing process-wide), so two pipelines never mark each
 * other's spans.
 */
export class ModelCallTracker {
  readonly #open = new Map<string, Set<SpanLikeWithScope>>();

  /** A span started (after it was stamped with its session): a framework's span is kept while open. */
  spanStarted(span: SpanLikeWithScope): void {
    const sessionId = sessionOf(span);
    if (!sessionId || !isFrameworkSpan(span)) return;
    let spans = this.#open.get(sessionId);
    if (!spans) {
      spans = new Set();
      this.#open.set(sessionId, spans);
    }
    if (spans.size < MAX_OPEN) spans.add(span);
  }

  /**
   * A span ended. A framework's span is no longer open; a client's LLM span that ends while a
   * framework's model call is open in its session is returned marked as that call's duplicate (a
   * view: the ended span itself cannot change); any other span is returned as it is.
   */
  spanEnded<T extends SpanLikeWithScope>(span: T): T {
    if (this.#open.size === 0) return span;
    const sessionId = sessionOf(span);
    if (!sessionId) return span;
    const spans = this.#open.get(sessionId);
    if (!spans) return span;
    if (spans.delete(span)) {
      if (spans.size === 0) this.#open.delete(sessionId);
      return span;
    }
    if (!isLlmOperation(span.attributes) || span.attributes[S.ATTR_LLM_DUPLICATE_OF] !== undefined) return span;
    for (const s of spans) {
      if (!isFrameworkModelCall(s.attributes)) continue;
      handOverExchange(span, s);
      return markedDuplicate(span, s.spanContext().spanId);
    }
    return span;
  }

  /** Forgets every open span (the SDK shut down: spans still open never end here). */
  clear(): void {
    this.#open.clear();
  }

  /** How many framework spans are open, in all sessions. */
  get openSpans(): number {
    let n = 0;
    for (const spans of this.#open.values()) n += spans.size;
    return n;
  }
}

/**
 * The client call's recorded HTTP exchange (`recordReplay`) goes to the framework's span of the same
 * call, still open, which is the event that is kept.
 */
function handOverExchange(client: SpanLikeWithScope, framework: SpanLikeWithScope): void {
  const exchange = client.attributes[S.ATTR_REPLAY_EXCHANGE];
  const target = framework as Partial<Pick<Span, 'setAttribute' | 'isRecording'>>;
  if (exchange !== undefined && target.isRecording?.() === true)
    target.setAttribute?.(S.ATTR_REPLAY_EXCHANGE, exchange);
}

function markedDuplicate<T extends SpanLikeWithScope>(span: T, of: string): T {
  const attributes = { ...span.attributes, [S.ATTR_LLM_DUPLICATE_OF]: of };
  return Object.create(span, { attributes: { value: attributes, enumerable: true } }) as T;
}
