/**
 * `SpanExporter` that turns finished spans into AgentOps sessions and events.
 *
 * `export()` (or `accept()`) maps spans (pure code, see mapping/) into per-session outboxes, each
 * event encoded to its JSON at once, and answers at once; a background sender then delivers each
 * session in order: the session first (create_session, or reauthorize_jwt for a session started
 * elsewhere), then agents, events in batches (up to `maxConcurrentRequests` calls in flight), and the
 * session update after its last event has arrived. Failed calls are retried with jittered backoff
 * until they succeed or the exporter shuts down, so a backend that is down for a while loses nothing;
 * the outboxes are bounded by `maxQueueSize` events and what does not fit is counted and reported.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { AgentOpsClient } from './client/agentops-client.js';
import { ApiError } from './client/api-error.js';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './client/backoff.js';
import { loadedPriceFn, loadPriceFn, type PriceFn } from './cost.js';
import { createConsoleLogger, type Logger } from './logger.js';
import { exportAllSpansFilter, type SpanFilter } from './mapping/span-filter.js';
import type { SpanLike } from './mapping/span-like.js';
import { mapSpan, sessionIdOf, spanToSession } from './mapping/span-to-payload.js';
import { ATTR_SESSION_INHERITED } from './semconv.js';
import { addToTotals, type OutboxSnapshot, SessionOutbox, type SessionTotals } from './session-outbox.js';
import type { UpdateSessionResponse } from './wire.js';

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
  /** Which spans to send (default: agent work only). */
  spanFilter?: SpanFilter;
  /** Send every span of a session; spans that are not agent work go as actions. */
  exportAllSpans?: boolean;
  /** How often drops are reported. Default 10 s. */
  dropReportIntervalMillis?: number;
  backoff?: Partial<BackoffOptions>;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Called once per session when the server has created or joined it. */
  onSessionReady?: (sessionId: string, sessionUrl: string | undefined) => void;
}

/** What `deliverSync` hands to its helper process (stdin, never argv: it holds the API key). */
export interface DeliveryHandover {
  apiKey: string;
  endpoint: string;
  maxBatchSize: number;
  timeoutMillis: number;
  outboxes: OutboxSnapshot[];
}

/** The helper process's script, next to this module in the built package. */
const DELIVER_SCRIPT = fileURLToPath(new URL('./deliver.js', import.meta.url));

export interface ExporterStats {
  /** Events accepted into an outbox. */
  queued: number;
  /** Events the server acknowledged. */
  sent: number;
  /** Events dropped because the outboxes were full. */
  droppedQueueFull: number;
  /** Events given up on: rejected by the server, bad API key, or still unsent at shutdown. */
  failed: number;
  /** Events waiting now. */
  pending: number;
}

const FINISHED_SESSIONS_KEPT = 1000;
/** Most JSON text in one create_events body (besides the first event, whatever its size). */
const MAX_BATCH_CHARS = 2 * 1024 * 1024;

/** How many of the waiting events go in the next batch: up to `limit`, and up to MAX_BATCH_CHARS. */
function batchEnd(events: readonly string[], limit: number): number {
  const end = Math.min(limit, events.length);
  let chars = 0;
  for (let i = 0; i < end; i++) {
    chars += (events[i] as string).length + 1;
    if (chars > MAX_BATCH_CHARS && i > 0) return i;
  }
  return end;
}
/**
 * A create_events refusal that no retry, fresh token, smaller batch or other key would change: the
 * batch is dropped (and counted).
 */
function refusesEventsForGood(err: ApiError, batchSize: number): boolean {
  if (err.retryable || err.expiredToken || err.status === 401 || err.status === 403) return false;
  return !(err.status === 413 && batchSize > 1);
}

/** Spans mapped between two yields to the event loop. */
const MAP_SLICE = 32;

