/**
 * The one span processor behind `AgentOpsSpanProcessor`, chosen by the configuration:
 * - an API key and the REST protocol: a `HandOffSpanProcessor` over an `AgentOpsSpanExporter`,
 *   which also announces sessions, knows their results and delivers at exit;
 * - an API key and `protocol: 'otlp'`: a `TallySpanProcessor` (the session's own figures) in front
 *   of a `BatchSpanProcessor` over the cloud exporter, which masks what it sends itself;
 * - no API key: a `TallySpanProcessor` alone; nothing leaves the process.
 */

import {
  AgentOpsSpanExporter,
  HandOffSpanProcessor,
  type Logger,
  type SessionAnnouncer,
  type SessionResults,
} from '@agentops/exporter';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { type ResolvedConfig, warnNoApiKey } from '../config.js';
import { optionalRequire } from '../optional-require.js';
import { AgentOpsCloudExporter } from './cloud-exporter.js';
import { TallySpanProcessor } from './TallySpanProcessor.js';

export interface SessionPipeline {
  /** Where finished spans go. */
  readonly processor: SpanProcessor & { flushSync?(timeoutMillis?: number): boolean };
  /**
   * Whether spans are masked before `processor` sees them. False where nothing leaves the process,
   * or where the pipeline masks what it sends itself (the cloud protocol adds attributes first).
   */
  readonly takesMasked: boolean;
  /** What is known of each session. */
  readonly results: SessionResults;
  /** Where a session is created while it runs; none where sessions are only sent whole. */
  readonly announcer: SessionAnnouncer | undefined;
  /** The exporter to AgentOps' REST API, when that is where spans go. */
  readonly exporter: AgentOpsSpanExporter | undefined;
}

/** The pipeline over an exporter the app made itself. */
export function pipelineOver(exporter: AgentOpsSpanExporter, config: ResolvedConfig, logger: Logger): SessionPipeline {
  return {
    processor: new HandOffSpanProcessor(exporter, { maxPending: config.maxQueueSize, logger }),
    takesMasked: true,
    results: exporter,
    announcer: exporter,
    exporter,
  };
}

export function sessionPipeline(config: ResolvedConfig, logger: Logger): SessionPipeline {
  const apiKey = config.apiKey;
  if (!apiKey) {
    warnNoApiKey(logger);
    return tallyPipeline(config, logger, undefined);
  }
  if (config.protocol === 'otlp') return tallyPipeline(config, logger, cloudProcessor(config, apiKey, logger));
  const exporter = new AgentOpsSpanExporter({
    apiKey,
    endpoint: config.endpoint,
    maxQueueSize: config.maxQueueSize,
    batchWaitMillis: config.maxWaitTime,
    flushTimeoutMillis: config.flushTimeoutMillis,
    exportAllSpans: config.exportAllSpans,
    spanFilter: config.spanFilter,
    logger,
    onSessionReady: (id, url) => {
      if (url) logger.info(`Session Replay for ${id}: ${url}`);
    },
  });
  return pipelineOver(exporter, config, logger);
}

function tallyPipeline(config: ResolvedConfig, logger: Logger, next: SpanProcessor | undefined): SessionPipeline {
  const processor = new TallySpanProcessor(logger, next, config.flushTimeoutMillis);
  return { processor, takesMasked: false, results: processor.results, announcer: undefined, exporter: undefined };
}

/** `protocol: 'otlp'`: spans to AgentOps' cloud as OTLP, with the attributes its backend reads. */
function cloudProcessor(config: ResolvedConfig, apiKey: string, logger: Logger): SpanProcessor | undefined {
  // Protobuf, as AgentOps' own clients send, when the app has the exporter for it; else JSON.
  const otlp =
    optionalRequire<typeof import('@opentelemetry/exporter-trace-otlp-proto')>(
      '@opentelemetry/exporter-trace-otlp-proto',
    ) ??
    optionalRequire<typeof import('@opentelemetry/exporter-trace-otlp-http')>(
      '@opentelemetry/exporter-trace-otlp-http',
    );
  if (!otlp) {
    logger.warn(
      "protocol 'otlp' needs @opentelemetry/exporter-trace-otlp-proto (or -http); install one, or use protocol 'v2'. Nothing is sent.",
    );
    return undefined;
  }
  const exporter = new AgentOpsCloudExporter({
    apiKey,
    mask: config.mask,
    endpoint: config.endpoint,
    exporterEndpoint: config.exporterEndpoint,
    logger,
    makeExporter: (url, headers) => new otlp.OTLPTraceExporter({ url, headers }),
  });
  return new BatchSpanProcessor({
    exporter,
    maxQueueSize: config.maxQueueSize,
    scheduledDelayMillis: config.maxWaitTime,
    exportTimeoutMillis: config.flushTimeoutMillis,
  });
}
