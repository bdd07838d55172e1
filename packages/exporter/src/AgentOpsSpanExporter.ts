/**
 * `SpanExporter` that turns finished spans into AgentOps sessions and events.
 *
 * `export()` maps spans into per-session outboxes and answers at once (delivery/intake.ts); a
 * background sender then delivers each session in order (delivery/sender.ts), retrying failed calls
 * with jittered backoff until they succeed or the exporter shuts down, so a backend that is down for
 * a while loses nothing. The outboxes are bounded by `maxQueueSize` events; what does not fit is
 * counted and reported. Beside the `SpanExporter` surface it answers what it knows of each session
 * (`SessionResults`), creates a session on the server while it runs (`SessionAnnouncer`), and can
 * deliver what is left while the process exits (`ExitDelivery`). `HandOffSpanProcessor` is the
 * processor made for it; a `BatchSpanProcessor` works as well.
 */
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { AgentOpsClient } from './client/agentops-client.js';
import { type BackoffOptions, DEFAULT_BACKOFF } from './client/backoff.js';
import { handOver } from './delivery/exit-handover.js';
import { Intake } from './delivery/intake.js';
import { type ExporterStats, OutboxStore } from './delivery/outbox-store.js';
import { flushGaveUp, Sender } from './delivery/sender.js';
import type { SessionTotals } from './delivery/totals.js';
import { guarded } from './internal/guard.js';
import { createConsoleLogger, type Logger, withDiag } from './internal/logger.js';
import { unrefTimer } from './internal/timers.js';
import { errorText } from './internal/values.js';
import { defaultSpanFilter, exportAllSpansFilter, type SpanFilter } from './mapping/span-filter.js';
import type { SpanLike } from './mapping/span-like.js';
import type { UpdateSessionResponse } from './wire.js';

/** Longest wait of a flush while delivery is failing and an earlier flush already gave up. */
export const OUTAGE_FLUSH_MILLIS = 250;

export interface AgentOpsSpanExporterOptions {
  apiKey: string;
  /** Base URL of the AgentOps API. Default `https://api.agentops.ai`. */
  endpoint?: string;
  /** Most events waiting to be sent, over all sessions; more are dropped and counted. Default 10,000. */
  maxQueueSize?: number;
  /** Most events in one create_events call (and at most 2 MB of JSON). Default 200: larger bodies ingest faster but block the app's event loop longer while they are written. */
  maxBatchSize?: number;
  /**
   * How long events wait for a full batch before a smaller one is sent. Default 0: send at once
   * (a `BatchSpanProcessor` in front has already batched them). Flushes never wait.
   */
  batchWaitMillis?: number;
  /** Most API calls in flight at once; a session's event batches go in parallel. Default 4. */
  maxConcurrentRequests?: number;
  /** How long `forceFlush()` and `shutdown()` wait for delivery. Default 10 s. */
  flushTimeoutMillis?: number;
  /** Timeout of one HTTP request. Default 10 s. */
  requestTimeoutMillis?: number;
  /** Which spans to send (default: agent work only). A filter that throws counts as the default one. */
  spanFilter?: SpanFilter;
  /** Send every span of a session; spans that are not agent work go as actions. */
  exportAllSpans?: boolean;
  /**
   * Which session a span belongs to. `'attribute'` (the default): the `agentops.session.id` the
   * `agentops` SDK stamps on it; spans without one are not sent. `'trace'`: each trace is a session
   * (its id is the trace id, the span's own `agentops.session.id` when it has one), ended by its
   * root span (Success, or Failure when the root failed): so this exporter, alone under a plain
   * `BatchSpanProcessor`, turns any GenAI-instrumented app's traces into AgentOps sessions.
   */
  sessionFrom?: 'attribute' | 'trace';
  /** How often drops are reported. Default 10 s. */
  dropReportIntervalMillis?: number;
  backoff?: Partial<BackoffOptions>;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Called once per session when the server has created or joined it. Its errors are logged, never thrown. */
  onSessionReady?: (sessionId: string, sessionUrl: string | undefined) => void;
}

/** What an exporter knows of each session it has seen: what `Session` reads for analytics and cost. */
export interface SessionResults {
  /** Counts, tokens and cost of what was recorded of the session. */
  sessionTotals(sessionId: string): SessionTotals | undefined;
  /** The server's answer to the session's final update, once it has been delivered. */
  sessionResult(sessionId: string): UpdateSessionResponse | undefined;
  /** The session's page on the server, once it has been created there. */
  sessionUrl(sessionId: string): string | undefined;
}

/** Creates a session where it is sent before its root span ends, so it is visible while it runs. */
export interface SessionAnnouncer {
  /** A session's root span started, or its tags changed: create or update it on the server now. */
  announceSession(span: SpanLike): void;
}

/** Delivery for `process.on('exit')`, where nothing asynchronous runs any more. */
export interface ExitDelivery {
  /** Delivers what is undelivered, blocking up to `timeoutMillis`. False when it could not finish. */
  deliverSync(timeoutMillis?: number): boolean;
}

export type { ExporterStats };

export class AgentOpsSpanExporter implements SpanExporter, SessionResults, SessionAnnouncer, ExitDelivery {
  readonly client: AgentOpsClient;
  readonly #apiKey: string;
  readonly #logger: Logger;
  readonly #flushTimeoutMillis: number;
  /** A flush gave up and no call has succeeded since (see forceFlush). */
  #gaveUp = false;
  readonly #store: OutboxStore;
  readonly #intake: Intake;
  readonly #sender: Sender;
  readonly #dropTimer: NodeJS.Timeout;

