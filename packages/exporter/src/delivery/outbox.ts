/**
 * What is waiting to be sent for one session. Pure state: the sender decides when to send it.
 */
import type { AgentPayload, SessionPayload, UpdateSessionResponse } from '../wire.js';
import { emptyTotals } from './totals.js';

/**
 * One session's undelivered state, as plain JSON: what a short-lived helper process needs to finish
 * the delivery when the app calls `process.exit()` (events in flight are included: the server keeps
 * one copy of an event sent twice).
 */
export interface OutboxSnapshot {
  id: string;
  mode: 'create' | 'join';
  jwt: string | undefined;
  payload: SessionPayload | undefined;
  needsUpdate: boolean;
  ended: boolean;
  events: string[];
  /** Evaluations waiting (each its JSON), sent after the events. */
  evaluations?: string[];
  agents: AgentPayload[];
  firstEventAt: string | undefined;
}

/**
 * One session's delivery. Where it stands with the server is a small state machine, changed only
 * through the named transitions below (authorized, created, must create, token expired, update
 * sent, given up): how the session is authorized (`mode`), the JWT, and which version of the
 * session's data the server has (`sentVersion`) are read-only outside.
 */
export class SessionOutbox {
  #mode: 'create' | 'join';
  #jwt: string | undefined;
  #sessionUrl: string | undefined;
  /** Latest session data known here, and which version of it the server has. */
  payload: SessionPayload | undefined;
  #payloadVersion = 0;
  #sentVersion = 0;
  ended = false;
  endResult: UpdateSessionResponse | undefined;
  /**
   * Events waiting, each as the JSON it is sent as: encoded once when accepted, so what waits is a
   * flat string (cheap for the garbage collector to keep) and sending only joins them.
   */
  readonly events: string[] = [];
  /** Evaluations waiting, as their JSON: sent (create_evaluations) once the events before them are. */
  readonly evaluations: string[] = [];
  /** When the first event accepted here started: the session's start if its own span never came. */
  firstEventAt: string | undefined;
  /** When the oldest waiting event arrived (performance.now()): batches wait for more only so long. */
  waitingSince = 0;
  /** Event batches in create_events calls now: the session update waits for them. */
  readonly batchesInFlight = new Set<string[]>();
  /** A call that nothing else of the session may overlap is in flight (create, agent, update). */
  busy = false;
  readonly agents: AgentPayload[] = [];
  readonly knownAgents = new Set<string>();
  readonly totals = emptyTotals();
  /** Events per create_events call; halved when the server says a body is too large. */
  batchLimit: number;
  /**
   * The batch limit before a batch refused as bad input was sent again in halves to find the event
   * the server refuses; restored once that event is dropped.
   */
  limitBeforeIsolating: number | undefined;
  /** Events the server refused, each sent alone, since it last took a batch. */
  refusedAlone = 0;
  /** Evaluations per create_evaluations call; halved the same way, apart from the events'. */
  evaluationBatchLimit: number;

  get eventsInFlight(): number {
    return this.batchesInFlight.size;
  }

  /** What a process taking over the delivery needs (see `OutboxSnapshot`). */
  snapshot(): OutboxSnapshot {
    const events: string[] = [];
    for (const batch of this.batchesInFlight) events.push(...batch);
    events.push(...this.events);
    return {
      id: this.id,
      mode: this.#mode,
      jwt: this.#jwt,
      payload: this.payload,
      needsUpdate: this.needsUpdate,
      ended: this.ended,
      events,
      evaluations: [...this.evaluations],
      agents: [...this.agents],
      firstEventAt: this.firstEventAt,
    };
  }

  /** Takes over a snapshot's state (into a fresh outbox). */
  restore(s: OutboxSnapshot): void {
    this.#mode = s.mode;
    this.#jwt = s.jwt;
    this.payload = s.payload;
    this.#payloadVersion = s.payload && s.needsUpdate ? 1 : 0;
    this.#sentVersion = 0;
    this.ended = s.ended;
    this.events.push(...s.events);
    this.evaluations.push(...(s.evaluations ?? []));
    for (const agent of s.agents) this.addAgent(agent);
    this.firstEventAt = s.firstEventAt;
  }

  constructor(
    readonly id: string,
    mode: 'create' | 'join',
    batchLimit: number,
  ) {
    this.#mode = mode;
    this.batchLimit = batchLimit;
    this.evaluationBatchLimit = batchLimit;
  }

  /** `create`: this process started the session. `join`: it exists elsewhere; reauthorize first. */
  get mode(): 'create' | 'join' {
    return this.#mode;
  }

  /** The session's JWT, once authorized. */
  get jwt(): string | undefined {
    return this.#jwt;
  }

  /** The session's page, as the server said when it created the session here. */
  get sessionUrl(): string | undefined {
    return this.#sessionUrl;
  }

  /** The version of the session's data now (each `setPayload` is one more). */
  get payloadVersion(): number {
    return this.#payloadVersion;
  }

  setPayload(payload: SessionPayload, ended: boolean): void {
    this.payload = payload;
    this.#payloadVersion++;
    if (ended) this.ended = true;
  }

  /**
   * This process started the session after all (its own span came after events that joined it):
   * it creates the session, unless the session was authorized already or its data is known.
   */
  claim(): void {
    if (this.#mode === 'join' && this.needsAuthorization && this.payload === undefined) this.#mode = 'create';
  }

  /** reauthorize_jwt gave the JWT of a session started elsewhere. */
  authorized(jwt: string): void {
    this.#jwt = jwt;
  }

  /** The session joined is not on the server yet: this process creates it (and keeps to that on retries). */
  mustCreate(): void {
    this.#mode = 'create';
  }

  /**
   * create_session took version `version` of the session's data. An ended session still sends its
   * update after its events, so the server's cost includes them.
   */
  created(jwt: string, sessionUrl: string | undefined, version: number): void {
    this.#jwt = jwt;
    this.#sessionUrl = sessionUrl;
    if (!this.ended) this.#sentVersion = version;
  }

  /** update_session took version `version` of the session's data. */
  updateSent(version: number): void {
    this.#sentVersion = version;
  }

  /** The server refused the session's data: what is known now is never sent again. */
  updateGivenUp(): void {
    this.#sentVersion = this.#payloadVersion;
  }

  /** Everything of the session was given up (refused): nothing is sent again, nor authorized. */
  abandon(): void {
    this.events.length = 0;
    this.evaluations.length = 0;
    this.agents.length = 0;
    this.#sentVersion = this.#payloadVersion;
    this.#mode = 'join';
    this.payload = undefined;
  }

  addAgent(agent: AgentPayload): void {
    if (this.knownAgents.has(agent.id)) return;
    this.knownAgents.add(agent.id);
    this.agents.push(agent);
  }

  /** The server said the JWT expired: reauthorize before the next call. */
  expireToken(): void {
    this.#jwt = undefined;
    this.#mode = 'join';
  }

  get needsAuthorization(): boolean {
    return this.#jwt === undefined;
  }

  get needsUpdate(): boolean {
    return this.payload !== undefined && this.#sentVersion < this.#payloadVersion;
  }

  /** Something to send now. A joined session with nothing to send needs no JWT yet. */
  get hasWork(): boolean {
    return (
      this.events.length > 0 ||
      this.evaluations.length > 0 ||
      this.agents.length > 0 ||
      this.needsUpdate ||
      (this.#mode === 'create' && this.needsAuthorization && this.payload !== undefined)
    );
  }
}
