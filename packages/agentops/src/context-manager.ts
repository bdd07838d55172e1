/**
 * The context manager the SDK sets when the app has none: OpenTelemetry's AsyncLocalStorage one,
 * so a session and the current span cross every `await`. `context-manager.web.ts` is the one for
 * Web-API runtimes.
 */
import type { Logger } from '@agentops/exporter';
import type { ContextManager } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

export function createContextManager(_logger: Logger): ContextManager {
  return new AsyncLocalStorageContextManager();
}