  constructor(options: AgentOpsSpanExporterOptions) {
    this.#apiKey = options.apiKey;
    this.client = new AgentOpsClient({
      apiKey: options.apiKey,
      endpoint: options.endpoint,
      timeoutMillis: options.requestTimeoutMillis,
      fetch: options.fetch,
    });
    const logger = withDiag(options.logger ?? createConsoleLogger());
    this.#logger = logger;
    this.#flushTimeoutMillis = options.flushTimeoutMillis ?? 10_000;
    this.#store = new OutboxStore(
      Math.max(1, options.maxBatchSize ?? 200),
      Math.max(1, options.maxQueueSize ?? 10_000),
    );
    const filter = options.spanFilter
      ? guarded(options.spanFilter, logger, 'spanFilter', defaultSpanFilter)
      : options.exportAllSpans
        ? exportAllSpansFilter
        : undefined;
    this.#intake = new Intake(this.#store, filter, logger, options.sessionFrom === 'trace');
    this.#sender = new Sender({
      client: this.client,
      store: this.#store,
      logger,
      maxConcurrentRequests: options.maxConcurrentRequests ?? 4,
      batchWaitMillis: options.batchWaitMillis ?? 0,
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      onSessionReady: options.onSessionReady && guarded(options.onSessionReady, logger, 'onSessionReady', undefined),
    });
    this.#dropTimer = setInterval(() => this.#store.reportDrops(logger), options.dropReportIntervalMillis ?? 10_000);
    unrefTimer(this.#dropTimer);
  }

  /**
   * Maps the spans into the outboxes and reports success once they are queued (delivery follows in
   * the background). Synchronous when prices are loaded and the batch is at most
   * `HandOffSpanProcessor.SLICE` spans, which is how that processor hands spans over: they die young
   * instead of waiting in a queue.
   */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#sender.stopped) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('AgentOpsSpanExporter is shut down') });
      return;
    }
    this.#intake.take(spans).then(
      () => {
        resultCallback({ code: ExportResultCode.SUCCESS });
        this.#sender.wake();
      },
      (err: unknown) => {
        this.#logger.error(`could not map spans: ${errorText(err)}`);
        resultCallback({
          code: ExportResultCode.FAILED,
          error: err instanceof Error ? err : new Error(errorText(err)),
        });
      },
    );
  }

  sessionResult(sessionId: string): UpdateSessionResponse | undefined {
    return this.#store.get(sessionId)?.endResult;
  }

  sessionTotals(sessionId: string): SessionTotals | undefined {
    const outbox = this.#store.get(sessionId);
    return outbox ? { ...outbox.totals } : undefined;
  }

  sessionUrl(sessionId: string): string | undefined {
    return this.#store.get(sessionId)?.sessionUrl;
  }

  stats(): ExporterStats {
    return this.#store.stats();
  }

  /**
   * Resolves when everything exported so far is delivered, or after `timeoutMillis` (then warns,
   * once, with why delivery fails and where to). A flush that gave up spends the process's budget:
   * until a call succeeds again, later flushes (the exit's after an awaited `endSession`, say) wait
   * at most `OUTAGE_FLUSH_MILLIS`, so a dead backend costs one timeout, not one per flush.
   */
  async forceFlush(timeoutMillis = this.#flushTimeoutMillis): Promise<void> {
    await this.#intake.pricesLoaded;
    const outage = this.#gaveUp && this.#sender.failing !== undefined;
    if (!outage) this.#gaveUp = false;
    const wait = outage ? Math.min(timeoutMillis, OUTAGE_FLUSH_MILLIS) : timeoutMillis;
    if (await this.#sender.flush(wait)) {
      this.#gaveUp = false;
      return;
    }
    if (outage) return; // Said when the outage began.
    this.#gaveUp = true;
    this.#logger.warn(
      `${flushGaveUp(timeoutMillis, this.#store.pending, this.client.endpoint, this.#sender.failing)}. ` +
        `Later flushes wait at most ${OUTAGE_FLUSH_MILLIS} ms until it answers again (said once).`,
    );
  }

  async shutdown(): Promise<void> {
    if (this.#sender.stopped) return;
    await this.forceFlush();
    this.#sender.stop();
    clearInterval(this.#dropTimer);
    const lost = this.#store.discardPending();
    if (lost > 0) this.#logger.error(`shut down with ${lost} events undelivered to ${this.client.endpoint}`);
    this.#store.reportDrops(this.#logger);
  }

  announceSession(span: SpanLike): void {
    if (this.#sender.stopped || this.#store.keyRefused) return;
    this.#intake.announce(span);
    this.#sender.wake();
  }

  deliverSync(timeoutMillis = this.#flushTimeoutMillis): boolean {
    if (this.#sender.stopped || this.#store.keyRefused) return true;
    const failure = handOver({
      apiKey: this.#apiKey,
      endpoint: this.client.endpoint,
      maxBatchSize: this.#store.maxBatchSize,
      timeoutMillis,
      outboxes: this.#store.snapshots(),
    });
    if (failure === undefined) return true;
    this.#logger.error(`could not deliver ${this.#store.pending} events before exit (${failure})`);
    return false;
  }
}
