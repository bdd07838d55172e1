import { semconv as S } from '@agentops/exporter';
import { LIMITS, safeJsonStringify, truncate } from '@agentops/exporter/internal';
import type { Attributes } from '@opentelemetry/api';
import { AgentOpsEvent, type EventOptions, type EventSpanShape, put, SpanKind } from './AgentOpsEvent.js';
import { safeOptions } from './safe-options.js';

export interface ToolEventOptions extends EventOptions {
  name: string;
  logs?: unknown;
}

/** One call of a tool by an agent. */
export class ToolEvent extends AgentOpsEvent {
  readonly eventType = 'tools' as const;
  name: string;
  logs: unknown;

  constructor(options: ToolEventOptions) {
    const o = safeOptions<ToolEventOptions>(options);
    super(o);
    this.name = typeof o.name === 'string' && o.name !== '' ? truncate(o.name, LIMITS.spanNameLength) : 'tool';
    this.logs = o.logs;
  }

  toSpanShape(content: boolean): EventSpanShape {
    const shape = toolCallShape(this.name, this.params, content);
    put(shape.attributes, S.ATTR_GEN_AI_TOOL_CALL_ID, this.fixedId);
    this.addOwnAttributes(shape.attributes, content, S.ATTR_GEN_AI_TOOL_CALL_RESULT);
    if (content) put(shape.attributes, S.ATTR_TOOL_LOGS, safeJsonStringify(this.logs));
    return shape;
  }
}

/** The span of a tool call, as far as the call itself tells: also what `recordTool` starts. */
export function toolCallShape(name: string, params: unknown, content: boolean): EventSpanShape {
  const attributes: Attributes = {
    [S.ATTR_EVENT_TYPE]: S.EVENT_TYPE_TOOL,
    [S.ATTR_GEN_AI_OPERATION_NAME]: S.GEN_AI_OPERATION_EXECUTE_TOOL,
    [S.ATTR_GEN_AI_TOOL_NAME]: name,
  };
  if (content) put(attributes, S.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, safeJsonStringify(params));
  return { name: `${S.GEN_AI_OPERATION_EXECUTE_TOOL} ${name}`, kind: SpanKind.INTERNAL, attributes };
}
