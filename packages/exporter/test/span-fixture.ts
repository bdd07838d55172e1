import { type Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { SpanLike } from '../src/index.js';

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const SESSION_ID = '0af76519-16cd-43dd-8448-eb211c80319c';

/** A finished span for mapping tests: 2024-05-01T12:00:00Z for 1.5 s unless told otherwise. */
export function span(partial: Partial<Omit<SpanLike, 'spanContext'>> & { spanId?: string } = {}): SpanLike {
  const spanId = partial.spanId ?? 'b7ad6b7169203331';
  return {
    name: 'span',
    kind: SpanKind.INTERNAL,
    startTime: [1714564800, 0],
    endTime: [1714564801, 500_000_000],
    status: { code: SpanStatusCode.UNSET },
    attributes: {},
    events: [],
    resource: { attributes: { 'host.name': 'box', 'process.pid': 42, 'service.name': 'svc' } },
    ...partial,
    spanContext: () => ({ traceId: TRACE_ID, spanId, traceFlags: 1 }),
  };
}

export function inSession(attributes: Attributes): Attributes {
  return { 'agentops.session.id': SESSION_ID, ...attributes };
}
