/**
 * W3C `traceparent`/`tracestate` + `baggage` in and out of carriers, to the letter of Trace Context
 * Level 2. OpenTelemetry's `W3CTraceContextPropagator` reads `traceparent` (kept), but it drops the
 * random-trace-id flag (0x02) from the spans it continues and keeps the valid members of a `tracestate`
 * that has invalid ones, where the specification says to discard the whole header. This propagator
 * wraps it for those two points. `injectInto`/`extractFrom` use it directly rather than the global
 * propagator, so they work whatever propagator the app registered; `init()` registers it globally
 * when the SDK sets OpenTelemetry up.
 */
import {
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import {
  CompositePropagator,
  isTracingSuppressed,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { parseTraceState } from './trace-state.js';

export type Carrier = Record<string, string | string[] | undefined>;

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
/** Trace Context Level 2: the trace id's right-most 7 bytes are random. */
const RANDOM_TRACE_ID_FLAG = 0x02;

/**
 * The trace id that arrived with the random flag set; spans continuing that trace keep the flag. A
 * registered symbol, so that the ESM and the CJS build of the SDK read the same key.
 */
const RANDOM_TRACE_ID = Symbol.for('agentops.w3c.random_trace_id');

export class W3CTraceContextLevel2Propagator implements TextMapPropagator {
  readonly #traceparent = new W3CTraceContextPropagator();

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(ctx);
    if (!spanContext || !isSpanContextValid(spanContext) || isTracingSuppressed(ctx)) return;
    const random = ctx.getValue(RANDOM_TRACE_ID) === spanContext.traceId ? RANDOM_TRACE_ID_FLAG : 0;
    const flags = ((spanContext.traceFlags | random) & 0xff).toString(16).padStart(2, '0');
    setter.set(carrier, TRACEPARENT, `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`);
    const state = spanContext.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE, state);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.#traceparent.extract(ctx, carrier, getter);
    const spanContext = trace.getSpanContext(extracted);
    if (!spanContext || spanContext === trace.getSpanContext(ctx)) return extracted;
    const header = getter.get(carrier, TRACESTATE);
    const traceState = parseTraceState(Array.isArray(header) ? header.join(',') : header);
    const withState = trace.setSpanContext(extracted, { ...spanContext, traceState });
    return spanContext.traceFlags & RANDOM_TRACE_ID_FLAG
      ? withState.setValue(RANDOM_TRACE_ID, spanContext.traceId)
      : withState;
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}

/** Trace context and baggage: what the SDK registers and what its own header helpers use. */
export const sdkPropagator: TextMapPropagator = new CompositePropagator({
  propagators: [new W3CTraceContextLevel2Propagator(), new W3CBaggagePropagator()],
});

export function injectInto(ctx: Context, carrier: Record<string, string> = {}): Record<string, string> {
  sdkPropagator.inject(ctx, carrier, defaultTextMapSetter);
  return carrier;
}

/** Reads headers case-insensitively (Node lower-cases them; users may not). */
export function extractFrom(headers: Carrier, base: Context = ROOT_CONTEXT): Context {
  const lower: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value === 'string') lower[key.toLowerCase()] = value;
    else if (Array.isArray(value)) lower[key.toLowerCase()] = value.join(',');
  }
  return sdkPropagator.extract(base, lower, defaultTextMapGetter);
}