export class AgentOpsSpanExporter implements SpanExporter {
  readonly client: AgentOpsClient;
  readonly #apiKey: string;
  readonly #logger: Logger;
  readonly #maxQueueSize: number;
  readonly #maxBatchSize: number;
  readonly #batchWaitMillis: number;
  readonly #maxConcurrency: number;
  readonly #flushTimeoutMillis: number;
  readonly #filter: SpanFilter | undefined;
  readonly #backoff: BackoffOptions;
  readonly #onSessionReady: AgentOpsSpanExporterOptions['onSessionReady'];
  readonly #price: Promise<PriceFn | undefined>;
  #priceFn: PriceFn | undefined;
  #pricesLoaded = false;
  readonly #dropTimer: NodeJS.Timeout;

  /** Sessions with something to send, in round-robin order. */
  readonly #active = new Map<string, SessionOutbox>();
  /** Ended, delivered sessions: kept (bounded) so `endSession` and analytics can read their results. */
  readonly #finished = new Map<string, SessionOutbox>();
  readonly #stats: ExporterStats = { queued: 0, sent: 0, droppedQueueFull: 0, failed: 0, pending: 0 };
  #droppedSinceReport = 0;
  #pending = 0;
  /** API calls in flight, over all sessions. */
  #inFlight = 0;
  /** Consecutive retryable failures, for the backoff. */
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #batchWaitTimer: NodeJS.Timeout | undefined;
  /** Flushes waiting: events are then sent without waiting for full batches. */
  #flushes = 0;
  #idleWaiters: (() => void)[] = [];
  #stopped = false;
  #badApiKey = false;

