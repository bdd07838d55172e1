import { randomUUID } from 'node:crypto';
import { clamp, type EventType, isUuid, LIMITS, semconv as S, safeJsonStringify, truncate } from '@agentops/exporter';
import { type Attributes, SpanKind } from '@opentelemetry/api';
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
  readonly id: string;
  params: unknown;
  returns: unknown;
  initTimestamp: Date;
  endTimestamp: Date | undefined;
  agentId: string | undefined;

  constructor(options: EventOptions | undefined) {
    const o = safeOptions<EventOptions>(options);
    this.id = isUuid(o.id) ? o.id.toLowerCase() : randomUUID();
    this.params = o.params;
    this.returns = o.returns;
    this.initTimestamp = toDate(o.initTimestamp) ?? new Date();
    this.endTimestamp = toDate(o.endTimestamp);
    this.agentId = typeof o.agentId === 'string' ? clamp(o.agentId, LIMITS.idLength) : undefined;
  }

  /** @internal The span this event is recorded as. `content` false leaves out user content. */
  abstract toSpanShape(content: boolean): EventSpanShape;

  /**
   * @internal Attributes every event span has; params and returns under the keys its type uses.
   * Undefined values are dropped by the span. Subclasses add their keys by plain assignment: a
   * spread followed by computed keys hits a V8 slow path that cost more than the rest of recording.
   */
  protected baseAttributes(
    content: boolean,
    paramsKey: string = S.ATTR_EVENT_PARAMS,
    returnsKey: string = S.ATTR_EVENT_RETURNS,
  ): Attributes {
    return {
      [S.ATTR_EVENT_ID]: this.id,
      [S.ATTR_EVENT_TYPE]: this.eventType,
      [S.ATTR_AGENT_ID]: this.agentId,
      [paramsKey]: content ? safeJsonStringify(this.params) : undefined,
      [returnsKey]: content ? safeJsonStringify(this.returns) : undefined,
    };
  }
}

/** A user string bounded like every user string we record; undefined stays undefined. */
export function bounded(value: string | undefined): string | undefined {
  return value === undefined ? undefined : truncate(value);
}

export { SpanKind };
