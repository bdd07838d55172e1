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
import type { SessionOutbox } from './outbox.js';
import type { OutboxStore } from './outbox-store.js';
import { batchEnd, failureAction, RetryBackoff } from './retry-policy.js';

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

export class Sender {
  readonly #client: AgentOpsClient;
  readonly #store: OutboxStore;
  readonly #logger: Logger;
  readonly #maxConcurrency: number;
  readonly #batchWaitMillis: number;
  readonly #backoff: RetryBackoff;
  readonly #onSessionReady: SenderOptions['onSessionReady'];
  /** API calls in flight, over all sessions. */
  #inFlight = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #batchWaitTimer: NodeJS.Timeout | undefined;
  /** Flushes waiting: events are then sent without waiting for full batches. */
  #flushes = 0;
  #idleWaiters: (() => void)[] = [];
  #stopped = false;
  /**
   * Until the server has accepted the API key once, one session is authorized at a time: a refused
   * key is then refused once, not once per session that started meanwhile.
   */
  #keyAccepted = false;
  #authorizing = false;

  constructor(options: SenderOptions) {
    this.#client = options.client;
    this.#store = options.store;
    this.#logger = options.logger;
    this.#maxConcurrency = Math.max(1, options.maxConcurrentRequests);
    this.#batchWaitMillis = Math.max(0, options.batchWaitMillis);
    this.#backoff = new RetryBackoff(options.backoff);
    this.#onSessionReady = options.onSessionReady;
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
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMillis);
      timer.unref();
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
          () => this.#backoff.succeeded(),
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
      this.#logger.error(`unexpected failure while sending: ${String(err)}`);
      return;
    }
    if (this.#retryTimer || this.#stopped) return;
    const delay = this.#backoff.nextDelay(err as ApiError);
    this.#logger.debug(`${(err as ApiError).message}; retrying in ${Math.round(delay)} ms`);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.wake();
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
    for (const outbox of this.#store.active.values()) {
      if (outbox.events.length > 0 && !outbox.busy) soonest = Math.min(soonest, outbox.waitingSince);
    }
    if (soonest === Number.POSITIVE_INFINITY) return;
    const delay = Math.max(0, soonest + this.#batchWaitMillis - performance.now());
    this.#batchWaitTimer = setTimeout(() => {
      this.#batchWaitTimer = undefined;
      this.wake();
    }, delay);
    this.#batchWaitTimer.unref();
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
   * events (several batches may be in flight), and its update once every event has arrived.
   */
  #jobFor(outbox: SessionOutbox): Promise<void> | undefined {
    if (!outbox.hasWork) return undefined;
    if (outbox.needsAuthorization) {
      if (outbox.eventsInFlight > 0 || (this.#authorizing && !this.#keyAccepted)) return undefined;
      return this.#exclusive(outbox, () => this.#authorize(outbox));
    }
    const jwt = outbox.jwt as string;
    const agent = outbox.agents[0];
    if (agent) {
      return outbox.eventsInFlight === 0
        ? this.#exclusive(outbox, async () => {
            await this.#client.createAgent(jwt, agent);
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
        const result = await this.#client.updateSession(jwt, payload);
        outbox.sentVersion = version;
        if (outbox.ended) outbox.endResult = result ?? { status: 'success' };
      });
    }
    return undefined;
  }

  /** A call nothing else of the session may overlap. Throws only what is to be retried (or a fault). */
  async #exclusive(outbox: SessionOutbox, call: () => Promise<void>): Promise<void> {
    outbox.busy = true;
    try {
      await call();
    } catch (err) {
      switch (failureAction(err)) {
        case 'retry':
        case 'fault':
          throw err;
        case 'reauthorize':
          outbox.expireToken();
          return;
        default:
          this.#settleRejected(outbox, err as ApiError);
      }
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
      await this.#client.createEncodedEvents(jwt, batch);
      this.#store.delivered(batch.length);
    } catch (err) {
      const action = failureAction(err, batch.length);
      if (action === 'drop') {
        this.#logger.error(
          `session ${outbox.id}: the server refused events, dropping ${batch.length}: ${(err as Error).message}`,
        );
        this.#store.failed(batch.length);
        return;
      }
      // Anything else puts the batch back in front, to go again.
      outbox.events.unshift(...batch);
      if (action === 'retry' || action === 'fault') throw err;
      if (action === 'split') outbox.batchLimit = Math.max(1, Math.floor(batch.length / 2));
      else if (action === 'reauthorize') {
        if (outbox.jwt === jwt) outbox.expireToken();
      } else this.#settleRejected(outbox, err as ApiError);
    } finally {
      outbox.batchesInFlight.delete(batch);
    }
  }

  async #authorize(outbox: SessionOutbox): Promise<void> {
    this.#authorizing = true;
    try {
      await this.#authorizeSession(outbox);
    } finally {
      this.#authorizing = false;
    }
  }

  async #authorizeSession(outbox: SessionOutbox): Promise<void> {
    if (this.#store.keyRefused) {
      // The key was refused once: asking again for each session would only repeat the refusal.
      this.#store.dropAll(outbox);
      return;
    }
    if (outbox.mode === 'join') {
      try {
        const { jwt } = await this.#client.reauthorizeJwt(outbox.id);
        outbox.jwt = jwt;
        this.#keyAccepted = true;
        this.#onSessionReady?.(outbox.id, undefined);
        return;
      } catch (err) {
        // Not on the server yet (its own process has not created it): create it from here, and
        // keep to that if the creation has to be retried.
        if ((err as Partial<ApiError>).status !== 404 || failureAction(err) === 'fault') throw err;
        outbox.mode = 'create';
      }
    }
    const payload = outbox.payload ?? {
      session_id: outbox.id,
      init_timestamp: outbox.firstEventAt ?? new Date().toISOString(),
    };
    const version = outbox.payloadVersion;
    const created = await this.#client.createSession(payload);
    outbox.jwt = created.jwt;
    outbox.sessionUrl = created.session_url;
    this.#keyAccepted = true;
    // An ended session still sends its update after its events, so the server's cost includes them.
    if (!outbox.ended) outbox.sentVersion = version;
    this.#onSessionReady?.(outbox.id, created.session_url);
  }

  /** A final refusal: drop what was refused, say why, and never retry it. */
  #settleRejected(outbox: SessionOutbox, err: ApiError): void {
    if (failureAction(err) === 'refuse-key') {
      if (!this.#store.keyRefused) {
        this.#store.keyRefused = true;
        this.#logger.error(
          `the AgentOps API refused the API key (${err.status}): no data will be sent. Check AGENTOPS_API_KEY. (${err.message})`,
        );
      }
      for (const o of this.#store.active.values()) this.#store.dropAll(o);
      return;
    }
    this.#logger.error(`session ${outbox.id}: the server refused data, dropping it: ${err.message}`);
    if (outbox.needsAuthorization) {
      this.#store.dropAll(outbox);
    } else if (outbox.agents.length > 0) {
      outbox.agents.shift();
    } else {
      outbox.sentVersion = outbox.payloadVersion;
    }
  }
}
