/**
 * A session's events: stored once each (a retried batch, or one batch at two instances, adds
 * nothing twice), their totals counted onto the session's row as they are stored, and read back a
 * page at a time as the JSON they were sent as.
 */
import type { EventPayload } from '@agentops/exporter';
import {
  type EventCursor,
  eventColumns,
  eventData,
  jsonPage,
  SessionTotals,
  type StoredEvent,
  withCost,
} from '../Store.js';
import { all, type Column, type Dialect, insertNew, type Op } from '../sql/query.js';
import type { alertRepository, Spend } from './alerts.js';
import type { sessionRepository } from './sessions.js';

const COLUMNS: readonly Column[] = [
  { name: 'id', type: 'text' },
  { name: 'event_type', type: 'text' },
  { name: 'init_timestamp', type: 'text' },
  { name: 'end_timestamp', type: 'text' },
  { name: 'agent_id', type: 'text' },
  { name: 'model', type: 'text' },
  { name: 'prompt_tokens', type: 'bigint' },
  { name: 'completion_tokens', type: 'bigint' },
  { name: 'cache_read_tokens', type: 'bigint' },
  { name: 'cache_creation_tokens', type: 'bigint' },
  { name: 'reasoning_tokens', type: 'bigint' },
  { name: 'cost', type: 'float8' },
  { name: 'data', type: 'text' },
];

export function eventRepository(
  d: Dialect,
  sessions: ReturnType<typeof sessionRepository>,
  alerts: ReturnType<typeof alertRepository>,
) {
  const page = `SELECT ${d.seqNumber} AS seq, init_timestamp, cost, ${d.eventData} AS data FROM events
     WHERE ${d.sessionEvents.where} AND event_type = ? AND (init_timestamp, ${d.seq}) > (?, ?)
     ORDER BY init_timestamp, ${d.seq} LIMIT ?`;
  return {
    /**
     * Inserts the events not stored yet, in the order sent (which orders events of the same
     * instant), and adds what they count to their session; returns how many were new. In a write
     * transaction.
     */
    *insert(sessionId: string, events: readonly StoredEvent[], receivedAt: string): Op<number> {
      if (events.length === 0) return 0;
      // Each event's columns worked out once: for its row, and for the totals if it is new.
      const columns = events.map(({ payload }) => eventColumns(payload));
      const data = events.map(({ payload }) => eventData(payload));
      const rows = events.map(({ payload: e, cost }, i) => {
        const c = columns[i] as ReturnType<typeof eventColumns>;
        return [
          e.id,
          e.event_type,
          e.init_timestamp,
          e.end_timestamp,
          c.agentId,
          c.model,
          c.promptTokens,
          c.completionTokens,
          c.cacheReadTokens,
          c.cacheCreationTokens,
          c.reasoningTokens,
          cost,
          data[i],
        ];
      });
      const inserted = yield* insertNew(
        'events',
        [
          { name: 'session_id', type: 'text', value: sessionId },
          { name: 'received_at', type: 'text', value: receivedAt },
          ...(yield* d.eventPartition(sessionId)),
        ],
        COLUMNS,
        rows,
        'id',
      );
      if (inserted.length === 0) return 0;
      // A batch may hold one id twice: the first of them is the one stored.
      const fresh = new Set(inserted);
      const totals = new SessionTotals();
      const spends: Spend[] = [];
      events.forEach(({ payload: e, cost }, i) => {
        if (!fresh.delete(e.id)) return;
        const c = columns[i] as ReturnType<typeof eventColumns>;
        totals.add(e, c, cost, data[i] as string);
        if (cost) spends.push({ cost, model: c.model, at: e.end_timestamp });
      });
      // Queued for the search index as stored, once: a retried batch adds nothing, a masked value
      // was masked before. Right after the insert (SQLite queues the rowids it just added).
      yield* d.indexEvents(sessionId, inserted);
      yield* sessions.addTotals(sessionId, totals);
      // What it cost counts toward the project's budgets, and fires the rules it takes over a limit.
      if (spends.length > 0) yield* alerts.onSpend(sessionId, spends, Date.now());
      return inserted.length;
    },

    /**
     * One page of a session's events of one type, in time order, each as its JSON text with the
     * cost the server keeps, from just after `after`. Nothing is parsed.
     */
    *jsonPage(
      sessionId: string,
      type: EventPayload['event_type'],
      after: EventCursor | undefined,
      limit: number,
    ): Op<{ json: string[]; next: EventCursor | undefined }> {
      const rows = yield* all<{ seq: number; init_timestamp: string; cost: number | null; data: string }>(page, [
        ...d.sessionEvents.params(sessionId),
        type,
        after?.timestamp ?? '',
        after?.seq ?? 0,
        limit,
      ]);
      return jsonPage(
        rows,
        limit,
        (r) => r.init_timestamp,
        (r) => withCost(r.data, r.cost),
      );
    },
  };
}
