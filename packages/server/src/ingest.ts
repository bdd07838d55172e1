/**
 * Writes what clients send into the store: sessions, agents and events from the v2 API, and the
 * same from OTLP spans once the exporter's mapping has turned them into AgentOps items.
 */
import type { AgentPayload, EventPayload, MappedItem, PriceFn, SessionPayload } from '@agentops/exporter';
import { fromWireEndState, toWireEndState } from '@agentops/exporter';
import type { Store, StoredEvent } from './db/Store.js';
import { normalizeTimestamp } from './timestamps.js';

export class BadInput extends Error {}

export class Ingest {
  constructor(
    readonly store: Store,
    readonly price: PriceFn | undefined,
  ) {}

  /** A session payload with its timestamps normalized; throws BadInput for unreadable ones. */
  normalizeSession(s: SessionPayload): SessionPayload {
    const init = normalizeTimestamp(s.init_timestamp);
    if (!init)
      throw new BadInput(`session.init_timestamp is not an ISO-8601 time: ${JSON.stringify(s.init_timestamp)}`);
    const end = s.end_timestamp == null ? null : normalizeTimestamp(s.end_timestamp);
    if (end === undefined)
      throw new BadInput(`session.end_timestamp is not an ISO-8601 time: ${JSON.stringify(s.end_timestamp)}`);
    // Clients may send the SDK's name for a failure; the wire (and the store) say `Fail`.
    const known = fromWireEndState(s.end_state);
    const endState = known ? toWireEndState(known) : s.end_state;
    return {
      ...s,
      session_id: s.session_id.toLowerCase(),
      init_timestamp: init,
      end_timestamp: end,
      end_state: endState,
    };
  }

  session(projectId: string, s: SessionPayload): void {
    this.store.upsertSession(projectId, this.normalizeSession(s));
  }

  /** Stores events (timestamps normalized, LLM costs priced); returns how many were new. */
  events(sessionId: string, events: EventPayload[]): number {
    const rows: StoredEvent[] = events.map((e, i) => {
      const init = normalizeTimestamp(e.init_timestamp);
      const end = normalizeTimestamp(e.end_timestamp ?? e.init_timestamp);
      if (!init || !end) throw new BadInput(`events[${i}]: init_timestamp and end_timestamp must be ISO-8601 times`);
      const payload = { ...e, session_id: sessionId, init_timestamp: init, end_timestamp: end } as EventPayload;
      return { payload, cost: this.#cost(payload) };
    });
    return this.store.insertEvents(sessionId, rows);
  }

  #cost(e: EventPayload): number | null {
    if (e.event_type !== 'llms') return null;
    if (typeof e.cost === 'number' && Number.isFinite(e.cost)) return e.cost;
    if (!this.price || !e.model) return null;
    return this.price(e.model, e.prompt_tokens ?? 0, e.completion_tokens ?? 0, e.provider ?? undefined) ?? null;
  }

  agent(sessionId: string, agent: AgentPayload): void {
    this.store.upsertAgent(sessionId, agent);
  }

  /**
   * Applies mapped OTLP items for a project. Sessions owned by another project are skipped (and
   * counted), never written.
   */
  mapped(projectId: string, items: MappedItem[]): { accepted: number; rejected: number } {
    let accepted = 0;
    let rejected = 0;
    const bySession = new Map<string, MappedItem[]>();
    for (const item of items) {
      const list = bySession.get(item.sessionId) ?? [];
      list.push(item);
      bySession.set(item.sessionId, list);
    }
    for (const [sessionId, list] of bySession) {
      const owner = this.store.sessionOwner(sessionId);
      if (owner !== undefined && owner !== projectId) {
        rejected += list.length;
        continue;
      }
      this.store.db.transaction(() => {
        const session = list.find((i) => i.kind === 'session');
        if (session?.kind === 'session') this.session(projectId, session.session);
        else if (owner === undefined) {
          const first = list.find((i) => i.kind === 'event');
          const start = first?.kind === 'event' ? first.event.init_timestamp : new Date().toISOString();
          this.session(projectId, { session_id: sessionId, init_timestamp: start });
        }
        for (const item of list) {
          if (item.kind === 'agent') this.agent(sessionId, item.agent);
        }
        this.events(
          sessionId,
          list.flatMap((i) => (i.kind === 'event' ? [i.event] : [])),
        );
      })();
      accepted += list.length;
    }
    return { accepted, rejected };
  }
}
