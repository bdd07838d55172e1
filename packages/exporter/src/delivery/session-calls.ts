/**
 * The API calls of one session's delivery and what each answer does to its outbox: authorize
 * (create_session, or reauthorize_jwt for a session started elsewhere), agents, event batches and
 * the session update. The sender decides when each runs (sender.ts); what a failure means is the
 * retry policy's (retry-policy.ts).
 */
import type { AgentOpsClient } from '../client/agentops-client.js';
import type { ApiError } from '../client/api-error.js';
import type { Logger } from '../internal/logger.js';
import type { AgentPayload, SessionPayload } from '../wire.js';
import type { SessionOutbox } from './outbox.js';
import type { OutboxStore } from './outbox-store.js';
import { batchEnd, failureAction } from './retry-policy.js';

/** Events refused one at a time in a row, after which a refused batch is no longer sent in halves. */
const REFUSED_ALONE_LIMIT = 3;

export class SessionCalls {
  readonly #client: AgentOpsClient;
  readonly #store: OutboxStore;
  readonly #logger: Logger;
  readonly #onSessionReady: ((sessionId: string, sessionUrl: string | undefined) => void) | undefined;
  /**
   * Until the server has accepted the API key once, one session is authorized at a time: a refused
   * key is then refused once, not once per session that started meanwhile.
   */
  #keyAccepted = false;
  #authorizing = false;
  /** The server has no create_evaluations (AgentOps' cloud today): evaluations are dropped, said once. */
  #evaluationsUnsupported = false;

  constructor(
    client: AgentOpsClient,
    store: OutboxStore,
    logger: Logger,
    onSessionReady?: (sessionId: string, sessionUrl: string | undefined) => void,
  ) {
    this.#client = client;
    this.#store = store;
    this.#logger = logger;
    this.#onSessionReady = onSessionReady;
  }

  /** Whether another session may be authorized now. */
  get mayAuthorize(): boolean {
    return this.#keyAccepted || !this.#authorizing;
  }

  /** create_session, or reauthorize_jwt for a session started elsewhere (create when the server has not seen it). */
  authorize(outbox: SessionOutbox): Promise<void> {
    return this.#exclusive(outbox, () => this.#authorize(outbox));
  }

  createAgent(outbox: SessionOutbox, jwt: string, agent: AgentPayload): Promise<void> {
    return this.#exclusive(outbox, async () => {
      await this.#client.createAgent(jwt, agent);
      outbox.agents.shift();
    });
  }

  updateSession(outbox: SessionOutbox, jwt: string, payload: SessionPayload): Promise<void> {
    return this.#exclusive(outbox, async () => {
      const version = outbox.payloadVersion;
      const result = await this.#client.updateSession(jwt, payload);
      outbox.updateSent(version);
      if (outbox.ended) outbox.endResult = result ?? { status: 'success' };
    });
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
  async sendEvents(outbox: SessionOutbox, jwt: string): Promise<void> {
    const batch = outbox.events.splice(0, batchEnd(outbox.events, outbox.batchLimit));
    outbox.waitingSince = performance.now();
    outbox.batchesInFlight.add(batch);
    try {
      await this.#client.createEncodedEvents(jwt, batch);
      this.#store.delivered(batch.length);
      outbox.refusedAlone = 0;
    } catch (err) {
      let action = failureAction(err, batch.length);
      // A server that refused three events in a row, each alone, refuses them all (a field it does
      // not know): the rest of the batch is not sent again in halves.
      if (action === 'isolate' && outbox.refusedAlone >= REFUSED_ALONE_LIMIT) action = 'drop';
      if (action === 'drop') {
        if (batch.length === 1) outbox.refusedAlone++;
        this.#logger.error(
          `session ${outbox.id}: the server refused events, dropping ${batch.length}: ${(err as Error).message}`,
        );
        this.#store.failed(batch.length);
        // The event a refused batch was sent in halves to find is found: full batches again.
        if (outbox.limitBeforeIsolating !== undefined) {
          outbox.batchLimit = outbox.limitBeforeIsolating;
          outbox.limitBeforeIsolating = undefined;
        }
        return;
      }
      // Anything else puts the batch back in front, to go again.
      outbox.events.unshift(...batch);
      if (action === 'retry' || action === 'fault') throw err;
      if (action === 'split' || action === 'isolate') {
        if (action === 'isolate') outbox.limitBeforeIsolating ??= outbox.batchLimit;
        outbox.batchLimit = Math.max(1, Math.floor(batch.length / 2));
      } else if (action === 'reauthorize') {
        if (outbox.jwt === jwt) outbox.expireToken();
      } else this.#settleRejected(outbox, err as ApiError);
    } finally {
      outbox.batchesInFlight.delete(batch);
    }
  }

  /**
   * One create_evaluations call with the evaluations waiting (half as many per call after a 413,
   * as for events). A server without the call (404, 405)
   * takes none: they are dropped, here and from then on, with one warning; the session's events and
   * its update go on as if there were none.
   */
  sendEvaluations(outbox: SessionOutbox, jwt: string): Promise<void> {
    return this.#exclusive(outbox, async () => {
      const batch = outbox.evaluations.splice(0, batchEnd(outbox.evaluations, outbox.evaluationBatchLimit));
      if (this.#evaluationsUnsupported) {
        this.#store.failed(batch.length);
        return;
      }
      try {
        await this.#client.createEncodedEvaluations(jwt, batch);
        this.#store.delivered(batch.length);
      } catch (err) {
        const status = (err as Partial<ApiError>).status;
        const action = failureAction(err, batch.length);
        if (action === 'split' || action === 'isolate') {
          // Too large a body, or one refused evaluation among them: the same again, half as many per call.
          outbox.evaluations.unshift(...batch);
          outbox.evaluationBatchLimit = Math.max(1, Math.floor(batch.length / 2));
          return;
        }
        if (action === 'drop' && (status === 404 || status === 405)) {
          this.#evaluationsUnsupported = true;
          this.#store.failed(batch.length);
          this.#logger.warn(
            `${this.#client.endpoint} does not take evaluations (create_evaluations: ${status}); ${batch.length} and any later ones are not sent there (said once). The local server and OTLP export keep them.`,
          );
          return;
        }
        if (action === 'drop') {
          this.#logger.error(
            `session ${outbox.id}: the server refused evaluations, dropping ${batch.length}: ${(err as Error).message}`,
          );
          this.#store.failed(batch.length);
          return;
        }
        outbox.evaluations.unshift(...batch);
        throw err;
      }
    });
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
        outbox.authorized(jwt);
        this.#keyAccepted = true;
        this.#onSessionReady?.(outbox.id, undefined);
        return;
      } catch (err) {
        // Not on the server yet (its own process has not created it): create it from here, and
        // keep to that if the creation has to be retried.
        if ((err as Partial<ApiError>).status !== 404 || failureAction(err) === 'fault') throw err;
        outbox.mustCreate();
      }
    }
    const payload = outbox.payload ?? {
      session_id: outbox.id,
      init_timestamp: outbox.firstEventAt ?? new Date().toISOString(),
    };
    const version = outbox.payloadVersion;
    const created = await this.#client.createSession(payload);
    outbox.created(created.jwt, created.session_url, version);
    this.#keyAccepted = true;
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
      outbox.updateGivenUp();
    }
  }
}
