import type { ActionEvent } from './ActionEvent.js';
import type { ErrorEvent } from './ErrorEvent.js';
import type { LLMEvent } from './LLMEvent.js';
import type { ToolEvent } from './ToolEvent.js';

export type { ActionEventOptions } from './ActionEvent.js';
export { ActionEvent } from './ActionEvent.js';
export type { EventOptions, EventSpanShape } from './AgentOpsEvent.js';
export { AgentOpsEvent } from './AgentOpsEvent.js';
export type { ErrorEventOptions } from './ErrorEvent.js';
export { ErrorEvent } from './ErrorEvent.js';
export type { LLMEventOptions } from './LLMEvent.js';
export { LLMEvent } from './LLMEvent.js';
export type { ToolEventOptions } from './ToolEvent.js';
export { ToolEvent } from './ToolEvent.js';
export type { Timestamp } from './timestamp.js';

/** Any event `record()` takes. */
export type Event = LLMEvent | ToolEvent | ActionEvent | ErrorEvent;
