/**
 * The `SpanProcessor` that makes any OpenTelemetry setup an AgentOps one: put it in your
 * `NodeTracerProvider` or `NodeSDK`. On start it stamps each span with the session it belongs to
 * (from the context's baggage, the trace, or the one open session) and the enclosing agent. Finished
 * spans are handed to the `AgentOpsSpanExporter` on the next turn of the event loop, where each
 * becomes a compact JSON event: spans die young instead of waiting in a batch
 * queue, which is what keeps garbage-collection pauses in the host app short. The exporter batches
 * what it sends (`maxWaitTime`).
 */

import {
  AgentOpsSpanExporter,
  type ExporterStats,
  type Logger,
  type LogLevel,
  type Mask,
  type MaskOption,
  semconv as S,
  type SessionResults,
  SessionTally,
  type SpanFilter,
} from '@agentops/exporter';
import { errorText, MAP_SLICE, withDiag } from '@agentops/exporter/internal';
import { type Context, TraceFlags } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { type ResolvedConfig, resolveConfig, warnNoApiKey } from '../config.js';
import { safeOptions } from '../events/safe-options.js';
import { optionalRequire } from '../optional-require.js';
import { processWide } from '../process-wide.js';
import { AgentOpsCloudExporter } from './cloud-exporter.js';
import { spanEndedIsDuplicate } from './model-calls.js';
import { stamp } from './stamping.js';

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
  /** @internal */
  logger?: Logger;
  /** @internal The SDK's configuration, already resolved by `init()`: the options above are then ignored. */
  resolved?: ResolvedConfig;
}

/** Finished spans kept before they are handed over within the same turn (a burst's bound). */
const HANDOVER_AT = 512;
/** Finished spans handed to the exporter per turn of the event loop. */
const DRAIN_SLICE = 64;
/** Finished spans per `export()` call: the exporter's slice, which it maps at once. */
const EXPORT_SLICE = MAP_SLICE;

export class AgentOpsSpanProcessor implements SpanProcessor {
  /** Undefined when there is no API key: spans are still stamped, nothing is sent to AgentOps. */
  readonly exporter: AgentOpsSpanExporter | undefined;
  /** What is known of each session: the exporter's, or, when nothing is sent, a local tally's. */
  readonly results: SessionResults;
  readonly #tally: SessionTally | undefined;
  /** With `protocol: 'otlp'`: the spans' way to AgentOps' cloud. */
  readonly #cloud: BatchSpanProcessor | undefined;
  readonly #flushTimeoutMillis: number;
  readonly #logger: Logger;
  #shutdown = false;
  #flushing: Promise<void> = Promise.resolve();
  readonly #maxQueueSize: number;
  /**
   * @internal The one mask every value of this pipeline passes on its way out: session announces
   * and updates, events, the cloud protocol, and (through the runtime) the OTLP export and
   * evaluations sent after a session ended.
   */
  readonly mask: Mask | undefined;
  /** Finished spans not yet handed to the exporter (at most a tick's worth). */
  readonly #ended: ReadableSpan[] = [];
  #drainScheduled = false;

