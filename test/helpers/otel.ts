import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';

/** Leaves the process's OpenTelemetry globals as a fresh process has them. */
export function resetOtelGlobals(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}

/**
 * An app's own provider, registered the way both OpenTelemetry lines do it (`NodeTracerProvider.register()`
 * on 2.x, `NodeSDK.start()` on 3.x): the provider, an AsyncLocalStorage context manager and the W3C
 * propagators, made global. Written on `@opentelemetry/sdk-trace` so the tests run unchanged on both lines.
 */
export class AppTracerProvider extends TracerProvider {
  register(): void {
    trace.setGlobalTracerProvider(this);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
  }
}
