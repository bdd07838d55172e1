/**
 * The span processor made for `AgentOpsSpanExporter`: it hands each finished span to the exporter on
 * the next turn of the event loop instead of keeping it in a batch queue for seconds. The exporter
 * maps a small hand-over to compact JSON at once, so spans die young, which keeps the host app's
 * garbage-collection pauses short (a `BatchSpanProcessor` keeps up to its queue's worth of spans,
 * with all their attributes, alive until its timer fires). The exporter batches what it sends.
 *
 * Any `SpanExporter` works behind it; one that also offers `deliverSync` (`ExitDelivery`) is given
 * what is left at `flushSync()`, for `process.on('exit')`.
 */
import { type Context, TraceFlags } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ExitDelivery } from './AgentOpsSpanExporter.js';
import { MAP_SLICE } from './delivery/intake.js';
import { createConsoleLogger, type Logger } from './internal/logger.js';
import { nextTurn } from './internal/timers.js';
import { errorText } from './internal/values.js';

export interface HandOffSpanProcessorOptions {
  /** Most finished spans kept before they are handed over within the same turn. Default 512. */
  maxPending?: number;
  logger?: Logger;
}

/** Finished spans kept before a burst is handed over within the same turn. */
const HANDOVER_AT = 512;
/** Finished spans handed to the exporter per turn of the event loop. */
const DRAIN_SLICE = 64;

export class HandOffSpanProcessor implements SpanProcessor {
  /** Spans per `export()` call: the most the `AgentOpsSpanExporter` maps before `export()` returns. */
  static readonly SLICE = MAP_SLICE;

  readonly #exporter: SpanExporter & Partial<ExitDelivery>;
  readonly #logger: Logger;
  readonly #handOverAt: number;
  /** Finished spans not yet handed to the exporter (at most a turn's worth, or a burst's bound). */
  readonly #ended: ReadableSpan[] = [];
  #drainScheduled = false;
  #shutdown = false;
  #flushing: Promise<void> = Promise.resolve();

  constructor(exporter: SpanExporter & Partial<ExitDelivery>, options: HandOffSpanProcessorOptions = {}) {
    this.#exporter = exporter;
    this.#logger = options.logger ?? createConsoleLogger();
    this.#handOverAt = Math.max(1, Math.min(HANDOVER_AT, options.maxPending ?? HANDOVER_AT));
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#shutdown || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.#ended.push(span);
    // A long synchronous burst hands spans over as it goes: what waits stays small.
    if (this.#ended.length >= this.#handOverAt) this.#handOver(this.#ended.length);
    else this.#scheduleDrain();
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    nextTurn(this.#drain);
  }

  /**
   * Hands a slice of what has ended to the exporter, and the rest on the next turns: between two
   * slices the app's own timers and I/O run, so no turn of its event loop waits long on us.
   */
  readonly #drain = (): void => {
    this.#drainScheduled = false;
    this.#handOver(DRAIN_SLICE);
    if (this.#ended.length > 0) this.#scheduleDrain();
  };

  /** Hands the first `count` finished spans to the exporter, `SLICE` per `export()` call. */
  #handOver(count: number): void {
    if (this.#ended.length === 0) return;
    const spans = this.#ended.splice(0, count);
    for (let i = 0; i < spans.length; i += HandOffSpanProcessor.SLICE) {
      this.#exporter.export(spans.slice(i, i + HandOffSpanProcessor.SLICE), this.#onExported);
    }
  }

  readonly #onExported = (result: ExportResult): void => {
    if (result.code !== ExportResultCode.SUCCESS && !this.#shutdown) {
      this.#logger.warn(`spans were not exported: ${String(result.error ?? 'unknown error')}`);
    }
  };

  /**
   * Hands every finished span over and waits for the exporter's flush. Flushes run one after
   * another: one that started while another was exporting would otherwise return before the spans
   * the first took were delivered.
   */
  forceFlush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      try {
        this.#handOver(this.#ended.length);
        await this.#exporter.forceFlush?.();
      } catch (err) {
        this.#logger.warn(`flush failed: ${errorText(err)}`);
      }
    });
    return this.#flushing;
  }

  /**
   * Hands every finished span over and has the exporter deliver what it holds while blocking (up to
   * `timeoutMillis`): for `process.on('exit')`. False when something may not have been delivered.
   */
  flushSync(timeoutMillis?: number): boolean {
    if (this.#shutdown) return true;
    try {
      this.#handOver(this.#ended.length);
      return this.#exporter.deliverSync?.(timeoutMillis) ?? false;
    } catch (err) {
      this.#logger.warn(`delivery at exit failed: ${errorText(err)}`);
      return false;
    }
  }

  async shutdown(): Promise<void> {
    if (this.#shutdown) return;
    this.#handOver(this.#ended.length);
    this.#shutdown = true;
    try {
      await this.#exporter.shutdown();
    } catch (err) {
      this.#logger.warn(`shutdown failed: ${errorText(err)}`);
    }
  }
}
