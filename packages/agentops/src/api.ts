/**
 * The module-level API (`agentops.init()`, `agentops.record()`, ...), the TypeScript names of the
 * AgentOps Python SDK's. None of these throws: bad input and dead backends give a warning.
 */

import {
  AgentOpsClient,
  type BudgetStatus,
  type BudgetSubject,
  type EndState,
  type SessionExport,
  type SessionStats,
} from '@agentops/exporter';
import { describeValue, errorText, isUuid, tagList } from '@agentops/exporter/internal';
import { context } from '@opentelemetry/api';
import type { InitOptions } from './config.js';
import { resolveConfig } from './config.js';
import { sessionIdFromContext } from './context-keys.js';
import type { Event } from './events/index.js';
import { safeOptions } from './events/safe-options.js';
import { processWide } from './process-wide.js';
import { injectInto } from './propagation.js';
import { intercept } from './replay/http.js';
import { checkedExport, planReplay, Replay, type ReplayOptions } from './replay/Replay.js';
import { exportFromFile } from './replay/source.js';
import {
  configOutsideRuntime,
  currentRuntime,
  disabledHost,
  sendEvaluation,
  sessionContextForNewWork,
  startRuntime,
  stopRuntime,
} from './runtime/runtime.js';
import { checkEvaluation, type Evaluation } from './session/evaluation.js';
import { sessionRegistry } from './session/registry.js';
import { Session, type StartSessionOptions } from './session/Session.js';

function autoStarts(options: InitOptions | undefined): boolean {
  try {
    return options?.autoStartSession !== false;
  } catch {
    return true;
  }
}

function fallbackLogger() {
  return currentRuntime()?.logger ?? resolveConfig({}).logger;
}

/**
 * What `--import agentops/register` started before the app loaded: the session it opened, which
 * the app's own first `init()` takes over rather than starting a second runtime and session.
 */
const registered = processWide<{ session: Session | undefined; claimed: boolean }>('register', () => ({
  session: undefined,
  claimed: false,
}));

/**
 * `--import agentops/register`: starts the SDK from the `AGENTOPS_*` environment before the app's
 * modules load, and opens a session unless `AGENTOPS_AUTO_START_SESSION=false`. Not a public API.
 */
export function initFromRegister(env: NodeJS.ProcessEnv = process.env): void {
  try {
    if (currentRuntime()) return;
    const runtime = startRuntime({ autoStartSession: false });
    if (env.AGENTOPS_AUTO_START_SESSION?.toLowerCase() === 'false') return;
    registered.session = sessionOf(runtime);
  } catch (err) {
    // Preloaded before the app: a failure here must not keep the app from starting.
    fallbackLogger().warn(
      `--import agentops/register could not start AgentOps; the app runs without it: ${errorText(err)}`,
    );
  }
}

/** Starts the session `init()` starts: a new one, or the one the configuration says to join. */
function sessionOf(runtime: NonNullable<ReturnType<typeof currentRuntime>>): Session {
  return startSession({ inheritedSessionId: runtime.config.inheritedSessionId });
}

/** Sets the SDK up; starts and returns a session unless `autoStartSession: false`. */
export function init(options?: InitOptions & { autoStartSession?: true }): Session;
export function init(options: InitOptions & { autoStartSession: false }): undefined;
export function init(options?: InitOptions): Session | undefined;
export function init(options?: InitOptions): Session | undefined {
  try {
    const already = currentRuntime();
    const fromRegister = already !== undefined && !registered.claimed && registered.session !== undefined;
    if (fromRegister) return claimRegistered(already, options);
    if (already) already.logger.warn('init() was already called; keeping the first configuration.');
    const runtime = already ?? startRuntime(options);
    if (!runtime.config.autoStartSession) return undefined;
    return sessionOf(runtime);
  } catch (err) {
    const logger = fallbackLogger();
    logger.warn(`init() failed, AgentOps is disabled: ${errorText(err)}`);
    // The typed promise holds: a session whose calls record nothing, rather than undefined.
    return autoStarts(options) ? Session.start(disabledHost(logger)) : undefined;
  }
}

/**
 * The app's first `init()` after `--import agentops/register`: the session register opened is this
 * init's session (with the tags given here); the runtime keeps the environment's configuration.
 */
function claimRegistered(runtime: NonNullable<ReturnType<typeof currentRuntime>>, options: InitOptions | undefined) {
  registered.claimed = true;
  const session = registered.session;
  if (!autoStarts(options)) return undefined;
  if (!session || session.ended) return sessionOf(runtime);
  const tags = tagList(safeOptions<InitOptions>(options ?? {}).tags);
  if (tags && tags.length > 0) session.addTags(tags);
  return session;
}

/**
 * Starts a session (a new root span). With `inheritedSessionId` or `headers`, joins a session that
 * another process started. Calls `init()` with defaults when it has not been called.
 */
export function startSession(options: StartSessionOptions = {}): Session {
  const runtime = currentRuntime() ?? startRuntime({ autoStartSession: false });
  return Session.start(runtime, options, runtime.config);
}

/** The open session the active context belongs to, if any. */
function sessionInContext(): Session | undefined {
  const id = sessionIdFromContext(context.active());
  return id ? sessionRegistry.get(id) : undefined;
}

/** The session module-level calls act on: the active one, else the one open session. */
function sessionForModuleCall(what: string): Session | undefined {
  const active = sessionInContext();
  if (active) return active;
  const count = sessionRegistry.size();
  if (count === 1) return sessionRegistry.only();
  const logger = fallbackLogger();
  if (count === 0) logger.warn(`${what}: no session is open; call agentops.init() or startSession() first.`);
  else
    logger.warn(
      `${what}: ${count} sessions are open, so agentops.${what} cannot tell which one; use session.${what} instead.`,
    );
  return undefined;
}

