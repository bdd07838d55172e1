/** A span processor that hands its inner processor each finished span as the `mask` option leaves it. */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Masker } from './masking.js';

export class MaskedSpanProcessor implements SpanProcessor {
  constructor(
    readonly inner: SpanProcessor,
    readonly masker: Masker,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const masked = this.masker.maskOrDrop(span);
    if (masked) this.inner.onEnd(masked);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
