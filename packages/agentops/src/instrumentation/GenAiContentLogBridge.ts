/**
 * Some GenAI instrumentations (the official `@opentelemetry/instrumentation-openai`) report message
 * content as log events (`gen_ai.user.message`, `gen_ai.choice`, ...) rather than span attributes.
 * This minimal Logs API `LoggerProvider` puts those messages onto the span they belong to, as
 * `gen_ai.input.messages` / `gen_ai.output.messages`, so AgentOps events carry prompt and
 * completion. Nothing else is logged or kept.
 */
import { chatToOtelMessage, semconv as S } from '@agentops/exporter';
import { isRecord, safeJsonStringify } from '@agentops/exporter/internal';
import { type Context, type Span, trace } from '@opentelemetry/api';

/**
 * The part of a Logs API log record read here. Written out rather than imported: the 2.x line has
 * the Logs API in `@opentelemetry/api-logs`, the 3.x line in `@opentelemetry/api` itself, with the
 * same shape.
 */
interface LogRecord {
  eventName?: string;
  body?: unknown;
  attributes?: Record<string, unknown>;
  context?: Context;
}

interface OtelLogger {
  emit(record: LogRecord): void;
  enabled(): boolean;
}

const ROLE_BY_EVENT: Record<string, string> = {
  [S.GEN_AI_EVENT_SYSTEM_MESSAGE]: 'system',
  [S.GEN_AI_EVENT_USER_MESSAGE]: 'user',
  [S.GEN_AI_EVENT_ASSISTANT_MESSAGE]: 'assistant',
  [S.GEN_AI_EVENT_TOOL_MESSAGE]: 'tool',
};

interface Messages {
  input: ReturnType<typeof chatToOtelMessage>[];
  output: ReturnType<typeof chatToOtelMessage>[];
}

export class GenAiContentLogBridge {
  readonly #messages = new WeakMap<Span, Messages>();
  readonly #logger: OtelLogger = { emit: (record) => this.#emit(record), enabled: () => true };

  getLogger(): OtelLogger {
    return this.#logger;
  }

  #emit(record: LogRecord): void {
    try {
      const name = record.eventName ?? record.attributes?.['event.name'];
      if (typeof name !== 'string') return;
      const span = record.context ? trace.getSpan(record.context) : undefined;
      if (!span?.isRecording()) return;
      const body = isRecord(record.body) ? record.body : {};
      const messages = this.#messages.get(span) ?? { input: [], output: [] };
      this.#messages.set(span, messages);
      const role = ROLE_BY_EVENT[name];
      if (role) {
        const chat = role === 'tool' ? { role, tool_call_id: body.id, content: body.content } : { role, ...body };
        messages.input.push(chatToOtelMessage(chat, role));
        span.setAttribute(S.ATTR_GEN_AI_INPUT_MESSAGES, safeJsonStringify(messages.input) ?? '[]');
      } else if (name === S.GEN_AI_EVENT_CHOICE) {
        const message = isRecord(body.message) ? body.message : {};
        const finish = typeof body.finish_reason === 'string' ? { finish_reason: body.finish_reason } : {};
        messages.output.push(chatToOtelMessage({ role: 'assistant', ...message, ...finish }, 'assistant'));
        span.setAttribute(S.ATTR_GEN_AI_OUTPUT_MESSAGES, safeJsonStringify(messages.output) ?? '[]');
      }
    } catch {
      // Content capture is best effort; it must never disturb the instrumented call.
    }
  }
}
