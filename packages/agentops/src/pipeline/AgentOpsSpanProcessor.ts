/**
 * The `SpanProcessor` that makes any OpenTelemetry setup an AgentOps one: put it in your
 * `NodeTracerProvider` or `NodeSDK`. On start it stamps each span with the session it belongs to
 * (from the span's own attributes, the context's baggage, the trace, or the one open session) and the
 * enclosing agent, and announces a session's root span so the session exists while it runs. Finished
 * spans pass the mask and go to one inner span processor (session-pipeline.ts): a
 * `HandOffSpanProcessor` over the `AgentOpsSpanExporter` by default.
 */

import {
  type AgentOpsSpanExporter,
  type ExporterStats,
  GenAiMetrics,
  type Logger,
  type LogLevel,
  type Mask,
  type MaskOption,
  semconv as S,
  type SessionResults,
  type SpanFilter,
} from '@agentops/exporter';
import { errorText, withDiag } from '@agentops/exporter/internal';
import { type Context, type MeterProvider, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { resolveConfig } from '../config.js';
import { safeOptions } from '../events/safe-options.js';
import { processWide } from '../process-wide.js';
import { sessionRegistry } from '../session/registry.js';
import { SDK_VERSION } from '../version.js';
import { ModelCallTracker } from './model-calls.js';
import { pipelineOver, type SessionPipeline, sessionPipeline } from './session-pipeline.js';
import { type SessionDirectory, stamp } from './stamping.js';

/** Processors users built themselves, not yet shut down; `init()` finds them in a provider the app registered. */
export const liveProcessors = processWide('processors', () => new Set<AgentOpsSpanProcessor>());

export interface AgentOpsSpanProcessorOptions {
  apiKey?: string;
  endpoint?: string;
  maxQueueSize?: number;
  maxWaitTime?: number;
  exportAllSpans?: boolean;
  spanFilter?: SpanFilter;
  logLevel?: LogLevel;
  flushTimeoutMillis?: number;
  /** Masks content before anything is exported (see `InitOptions.mask`). */
  mask?: MaskOption;
  /** Send through this exporter instead of one made from the options above. */
  exporter?: AgentOpsSpanExporter;
  /** Measure the GenAI and MCP metrics of the spans that end here on this provider (see `InitOptions.metrics`). */
  meterProvider?: MeterProvider;
  /** @internal The pipeline `init()` built from its configuration, with that configuration's mask and logger. */
  pipeline?: { inner: SessionPipeline; mask: Mask | undefined; logger: Logger; metrics?: GenAiMetrics };
  /** @internal Where stamping finds open sessions; default: the SDK's sessions (`startSession()`'s). */
  directory?: SessionDirectory;
}

export class AgentOpsSpanProcessor implements SpanProcessor {
  /** Undefined when spans are not sent to AgentOps' REST API (no API key, or the OTLP protocol). */
  readonly exporter: AgentOpsSpanExporter | undefined;
  /** What is known of each session: the exporter's, or, when nothing is sent, a local tally's. */
  readonly results: SessionResults;
  readonly #inner: SessionPipeline;
  readonly #logger: Logger;
  readonly #directory: SessionDirectory;
  readonly #modelCalls = new ModelCallTracker();
  #metrics: GenAiMetrics | undefined;
  #shutdown = false;
  /**
   * @internal The one mask every value of this pipeline passes on its way out: session announces
   * and updates, events, the cloud protocol, and (through the runtime) the OTLP export and
   * evaluations sent after a session ended.
   */
  readonly mask: Mask | undefined;

  constructor(options: AgentOpsSpanProcessorOptions = {}) {
    const o = safeOptions<AgentOpsSpanProcessorOptions>(options);
    if (o.pipeline) {
      this.#inner = o.pipeline.inner;
      this.mask = o.pipeline.mask;
      this.#logger = o.pipeline.logger;
    } else {
      const config = resolveConfig(o);
      this.mask = config.mask;
      this.#logger = withDiag(config.logger);
      this.#inner = isExporter(o.exporter)
        ? pipelineOver(o.exporter, config, this.#logger)
        : sessionPipeline(config, this.#logger);
    }
    this.#directory = o.directory ?? sessionRegistry;
    this.#metrics =
      o.pipeline?.metrics ??
      (o.meterProvider ? new GenAiMetrics(o.meterProvider, { version: SDK_VERSION }) : undefined);
    this.exporter = this.#inner.exporter;
    this.results = this.#inner.results;
    liveProcessors.add(this);
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      stamp(span, parentContext, this.#directory);
      this.#modelCalls.spanStarted(span);
      if (span.name === S.SESSION_SPAN_NAME) this.announceSession(span);
    } catch (err) {
      this.#logger.debug(`onStart failed: ${errorText(err)}`);
    }
  }

  onEnd(finished: ReadableSpan): void {
    // A client's span of a model call a framework records already comes back marked (model-calls.ts).
    const ended = this.#modelCalls.spanEnded(finished);
    if (this.#shutdown || (ended.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.#metrics?.record(ended);
    const span = this.mask && this.#inner.takesMasked ? this.mask.span(ended) : ended;
    if (span) this.#inner.processor.onEnd(span);
  }

  /** Sends a session's current state (tags, ...), masked, to the server without waiting for its end. */
  announceSession(span: ReadableSpan): void {
    const announcer = this.#inner.announcer;
    if (!announcer) return;
    // Masked when announced: the resource's detected attributes are masked with the rest.
    const announce = () => {
      const masked = this.mask ? this.mask.span(span) : span;
      if (masked) announcer.announceSession(masked);
    };
    const resource = span.resource;
    if (resource.asyncAttributesPending && resource.waitForAsyncAttributes) {
      resource.waitForAsyncAttributes().then(announce, announce);
    } else {
      announce();
    }
  }

  /** Exports every finished span and waits until AgentOps has them (bounded by the flush timeout). */
  forceFlush(): Promise<void> {
    return this.#inner.processor.forceFlush();
  }

  /**
   * Delivers what is undelivered while blocking (up to `timeoutMillis`): for `process.on('exit')`,
   * after an app's own `process.exit()` left no time for the usual flush.
   */
  flushSync(timeoutMillis?: number): void {
    if (this.#shutdown) return;
    this.#inner.processor.flushSync?.(timeoutMillis);
  }

  /** @internal The metrics `init()` measures with, when this processor is the app's own (built before `init()`). */
  useMetrics(metrics: GenAiMetrics | undefined): void {
    if (metrics) this.#metrics = metrics;
  }

  /** @internal Forgets the framework spans still open (the SDK shut down; this processor may stay in the app's provider). */
  forgetOpenSpans(): void {
    this.#modelCalls.clear();
  }

  async shutdown(): Promise<void> {
    if (this.#shutdown) return;
    this.#shutdown = true;
    liveProcessors.delete(this);
    this.#modelCalls.clear();
    await this.#inner.processor.shutdown();
  }

  stats(): ExporterStats | undefined {
    return this.exporter?.stats();
  }
}

/**
 * An AgentOpsSpanExporter, of this build or the other one (ESM and CJS builds of the exporter are
 * two classes, so `instanceof` would refuse the app's own exporter).
 */
function isExporter(value: unknown): value is AgentOpsSpanExporter {
  try {
    const e = value as Partial<AgentOpsSpanExporter> | undefined;
    return (
      typeof e?.export === 'function' && typeof e.forceFlush === 'function' && typeof e.announceSession === 'function'
    );
  } catch {
    return false;
  }
}
