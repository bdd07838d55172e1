/**
 * The SDK's process-wide state, kept on a registered `globalThis` symbol. An app and its libraries may
 * load both builds of the package (an ESM app calling `init()`, a CommonJS library calling
 * `record()`); each build has its own module scope, so state held there would split in two and the
 * library's events would find no session. Both builds read this one object instead.
 */
import type { AgentOpsSpanProcessor } from './AgentOpsSpanProcessor.js';
import type { Runtime } from './runtime.js';
import type { Session } from './Session.js';

export interface SharedState {
  runtime: Runtime | undefined;
  readonly sessionsById: Map<string, Session>;
  readonly sessionsByTraceId: Map<string, Session>;
  /** The open session when there is exactly one (asked for on every event and wrapped call). */
  onlySession: Session | undefined;
  /** Processors users built themselves; `init()` finds them in a provider the app registered. */
  readonly processors: Set<AgentOpsSpanProcessor>;
}

const KEY = Symbol.for('agentops.sdk.state.v1');

type Holder = { [KEY]?: SharedState };

function create(): SharedState {
  return {
    runtime: undefined,
    sessionsById: new Map(),
    sessionsByTraceId: new Map(),
    onlySession: undefined,
    processors: new Set(),
  };
}

export const shared: SharedState = (() => {
  const holder = globalThis as Holder;
  holder[KEY] ??= create();
  return holder[KEY];
})();
