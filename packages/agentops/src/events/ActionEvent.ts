import { semconv as S, safeJsonStringify, truncate } from '@agentops/exporter';
import { AgentOpsEvent, bounded, type EventOptions, type EventSpanShape, put, SpanKind } from './AgentOpsEvent.js';
import { safeOptions } from './safe-options.js';

export interface ActionEventOptions extends EventOptions {
  actionType?: string;
  logs?: unknown;
  /** A URL or data URI of a screenshot taken during the action. */
  screenshot?: string;
}

/** Anything an agent does that is not an LLM or tool call. */
export class ActionEvent extends AgentOpsEvent {
  readonly eventType = 'actions' as const;
  actionType: string;
  logs: unknown;
  screenshot: string | undefined;

  constructor(options: ActionEventOptions) {
    const o = safeOptions<ActionEventOptions>(options);
    super(o);
    this.actionType = typeof o.actionType === 'string' && o.actionType !== '' ? truncate(o.actionType, 256) : 'action';
    this.logs = o.logs;
    this.screenshot = typeof o.screenshot === 'string' ? o.screenshot : undefined;
  }

  toSpanShape(content: boolean): EventSpanShape {
    const attributes = this.baseAttributes(content, S.ATTR_ACTION_PARAMS, S.ATTR_ACTION_RETURNS);
    attributes[S.ATTR_ACTION_TYPE] = this.actionType;
    if (content) put(attributes, S.ATTR_ACTION_LOGS, safeJsonStringify(this.logs));
    put(attributes, S.ATTR_ACTION_SCREENSHOT, bounded(this.screenshot));
    return { name: this.actionType, kind: SpanKind.INTERNAL, attributes };
  }
}