  constructor(options: AgentOpsSpanProcessorOptions = {}) {
    const o = safeOptions<AgentOpsSpanProcessorOptions>(options);
    const config = o.resolved ?? resolveConfig(o);
    this.#logger = withDiag(o.logger ?? config.logger);
    this.exporter = isExporter(o.exporter) ? o.exporter : this.#exporterFrom(config);
    this.#cloud =
      !this.exporter && config.apiKey && config.protocol === 'otlp'
        ? this.#cloudFrom(config, config.apiKey)
        : undefined;
    this.#tally = this.exporter ? undefined : new SessionTally(this.#logger);
    this.results = this.exporter ?? (this.#tally as SessionTally);
    this.#maxQueueSize = config.maxQueueSize;
    this.#flushTimeoutMillis = config.flushTimeoutMillis;
    this.mask = config.mask;
    liveProcessors.add(this);
  }

  #cloudFrom(config: ResolvedConfig, apiKey: string): BatchSpanProcessor | undefined {
    // Protobuf, as AgentOps' own clients send, when the app has the exporter for it; else JSON.
    const otlp =
      optionalRequire<typeof import('@opentelemetry/exporter-trace-otlp-proto')>(
        '@opentelemetry/exporter-trace-otlp-proto',
      ) ??
      optionalRequire<typeof import('@opentelemetry/exporter-trace-otlp-http')>(
        '@opentelemetry/exporter-trace-otlp-http',
      );
    if (!otlp) {
      this.#logger.warn(
        "protocol 'otlp' needs @opentelemetry/exporter-trace-otlp-proto (or -http); install one, or use protocol 'v2'. Nothing is sent.",
      );
      return undefined;
    }
    const exporter = new AgentOpsCloudExporter({
      apiKey,
      mask: config.mask,
      endpoint: config.endpoint,
      exporterEndpoint: config.exporterEndpoint,
      logger: this.#logger,
      makeExporter: (url, headers) => new otlp.OTLPTraceExporter({ url, headers }),
    });
    return new BatchSpanProcessor({
      exporter,
      maxQueueSize: config.maxQueueSize,
      scheduledDelayMillis: config.maxWaitTime,
      exportTimeoutMillis: config.flushTimeoutMillis,
    });
  }

  #exporterFrom(config: ResolvedConfig): AgentOpsSpanExporter | undefined {
    if (!config.apiKey) {
      warnNoApiKey(this.#logger);
      return undefined;
    }
    // Sent as OTLP (#cloud): the session's figures come from the local tally.
    if (config.protocol === 'otlp') return undefined;
    return new AgentOpsSpanExporter({
      apiKey: config.apiKey,
      endpoint: config.endpoint,
      maxQueueSize: config.maxQueueSize,
      batchWaitMillis: config.maxWaitTime,
      flushTimeoutMillis: config.flushTimeoutMillis,
      exportAllSpans: config.exportAllSpans,
      spanFilter: config.spanFilter,
      logger: this.#logger,
      onSessionReady: (id, url) => {
        if (url) this.#logger.info(`Session Replay for ${id}: ${url}`);
      },
    });
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      stamp(span, parentContext);
      if (span.name === S.SESSION_SPAN_NAME) this.announceSession(span);
    } catch (err) {
      this.#logger.debug(`onStart failed: ${errorText(err)}`);
    }
  }

  onEnd(ended: ReadableSpan): void {
    // A client's span of a model call a framework's integration records already (see model-calls.ts).
    if (spanEndedIsDuplicate(ended)) return;
    if (this.#shutdown || (ended.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    // The cloud protocol masks what it sends itself: the attributes it adds are masked with the rest.
    this.#cloud?.onEnd(ended);
    const exporter = this.exporter;
    if (!exporter) {
      // Counted here, for the session's own figures: nothing of it leaves the process.
      this.#tally?.take(ended);
      return;
    }
    const span = this.mask ? this.mask.span(ended) : ended;
    if (!span) return;
    // A session's own span is never dropped: it carries the end state, not an event.
    if (this.#ended.length >= this.#maxQueueSize && span.name !== S.SESSION_SPAN_NAME) {
      exporter.pipeline.recordDropped(1);
      return;
    }
    this.#ended.push(span);
    // A long synchronous burst hands spans over as it goes: what waits stays small.
    if (this.#ended.length >= HANDOVER_AT) {
      this.#drainAll();
      return;
    }
    this.#scheduleDrain();
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    setImmediate(this.#drain);
  }

  /**
   * Hands a slice of what has ended to the exporter, and the rest on the next turns: between two
   * slices the app's own timers and I/O run, so no turn of its event loop waits long on us. A burst
   * never outruns this: past HANDOVER_AT spans are handed over at once (onEnd).
   */
  readonly #drain = (): void => {
    this.#drainScheduled = false;
    this.#handOver(DRAIN_SLICE);
    if (this.#ended.length > 0) this.#scheduleDrain();
  };

  /** Hands every finished span to the exporter now. */
  #drainAll(): void {
    this.#handOver(this.#ended.length);
  }

  /** Hands the first `count` finished spans to the exporter, a few per `export()` call. */
  #handOver(count: number): void {
    const exporter = this.exporter;
    if (!exporter || this.#ended.length === 0) return;
    const spans = this.#ended.splice(0, count);
    for (let i = 0; i < spans.length; i += EXPORT_SLICE) {
      exporter.export(spans.slice(i, i + EXPORT_SLICE), this.#onExported);
    }
  }

  readonly #onExported = (result: ExportResult): void => {
    if (result.code !== ExportResultCode.SUCCESS && !this.#shutdown) {
      this.#logger.warn(`spans were not exported: ${String(result.error ?? 'unknown error')}`);
    }
  };

  /** Sends a session's current state (tags, ...), masked, to the server without waiting for its end. */
  announceSession(span: ReadableSpan): void {
    const pipeline = this.exporter?.pipeline;
    if (!pipeline) return;
    // Masked when announced: the resource's detected attributes are masked with the rest.
    const announce = () => {
      const masked = this.mask ? this.mask.span(span) : span;
      if (masked) pipeline.announceSession(masked);
    };
    const resource = span.resource;
    if (resource.asyncAttributesPending && resource.waitForAsyncAttributes) {
      resource.waitForAsyncAttributes().then(announce, announce);
    } else {
      announce();
    }
  }

  /**
   * Exports every finished span and waits until the AgentOps API has them (bounded). Flushes run one
   * after another: a flush that started while another was exporting would otherwise find the batch
   * queue already emptied by the first and return before those spans were delivered.
   */
  forceFlush(): Promise<void> {
    const exporter = this.exporter;
    if (!exporter) return this.#cloud ? this.#bounded(this.#cloud.forceFlush(), 'flush') : Promise.resolve();
    this.#flushing = this.#flushing.then(async () => {
      try {
        this.#drainAll();
        await exporter.forceFlush();
      } catch (err) {
        this.#logger.warn(`flush failed: ${errorText(err)}`);
      }
    });
    return this.#flushing;
  }

  /**
   * Delivers what is undelivered while blocking (up to `timeoutMillis`): for `process.on('exit')`,
   * after an app's own `process.exit()` left no time for the usual flush.
   */
  flushSync(timeoutMillis?: number): void {
    if (this.#shutdown || !this.exporter) return;
    try {
      this.#drainAll();
      this.exporter.pipeline.deliverSync(timeoutMillis);
    } catch (err) {
      this.#logger.warn(`delivery at exit failed: ${errorText(err)}`);
    }
  }

  async shutdown(): Promise<void> {
    if (this.#shutdown) return;
    this.#shutdown = true;
    liveProcessors.delete(this);
    try {
      this.#drainAll();
      await this.exporter?.shutdown();
      if (this.#cloud) await this.#bounded(this.#cloud.shutdown(), 'shutdown');
    } catch (err) {
      this.#logger.warn(`shutdown failed: ${errorText(err)}`);
    }
  }

  /** Waits for `work` at most flushTimeoutMillis; a failure or the timeout is said, never thrown. */
  async #bounded(work: Promise<void>, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#flushTimeoutMillis);
      timer.unref();
    });
    try {
      if ((await Promise.race([work, timeout])) === 'timeout')
        this.#logger.warn(`${what} gave up after ${this.#flushTimeoutMillis} ms: spans may not have reached AgentOps.`);
    } catch (err) {
      this.#logger.warn(`${what} failed: ${errorText(err)}`);
    } finally {
      clearTimeout(timer);
    }
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
    return typeof e?.export === 'function' && typeof e.forceFlush === 'function' && typeof e.pipeline === 'object';
  } catch {
    return false;
  }
}
