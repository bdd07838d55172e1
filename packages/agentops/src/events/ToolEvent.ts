import { semconv as S, safeJsonStringify, truncate } from '@agentops/exporter';
import { AgentOpsEvent, type EventOptions, type EventSpanShape, SpanKind } from './AgentOpsEvent.js';
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
    super(options);
    const o = safeOptions<ToolEventOptions>(options);
    this.name = typeof o.name === 'string' && o.name !== '' ? truncate(o.name, 256) : 'tool';
    this.logs = o.logs;
  }

  toSpanShape(content: boolean): EventSpanShape {
    const attributes = this.baseAttributes(content, S.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, S.ATTR_GEN_AI_TOOL_CALL_RESULT);
    attributes[S.ATTR_GEN_AI_OPERATION_NAME] = S.GEN_AI_OPERATION_EXECUTE_TOOL;
    attributes[S.ATTR_GEN_AI_TOOL_NAME] = this.name;
    attributes[S.ATTR_GEN_AI_TOOL_CALL_ID] = this.id;
    attributes[S.ATTR_TOOL_LOGS] = content ? safeJsonStringify(this.logs) : undefined;
    return { name: `${S.GEN_AI_OPERATION_EXECUTE_TOOL} ${this.name}`, kind: SpanKind.INTERNAL, attributes };
  }
}
