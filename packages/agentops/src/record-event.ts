import { semconv as S } from '@agentops/exporter';
import { type Context, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { AgentOpsEvent } from './events/AgentOpsEvent.js';
import type { ErrorEvent } from './events/ErrorEvent.js';

/**
 * Writes one event as a span: a child of `parent`, from the event's init time to its end time (or
 * now). Error events carry status ERROR and an `exception` span event. Given the session it is
 * recorded in, the span starts stamped with it (as the processor would stamp it, without the lookup).
 */
export function recordEventSpan(
  tracer: Tracer,
  parent: Context,
  event: AgentOpsEvent,
  content: boolean,
  sessionId?: string,
): void {
  const shape = event.toSpanShape(content && event.captureContent);
  if (sessionId !== undefined) {
    shape.attributes[S.ATTR_SESSION_ID] = sessionId;
    shape.attributes[S.ATTR_GEN_AI_CONVERSATION_ID] ??= sessionId;
  }
  const span = tracer.startSpan(
    shape.name,
    { kind: shape.kind, attributes: shape.attributes, startTime: event.initTimestamp },
    parent,
  );
  event.recordedAs(span);
  if (isErrorEvent(event)) {
    if (event.exception) {
      try {
        span.recordException(event.exception, event.initTimestamp);
      } catch {
        // The Error's own getters threw: the exception event is written from what the event read.
        span.addEvent('exception', { 'exception.type': event.errorType, 'exception.message': event.details ?? '' });
      }
    }
    span.setStatus({ code: SpanStatusCode.ERROR, message: event.details ?? event.errorType });
  }
  // Dates, not epoch numbers: OpenTelemetry reads a small number as time since the process started.
  const end = event.endTimestamp ?? new Date();
  event.endTimestamp = end;
  // An end before the start (clock skew in user-given times) is clamped to the start.
  span.end(end.getTime() < event.initTimestamp.getTime() ? event.initTimestamp : end);
}

/** The parent for an event of the session: the active span when it is inside the session. */
export function parentInSession(active: Context, sessionContext: Context, traceId: string): Context {
  return trace.getSpanContext(active)?.traceId === traceId ? active : sessionContext;
}

function isErrorEvent(event: AgentOpsEvent): event is ErrorEvent {
  return event.eventType === 'errors';
}
