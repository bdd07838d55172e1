/**
 * The SDK's process-wide state: which tracer provider it records into, its processors, and the exit
 * handler. Made by `init()`, torn down by `shutdown()`.
 *
 * Provider choice: if the app already registered a global provider that has an
 * `AgentOpsSpanProcessor`, the SDK records into it. If there is no global provider, it registers its
 * own (with the host resource, the AgentOps processor and OTLP if asked). If the app has a global
 * provider without our processor, it keeps its own provider private and says once how to add it.
 */

import type { Logger } from '@agentops/exporter';
import { type Context, context, isSpanContextValid, ProxyTracerProvider, type Tracer, trace } from '@opentelemetry/api';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { AgentOpsSpanProcessor } from './AgentOpsSpanProcessor.js';
import { type InitOptions, type ResolvedConfig, resolveConfig } from './config.js';
import { sessionIdFromContext } from './context-keys.js';
import { installExitHandler } from './exit-handler.js';
import { enableLlmInstrumentations } from './instrumentation/llm-instrumentations.js';
import { optionalRequire } from './optional-require.js';
import { type Registration, registerGlobally, unregisterGlobally } from './otel-setup.js';
import { detectHostResource } from './resource/detect.js';
import type { SessionHost } from './Session.js';
import { sessionRegistry } from './session-registry.js';
import { shared } from './shared-state.js';
import { SDK_VERSION } from './version.js';

export interface Runtime extends SessionHost {
  readonly config: ResolvedConfig;
  /** Our own provider, when we made one. */
  readonly provider: TracerProvider | undefined;
  /** What the SDK registered globally, when it did. */
  readonly registration: Registration | undefined;
  readonly uninstallExitHandler: (() => void) | undefined;
  readonly disableInstrumentations: () => void;
}

export function currentRuntime(): Runtime | undefined {
  return shared.runtime;
}

/** True when some provider other than the no-op one is registered globally. */
function hasGlobalProvider(): boolean {
  // A no-op tracer gives invalid span contexts; a real one valid ones (recorded or not). The probe
  // span is never ended, so no exporter sees it.
  const probe = trace.getTracer('agentops-probe').startSpan('agentops.probe', { root: true });
  return isSpanContextValid(probe.spanContext());
}

function otlpExporter(config: ResolvedConfig, logger: Logger): SpanExporter | undefined {
  if (!config.otlp) return undefined;
  const mod = optionalRequire<typeof import('@opentelemetry/exporter-trace-otlp-http')>(
    '@opentelemetry/exporter-trace-otlp-http',
  );
  if (!mod) {
    logger.warn('otlp export needs @opentelemetry/exporter-trace-otlp-http; install it to enable OTLP.');
    return undefined;
  }
  return new mod.OTLPTraceExporter({ url: config.otlp.url, headers: config.otlp.headers });
}

export function startRuntime(options: InitOptions | undefined): Runtime {
  if (shared.runtime) return shared.runtime;
  const config = resolveConfig(options);
  const logger = config.logger;

  const globalProvider = hasGlobalProvider();
  // The processor the app built first (and has not shut down) is the one in its provider.
  const existing = globalProvider ? shared.processors.values().next().value : undefined;
  let provider: TracerProvider | undefined;
  let processor: AgentOpsSpanProcessor | undefined;
  let tracer: Tracer;
  let registration: Registration | undefined;
  if (existing) {
    processor = existing;
    tracer = trace.getTracer('agentops', SDK_VERSION);
    logger.debug('recording into the global tracer provider, which has an AgentOpsSpanProcessor');
  } else {
    processor = config.apiKey
      ? new AgentOpsSpanProcessor({
          apiKey: config.apiKey,
          endpoint: config.endpoint,
          maxQueueSize: config.maxQueueSize,
          maxWaitTime: config.maxWaitTime,
          exportAllSpans: config.exportAllSpans,
          spanFilter: config.spanFilter,
          flushTimeoutMillis: config.flushTimeoutMillis,
          logger,
        })
      : undefined;
    if (!config.apiKey) {
      logger.warn('no API key (set AGENTOPS_API_KEY or pass apiKey): sessions are recorded but not sent to AgentOps.');
    }
    const spanProcessors: SpanProcessor[] = processor ? [processor] : [];
    const otlp = otlpExporter(config, logger);
    if (otlp) spanProcessors.push(new BatchSpanProcessor({ exporter: otlp, scheduledDelayMillis: config.maxWaitTime }));
    provider = new TracerProvider({ resource: detectHostResource(config.envDataOptOut), spanProcessors });
    if (globalProvider) {
      logger.warn(
        'this app already registered an OpenTelemetry tracer provider; AgentOps records into a private one. ' +
          'To see your other spans in AgentOps sessions, add `new AgentOpsSpanProcessor()` to your provider before init().',
      );
    } else {
      registration = registerGlobally(provider);
    }
    tracer = provider.getTracer('agentops', SDK_VERSION);
  }

  const ownProvider = provider;
  const disableInstrumentations = config.instrumentLlmCalls
    ? enableLlmInstrumentations({
        tracerProvider: ownProvider ?? trace.getTracerProvider(),
        captureContent: config.captureContent,
        logger,
      })
    : () => {};
  const rt: Runtime = {
    config,
    provider: ownProvider,
    registration,
    tracer,
    processor,
    captureContent: config.captureContent,
    logger,
    disableInstrumentations,
    flush: async () => {
      await (ownProvider ? ownProvider.forceFlush() : processor?.forceFlush());
    },
    uninstallExitHandler: config.handleExit
      ? installExitHandler({
          endOpenSessions: (endState, reason) => {
            for (const session of sessionRegistry.all()) {
              // A joined session belongs to the process that started it: only our part ends here.
              void (session.inherited ? session.detach() : session.endSession(endState, reason));
            }
          },
          flush: () => rt.flush(),
          flushSync: () => processor?.flushSync(config.flushTimeoutMillis),
          flushTimeoutMillis: config.flushTimeoutMillis,
        })
      : undefined,
  };
  shared.runtime = rt;
  return rt;
}

/** Ends what is open, flushes, and leaves the process as it was before `init()`. */
export async function stopRuntime(): Promise<void> {
  const rt = shared.runtime;
  if (!rt) return;
  shared.runtime = undefined;
  rt.uninstallExitHandler?.();
  rt.disableInstrumentations();
  await Promise.all(
    sessionRegistry
      .all()
      .map((s) => (s.inherited ? s.detach() : s.endSession('Indeterminate', 'SDK shut down before the session ended'))),
  );
  try {
    if (rt.provider) await rt.provider.shutdown();
    else await rt.processor?.forceFlush();
  } catch (err) {
    rt.logger.warn(`shutdown: ${String(err)}`);
  }
  if (rt.registration) unregisterGlobally(rt.registration);
}

/** A host for a session when the SDK could not start: its spans are OpenTelemetry no-ops. */
export function disabledHost(logger: Logger): SessionHost {
  return {
    tracer: new ProxyTracerProvider().getTracer('agentops', SDK_VERSION),
    processor: undefined,
    captureContent: false,
    logger,
    flush: () => Promise.resolve(),
  };
}

/** The context new work belongs in: the active one when it is inside a session, else the one open session. */
export function sessionContextForNewWork(): Context | undefined {
  const active = context.active();
  if (sessionIdFromContext(active)) return active;
  const traceId = trace.getSpanContext(active)?.traceId;
  if (traceId && sessionRegistry.byTraceId(traceId)) return active;
  return sessionRegistry.only()?.context();
}
