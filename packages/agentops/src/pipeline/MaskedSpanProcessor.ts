/** A span processor that hands its inner processor each finished span as the mask leaves it (the plain OTLP export). */

import type { Mask } from '@agentops/exporter';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

export class MaskedSpanProcessor implements SpanProcessor {
  constructor(
    readonly inner: SpanProcessor,
    readonly mask: Mask,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const masked = this.mask.span(span);
    if (masked) this.inner.onEnd(masked);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
