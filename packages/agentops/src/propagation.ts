/**
 * W3C `traceparent`/`tracestate` + `baggage` in and out of carriers. Uses the W3C propagators
 * directly rather than the global one, so it works whatever propagator the app registered.
 */
import { type Context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';

export type Carrier = Record<string, string | string[] | undefined>;

const w3c = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

export function injectInto(ctx: Context, carrier: Record<string, string> = {}): Record<string, string> {
  w3c.inject(ctx, carrier, defaultTextMapSetter);
  return carrier;
}

/** Reads headers case-insensitively (Node lower-cases them; users may not). */
export function extractFrom(headers: Carrier, base: Context = ROOT_CONTEXT): Context {
  const lower: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value === 'string') lower[key.toLowerCase()] = value;
    else if (Array.isArray(value)) lower[key.toLowerCase()] = value.join(',');
  }
  return w3c.extract(base, lower, defaultTextMapGetter);
}
