/**
 * Retention, the same statements on both stores: each project's policy, and the work it asks for
 * done one small step at a time (one transaction of at most `limit` events), so ingest is never
 * held behind a purge. Each step takes the project's retention lock and reads what is left to do
 * under it: instances sharing one PostgreSQL database each remove a given row once, and count it
 * once, however many of them run retention at the same time.
 */
import { withoutPayload } from '../../retention/payload.js';
import {
  type ProjectPolicy,
  parseRetentionPolicy,
  type RetentionPolicy,
  type RetentionPreview,
  type RetentionWork,
  SESSION_KINDS,
} from '../../retention/policy.js';
import { timestampOf } from '../../timestamps.js';
import { storedJson } from '../Store.js';
import { all, type Dialect, get, type Op, run } from '../sql/query.js';

const DAY_MS = 86_400_000;

export const NO_WORK: Readonly<RetentionWork> = {
  deleted_sessions: 0,
  deleted_events: 0,
  stripped_events: 0,
  freed_bytes: 0,
};

/** An unended session is a candidate for the payload budget once it has been quiet this long. */
const QUIET_MS = DAY_MS;

const iso = timestampOf;

/** The sessions of a project past their time under `policy` at `now`, as a condition; undefined when none can be. */
function expiredCondition(policy: RetentionPolicy, now: number): { sql: string; params: unknown[] } | undefined {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const kind of SESSION_KINDS) {
    const days = policy.keep_days[kind];
    if (days === undefined) continue;
    // A session's time runs from its end: its last event's if it never ended, its start if it has none.
    const since = 'COALESCE(end_timestamp, last_event_end, init_timestamp) < ?';
    if (kind === 'unended') parts.push(`(end_state IS NULL AND ${since})`);
    else {
      parts.push(`(end_state = ? AND ${since})`);
      params.push(kind);
    }
    params.push(iso(now - days * DAY_MS));
  }
  return parts.length === 0 ? undefined : { sql: `(${parts.join(' OR ')})`, params };
}

/** The sessions whose payloads the budget takes first: the oldest that ended (or went quiet), not done yet. */
const PAYLOAD_CANDIDATES = `project_id = ? AND payload_removed_at IS NULL AND payload_bytes > 0
  AND (end_timestamp IS NOT NULL OR COALESCE(last_event_end, init_timestamp) < ?)`;

/** The tables holding a session's rows beside its events, emptied before the session itself goes. */
const SESSION_CHILDREN = ['evaluations', 'agents', 'session_models', 'span_links', 'uploads'];

