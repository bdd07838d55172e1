import { semconv as S, truncate } from '@agentops/exporter';
import type { Attributes } from '@opentelemetry/api';
import { AgentOpsEvent, type EventOptions, type EventSpanShape, SpanKind, setIfDefined } from './AgentOpsEvent.js';

export interface ErrorEventOptions extends EventOptions {
  /** The event during which the error happened. */
  triggerEvent?: AgentOpsEvent;
  exception?: unknown;
  errorType?: string;
  code?: string;
  details?: string;
  logs?: string;
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
    super(options);
    const o: ErrorEventOptions = typeof options === 'object' && options !== null ? options : {};
    this.triggerEvent = o.triggerEvent instanceof AgentOpsEvent ? o.triggerEvent : undefined;
    const exception = o.exception;
    this.exception =
      exception instanceof Error ? exception : exception === undefined ? undefined : new Error(String(exception));
    this.errorType =
      typeof o.errorType === 'string' && o.errorType !== '' ? o.errorType : (this.exception?.name ?? 'Error');
    this.code = o.code === undefined || o.code === null ? undefined : String(o.code);
    this.details = typeof o.details === 'string' ? o.details : this.exception?.message;
    this.logs = typeof o.logs === 'string' ? o.logs : this.exception?.stack;
  }

  toSpanShape(content: boolean): EventSpanShape {
    const attributes: Attributes = { ...this.baseAttributes(content), [S.ATTR_ERROR_TYPE]: this.errorType };
    setIfDefined(attributes, S.ATTR_ERROR_CODE, this.code);
    setIfDefined(attributes, S.ATTR_ERROR_DETAILS, this.details === undefined ? undefined : truncate(this.details));
    setIfDefined(attributes, S.ATTR_ERROR_LOGS, this.logs === undefined ? undefined : truncate(this.logs));
    setIfDefined(attributes, S.ATTR_ERROR_TRIGGER_EVENT_ID, this.triggerEvent?.id);
    setIfDefined(attributes, S.ATTR_ERROR_TRIGGER_EVENT_TYPE, this.triggerEvent?.eventType);
    return { name: `error ${this.errorType}`, kind: SpanKind.INTERNAL, attributes };
  }
}
