/**
 * Web-API runtimes load no module at run time, so no client library can be patched as it loads:
 * nothing to enable. Spans of libraries that trace themselves through OpenTelemetry (the AI SDK's
 * `experimental_telemetry`) are recorded through the global tracer provider the SDK sets.
 */
import type * as Node from './llm-instrumentations.js';

export const enableLlmInstrumentations: typeof Node.enableLlmInstrumentations = (options) => {
  options.logger.debug('LLM auto-instrumentation: not in this runtime (no module loading to patch)');
  return () => {};
};
