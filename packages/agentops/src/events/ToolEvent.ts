import { semconv as S, safeJsonStringify, truncate } from '@agentops/exporter';
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
    this.name = typeof o.name === 'string' && o.name !== '' ? truncate(o.name, 256) : 'tool';
    this.logs = o.logs;
  }

  toSpanShape(content: boolean): EventSpanShape {
    const attributes = this.baseAttributes(content, S.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, S.ATTR_GEN_AI_TOOL_CALL_RESULT);
    attributes[S.ATTR_GEN_AI_OPERATION_NAME] = S.GEN_AI_OPERATION_EXECUTE_TOOL;
    attributes[S.ATTR_GEN_AI_TOOL_NAME] = this.name;
    if (content) put(attributes, S.ATTR_TOOL_LOGS, safeJsonStringify(this.logs));
    return { name: `${S.GEN_AI_OPERATION_EXECUTE_TOOL} ${this.name}`, kind: SpanKind.INTERNAL, attributes };
  }
}