export function record(event: Event): void {
  sessionForModuleCall('record()')?.record(event);
}

export function endSession(endState: EndState, endStateReason?: string): Promise<string> {
  return sessionForModuleCall('endSession()')?.endSession(endState, endStateReason) ?? Promise.resolve('0.00');
}

/** `session.evaluate()` on the one session open (see `Session.evaluate`). */
export function evaluate(evaluation: Evaluation): Promise<boolean> {
  return sessionForModuleCall('evaluate()')?.evaluate(evaluation) ?? Promise.resolve(false);
}

/**
 * An evaluation of any session by its id, after the fact: one open here is evaluated as
 * `session.evaluate()` does; any other (ended, or recorded by another process) through the API
 * (`POST /v2/sessions/:id/evaluations`). Resolves true when it was recorded or taken; never rejects.
 */
export function evaluateSession(sessionId: string, evaluation: Evaluation): Promise<boolean> {
  const open = typeof sessionId === 'string' ? sessionRegistry.get(sessionId.toLowerCase()) : undefined;
  if (open) return open.evaluate(evaluation);
  const config = currentRuntime()?.config ?? configOutsideRuntime();
  if (typeof sessionId !== 'string' || !isUuid(sessionId)) {
    config.logger.warn(`evaluateSession(): ${describeValue(sessionId)} is not a session id (a UUID); not sent.`);
    return Promise.resolve(false);
  }
  const checked = checkEvaluation(evaluation);
  if (typeof checked === 'string') {
    config.logger.warn(`evaluateSession(): ${checked}; not sent.`);
    return Promise.resolve(false);
  }
  return sendEvaluation(config, sessionId.toLowerCase(), checked.input, currentRuntime()?.client);
}

export function addTags(tags: string[]): void {
  sessionForModuleCall('addTags()')?.addTags(tags);
}

export function setTags(tags: string[]): void {
  sessionForModuleCall('setTags()')?.setTags(tags);
}

/** An open session by id; without an id, the one the module-level calls would use. */
export function getSession(id?: string): Session | undefined {
  if (typeof id === 'string') return sessionRegistry.get(id);
  return sessionInContext() ?? sessionRegistry.only();
}

/** W3C `traceparent`, `tracestate` and `baggage` of the active session (else the active trace), to send with a request. */
export function injectHeaders(carrier: Record<string, string> = {}): Record<string, string> {
  const target = typeof carrier === 'object' && carrier !== null ? carrier : {};
  // Outside any session, the active trace context still travels (with no session baggage).
  return injectInto(sessionContextForNewWork() ?? context.active(), target);
}

/** Delivers everything recorded so far (bounded by `flushTimeoutMillis`). */
export async function flush(): Promise<void> {
  try {
    await currentRuntime()?.flush();
  } catch (err) {
    fallbackLogger().warn(`flush() failed: ${errorText(err)}`);
  }
}

/** Ends open sessions as Indeterminate, flushes, and removes the SDK's providers and handlers. */
export async function shutdown(): Promise<void> {
  try {
    await stopRuntime();
  } catch (err) {
    fallbackLogger().warn(`shutdown() failed: ${errorText(err)}`);
  }
}

function apiClient(): AgentOpsClient {
  const runtime = currentRuntime();
  if (runtime?.client) return runtime.client;
  const config = runtime?.config ?? configOutsideRuntime();
  if (!config.apiKey) throw new Error('no API key: set AGENTOPS_API_KEY or call init({ apiKey })');
  return new AgentOpsClient({ apiKey: config.apiKey, endpoint: config.endpoint });
}

/** `GET /v2/sessions/:id/stats`. Rejects with the API's error (this is a query, not telemetry). */
export function getSessionStats(sessionId: string): Promise<SessionStats> {
  return Promise.resolve().then(() => apiClient().getSessionStats(sessionId));
}

/** Where the project's spend rules stand for a user, tag, environment or model (`GET /v2/budgets`). */
export function getBudgets(subject: BudgetSubject): Promise<BudgetStatus> {
  return Promise.resolve().then(() => apiClient().getBudgets(subject));
}

/** `GET /v2/sessions/:id/export`: the session, its stats and all its events. */
export function exportSession(sessionId: string): Promise<SessionExport> {
  return Promise.resolve().then(() => apiClient().exportSession(sessionId));
}

/**
 * Replays a recorded session: `source` is an export file's path (`agentops-server sessions export
 * ID > run.json`), a session id (read through the AgentOps API), or an export. Resolves to a
 * `Replay` whose `run(fn)` runs the agent with its LLM calls and `recordTool` functions answered
 * from the recording, recorded as a new session; `end()` ends it. Rejects when the source cannot
 * be read (this is not telemetry).
 */
export async function replay(source: string | SessionExport, options: ReplayOptions = {}): Promise<Replay> {
  options ??= {};
  const recorded =
    typeof source === 'string'
      ? ((await exportFromFile(source)) ?? (await apiClient().exportSession(source)))
      : checkedExport(source, 'the export given');
  if (!intercept()) {
    fallbackLogger().warn(
      "replay(): this runtime's fetch cannot be intercepted; LLM calls run live, only recordTool functions are replayed.",
    );
  }
  const plan = planReplay(recorded, options);
  return new Replay(plan, startSession(plan.session));
}
