/**
 * Delivers the outboxes, each session in order: the session first (create_session, or
 * reauthorize_jwt for a session started elsewhere), then its agents, its events in batches (several
 * in flight), and the session update once its last event has arrived. Sessions take turns, at most
 * `maxConcurrentRequests` calls are in flight, and failed calls are retried with jittered backoff
 * until they succeed or the sender stops (see retry-policy.ts for what each failure means).
 */
import type { AgentOpsClient } from '../client/agentops-client.js';
import type { ApiError } from '../client/api-error.js';
import type { BackoffOptions } from '../client/backoff.js';
import type { Logger } from '../internal/logger.js';
import { unrefTimer } from '../internal/timers.js';
import { errorText } from '../internal/values.js';
import type { SessionOutbox } from './outbox.js';
import type { OutboxStore } from './outbox-store.js';
import { batchEnd, failureAction, RetryBackoff } from './retry-policy.js';
import { SessionCalls } from './session-calls.js';

export interface SenderOptions {
  client: AgentOpsClient;
  store: OutboxStore;
  logger: Logger;
  maxConcurrentRequests: number;
  /** How long events wait for a full batch before a smaller one is sent (0: send at once). */
  batchWaitMillis: number;
  backoff: BackoffOptions;
  /** Called once per session when the server has created or joined it. */
  onSessionReady?: (sessionId: string, sessionUrl: string | undefined) => void;
}

/** What is said when a flush gives up: how long it waited, what is left, where to, and why. */
export function flushGaveUp(timeoutMillis: number, pending: number, endpoint: string, why: string | undefined): string {
  return (
    `flush gave up after ${timeoutMillis} ms with ${pending} events not yet delivered to ${endpoint}: ` +
    (why ?? 'no answer in time')
  );
}

export class Sender {
  readonly #calls: SessionCalls;
  readonly #store: OutboxStore;
  readonly #logger: Logger;
  readonly #maxConcurrency: number;
  readonly #batchWaitMillis: number;
  readonly #backoff: RetryBackoff;
  /** API calls in flight, over all sessions. */
  #inFlight = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #batchWaitTimer: NodeJS.Timeout | undefined;
  /** Flushes waiting: events are then sent without waiting for full batches. */
  #flushes = 0;
  #idleWaiters: (() => void)[] = [];
  #stopped = false;
  /** An answer that was not the API's has been reported (once per sender). */
  #warnedUnexpected = false;
  /** Why the last call failed, until one succeeds: what a flush that gives up says. */
  #lastFailure: string | undefined;

  constructor(options: SenderOptions) {
    this.#calls = new SessionCalls(options.client, options.store, options.logger, options.onSessionReady);
    this.#store = options.store;
    this.#logger = options.logger;
    this.#maxConcurrency = Math.max(1, options.maxConcurrentRequests);
    this.#batchWaitMillis = Math.max(0, options.batchWaitMillis);
    this.#backoff = new RetryBackoff(options.backoff);
  }

  /** Why delivery is failing (the last failed call's error, naming the endpoint), while it is. */
  get failing(): string | undefined {
    return this.#lastFailure;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** True when nothing is in flight and no session has anything to send. */
  idle(): boolean {
    if (this.#inFlight > 0) return false;
    for (const outbox of this.#store.active.values()) if (outbox.hasWork) return false;
    return true;
  }

  /** Resolves true when everything queued so far is delivered, false after `timeoutMillis`. */
  async flush(timeoutMillis: number): Promise<boolean> {
    if (this.idle()) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.#idleWaiters.push(() => resolve(true)));
    // Not unref'ed: the caller awaits this flush, and without a timer that holds the event loop a
    // process with nothing else to do would exit with the flush (and its caller's await) unsettled.
    // It is bounded by timeoutMillis; the sender's own retry timers never hold the process.
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMillis);
    });
    this.#flushes++;
    try {
      this.wake();
      return await Promise.race([idle, timeout]);
    } finally {
      this.#flushes--;
      clearTimeout(timer);
    }
  }

