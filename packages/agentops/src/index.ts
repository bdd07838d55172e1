export {
  addTags,
  endSession,
  exportSession,
  flush,
  getSession,
  getSessionStats,
  init,
  injectHeaders,
  record,
  setTags,
  shutdown,
  startSession,
} from './api.js';
export { AgentOpsSpanProcessor } from './AgentOpsSpanProcessor.js';
export type { AgentOpsSpanProcessorOptions } from './AgentOpsSpanProcessor.js';
export type { InitOptions, OtlpOptions } from './config.js';
export {
  ActionEvent,
  AgentOpsEvent,
  ErrorEvent,
  LLMEvent,
  ToolEvent,
} from './events/index.js';
export type {
  ActionEventOptions,
  ErrorEventOptions,
  Event,
  EventOptions,
  LLMEventOptions,
  ToolEventOptions,
} from './events/index.js';
export type { Carrier } from './propagation.js';
export { AgentOpsResourceDetector } from './resource/AgentOpsResourceDetector.js';
export { Session } from './Session.js';
export type { EndState, SessionAnalytics, StartSessionOptions } from './Session.js';
export { recordAction, recordTool, trackAgent } from './wrappers.js';
export { SDK_VERSION } from './version.js';
export type { SessionExport, SessionStats, LogLevel } from '@agentops/exporter';
