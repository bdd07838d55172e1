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

  /** @internal Attributes every event span has; params and returns under the keys its type uses. */
  protected baseAttributes(
    content: boolean,
    paramsKey: string = S.ATTR_EVENT_PARAMS,
    returnsKey: string = S.ATTR_EVENT_RETURNS,
  ): Attributes {
    const attributes: Attributes = {
      [S.ATTR_EVENT_ID]: this.id,
      [S.ATTR_EVENT_TYPE]: this.eventType,
    };
    if (this.agentId) attributes[S.ATTR_AGENT_ID] = this.agentId;
    if (content) {
      setJson(attributes, paramsKey, this.params);
      setJson(attributes, returnsKey, this.returns);
    }
    return attributes;
  }
}

/** Sets an attribute to the JSON of a value (strings too, so "5" and 5 stay apart); skips undefined. */
export function setJson(attributes: Attributes, key: string, value: unknown): void {
  const json = safeJsonStringify(value);
  if (json !== undefined) attributes[key] = json;
}

/** Sets an attribute when there is a value; strings are bounded like every user string we record. */
export function setIfDefined(attributes: Attributes, key: string, value: string | number | boolean | undefined): void {
  if (value !== undefined) attributes[key] = typeof value === 'string' ? truncate(value) : value;
}

export { SpanKind };
