/**
 * An LLM call recorded twice over, its client's own span inside the instrumentation's (Anthropic's
 * SDK traces itself under OpenLLMetry's span): the inner span is marked reentrant and left out of
 * the session, so what is learnt on it (the call's HTTP exchange) belongs on the outer one.
 * Stamping says which span is inside which; the spans themselves are the keys (nothing kept after
 * they are gone).
 */
import type { Span } from '@opentelemetry/api';
import { processWide } from '../process-wide.js';

const outer = processWide('replay.outer-calls', () => new WeakMap<object, Span>());

/** `inner` is the same LLM call as `around`, which encloses it. */
export function sameCallAs(inner: object, around: Span): void {
  outer.set(inner, outer.get(around) ?? around);
}

/** The outermost span of the LLM call `span` is part of. */
export function outermostCall(span: Span): Span {
  return outer.get(span) ?? span;
}
