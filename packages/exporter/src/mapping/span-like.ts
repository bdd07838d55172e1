import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';

/**
 * The part of an OpenTelemetry `ReadableSpan` the mapping reads. A `ReadableSpan` is one; so is a
 * span decoded from OTLP on the server, which is why the mapping does not ask for the whole class.
 */
export interface SpanLike {
  readonly name: string;
  readonly kind: SpanKind;
  spanContext(): SpanContext;
  readonly parentSpanContext?: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links?: Link[];
  readonly events?: { name: string; attributes?: Attributes; time: HrTime }[];
  readonly resource: { readonly attributes: Attributes };
  /** The instrumentation that made the span, when known: how some of its counts are to be read. */
  readonly instrumentationScope?: { readonly name: string };
  readonly ended?: boolean;
}