  constructor(options: AgentOpsSpanExporterOptions) {
    this.#apiKey = options.apiKey;
    this.client = new AgentOpsClient({
      apiKey: options.apiKey,
      endpoint: options.endpoint,
      timeoutMillis: options.requestTimeoutMillis,
      fetch: options.fetch,
    });
    this.#logger = options.logger ?? createConsoleLogger();
    this.#maxQueueSize = Math.max(1, options.maxQueueSize ?? 10_000);
    this.#maxBatchSize = Math.max(1, options.maxBatchSize ?? 200);
    this.#batchWaitMillis = Math.max(0, options.batchWaitMillis ?? 0);
    this.#maxConcurrency = Math.max(1, options.maxConcurrentRequests ?? 4);
    this.#flushTimeoutMillis = options.flushTimeoutMillis ?? 10_000;
    this.#filter = options.spanFilter ?? (options.exportAllSpans ? exportAllSpansFilter : undefined);
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#onSessionReady = options.onSessionReady;
    const price = loadPriceFn();
    // Usually loaded synchronously just now: spans can then be taken at once, even in the same tick.
    this.#priceFn = loadedPriceFn();
    this.#pricesLoaded = this.#priceFn !== undefined;
    this.#price = price.then(
      (price) => {
        this.#priceFn = price;
        this.#pricesLoaded = true;
        return price;
      },
      (err: unknown) => {
        this.#logger.warn(`LLM prices could not be loaded, costs will be 0: ${String(err)}`);
        this.#pricesLoaded = true;
        return undefined;
      },
    );
    this.#dropTimer = setInterval(() => this.#reportDrops(), options.dropReportIntervalMillis ?? 10_000);
    this.#dropTimer.unref();
  }

  /**
   * Takes finished spans without a batch processor in front (what `AgentOpsSpanProcessor` does each
   * tick): maps and encodes them now, once prices are loaded, and lets the sender batch them.
   */
  accept(spans: readonly ReadableSpan[]): void {
    if (this.#stopped) return;
    if (!this.#pricesLoaded) {
      this.#price.then(() => this.accept(spans));
      return;
    }
    for (const span of spans) {
      try {
        this.#accept(span, this.#priceFn);
      } catch (err) {
        this.#logger.error(`could not map span ${span.name}: ${String(err)}`);
      }
    }
    this.#startSending();
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#stopped) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('AgentOpsSpanExporter is shut down') });
      return;
    }
    this.#price
      .then(async (price) => {
        // Mapping runs in slices that yield to the event loop, so a large batch never blocks the app.
        for (let i = 0; i < spans.length; i += MAP_SLICE) {
          if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
          for (const span of spans.slice(i, i + MAP_SLICE)) this.#accept(span, price);
        }
        resultCallback({ code: ExportResultCode.SUCCESS });
        this.#startSending();
      })
      .catch((err: unknown) => {
        this.#logger.error(`could not map spans: ${String(err)}`);
        resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
      });
  }

  /**
   * A session's root span has started (or its tags changed): create it on the server now, so a
   * running session is visible, rather than when its root span ends.
   */
  announceSession(span: SpanLike): void {
    if (this.#stopped || this.#badApiKey) return;
    // At its start a session span may not carry its id yet: its trace id is the session id.
    const sessionId = sessionIdOf(span, true);
    if (!sessionId) return;
    const inherited = span.attributes[ATTR_SESSION_INHERITED] === true;
    const outbox = this.#outbox(sessionId, inherited ? 'join' : 'create');
    if (outbox.ended) return;
    outbox.setPayload(spanToSession(span, sessionId), false);
    this.#startSending();
  }

  /**
   * Counts spans dropped before they reached this exporter (a processor's full queue), so every
   * drop is reported in one place.
   */
  recordDropped(count: number): void {
    this.#stats.droppedQueueFull += count;
    this.#droppedSinceReport += count;
  }

  /** The server's answer to the session's final update, once it has been delivered. */
  sessionResult(sessionId: string): UpdateSessionResponse | undefined {
    return (this.#active.get(sessionId) ?? this.#finished.get(sessionId))?.endResult;
  }

  /** Counts, tokens and cost of what this exporter has seen of a session. */
  sessionTotals(sessionId: string): SessionTotals | undefined {
    const outbox = this.#active.get(sessionId) ?? this.#finished.get(sessionId);
    return outbox ? { ...outbox.totals } : undefined;
  }

  sessionUrl(sessionId: string): string | undefined {
    return (this.#active.get(sessionId) ?? this.#finished.get(sessionId))?.sessionUrl;
  }

  stats(): ExporterStats {
    return { ...this.#stats, pending: this.#pending };
  }

  /** Resolves when everything accepted so far is delivered, or after `timeoutMillis` (then warns). */
  async forceFlush(timeoutMillis = this.#flushTimeoutMillis): Promise<void> {
    await this.#price;
    if (this.#isIdle()) return;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.#idleWaiters.push(() => resolve(true)));
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMillis);
      timer.unref();
    });
    this.#flushes++;
    let drained: boolean;
    try {
      this.#startSending();
      drained = await Promise.race([idle, timeout]);
    } finally {
      this.#flushes--;
      clearTimeout(timer);
    }
    if (!drained) {
      this.#logger.warn(
        `flush timed out after ${timeoutMillis} ms with ${this.#pending} events not yet delivered to ${this.client.endpoint}`,
      );
    }
  }

  /**
   * Delivers what is still undelivered before this process exits, blocking (up to `timeoutMillis`):
   * for `process.on('exit')`, where nothing asynchronous runs any more. A helper process takes the
   * outboxes over and sends them. Returns false if it could not finish in time.
   */
  deliverSync(timeoutMillis = this.#flushTimeoutMillis): boolean {
    if (this.#stopped || this.#badApiKey) return true;
    const outboxes: OutboxSnapshot[] = [];
    for (const outbox of this.#active.values()) {
      if (outbox.hasWork || outbox.eventsInFlight > 0 || outbox.busy) outboxes.push(outbox.snapshot());
    }
    if (outboxes.length === 0) return true;
    const handover: DeliveryHandover = {
      apiKey: this.#apiKey,
      endpoint: this.client.endpoint,
      maxBatchSize: this.#maxBatchSize,
      timeoutMillis,
      outboxes,
    };
    const result = spawnSync(process.execPath, [DELIVER_SCRIPT], {
      input: JSON.stringify(handover),
      timeout: timeoutMillis + 2000,
      stdio: ['pipe', 'ignore', 'inherit'],
      windowsHide: true,
    });
    if (result.status !== 0) {
      this.#logger.error(
        `could not deliver ${this.#pending} events before exit (${result.error?.message ?? `helper exited ${result.status ?? result.signal}`})`,
      );
      return false;
    }
    return true;
  }

  /** Takes over outboxes handed over by an exiting process (see `deliverSync`). */
  restore(outboxes: OutboxSnapshot[]): void {
    for (const snapshot of outboxes) {
      const outbox = new SessionOutbox(snapshot.id, snapshot.mode, this.#maxBatchSize);
      outbox.restore(snapshot);
      this.#active.set(snapshot.id, outbox);
      this.#pending += snapshot.events.length;
      this.#stats.queued += snapshot.events.length;
    }
    this.#startSending();
  }

  async shutdown(): Promise<void> {
    if (this.#stopped) return;
    await this.forceFlush();
    this.#stopped = true;
    clearInterval(this.#dropTimer);
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#batchWaitTimer);
    const lost = this.#pending;
    if (lost > 0) {
      this.#stats.failed += lost;
      this.#logger.error(`shut down with ${lost} events undelivered to ${this.client.endpoint}`);
    }
    for (const outbox of this.#active.values()) outbox.events.length = 0;
    this.#pending = 0;
    this.#reportDrops();
  }

  #outbox(sessionId: string, mode: 'create' | 'join'): SessionOutbox {
    let outbox = this.#active.get(sessionId);
    if (!outbox) {
      const finished = this.#finished.get(sessionId);
      if (finished) this.#finished.delete(sessionId);
      outbox = finished ?? new SessionOutbox(sessionId, mode, this.#maxBatchSize);
      this.#active.set(sessionId, outbox);
    } else if (mode === 'create' && outbox.needsAuthorization && outbox.payload === undefined) {
      outbox.mode = 'create';
    }
    return outbox;
  }

  /** No more events are taken: the queue is full, or the key was refused. */
  #eventsFull(): boolean {
    return this.#badApiKey || this.#pending >= this.#maxQueueSize;
  }

  #accept(span: ReadableSpan, price: PriceFn | undefined): void {
    for (const item of mapSpan(span, { filter: this.#filter, price, eventsFull: this.#eventsFull() })) {
      switch (item.kind) {
        case 'session': {
          const outbox = this.#outbox(item.sessionId, item.inherited ? 'join' : 'create');
          outbox.setPayload(item.session, item.ended);
          break;
        }
        case 'agent':
          this.#outbox(item.sessionId, 'join').addAgent(item.agent);
          break;
        case 'dropped':
          this.recordDropped(item.count);
          break;
        case 'event': {
          // Checked again per event: one span can stand for two (a failed foreign span).
          if (this.#eventsFull()) {
            this.recordDropped(1);
            break;
          }
          const outbox = this.#outbox(item.sessionId, 'join');
          if (outbox.events.length === 0) outbox.waitingSince = performance.now();
          outbox.events.push(JSON.stringify(item.event));
          outbox.firstEventAt ??= item.event.init_timestamp;
          this.#pending++;
          addToTotals(outbox.totals, item.event);
          this.#stats.queued++;
          break;
        }
      }
    }
  }

  #isIdle(): boolean {
    if (this.#inFlight > 0) return false;
    for (const outbox of this.#active.values()) if (outbox.hasWork) return false;
    return true;
  }

  #notifyIfIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Starts as many API calls as may run at once (`maxConcurrentRequests`), each the next step of
   * some session, sessions taking turns. Runs again whenever a call ends, work arrives, a batch's
   * wait is over or a retry's backoff has passed.
   */
  #startSending(): void {
    if (this.#stopped || this.#retryTimer) return;
    while (this.#inFlight < this.#maxConcurrency) {
      const job = this.#nextJob();
      if (!job) break;
      this.#inFlight++;
      job
        .then(
          () => {
            this.#attempt = 0;
          },
          (err: unknown) => this.#retryLater(err),
        )
        .finally(() => {
          this.#inFlight--;
          this.#startSending();
          this.#notifyIfIdle();
        });
    }
    this.#scheduleBatchWait();
    this.#notifyIfIdle();
  }

  /** A retryable failure: no new call starts until the backoff has passed. */
  #retryLater(err: unknown): void {
    if (!(err instanceof ApiError) || !err.retryable) {
      this.#logger.error(`unexpected failure while sending: ${String(err)}`);
      return;
    }
    if (this.#retryTimer || this.#stopped) return;
    const delay = backoffDelay(this.#attempt++, err.retryAfterMs, this.#backoff);
    this.#logger.debug(`${err.message}; retrying in ${Math.round(delay)} ms`);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#startSending();
    }, delay);
    this.#retryTimer.unref();
  }

  /**
   * Events are sent in full batches, or once the oldest has waited `batchWaitMillis` (or on flush).
   * Asked on every turn of the sender: the scan of the waiting events' sizes comes last.
   */
  #eventsReady(outbox: SessionOutbox): boolean {
    return (
      outbox.events.length >= outbox.batchLimit ||
      this.#flushes > 0 ||
      outbox.ended ||
      performance.now() - outbox.waitingSince >= this.#batchWaitMillis ||
      batchEnd(outbox.events, outbox.batchLimit) < outbox.events.length
    );
  }

  #scheduleBatchWait(): void {
    if (this.#batchWaitTimer || this.#stopped || this.#retryTimer) return;
    let soonest = Number.POSITIVE_INFINITY;
    for (const outbox of this.#active.values()) {
      if (outbox.events.length > 0 && !outbox.busy) soonest = Math.min(soonest, outbox.waitingSince);
    }
    if (soonest === Number.POSITIVE_INFINITY) return;
    const delay = Math.max(0, soonest + this.#batchWaitMillis - performance.now());
    this.#batchWaitTimer = setTimeout(() => {
      this.#batchWaitTimer = undefined;
      this.#startSending();
    }, delay);
    this.#batchWaitTimer.unref();
  }

  /**
   * The next call to make, already started, or undefined. Per session, in order: the session
   * itself (create or reauthorize), its agents, its events (several batches may be in flight), and
   * its update once every event has arrived.
   */
  #nextJob(): Promise<void> | undefined {
    for (const [id, outbox] of this.#active) {
      if (outbox.busy) continue;
      const job = this.#jobFor(outbox);
      if (job) {
        // Move to the back: sessions take turns.
        this.#active.delete(id);
        this.#active.set(id, outbox);
        return job;
      }
      // Ended sessions, and sessions joined from elsewhere that are idle, wait in the bounded LRU.
      if (!outbox.hasWork && outbox.eventsInFlight === 0 && (outbox.ended || outbox.mode === 'join')) {
        this.#retire(outbox);
      }
    }
    return undefined;
  }

  #retire(outbox: SessionOutbox): void {
    this.#active.delete(outbox.id);
    this.#finished.set(outbox.id, outbox);
    if (this.#finished.size > FINISHED_SESSIONS_KEPT) {
      const oldest = this.#finished.keys().next().value;
      if (oldest !== undefined) this.#finished.delete(oldest);
    }
  }

  #jobFor(outbox: SessionOutbox): Promise<void> | undefined {
    if (!outbox.hasWork) return undefined;
    if (outbox.needsAuthorization) {
      return outbox.eventsInFlight === 0 ? this.#exclusive(outbox, () => this.#authorize(outbox)) : undefined;
    }
    const jwt = outbox.jwt as string;
    const agent = outbox.agents[0];
    if (agent) {
      return outbox.eventsInFlight === 0
        ? this.#exclusive(outbox, async () => {
            await this.client.createAgent(jwt, agent);
            outbox.agents.shift();
          })
        : undefined;
    }
    if (outbox.events.length > 0) {
      return this.#eventsReady(outbox) ? this.#sendEvents(outbox, jwt) : undefined;
    }
    if (outbox.needsUpdate && outbox.payload && outbox.eventsInFlight === 0) {
      const payload = outbox.payload;
      return this.#exclusive(outbox, async () => {
        const version = outbox.payloadVersion;
        const result = await this.client.updateSession(jwt, payload);
        outbox.sentVersion = version;
        if (outbox.ended) outbox.endResult = result ?? { status: 'success' };
      });
    }
    return undefined;
  }

  /** A call nothing else of the session may overlap. Throws only retryable ApiErrors. */
  async #exclusive(outbox: SessionOutbox, call: () => Promise<void>): Promise<void> {
    outbox.busy = true;
    try {
      await call();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.expiredToken) {
        outbox.expireToken();
        return;
      }
      if (err.retryable) throw err;
      this.#settleRejected(outbox, err);
    } finally {
      outbox.busy = false;
    }
  }

  /** One create_events call; its batch goes back to the front of the queue if it must be retried. */
  async #sendEvents(outbox: SessionOutbox, jwt: string): Promise<void> {
    const batch = outbox.events.splice(0, batchEnd(outbox.events, outbox.batchLimit));
    outbox.waitingSince = performance.now();
    outbox.batchesInFlight.add(batch);
    try {
      await this.client.createEncodedEvents(jwt, batch);
      this.#pending -= batch.length;
      this.#stats.sent += batch.length;
    } catch (err) {
      if (err instanceof ApiError && refusesEventsForGood(err, batch.length)) {
        this.#logger.error(`session ${outbox.id}: the server refused events, dropping ${batch.length}: ${err.message}`);
        this.#pending -= batch.length;
        this.#stats.failed += batch.length;
        return;
      }
      // Anything else puts the batch back in front, to go again.
      outbox.events.unshift(...batch);
      if (!(err instanceof ApiError) || err.retryable) throw err;
      if (err.status === 413) outbox.batchLimit = Math.max(1, Math.floor(batch.length / 2));
      else if (err.expiredToken) {
        if (outbox.jwt === jwt) outbox.expireToken();
      } else this.#settleRejected(outbox, err); // 401/403: the key itself
    } finally {
      outbox.batchesInFlight.delete(batch);
    }
  }

  async #authorize(outbox: SessionOutbox): Promise<void> {
    if (this.#badApiKey) {
      // The key was refused once: asking again for each session would only repeat the refusal.
      this.#dropAll(outbox);
      return;
    }
    if (outbox.mode === 'join') {
      try {
        const { jwt } = await this.client.reauthorizeJwt(outbox.id);
        outbox.jwt = jwt;
        this.#onSessionReady?.(outbox.id, undefined);
        return;
      } catch (err) {
        // Not on the server yet (its own process has not created it): create it from here, and
        // keep to that if the creation has to be retried.
        if (!(err instanceof ApiError) || err.status !== 404) throw err;
        outbox.mode = 'create';
      }
    }
    const payload = outbox.payload ?? {
      session_id: outbox.id,
      init_timestamp: outbox.firstEventAt ?? new Date().toISOString(),
    };
    const version = outbox.payloadVersion;
    const created = await this.client.createSession(payload);
    outbox.jwt = created.jwt;
    outbox.sessionUrl = created.session_url;
    // An ended session still sends its update after its events, so the server's cost includes them.
    if (!outbox.ended) outbox.sentVersion = version;
    this.#onSessionReady?.(outbox.id, created.session_url);
  }

  /** A final refusal: drop what was refused, say why, and never retry it. */
  #settleRejected(outbox: SessionOutbox, err: ApiError): void {
    if (err.status === 401 || err.status === 403) {
      if (!this.#badApiKey) {
        this.#badApiKey = true;
        this.#logger.error(
          `the AgentOps API refused the API key (${err.status}): no data will be sent. Check AGENTOPS_API_KEY. (${err.message})`,
        );
      }
      for (const o of this.#active.values()) this.#dropAll(o);
      return;
    }
    this.#logger.error(`session ${outbox.id}: the server refused data, dropping it: ${err.message}`);
    if (outbox.needsAuthorization) {
      this.#dropAll(outbox);
    } else if (outbox.agents.length > 0) {
      outbox.agents.shift();
    } else {
      outbox.sentVersion = outbox.payloadVersion;
    }
  }

  #dropAll(outbox: SessionOutbox): void {
    this.#stats.failed += outbox.events.length;
    this.#pending -= outbox.events.length;
    outbox.events.length = 0;
    outbox.agents.length = 0;
    outbox.sentVersion = outbox.payloadVersion;
    outbox.mode = 'join';
    outbox.payload = undefined;
    this.#active.delete(outbox.id);
  }

  #reportDrops(): void {
    if (this.#droppedSinceReport === 0) return;
    const n = this.#droppedSinceReport;
    this.#droppedSinceReport = 0;
    const why = this.#badApiKey ? 'the API key was refused' : `the queue was full (maxQueueSize ${this.#maxQueueSize})`;
    this.#logger.warn(`dropped ${n} events because ${why}; ${this.#stats.droppedQueueFull} dropped in all`);
  }
}
