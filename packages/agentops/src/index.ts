export type { LogLevel, SessionExport, SessionStats } from '@agentops/exporter';
export type { AgentOpsSpanProcessorOptions } from './AgentOpsSpanProcessor.js';
export { AgentOpsSpanProcessor } from './AgentOpsSpanProcessor.js';
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
export type { InitOptions, OtlpOptions } from './config.js';
export type {
  ActionEventOptions,
  ErrorEventOptions,
  Event,
  EventOptions,
  LLMEventOptions,
  ToolEventOptions,
} from './events/index.js';
export {
  ActionEvent,
  AgentOpsEvent,
  ErrorEvent,
  LLMEvent,
  ToolEvent,
} from './events/index.js';
export type { Carrier } from './propagation.js';
export { AgentOpsResourceDetector } from './resource/AgentOpsResourceDetector.js';
export type { EndState, SessionAnalytics, StartSessionOptions } from './Session.js';
export { Session } from './Session.js';
export { SDK_VERSION } from './version.js';
export { recordAction, recordTool, trackAgent } from './wrappers.js';
