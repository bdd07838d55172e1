/**
 * The SDK side of OpenTelemetry that the SDK sets up when the app has none: a tracer provider, the
 * context manager (`context-manager.ts`) and the global propagator. Both OpenTelemetry JS lines export
 * what is used here under the same names: `@opentelemetry/sdk-trace` (2.9+ under `sdk-trace-base`,
 * 3.x on its own, where `sdk-trace-node` is gone and `TracerProvider` has no `register()`) and
 * `@opentelemetry/context-async-hooks`. So the line the app has installed is the one used, with no
 * adapter per line.
 */

import type { Logger } from '@agentops/exporter';
import { context, propagation, trace } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import { createContextManager } from './context-manager.js';
import { sdkPropagator } from './propagation.js';

/** What `register()` changed, so that `unregister()` puts back only that. */
export interface Registration {
  readonly contextManager: boolean;
  readonly propagator: boolean;
}

/**
 * Makes `provider` the global one, as `NodeTracerProvider.register()` did on the 2.x line: the
 * context manager and the propagator are set only where the app has not set its own.
 */
export function registerGlobally(provider: TracerProvider, logger: Logger): Registration {
  trace.setGlobalTracerProvider(provider);
  const manager = createContextManager(logger).enable();
  const contextManager = context.setGlobalContextManager(manager);
  if (!contextManager) manager.disable();
  const propagator = propagation.setGlobalPropagator(sdkPropagator);
  return { contextManager, propagator };
}

export function unregisterGlobally(registration: Registration): void {
  trace.disable();
  if (registration.contextManager) context.disable();
  if (registration.propagator) propagation.disable();
}
