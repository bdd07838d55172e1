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
/** The value `get` reads, or undefined when reading it throws. */
function read<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}

function textOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

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
    this.triggerEvent = read(() => (isAgentOpsEvent(o.triggerEvent) ? o.triggerEvent : undefined));
    const exception = o.exception;
    const isError = read(() => exception instanceof Error) === true;
    // The exception's fields, read once here: a getter that throws loses that field, not the event.
    const name = isError ? read(() => textOr((exception as Error).name)) : undefined;
    const message = isError ? read(() => textOr((exception as Error).message)) : undefined;
    const stack = isError ? read(() => textOr((exception as Error).stack)) : undefined;
    this.exception = isError
      ? (exception as Error)
      : exception === undefined
        ? undefined
        : new Error(read(() => messageOf(exception)) ?? 'unprintable value thrown');
    const ownName = isError ? name : this.exception?.name;
    this.errorType = truncate(
      typeof o.errorType === 'string' && o.errorType !== '' ? o.errorType : (ownName ?? 'Error'),
      LIMITS.spanNameLength,
    );
    this.code = typeof o.code === 'string' || typeof o.code === 'number' ? String(o.code) : undefined;
    this.details = typeof o.details === 'string' ? o.details : isError ? message : this.exception?.message;
    this.logs = typeof o.logs === 'string' ? o.logs : isError ? stack : this.exception?.stack;
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
