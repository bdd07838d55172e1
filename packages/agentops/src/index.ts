export type {
  BudgetState,
  BudgetStatus,
  BudgetSubject,
  EvaluationPayload,
  EvaluationSummary,
  LogLevel,
  ReplayExchange,
  SessionExport,
  SessionStats,
} from '@agentops/exporter';
export { type MaskAction, type MaskFunction, type MaskOption, type MaskRule, REDACTED } from '@agentops/exporter';
export {
  addTags,
  endSession,
  evaluate,
  evaluateSession,
  exportSession,
  flush,
  getBudgets,
  getSession,
  getSessionStats,
  init,
  injectHeaders,
  record,
  replay,
  setTags,
  shutdown,
  startSession,
} from './api.js';
export type { InitOptions, OtlpOptions, Protocol } from './config.js';
export type {
  ActionEventOptions,
  ErrorEventOptions,
  Event,
  EventOptions,
  EventSpanShape,
  LLMEventOptions,
  Timestamp,
  ToolEventOptions,
} from './events/index.js';
export {
  ActionEvent,
  AgentOpsEvent,
  ErrorEvent,
  LLMEvent,
  ToolEvent,
} from './events/index.js';
export type { AgentOpsSpanProcessorOptions } from './pipeline/AgentOpsSpanProcessor.js';
export { AgentOpsSpanProcessor } from './pipeline/AgentOpsSpanProcessor.js';
export type { Carrier } from './propagation.js';
export {
  type DivergenceAction,
  Replay,
  type ReplayDivergence,
  ReplayDivergenceError,
  ReplayError,
  type ReplayOptions,
  type ReplayStep,
} from './replay/Replay.js';
export type { Difference } from './replay/request-key.js';
export { AgentOpsResourceDetector } from './resource/AgentOpsResourceDetector.js';
export type { EndState, Evaluation, SessionAnalytics, StartSessionOptions } from './session/Session.js';
export { Session } from './session/Session.js';
export { SDK_VERSION } from './version.js';
export { type WaitUntil, type WithSessionOptions, withSession } from './with-session.js';
export {
  type AnyFunction,
  type RecordMethodDecorator,
  recordAction,
  recordTask,
  recordTool,
  recordWorkflow,
  trackAgent,
  type WrapperOptions,
} from './wrappers.js';
