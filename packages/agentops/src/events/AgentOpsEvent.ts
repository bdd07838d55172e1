import { derivedEventId, type EventType, semconv as S } from '@agentops/exporter';
import { clamp, isUuid, LIMITS, safeJsonStringify, truncate } from '@agentops/exporter/internal';
import { type Attributes, type Span, type SpanContext, SpanKind } from '@opentelemetry/api';
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
  /** `false`: record this event without its content (prompt, completion, params, returns, logs). */
  captureContent?: boolean;
}

/** How an event becomes a span: its name, kind and attributes. */
export interface EventSpanShape {
  name: string;
  kind: SpanKind;
  attributes: Attributes;
}

/**
 * Marks events of either build of the package (ESM and CJS), so an event made by a CommonJS library
 * is recognised by the ESM SDK that records it, where `instanceof` would see two classes.
 */
const EVENT_BRAND = Symbol.for('agentops.event');

/** True for an event of this package, whichever of its builds made it. */
export function isAgentOpsEvent(value: unknown): value is AgentOpsEvent {
  return typeof value === 'object' && value !== null && (value as { [EVENT_BRAND]?: unknown })[EVENT_BRAND] === true;
}

/** Base of `LLMEvent`, `ToolEvent`, `ActionEvent` and `ErrorEvent`. */
export abstract class AgentOpsEvent {
  abstract readonly eventType: EventType;
  /** Given, read before recording, or (most often) derived from the span at recording. */
  #id: string | undefined;
  #spanContext: SpanContext | undefined;
  params: unknown;
  returns: unknown;
  initTimestamp: Date;
  endTimestamp: Date | undefined;
  agentId: string | undefined;
  /** False when this event is recorded without its content, whatever `init({ captureContent })` says. */
  captureContent: boolean;

  constructor(options: EventOptions | undefined) {
    const o = safeOptions<EventOptions>(options);
    this.#id = isUuid(o.id) ? o.id.toLowerCase() : undefined;
    this.params = o.params;
    this.returns = o.returns;
    this.initTimestamp = toDate(o.initTimestamp) ?? new Date();
    this.endTimestamp = toDate(o.endTimestamp);
    this.agentId = typeof o.agentId === 'string' ? clamp(o.agentId, LIMITS.idLength) : undefined;
    this.captureContent = o.captureContent !== false;
  }

  /**
   * The event's UUID: the one given in the options, else the one its span was given when it was
   * recorded (derived from the span's ids, so no random UUID is made on the hot path). Read before
   * recording, a random one is made and the span carries it (an id not derived from the span's ids
   * is the only one a span carries: a derived one is derived again wherever the span is read).
   */
  get id(): string {
    // Recorded: derived when first read (most events' ids never are).
    this.#id ??= this.#spanContext ? derivedEventId(this.#spanContext, 'event') : crypto.randomUUID();
    return this.#id;
  }

  /** @internal The span this event was recorded as, once it has been (what an evaluation of it is parented to). */
  get spanContext(): SpanContext | undefined {
    return this.#spanContext;
  }

  /** @internal The id already fixed (given or read), if any. */
  protected get fixedId(): string | undefined {
    // Recorded once already: a second span of the event carries the first one's id.
    if (this.#id === undefined && this.#spanContext) this.#id = derivedEventId(this.#spanContext, 'event');
    return this.#id;
  }

  /**
   * @internal Called with the span the event was just recorded as. An event with no id yet has
   * the one derived from the span's ids (made when `id` is read); the span does not carry it (the
   * mapping derives the same).
   */
  recordedAs(span: Span): void {
    this.#spanContext = span.spanContext();
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
    put(attributes, S.ATTR_EVENT_ID, this.fixedId);
    put(attributes, S.ATTR_AGENT_ID, this.agentId);
    if (content) put(attributes, returnsKey, safeJsonStringify(this.returns));
    return attributes;
  }
}

// On the prototype, so that recording an event pays nothing for the mark.
Object.defineProperty(AgentOpsEvent.prototype, EVENT_BRAND, { value: true });

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
