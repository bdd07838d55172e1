import { createHash } from 'node:crypto';
import type { SpanContext } from '@opentelemetry/api';

/**
 * A stable UUID for data derived from a span that carries no `agentops.event.id` of its own, so a
 * re-sent batch maps to the same ids and the server keeps one copy.
 */
export function derivedEventId(span: SpanContext, purpose: string): string {
  const h = createHash('sha1').update(`${span.traceId}:${span.spanId}:${purpose}`).digest('hex');
  // Laid out as a version-5 style UUID (name-based, SHA-1).
  const variant = ((Number.parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
