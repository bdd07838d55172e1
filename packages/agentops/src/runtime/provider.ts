/**
 * Which tracer provider the SDK records into. If the app already registered a global provider that
 * has an `AgentOpsSpanProcessor`, the SDK records into it. If there is no global provider, it
 * registers its own (with the host resource, the AgentOps processor and OTLP if asked). If the app
 * has a global provider without our processor, the SDK keeps its own provider private and says once
 * how to add the processor.
 */
import type { Logger } from '@agentops/exporter';
import { withDiag } from '@agentops/exporter/internal';
import { ProxyTracerProvider, type Tracer, trace } from '@opentelemetry/api';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ResolvedConfig } from '../config.js';
import { optionalRequire } from '../optional-require.js';
import { type Registration, registerGlobally } from '../otel-setup.js';
import { AgentOpsSpanProcessor, liveProcessors } from '../pipeline/AgentOpsSpanProcessor.js';
import { MaskedSpanProcessor } from '../pipeline/MaskedSpanProcessor.js';
import { sessionPipeline } from '../pipeline/session-pipeline.js';
import { detectHostResource } from '../resource/detect.js';
import { sessionRegistry } from '../session/registry.js';
import { SDK_VERSION } from '../version.js';

export interface ProviderChoice {
  tracer: Tracer;
  processor: AgentOpsSpanProcessor;
  /** Our own provider, when we made one. */
  provider: TracerProvider | undefined;
  /** What the SDK registered globally, when it did. */
  registration: Registration | undefined;
}

/**
 * True when some provider other than the no-op one is registered globally. Asked without starting
 * a span (which the app's processors would see start): the global proxy's delegate is the API's
 * no-op provider, which a fresh proxy also delegates to, until a provider is registered.
 */
function hasGlobalProvider(): boolean {
  const global = trace.getTracerProvider();
  if (!(global instanceof ProxyTracerProvider)) return true;
  return global.getDelegate() !== new ProxyTracerProvider().getDelegate();
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

export function chooseProvider(config: ResolvedConfig): ProviderChoice {
  const logger = config.logger;
  const globalProvider = hasGlobalProvider();
  // The processor the app built first (and has not shut down) is the one in its provider.
  const existing = globalProvider ? liveProcessors.values().next().value : undefined;
  if (existing) {
    logger.debug('recording into the global tracer provider, which has an AgentOpsSpanProcessor');
    return {
      tracer: trace.getTracer('agentops', SDK_VERSION),
      processor: existing,
      provider: undefined,
      registration: undefined,
    };
  }
  const pipelineLogger = withDiag(logger);
  const processor = new AgentOpsSpanProcessor({
    pipeline: { inner: sessionPipeline(config, pipelineLogger), mask: config.mask, logger: pipelineLogger },
    directory: sessionRegistry,
  });
  const spanProcessors: SpanProcessor[] = [processor];
  const otlp = otlpExporter(config, logger);
  if (otlp) {
    const batch = new BatchSpanProcessor({ exporter: otlp, scheduledDelayMillis: config.maxWaitTime });
    // The same mask as the AgentOps pipeline's: one boundary, whichever way a span leaves.
    spanProcessors.push(processor.mask ? new MaskedSpanProcessor(batch, processor.mask) : batch);
  }
  const provider = new TracerProvider({ resource: detectHostResource(config.envDataOptOut), spanProcessors });
  let registration: Registration | undefined;
  if (globalProvider) {
    logger.warn(
      'this app already registered an OpenTelemetry tracer provider; AgentOps records into a private one. ' +
        'To see your other spans in AgentOps sessions, add `new AgentOpsSpanProcessor()` to your provider before init().',
    );
  } else {
    registration = registerGlobally(provider, logger);
  }
  return { tracer: provider.getTracer('agentops', SDK_VERSION), processor, provider, registration };
}
