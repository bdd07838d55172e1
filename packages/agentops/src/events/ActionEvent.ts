import { semconv as S } from '@agentops/exporter';
import { LIMITS, safeJsonStringify, truncate } from '@agentops/exporter/internal';
import type { Attributes } from '@opentelemetry/api';
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
    this.actionType =
      typeof o.actionType === 'string' && o.actionType !== ''
        ? truncate(o.actionType, LIMITS.spanNameLength)
        : 'action';
    this.logs = o.logs;
    this.screenshot = typeof o.screenshot === 'string' ? o.screenshot : undefined;
  }

  toSpanShape(content: boolean): EventSpanShape {
    const shape = actionShape(this.actionType, this.params, content);
    this.addOwnAttributes(shape.attributes, content, S.ATTR_ACTION_RETURNS);
    if (content) put(shape.attributes, S.ATTR_ACTION_LOGS, safeJsonStringify(this.logs));
    put(shape.attributes, S.ATTR_ACTION_SCREENSHOT, bounded(this.screenshot));
    return shape;
  }
}

/** The span of an action, as far as the action itself tells: also what `recordAction` starts. */
export function actionShape(actionType: string, params: unknown, content: boolean): EventSpanShape {
  const attributes: Attributes = { [S.ATTR_EVENT_TYPE]: S.EVENT_TYPE_ACTION, [S.ATTR_ACTION_TYPE]: actionType };
  if (content) put(attributes, S.ATTR_ACTION_PARAMS, safeJsonStringify(params));
  return { name: actionType, kind: SpanKind.INTERNAL, attributes };
}
