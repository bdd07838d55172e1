/**
 * Every session's outbox, and the counts over all of them: the bounded memory of the exporter.
 * Sessions with something to send are `active` (in the sender's round-robin order); ended, delivered
 * sessions are kept (bounded) so that `endSession` and analytics can still read their results.
 */
import type { Logger } from '../internal/logger.js';
import type { EncodedLlmEvent } from '../mapping/llm-event-json.js';
import type { EvaluationPayload, EventPayload } from '../wire.js';
import { type OutboxSnapshot, SessionOutbox } from './outbox.js';
import { addToTotals, countEvent } from './totals.js';

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

export class OutboxStore {
  /** Sessions with something to send, in round-robin order. */
  readonly active = new Map<string, SessionOutbox>();
  readonly #finished = new Map<string, SessionOutbox>();
  readonly #stats: ExporterStats = { queued: 0, sent: 0, droppedQueueFull: 0, failed: 0, pending: 0 };
  #droppedSinceReport = 0;
  /** Events waiting (or in flight), over all sessions. */
  pending = 0;
  /** The server refused the API key: nothing more is taken. */
  keyRefused = false;

  constructor(
    readonly maxBatchSize: number,
    readonly maxQueueSize: number,
  ) {}

  /** The session's outbox, active or finished. */
  get(sessionId: string): SessionOutbox | undefined {
    return this.active.get(sessionId) ?? this.#finished.get(sessionId);
  }

  /**
   * The session's outbox, made active. `create`: this process started it; `join`: it was started
   * elsewhere. A session first seen through a joined event and then through its own start is created.
   */
  open(sessionId: string, mode: 'create' | 'join'): SessionOutbox {
    let outbox = this.active.get(sessionId);
    if (!outbox) {
      const finished = this.#finished.get(sessionId);
      if (finished) this.#finished.delete(sessionId);
      outbox = finished ?? new SessionOutbox(sessionId, mode, this.maxBatchSize);
      this.active.set(sessionId, outbox);
    } else if (mode === 'create') {
      outbox.claim();
    }
    return outbox;
  }

  /** No more events are taken: the queue is full, or the key was refused. */
  get full(): boolean {
    return this.keyRefused || this.pending >= this.maxQueueSize;
  }

  /** Queues one event, or counts it dropped when the outboxes are full. */
  addEvent(sessionId: string, event: EventPayload): void {
    const outbox = this.#queued(sessionId, event.init_timestamp, JSON.stringify(event));
    if (outbox) addToTotals(outbox.totals, event);
  }

  /** Queues one LLM event given as its JSON (mapping/llm-event-json.ts), or counts it dropped. */
  addEncodedLlmEvent(sessionId: string, event: EncodedLlmEvent): void {
    const outbox = this.#queued(sessionId, event.initTimestamp, event.json);
    if (outbox) countEvent(outbox.totals, 'llms', event.promptTokens, event.completionTokens, event.cost);
  }

  /** Queues one event's JSON in its session's outbox; undefined (counted dropped) when full. */
  #queued(sessionId: string, startedAt: string, json: string): SessionOutbox | undefined {
    const outbox = this.#room(sessionId, startedAt);
    if (!outbox) return undefined;
    if (outbox.events.length === 0) outbox.waitingSince = performance.now();
    outbox.events.push(json);
    return outbox;
  }

  /** Queues one evaluation (counted with the events), or counts it dropped when the outboxes are full. */
  addEvaluation(sessionId: string, evaluation: EvaluationPayload): void {
    const outbox = this.#room(sessionId, evaluation.timestamp);
    if (!outbox) return;
    outbox.evaluations.push(JSON.stringify(evaluation));
    countEvent(outbox.totals, 'evaluations');
  }

  /** The outbox one more item of the session is queued in, counted; undefined (counted dropped) when full. */
  #room(sessionId: string, startedAt: string): SessionOutbox | undefined {
    if (this.full) {
      this.recordDropped(1);
      return undefined;
    }
    const outbox = this.open(sessionId, 'join');
    outbox.firstEventAt ??= startedAt;
    this.pending++;
    this.#stats.queued++;
    return outbox;
  }

  /** Moves a session that has nothing more to send among the finished ones. */
  retire(outbox: SessionOutbox): void {
    this.active.delete(outbox.id);
    this.#finished.set(outbox.id, outbox);
    if (this.#finished.size > FINISHED_SESSIONS_KEPT) {
      const oldest = this.#finished.keys().next().value;
      if (oldest !== undefined) this.#finished.delete(oldest);
    }
  }

  /** The server acknowledged `count` events. */
  delivered(count: number): void {
    this.pending -= count;
    this.#stats.sent += count;
  }

  /** `count` events were given up on. */
  failed(count: number): void {
    this.pending -= count;
    this.#stats.failed += count;
  }

  /** Spans that could not be mapped at all: counted as failed (they were never queued). */
  unmappable(count: number): void {
    this.#stats.failed += count;
  }

  /** Gives up on everything of a session (refused), which is not sent again. */
  dropAll(outbox: SessionOutbox): void {
    this.failed(outbox.events.length + outbox.evaluations.length);
    outbox.abandon();
    // Kept among the finished: what was recorded of the session (its totals) stays readable.
    this.retire(outbox);
  }

  /** Gives up on every event still waiting (shutdown); returns how many. */
  discardPending(): number {
    const lost = this.pending;
    this.#stats.failed += lost;
    for (const outbox of this.active.values()) {
      outbox.events.length = 0;
      outbox.evaluations.length = 0;
    }
    this.pending = 0;
    return lost;
  }

  /** Counts events dropped before they were queued (a full queue here or in a processor). */
  recordDropped(count: number): void {
    this.#stats.droppedQueueFull += count;
    this.#droppedSinceReport += count;
  }

  /** Says how many events were dropped since the last report, if any. */
  reportDrops(logger: Logger): void {
    if (this.#droppedSinceReport === 0) return;
    const n = this.#droppedSinceReport;
    this.#droppedSinceReport = 0;
    const why = this.keyRefused ? 'the API key was refused' : `the queue was full (maxQueueSize ${this.maxQueueSize})`;
    logger.warn(`dropped ${n} events because ${why}; ${this.#stats.droppedQueueFull} dropped in all`);
  }

  stats(): ExporterStats {
    return { ...this.#stats, pending: this.pending };
  }

  /** What a process taking over the delivery needs: every session with something undelivered. */
  snapshots(): OutboxSnapshot[] {
    const snapshots: OutboxSnapshot[] = [];
    for (const outbox of this.active.values()) {
      if (outbox.hasWork || outbox.eventsInFlight > 0 || outbox.busy) snapshots.push(outbox.snapshot());
    }
    return snapshots;
  }

  /** Takes over outboxes handed over by an exiting process. */
  restore(snapshots: readonly OutboxSnapshot[]): void {
    for (const snapshot of snapshots) {
      const outbox = new SessionOutbox(snapshot.id, snapshot.mode, this.maxBatchSize);
      outbox.restore(snapshot);
      this.active.set(snapshot.id, outbox);
      const count = snapshot.events.length + (snapshot.evaluations?.length ?? 0);
      this.pending += count;
      this.#stats.queued += count;
    }
  }
}