  /** Stops for good: no new call starts, timers are cleared. Calls in flight finish on their own. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#batchWaitTimer);
  }

  /**
   * Starts as many API calls as may run at once, each the next step of some session, sessions
   * taking turns. Runs again whenever a call ends, work arrives, a batch's wait is over or a retry's
   * backoff has passed.
   */
  wake(): void {
    if (this.#stopped || this.#retryTimer) return;
    while (this.#inFlight < this.#maxConcurrency) {
      const job = this.#nextJob();
      if (!job) break;
      this.#inFlight++;
      job
        .then(
          () => {
            this.#backoff.succeeded();
            this.#lastFailure = undefined;
          },
          (err: unknown) => this.#retryLater(err),
        )
        .finally(() => {
          this.#inFlight--;
          this.wake();
          this.#notifyIfIdle();
        });
    }
    this.#scheduleBatchWait();
    this.#notifyIfIdle();
  }

  #notifyIfIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.idle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** A retryable failure: no new call starts until the backoff has passed. */
  #retryLater(err: unknown): void {
    if (failureAction(err) !== 'retry') {
      this.#logger.error(`unexpected failure while sending: ${errorText(err)}`);
      return;
    }
    const apiError = err as ApiError;
    this.#lastFailure = apiError.message;
    if (this.#retryTimer || this.#stopped) return;
    const delay = this.#backoff.nextDelay(apiError);
    if (apiError.unexpectedAnswer && !this.#warnedUnexpected) {
      this.#warnedUnexpected = true;
      this.#logger.warn(
        `${apiError.message}. Is the endpoint right (AGENTOPS_API_ENDPOINT), or is a proxy or captive portal answering? Retrying with backoff (said once).`,
      );
    }
    this.#logger.debug(`${apiError.message}; retrying in ${Math.round(delay)} ms`);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.wake();
    }, delay);
    unrefTimer(this.#retryTimer);
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
    for (const outbox of this.#store.active.values()) {
      if (outbox.events.length > 0 && !outbox.busy) soonest = Math.min(soonest, outbox.waitingSince);
    }
    if (soonest === Number.POSITIVE_INFINITY) return;
    const delay = Math.max(0, soonest + this.#batchWaitMillis - performance.now());
    this.#batchWaitTimer = setTimeout(() => {
      this.#batchWaitTimer = undefined;
      this.wake();
    }, delay);
    unrefTimer(this.#batchWaitTimer);
  }

  /** The next call to make, already started, or undefined. */
  #nextJob(): Promise<void> | undefined {
    const active = this.#store.active;
    for (const [id, outbox] of active) {
      if (outbox.busy) continue;
      const job = this.#jobFor(outbox);
      if (job) {
        // Move to the back: sessions take turns.
        active.delete(id);
        active.set(id, outbox);
        return job;
      }
      // Ended sessions, and sessions joined from elsewhere that are idle, wait in the bounded LRU.
      if (!outbox.hasWork && outbox.eventsInFlight === 0 && (outbox.ended || outbox.mode === 'join')) {
        this.#store.retire(outbox);
      }
    }
    return undefined;
  }

  /**
   * A session's next step, in order: the session itself (create or reauthorize), its agents, its
   * events (several batches may be in flight), its evaluations, and its update once every event has arrived.
   */
  #jobFor(outbox: SessionOutbox): Promise<void> | undefined {
    if (!outbox.hasWork) return undefined;
    const calls = this.#calls;
    if (outbox.needsAuthorization) {
      if (outbox.eventsInFlight > 0 || !calls.mayAuthorize) return undefined;
      return calls.authorize(outbox);
    }
    const jwt = outbox.jwt as string;
    const agent = outbox.agents[0];
    if (agent) return outbox.eventsInFlight === 0 ? calls.createAgent(outbox, jwt, agent) : undefined;
    if (outbox.events.length > 0) return this.#eventsReady(outbox) ? calls.sendEvents(outbox, jwt) : undefined;
    if (outbox.evaluations.length > 0)
      return outbox.eventsInFlight === 0 ? calls.sendEvaluations(outbox, jwt) : undefined;
    if (outbox.needsUpdate && outbox.payload && outbox.eventsInFlight === 0) {
      return calls.updateSession(outbox, jwt, outbox.payload);
    }
    return undefined;
  }
}
