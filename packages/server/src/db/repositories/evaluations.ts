/** A session's evaluations: stored once each by id, counted on the session's row, read a page at a time. */
import type { EvaluationPayload } from '@agentops/exporter';
import { type EvaluationTotalsRow, type EventCursor, evaluationColumns, jsonPage } from '../Store.js';
import { all, type Dialect, insertNew, type Op } from '../sql/query.js';
import type { sessionRepository } from './sessions.js';

export function evaluationRepository(d: Dialect, sessions: ReturnType<typeof sessionRepository>) {
  return {
    /** Inserts the evaluations not stored yet (by id) and counts them on the session; returns how many were new. */
    *insert(sessionId: string, evaluations: readonly EvaluationPayload[], receivedAt: string): Op<number> {
      const inserted = yield* insertNew(
        'evaluations',
        [
          { name: 'session_id', type: 'text', value: sessionId },
          { name: 'received_at', type: 'text', value: receivedAt },
        ],
        [
          { name: 'id', type: 'text' },
          { name: 'timestamp', type: 'text' },
          { name: 'name', type: 'text' },
          { name: 'score', type: 'float8' },
          { name: 'label', type: 'text' },
          { name: 'data', type: 'text' },
        ],
        evaluations.map((e) => {
          const c = evaluationColumns(e);
          return [e.id, c.timestamp, c.name, c.score, c.label, JSON.stringify(e)];
        }),
        'id',
      );
      yield* sessions.addEvaluations(sessionId, inserted.length);
      return inserted.length;
    },

    *jsonPage(
      sessionId: string,
      after: EventCursor | undefined,
      limit: number,
    ): Op<{ json: string[]; next: EventCursor | undefined }> {
      const rows = yield* all<{ seq: number; timestamp: string; data: string }>(
        `SELECT ${d.seqNumber} AS seq, timestamp, data FROM evaluations
         WHERE session_id = ? AND (timestamp, ${d.seq}) > (?, ?) ORDER BY timestamp, ${d.seq} LIMIT ?`,
        [sessionId, after?.timestamp ?? '', after?.seq ?? 0, limit],
      );
      return jsonPage(
        rows,
        limit,
        (r) => r.timestamp,
        (r) => r.data,
      );
    },

    /** The session's evaluations of each name and label, counted, their scores summed (exactly). */
    totals: (sessionId: string) =>
      all<EvaluationTotalsRow>(
        `SELECT name, label, ${d.int('COUNT(*)')} AS count, ${d.int('COUNT(score)')} AS scored,
           ${d.exactSum('score')} AS score_sum
         FROM evaluations WHERE session_id = ? GROUP BY name, label ORDER BY name, label`,
        [sessionId],
      ),
  };
}
