/**
 * Turns on the well-kept OpenTelemetry instrumentations of LLM client libraries the app has
 * installed (optional peers): today `@opentelemetry/instrumentation-openai` for the `openai`
 * package. Their spans follow the GenAI conventions, so the exporter maps them with no special case.
 */
import type { Logger } from '@agentops/exporter';
import type { TracerProvider } from '@opentelemetry/api';
import { optionalRequire } from '../optional-require.js';
import { GenAiContentLogBridge } from './GenAiContentLogBridge.js';

type InstrumentationModule = typeof import('@opentelemetry/instrumentation');
type OpenAIModule = typeof import('@opentelemetry/instrumentation-openai');

/** Enables what is installed; returns the function that disables it again. */
export function enableLlmInstrumentations(options: {
  tracerProvider: TracerProvider;
  captureContent: boolean;
  logger: Logger;
}): () => void {
  const base = optionalRequire<InstrumentationModule>('@opentelemetry/instrumentation');
  const openai = optionalRequire<OpenAIModule>('@opentelemetry/instrumentation-openai');
  if (!base || !openai) {
    options.logger.debug('LLM auto-instrumentation: @opentelemetry/instrumentation-openai is not installed');
    return () => {};
  }
  const instrumentations = [new openai.OpenAIInstrumentation({ captureMessageContent: options.captureContent })];
  const disable = base.registerInstrumentations({
    instrumentations,
    tracerProvider: options.tracerProvider,
    loggerProvider: new GenAiContentLogBridge(),
  });
  options.logger.debug('LLM auto-instrumentation: openai');
  return disable;
}
