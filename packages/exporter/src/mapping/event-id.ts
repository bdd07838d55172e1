import type { SpanContext } from '@opentelemetry/api';

// The version nibble tells what the id was derived for; RFC 9562 versions 5 to 8.
const PURPOSE: Record<EventIdPurpose, string> = { event: '5', error: '6', agent: '7', evaluation: '8' };
const VARIANT = ['8', '9', 'a', 'b'];

/** What an id is derived for: one span's event, error, agent and evaluation ids differ. */
export type EventIdPurpose = 'event' | 'error' | 'agent' | 'evaluation';

/**
 * A stable UUID for data derived from a span that carries no `agentops.event.id` of its own, so a
 * re-sent batch maps to the same ids and the server keeps one copy. The span id and the low half of
 * the trace id already identify the span; they are laid out as a UUID directly (no hashing on the
 * export path), with the purpose in the version nibble so one span's event and error ids differ.
 */
export function derivedEventId(span: SpanContext, purpose: EventIdPurpose): string {
  const s = span.spanId;
  const t = span.traceId;
  const variant = VARIANT[Number.parseInt(t.charAt(16), 16) & 3];
  // All 16 digits of the span id, 14 of the trace id.
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${PURPOSE[purpose]}${s.slice(12, 15)}-${variant}${s.charAt(15)}${t.slice(18, 20)}-${t.slice(20, 32)}`;
}
