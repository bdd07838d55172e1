import { randomUUID } from 'node:crypto';
import {
  clamp,
  derivedEventId,
  type EventType,
  isUuid,
  LIMITS,
  semconv as S,
  safeJsonStringify,
  truncate,
} from '@agentops/exporter';
import { type Attributes, type SpanContext, SpanKind } from '@opentelemetry/api';
import { safeOptions } from './safe-options.js';
import { type Timestamp, toDate } from './timestamp.js';

/** Options every event takes. */
export interface EventOptions {
  params?: unknown;
  returns?: unknown;
  /** When the event started; default: when it was constructed. */
  initTimestamp?: Timestamp;
  /** When it ended; default: when it is recorded. */
  endTimestamp?: Timestamp;
  agentId?: string;
  /** A UUID of your own; default: a new one. */
  id?: string;
}

/** How an event becomes a span. */
export interface EventSpanShape {
  name: string;
  kind: SpanKind;
  attributes: Attributes;
}

/** Base of `LLMEvent`, `ToolEvent`, `ActionEvent` and `ErrorEvent`. */
export abstract class AgentOpsEvent {
  abstract readonly eventType: EventType;
  /** Given, read before recording, or (most often) derived from the span at recording. */
  #id: string | undefined;
  /** The span it was recorded as, while no id was asked for: the id is derived on demand. */
  #span: SpanContext | undefined;
  params: unknown;
  returns: unknown;
  initTimestamp: Date;
  endTimestamp: Date | undefined;
  agentId: string | undefined;

  constructor(options: EventOptions | undefined) {
    const o = safeOptions<EventOptions>(options);
    this.#id = isUuid(o.id) ? o.id.toLowerCase() : undefined;
    this.params = o.params;
    this.returns = o.returns;
    this.initTimestamp = toDate(o.initTimestamp) ?? new Date();
    this.endTimestamp = toDate(o.endTimestamp);
    this.agentId = typeof o.agentId === 'string' ? clamp(o.agentId, LIMITS.idLength) : undefined;
  }

  /**
   * The event's UUID: the one given in the options, else the id it is sent under once recorded. Read
   * before recording, a random one is made and the span carries it. Left alone, no UUID is generated
   * on the hot path: the exporter derives the same stable id from the span's ids.
   */
  get id(): string {
    this.#id ??= this.#span ? derivedEventId(this.#span, 'event') : randomUUID();
    return this.#id;
  }

  /** @internal Called with the span the event was just recorded as: the id is now that span's. */
  recordedAs(span: SpanContext): void {
    if (this.#id === undefined) this.#span ??= span;
  }

  /** @internal The span this event is recorded as. `content` false leaves out user content. */
  abstract toSpanShape(content: boolean): EventSpanShape;

  /**
   * @internal Attributes every event span has; params and returns under the keys its type uses.
   * Subclasses add their keys by plain assignment (or `put`): a
   * spread followed by computed keys hits a V8 slow path that cost more than the rest of recording.
   */
  protected baseAttributes(
    content: boolean,
    paramsKey: string = S.ATTR_EVENT_PARAMS,
    returnsKey: string = S.ATTR_EVENT_RETURNS,
  ): Attributes {
    const attributes: Attributes = { [S.ATTR_EVENT_TYPE]: this.eventType };
    if (content) put(attributes, paramsKey, safeJsonStringify(this.params));
    return this.addOwnAttributes(attributes, content, returnsKey);
  }

  /** @internal What only a recorded event object has: its id when known, agent, returns. */
  protected addOwnAttributes(attributes: Attributes, content: boolean, returnsKey: string): Attributes {
    put(attributes, S.ATTR_EVENT_ID, this.#id);
    put(attributes, S.ATTR_AGENT_ID, this.agentId);
    if (content) put(attributes, returnsKey, safeJsonStringify(this.returns));
    return attributes;
  }
}

/**
 * Sets an attribute only when it has a value: the tracer would drop an undefined one anyway, after
 * copying and checking it.
 */
export function put(attributes: Attributes, key: string, value: string | number | boolean | undefined): void {
  if (value !== undefined) attributes[key] = value;
}

/** A user string bounded like every user string we record; undefined stays undefined. */
export function bounded(value: string | undefined): string | undefined {
  return value === undefined ? undefined : truncate(value);
}

export { SpanKind };
