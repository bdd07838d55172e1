/**
 * The SDK's process-wide state: which tracer provider it records into, its processor, and the exit
 * handler. Made by `init()` with the configuration resolved once, torn down by `shutdown()`.
 */

import { AgentOpsClient, type EvaluationInput, type Logger, type Mask, semconv as S } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import { type Context, context, ProxyTracerProvider, type Span, trace } from '@opentelemetry/api';
import type { ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace';
import { type InitOptions, type ResolvedConfig, resolveConfig } from '../config.js';
import { sessionIdFromContext } from '../context-keys.js';
import { installExitHandler } from '../exit-handler.js';
import { enableLlmInstrumentations } from '../instrumentation/llm-instrumentations.js';
import { enableAiSdkTelemetry } from '../integrations/ai-sdk.js';
import { enableClaudeAgentSdk } from '../integrations/claude-agent-sdk.js';
import { enableOpenAIAgents } from '../integrations/openai-agents.js';
import { type Registration, unregisterGlobally } from '../otel-setup.js';
import type { AgentOpsSpanProcessor } from '../pipeline/AgentOpsSpanProcessor.js';
import { processWide } from '../process-wide.js';
import { interceptOwnFetch, recordExchanges } from '../replay/http.js';
import { sessionRegistry } from '../session/registry.js';
import { Session, type SessionHost } from '../session/Session.js';
import { SDK_VERSION } from '../version.js';
import { chooseMetrics } from './metrics.js';
import { chooseProvider } from './provider.js';

export interface Runtime extends SessionHost {
  readonly config: ResolvedConfig;
  readonly processor: AgentOpsSpanProcessor;
  /** Our own provider, when we made one. */
  readonly provider: TracerProvider | undefined;
  /** What the SDK registered globally, when it did. */
  readonly registration: Registration | undefined;
  readonly uninstallExitHandler: (() => void) | undefined;
  readonly disableInstrumentations: () => void;
  /**
   * The one client of the AgentOps API this runtime asks (stats, export, evaluations after the end):
   * the exporter's, where sessions are sent; else one made from the configuration; none without a key.
   */
  readonly client: AgentOpsClient | undefined;
  /** Flushes and stops the metrics provider the SDK made (`metrics: true`). */
  readonly stopMetrics: () => Promise<void>;
}

const state = processWide<{ runtime: Runtime | undefined; mask: Mask | undefined }>('runtime', () => ({
  runtime: undefined,
  mask: undefined,
}));

export function currentRuntime(): Runtime | undefined {
  return state.runtime;
}

/**
 * The configuration of calls made outside a runtime (an evaluation after `shutdown()`): the
 * environment's, with the mask `init()` was last given (a mask given once is never forgotten).
 */
export function configOutsideRuntime(): ResolvedConfig {
  return { ...resolveConfig({}), mask: state.mask };
}

/** The SDK's span of a session, as the processor reads it (the SDK's spans are readable spans). */
function readable(span: Span): ReadableSpan | undefined {
  return 'attributes' in span && 'resource' in span ? (span as unknown as ReadableSpan) : undefined;
}

/** Records LLM calls' exchanges for replay when the configuration asks; what stops it. */
function recordingForReplay(config: ResolvedConfig): () => void {
  interceptOwnFetch();
  if (!config.recordReplay) return () => {};
  if (!config.captureContent) {
    config.logger.warn('recordReplay needs content capture (captureContent); LLM calls are not recorded for replay.');
    return () => {};
  }
  if (!recordExchanges(true)) {
    config.logger.warn(
      "recordReplay: this runtime's fetch cannot be intercepted; LLM calls are not recorded for replay.",
    );
    return () => {};
  }
  return () => void recordExchanges(false);
}

/** Registry hooks every session host shares. */
const registryHooks = {
  opened: (session: Parameters<SessionHost['opened']>[0]) => sessionRegistry.add(session),
  closed: (session: Parameters<SessionHost['closed']>[0]) => sessionRegistry.remove(session),
};

export function startRuntime(options: InitOptions | undefined): Runtime {
  if (state.runtime) return state.runtime;
  const config = resolveConfig(options);
  state.mask = config.mask;
  const logger = config.logger;
  const { tracer, processor, provider, registration } = chooseProvider(config);
  const measuring = chooseMetrics(config);
  processor.useMetrics(measuring.metrics);
  const disableLlm = config.instrumentLlmCalls
    ? enableLlmInstrumentations({
        tracerProvider: provider ?? trace.getTracerProvider(),
        meterProvider: measuring.meterProvider,
        captureContent: config.captureContent,
        logger,
        // A session another process started, joined for one request (an MCP server's, a remote A2A agent's).
        joinSession: (headers) => {
          const runtime = currentRuntime();
          return runtime ? joinCallerSession(runtime, headers) : undefined;
        },
        sessionOfNewWork,
      })
    : () => {};
  const disableAgents = config.instrumentLlmCalls
    ? enableOpenAIAgents({
        tracer,
        captureContent: config.captureContent,
        logger,
        joinContext: sessionContextForNewWork,
        startSession: (tags) => {
          // Called for a trace once the runtime exists (rt is set by then).
          const session = Session.start(rt, { tags }, config);
          return {
            context: () => session.context(),
            end: (failure) => void session.endSession(failure ? 'Failure' : 'Success', failure),
          };
        },
      })
    : () => {};
  const disableAiSdk = config.instrumentLlmCalls ? enableAiSdkTelemetry({ tracer, logger }) : () => {};
  const disableClaude = config.instrumentLlmCalls
    ? enableClaudeAgentSdk({
        endpoint: config.endpoint,
        apiKey: config.apiKey,
        captureContent: config.captureContent,
        masked: config.mask !== undefined,
        logger,
        joinContext: sessionContextForNewWork,
      })
    : () => {};
  const disableReplayRecording = recordingForReplay(config);
  const disableInstrumentations = () => {
    disableReplayRecording();
    disableClaude();
    disableAiSdk();
    disableAgents();
    disableLlm();
  };
  const flush = async () => {
    await (provider ? provider.forceFlush() : processor.forceFlush());
  };
  const client =
    processor.exporter?.client ??
    (config.apiKey ? new AgentOpsClient({ apiKey: config.apiKey, endpoint: config.endpoint }) : undefined);
  const rt: Runtime = {
    config,
    provider,
    registration,
    tracer,
    processor,
    client,
    captureContent: config.captureContent,
    logger,
    results: processor.results,
    announce: (span) => {
      const r = readable(span);
      if (r) processor.announceSession(r);
    },
    ...registryHooks,
    disableInstrumentations,
    flush,
    evaluateEnded: (sessionId, evaluation) => sendEvaluation(config, sessionId, evaluation, client),
    budgets: (subject) =>
      client
        ? client.getBudgets(subject)
        : Promise.reject(new Error('no API key: set AGENTOPS_API_KEY or call init({ apiKey })')),
    metrics: measuring.metrics,
    stopMetrics: measuring.shutdown,
    uninstallExitHandler: config.handleExit
      ? installExitHandler({
          endOpenSessions: (endState, reason) => {
            for (const session of sessionRegistry.all()) {
              // A joined session belongs to the process that started it: only our part ends here.
              void (session.inherited ? session.detach() : session.endSession(endState, reason));
            }
          },
          flush,
          flushSync: () => processor.flushSync(config.flushTimeoutMillis),
          flushTimeoutMillis: config.flushTimeoutMillis,
        })
      : undefined,
  };
  state.runtime = rt;
  return rt;
}

/**
 * Joins the session a caller's W3C headers carry, for one request or call (an MCP server's, a
 * remote A2A agent's, a `withSession` handler's): its events are added, not this process's default
 * tags (the caller's session keeps its own, whichever process reaches the server first).
 */
export function joinCallerSession(runtime: Runtime, headers: Record<string, string>): Session {
  return Session.start(runtime, { headers }, { ...runtime.config, tags: [] });
}

/** Ends what is open, flushes, and leaves the process as it was before `init()`. */
export async function stopRuntime(): Promise<void> {
  const rt = state.runtime;
  if (!rt) return;
  state.runtime = undefined;
  rt.uninstallExitHandler?.();
  rt.disableInstrumentations();
  rt.processor.forgetOpenSpans();
  // The sessions' own flushes and the provider's shutdown run together, each bounded by the flush
  // timeout: shutdown settles within about one flushTimeoutMillis, backend up or down.
  const ending = sessionRegistry
    .all()
    .map((s) => (s.inherited ? s.detach() : s.endSession('Indeterminate', 'SDK shut down before the session ended')));
  const stopping = (rt.provider ? rt.provider.shutdown() : rt.processor.forceFlush()).catch((err: unknown) => {
    rt.logger.warn(`shutdown: ${errorText(err)}`);
  });
  await Promise.all([...ending, stopping]);
  // After the sessions' ends: their metrics are in the last export.
  await rt.stopMetrics();
  if (rt.registration) unregisterGlobally(rt.registration);
}

/**
 * An evaluation of a session by id, through the API with the project's key (a session that has
 * ended, or one recorded elsewhere). True when the server took it; else false, said why.
 */
export async function sendEvaluation(
  config: Pick<ResolvedConfig, 'apiKey' | 'endpoint' | 'logger' | 'mask'>,
  sessionId: string,
  evaluation: EvaluationInput,
  client?: AgentOpsClient,
): Promise<boolean> {
  if (!config.apiKey) {
    config.logger.warn(`evaluate(): no API key, so the evaluation of session ${sessionId} was not sent.`);
    return false;
  }
  const masked = config.mask ? maskedEvaluation(config.mask, evaluation) : evaluation;
  if (!masked) {
    config.logger.warn(`evaluate(): the mask left nothing to send of an evaluation of session ${sessionId}.`);
    return false;
  }
  try {
    // An id of its own, so a request retried by a proxy is stored once.
    const sent = { id: crypto.randomUUID(), timestamp: new Date().toISOString(), ...masked };
    const api = client ?? new AgentOpsClient({ apiKey: config.apiKey, endpoint: config.endpoint });
    await api.addSessionEvaluations(sessionId, [sent]);
    return true;
  } catch (err) {
    config.logger.warn(`evaluate(): the evaluation of session ${sessionId} was not taken: ${errorText(err)}`);
    return false;
  }
}

/**
 * An evaluation as the mask leaves it, each text under the name its attribute has on an
 * evaluation's span (so a rule masks it alike during and after the session); undefined when its
 * name, or both its score and label, are gone.
 */
function maskedEvaluation(mask: Mask, e: EvaluationInput): EvaluationInput | undefined {
  const name = mask.value(S.ATTR_GEN_AI_EVALUATION_NAME, e.name);
  const label = e.label == null ? undefined : mask.value(S.ATTR_GEN_AI_EVALUATION_SCORE_LABEL, e.label);
  const explanation =
    e.explanation == null ? undefined : mask.value(S.ATTR_GEN_AI_EVALUATION_EXPLANATION, e.explanation);
  const { label: _l, explanation: _e, ...rest } = e;
  const out: EvaluationInput = { ...rest, name: name ?? '' };
  if (label !== undefined) out.label = label;
  if (explanation !== undefined) out.explanation = explanation;
  const scored = typeof out.score === 'number';
  return name && (scored || label) ? out : undefined;
}

/** A host for a session when the SDK could not start: its spans are OpenTelemetry no-ops. */
export function disabledHost(logger: Logger): SessionHost {
  return {
    tracer: new ProxyTracerProvider().getTracer('agentops', SDK_VERSION),
    captureContent: false,
    logger,
    results: undefined,
    announce: () => {},
    ...registryHooks,
    flush: () => Promise.resolve(),
    evaluateEnded: () => {
      logger.warn('evaluate(): the SDK did not start, so the evaluation was not sent.');
      return Promise.resolve(false);
    },
    budgets: () => Promise.reject(new Error('the SDK did not start: no budget can be read')),
  };
}

/** The context new work belongs in: the active one when it is inside a session, else the one open session. */
export function sessionContextForNewWork(): Context | undefined {
  return sessionOfNewWork()?.context;
}

/**
 * The session new work belongs to and the context it starts in: the active context's session (its
 * baggage, else its trace's), else the one open session. The same session the processor's stamping
 * finds for a span started in that context, so a caller that writes it on the span spares the lookup.
 */
export function sessionOfNewWork(): { context: Context; sessionId: string } | undefined {
  const active = context.active();
  const fromBaggage = sessionIdFromContext(active);
  if (fromBaggage) return { context: active, sessionId: fromBaggage };
  const traceId = trace.getSpanContext(active)?.traceId;
  const ofTrace = traceId ? sessionRegistry.byTraceId(traceId) : undefined;
  if (ofTrace) return { context: active, sessionId: ofTrace.id };
  const only = sessionRegistry.only();
  return only ? { context: only.context(), sessionId: only.id } : undefined;
}
