import { semconv as S } from '@agentops/exporter';
import { describeValue, LIMITS, safeJsonStringify, truncate } from '@agentops/exporter/internal';
import {
  AgentOpsEvent,
  bounded,
  type EventOptions,
  type EventSpanShape,
  isAgentOpsEvent,
  put,
  SpanKind,
} from './AgentOpsEvent.js';
import { safeOptions } from './safe-options.js';

export interface ErrorEventOptions extends EventOptions {
  /** The event during which the error happened. */
  triggerEvent?: AgentOpsEvent;
  exception?: unknown;
  errorType?: string;
  code?: string;
  details?: string;
  logs?: string;
}

/** A thrown non-Error as a message: strings as they are, anything else as JSON. */
function messageOf(thrown: unknown): string {
  return typeof thrown === 'string' ? thrown : (safeJsonStringify(thrown) ?? describeValue(thrown));
}

/** Something that went wrong, optionally tied to the event that triggered it. */
export class ErrorEvent extends AgentOpsEvent {
  readonly eventType = 'errors' as const;
  triggerEvent: AgentOpsEvent | undefined;
  exception: Error | undefined;
  errorType: string;
  code: string | undefined;
  details: string | undefined;
  logs: string | undefined;

  constructor(options: ErrorEventOptions = {}) {
    const o = safeOptions<ErrorEventOptions>(options);
    super(o);
    this.triggerEvent = isAgentOpsEvent(o.triggerEvent) ? o.triggerEvent : undefined;
    const exception = o.exception;
    this.exception =
      exception instanceof Error ? exception : exception === undefined ? undefined : new Error(messageOf(exception));
    this.errorType = truncate(
      typeof o.errorType === 'string' && o.errorType !== '' ? o.errorType : (this.exception?.name ?? 'Error'),
      LIMITS.spanNameLength,
    );
    this.code = typeof o.code === 'string' || typeof o.code === 'number' ? String(o.code) : undefined;
    this.details = typeof o.details === 'string' ? o.details : this.exception?.message;
    this.logs = typeof o.logs === 'string' ? o.logs : this.exception?.stack;
  }

  toSpanShape(content: boolean): EventSpanShape {
    const attributes = this.baseAttributes(content);
    attributes[S.ATTR_ERROR_TYPE] = this.errorType;
    put(attributes, S.ATTR_ERROR_CODE, bounded(this.code));
    put(attributes, S.ATTR_ERROR_DETAILS, bounded(this.details));
    put(attributes, S.ATTR_ERROR_LOGS, bounded(this.logs));
    put(attributes, S.ATTR_ERROR_TRIGGER_EVENT_ID, this.triggerEvent?.id);
    put(attributes, S.ATTR_ERROR_TRIGGER_EVENT_TYPE, this.triggerEvent?.eventType);
    return { name: `error ${this.errorType}`, kind: SpanKind.INTERNAL, attributes };
  }
}
