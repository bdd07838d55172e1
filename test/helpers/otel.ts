import { context, propagation, trace } from '@opentelemetry/api';

/** Leaves the process's OpenTelemetry globals as a fresh process has them. */
export function resetOtelGlobals(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}