export function retentionRepository(d: Dialect) {
  const payloadTotal = function* (projectId: string): Op<number> {
    const row = yield* get<{ n: number | string | null }>(
      'SELECT SUM(payload_bytes) AS n FROM sessions WHERE project_id = ?',
      [projectId],
    );
    return Number(row?.n ?? 0);
  };

  /** Deletes up to `limit` of the session's events; when that was the last of them, the session and its rows too. */
  function* purgeSession(sessionId: string, limit: number): Op<RetentionWork> {
    const keys = (yield* all<{ k: unknown }>(
      `SELECT ${d.eventKey} AS k FROM events WHERE ${d.sessionEvents.where} ORDER BY id LIMIT ?`,
      [...d.sessionEvents.params(sessionId), limit],
    )).map((r) => r.k);
    let deleted = 0;
    if (keys.length > 0) {
      yield* d.unindexSessionEvents(sessionId);
      deleted = yield* run(`DELETE FROM events WHERE ${d.sessionEvents.where} AND ${d.eventKeyIn}`, [
        ...d.sessionEvents.params(sessionId),
        d.keysParam(keys),
      ]);
      // More are left: the next step goes on with them.
      if (keys.length === limit) return { ...NO_WORK, deleted_events: deleted };
    }
    for (const table of SESSION_CHILDREN) yield* run(`DELETE FROM ${table} WHERE session_id = ?`, [sessionId]);
    yield* d.indexSessionWords(sessionId, '');
    const n = yield* run('DELETE FROM sessions WHERE id = ?', [sessionId]);
    return { ...NO_WORK, deleted_events: deleted, deleted_sessions: n };
  }

  /** Removes the payloads of up to `limit` more of the session's events, from where the last step ended. */
  function* stripSession(
    s: { id: string; payload_cursor: string | null },
    limit: number,
    now: number,
  ): Op<RetentionWork> {
    const rows = yield* all<{ k: unknown; id: string; data: string }>(
      `SELECT ${d.eventKey} AS k, id, data FROM events WHERE ${d.sessionEvents.where} AND id > ? ORDER BY id LIMIT ?`,
      [...d.sessionEvents.params(s.id), s.payload_cursor ?? '', limit],
    );
    let freed = 0;
    const stripped: unknown[] = [];
    for (const row of rows) {
      const data = withoutPayload(row.data);
      if (data === undefined) continue;
      yield* run(`UPDATE events SET data = ? WHERE ${d.sessionEvents.where} AND id = ?`, [
        data,
        ...d.sessionEvents.params(s.id),
        row.id,
      ]);
      freed += Buffer.byteLength(row.data) - Buffer.byteLength(data);
      stripped.push(row.k);
    }
    // Words that are no longer stored are no longer found: those of all the session's events, whose
    // payloads go in the steps that follow.
    if (stripped.length > 0) yield* d.unindexSessionEvents(s.id);
    const done = rows.length < limit;
    yield* run(
      `UPDATE sessions SET payload_bytes = payload_bytes - ?, payload_cursor = ?, payload_removed_at = ? WHERE id = ?`,
      [freed, rows.at(-1)?.id ?? s.payload_cursor, done ? iso(now) : null, s.id],
    );
    return { ...NO_WORK, stripped_events: stripped.length, freed_bytes: freed };
  }

  /** Whether a session of the day is kept: by its project's policy, or by its project having none. */
  function* dayKept(day: number, policies: readonly ProjectPolicy[], now: number): Op<boolean> {
    const expired: string[] = [];
    const params: unknown[] = [day];
    for (const { projectId, policy } of policies) {
      const condition = expiredCondition(policy, now);
      if (!condition) continue;
      expired.push(`(project_id = ? AND ${condition.sql})`);
      params.push(projectId, ...condition.params);
    }
    // NULL (a session of a kind its policy keeps) counts as kept.
    const kept = yield* get(
      `SELECT id FROM sessions WHERE part = ? AND NOT COALESCE(${expired.join(' OR ') || 'FALSE'}, FALSE) LIMIT 1`,
      params,
    );
    return kept !== undefined;
  }

  return {
    dayKept,

    *policy(projectId: string): Op<RetentionPolicy | undefined> {
      const row = yield* get<{ policy: unknown }>('SELECT policy FROM retention_policies WHERE project_id = ?', [
        projectId,
      ]);
      return row ? parseRetentionPolicy(storedJson(row.policy, {})) : undefined;
    },

    /** Sets the project's policy; undefined removes it (everything is kept). */
    *setPolicy(projectId: string, policy: RetentionPolicy | undefined): Op<void> {
      if (policy === undefined) {
        yield* run('DELETE FROM retention_policies WHERE project_id = ?', [projectId]);
        return;
      }
      yield* run(
        `INSERT INTO retention_policies (project_id, policy, updated_at) VALUES (?, ${d.jsonParam}, ?)
         ON CONFLICT (project_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at`,
        [projectId, d.json(policy), new Date().toISOString()],
      );
    },

    /** Every project that has a policy, with it. */
    *policies(): Op<ProjectPolicy[]> {
      const rows = yield* all<{ project_id: string; policy: unknown }>(
        'SELECT project_id, policy FROM retention_policies ORDER BY project_id',
      );
      return rows.map((r) => ({
        projectId: r.project_id,
        policy: parseRetentionPolicy(storedJson(r.policy, {})),
      }));
    },

    /**
     * One step of the project's retention at `now`, in a write transaction: part of the oldest
     * expired session deleted (its events first, `limit` at a time, then the session), else the
     * payloads of up to `limit` events of the oldest ended session removed while the project is over
     * its budget. Undefined when nothing is left to do.
     */
    *step(
      projectId: string,
      policy: RetentionPolicy,
      now: number,
      limit: number,
      waitingDays: readonly number[] = [],
    ): Op<RetentionWork | undefined> {
      yield* d.lock(`agentops:retention:${projectId}`);
      const expired = expiredCondition(policy, now);
      if (expired) {
        // Only PostgreSQL has days waiting (partitions): the condition is written for it alone.
        const waiting = waitingDays.length > 0 ? ' AND part <> ALL (?::int[])' : '';
        const s = yield* get<{ id: string }>(
          `SELECT id FROM sessions WHERE project_id = ? AND ${expired.sql}${waiting} ORDER BY init_timestamp LIMIT 1`,
          [projectId, ...expired.params, ...(waiting ? [waitingDays] : [])],
        );
        if (s) return yield* purgeSession(s.id, limit);
      }
      if (policy.payload_bytes === undefined) return;
      // A session whose payloads began to go loses them all: none is left half done.
      const begun = yield* get<{ id: string; payload_cursor: string | null }>(
        `SELECT id, payload_cursor FROM sessions
         WHERE project_id = ? AND payload_cursor IS NOT NULL AND payload_removed_at IS NULL LIMIT 1`,
        [projectId],
      );
      if (begun) return yield* stripSession(begun, limit, now);
      if ((yield* payloadTotal(projectId)) <= policy.payload_bytes) return;
      const s = yield* get<{ id: string; payload_cursor: string | null }>(
        `SELECT id, payload_cursor FROM sessions WHERE ${PAYLOAD_CANDIDATES} ORDER BY init_timestamp LIMIT 1`,
        [projectId, iso(now - QUIET_MS)],
      );
      return s ? yield* stripSession(s, limit, now) : undefined;
    },

    /**
     * Deletes a past day's sessions and their rows when each of them is past its time under its
     * project's policy (PostgreSQL), so that the day's partitions of events and search words can be
     * dropped whole (`Dialect.dropPartition`, after this transaction). Under one lock across
     * instances, after every session of the day is locked (a batch being stored for one of them is
     * waited for, and one that comes after finds it gone and stores it afresh, on today); undefined
     * when the day is kept.
     */
    *dropDay(day: number, policies: readonly ProjectPolicy[], now: number): Op<RetentionWork | undefined> {
      yield* d.lock('agentops:retention:days');
      if (!(yield* d.pastPartitions()).includes(day)) return;
      // Asked first without a lock (a day kept is the common answer, every pass), then again once
      // every session of the day is locked.
      if (yield* dayKept(day, policies, now)) return;
      yield* run('SELECT COUNT(*) FROM (SELECT 1 FROM sessions WHERE part = ? FOR UPDATE) AS s', [day]);
      if (yield* dayKept(day, policies, now)) return;
      const ofDay = 'session_id IN (SELECT id FROM sessions WHERE part = ?)';
      // The events of the sessions deleted here (not those another instance's step counted).
      const events = yield* get<{ n: number | string }>(
        `SELECT COUNT(*) AS n FROM events WHERE part = ? AND ${ofDay}`,
        [day, day],
      );
      for (const table of SESSION_CHILDREN) yield* run(`DELETE FROM ${table} WHERE ${ofDay}`, [day]);
      const deleted = yield* run('DELETE FROM sessions WHERE part = ?', [day]);
      return { ...NO_WORK, deleted_sessions: deleted, deleted_events: Number(events?.n ?? 0) };
    },

    /** What `step` would remove, step after step, if it ran now. */
    *preview(projectId: string, policy: RetentionPolicy, now: number): Op<RetentionPreview> {
      const expired = expiredCondition(policy, now);
      const byKind = expired
        ? yield* all<{ end_state: string | null; n: number | string; events: number | string; bytes: number | string }>(
            `SELECT end_state, COUNT(*) AS n, SUM(llm_calls + tool_calls + actions + errors) AS events,
                    SUM(payload_bytes) AS bytes
             FROM sessions WHERE project_id = ? AND ${expired.sql} GROUP BY end_state`,
            [projectId, ...expired.params],
          )
        : [];
      const preview: RetentionPreview = {
        expired_sessions: {},
        expired_events: 0,
        expired_bytes: 0,
        payload_bytes: yield* payloadTotal(projectId),
        payload_budget: policy.payload_bytes ?? null,
        payload_sessions: 0,
        payload_sessions_bytes: 0,
      };
      for (const r of byKind) {
        preview.expired_sessions[r.end_state ?? 'unended'] = Number(r.n);
        preview.expired_events += Number(r.events);
        preview.expired_bytes += Number(r.bytes);
      }
      const budget = policy.payload_bytes;
      let over = budget === undefined ? 0 : preview.payload_bytes - preview.expired_bytes - budget;
      if (over <= 0) return preview;
      // The oldest candidates, as many as bring the project within its budget (expired ones go anyway).
      const candidates = yield* all<{ b: number | string }>(
        `SELECT payload_bytes AS b FROM sessions WHERE ${PAYLOAD_CANDIDATES} ${expired ? `AND NOT ${expired.sql}` : ''}
         ORDER BY init_timestamp LIMIT 100000`,
        [projectId, iso(now - QUIET_MS), ...(expired?.params ?? [])],
      );
      for (const c of candidates) {
        if (over <= 0) break;
        preview.payload_sessions++;
        preview.payload_sessions_bytes += Number(c.b);
        over -= Number(c.b);
      }
      return preview;
    },
  };
}
