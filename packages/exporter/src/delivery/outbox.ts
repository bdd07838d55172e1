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

export class SessionOutbox {
  /** `create`: this process started the session. `join`: it exists elsewhere; reauthorize first. */
  mode: 'create' | 'join';
  jwt: string | undefined;
  sessionUrl: string | undefined;
  /** Latest session data known here, and whether the server has seen this version. */
  payload: SessionPayload | undefined;
  payloadVersion = 0;
  sentVersion = 0;
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
      mode: this.mode,
      jwt: this.jwt,
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
    this.mode = s.mode;
    this.jwt = s.jwt;
    this.payload = s.payload;
    this.payloadVersion = s.payload && s.needsUpdate ? 1 : 0;
    this.sentVersion = 0;
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
    this.mode = mode;
    this.batchLimit = batchLimit;
    this.evaluationBatchLimit = batchLimit;
  }

  setPayload(payload: SessionPayload, ended: boolean): void {
    this.payload = payload;
    this.payloadVersion++;
    if (ended) this.ended = true;
  }

  addAgent(agent: AgentPayload): void {
    if (this.knownAgents.has(agent.id)) return;
    this.knownAgents.add(agent.id);
    this.agents.push(agent);
  }

  /** The server said the JWT expired: reauthorize before the next call. */
  expireToken(): void {
    this.jwt = undefined;
    this.mode = 'join';
  }

  get needsAuthorization(): boolean {
    return this.jwt === undefined;
  }

  get needsUpdate(): boolean {
    return this.payload !== undefined && this.sentVersion < this.payloadVersion;
  }

  /** Something to send now. A joined session with nothing to send needs no JWT yet. */
  get hasWork(): boolean {
    return (
      this.events.length > 0 ||
      this.evaluations.length > 0 ||
      this.agents.length > 0 ||
      this.needsUpdate ||
      (this.mode === 'create' && this.needsAuthorization && this.payload !== undefined)
    );
  }
}
