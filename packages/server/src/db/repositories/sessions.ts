/**
 * Sessions, with what belongs to each: its agents, its span links and the totals kept on its row.
 * The merge rules of a session written by several processes and retried requests live here, once.
 */
import type { AgentPayload, SessionPayload, SessionRecord, SpanLinkPayload } from '@agentops/exporter';
import {
  type AgentRow,
  agentOfRow,
  EQUALITY_FILTERS,
  type ListedSession,
  listedSession,
  RANGE_FILTERS,
  SESSION_TOTALS_COLUMNS,
  type SessionListFilter,
  type SessionRow,
  type SessionTotals,
  type SessionTotalsRow,
  sessionRecord,
} from '../Store.js';
import { searchDocument, searchWords } from '../search-text.js';
import { all, type Dialect, get, insertNew, type Op, run } from '../sql/query.js';

/**
 * A session's descriptive fields, as a payload names them and its row stores them. A payload that
 * has the field replaces what is stored, null clearing it (a later update whose mask dropped a value
 * removes the value stored earlier); a payload without it keeps it (a client that sends only an end
 * state). `json`: stored in a JSON column.
 */
const DESCRIPTIVE: readonly {
  field: keyof SessionPayload & keyof SessionRow;
  json?: boolean;
  value(s: SessionPayload): unknown;
}[] = [
  { field: 'tags', json: true, value: (s) => s.tags ?? [] },
  {
    field: 'host_env',
    value: (s) => (s.host_env && Object.keys(s.host_env).length > 0 ? JSON.stringify(s.host_env) : null),
  },
  { field: 'video', value: (s) => s.video ?? null },
  { field: 'name', value: (s) => s.name ?? null },
  { field: 'user_id', value: (s) => s.user_id ?? null },
  { field: 'environment', value: (s) => s.environment ?? null },
  { field: 'release', value: (s) => s.release ?? null },
  { field: 'forked_from', value: (s) => s.forked_from ?? null },
  { field: 'fork_step', value: (s) => (s.forked_from ? (s.fork_step ?? null) : null) },
];

/** The end of a session: it only moves forward, a payload without one keeps the one stored. */
const END = ['end_timestamp', 'end_state', 'end_state_reason'] as const;

export const SESSION_FIELDS = ['id', 'init_timestamp', ...END, ...DESCRIPTIVE.map((f) => f.field)].join(', ');

/** The agents of a listed session, as a column of the list's SELECT (one query for the page). */
const AGENT_COUNT = '(SELECT COUNT(*) FROM agents a WHERE a.session_id = sessions.id) AS agent_count';

export function sessionRepository(d: Dialect) {
  const columns = ['id', 'project_id', 'init_timestamp', ...END, ...DESCRIPTIVE.map((f) => f.field)];
  const upsert = `INSERT INTO sessions (${columns.join(', ')}, created_at, updated_at)
     VALUES (${columns.map((c) => (DESCRIPTIVE.find((f) => f.field === c)?.json ? d.jsonParam : '?')).join(', ')}, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       init_timestamp = ${d.least('sessions.init_timestamp', 'excluded.init_timestamp')},
       ${END.map((c) => `${c} = COALESCE(excluded.${c}, sessions.${c})`).join(', ')},
       ${DESCRIPTIVE.map(({ field: c }) => `${c} = CASE WHEN ${d.boolParam} THEN excluded.${c} ELSE sessions.${c} END`).join(', ')},
       updated_at = excluded.updated_at
     WHERE sessions.project_id = excluded.project_id`;
  const addTotals = `UPDATE sessions SET llm_calls = llm_calls + ?, errors = errors + ?, tool_calls = tool_calls + ?,
       actions = actions + ?, prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?,
       cache_read_tokens = cache_read_tokens + ?, cache_creation_tokens = cache_creation_tokens + ?,
       reasoning_tokens = reasoning_tokens + ?, cost = cost + ?, payload_bytes = payload_bytes + ?, last_event_end = ${d.greatest('last_event_end', '?')}
     WHERE id = ?`;
  const addModel = `INSERT INTO session_models AS m (session_id, model, llm_calls, prompt_tokens, completion_tokens, cost)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (session_id, model) DO UPDATE SET llm_calls = m.llm_calls + excluded.llm_calls,
       prompt_tokens = m.prompt_tokens + excluded.prompt_tokens,
       completion_tokens = m.completion_tokens + excluded.completion_tokens, cost = m.cost + excluded.cost`;

  return {
    *owner(sessionId: string): Op<string | undefined> {
      return (yield* get<{ project_id: string }>('SELECT project_id FROM sessions WHERE id = ?', [sessionId]))
        ?.project_id;
    },

    *get(projectId: string, sessionId: string): Op<SessionRecord | undefined> {
      const row = yield* get<SessionRow>(`SELECT ${SESSION_FIELDS} FROM sessions WHERE id = ? AND project_id = ?`, [
        sessionId,
        projectId,
      ]);
      return row ? sessionRecord(row) : undefined;
    },

    /**
     * Creates the session, or merges into it (a retried create, or a second process that got there
     * first): the earliest start wins, the end only moves forward, given fields replace older ones.
     * A session of another project is left as it is.
     */
    *upsert(projectId: string, s: SessionPayload): Op<void> {
      const now = new Date().toISOString();
      const changed = yield* run(upsert, [
        s.session_id,
        projectId,
        s.init_timestamp,
        ...END.map((c) => s[c] ?? null),
        ...DESCRIPTIVE.map((f) => (f.json ? d.json(f.value(s)) : f.value(s))),
        now,
        now,
        // 1 or 0: SQLite binds no booleans.
        ...DESCRIPTIVE.map((f) => (s[f.field] === undefined ? 0 : 1)),
      ]);
      // The session's tags are searched too: their document replaced when they are given (and the
      // session is this project's).
      if (changed > 0 && s.tags !== undefined)
        yield* d.indexSessionWords(s.session_id, searchDocument((s.tags ?? []).join(' ')));
    },

    /** Creates the session with only its start when it does not exist. */
    *create(projectId: string, sessionId: string, start: string): Op<void> {
      const now = new Date().toISOString();
      yield* run(
        `INSERT INTO sessions (id, project_id, init_timestamp, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
        [sessionId, projectId, start, now, now],
      );
    },

    /** `indexed`: for each word of the search, the sessions whose events hold it, when the index is read apart. */
    *list(
      projectId: string,
      filter: SessionListFilter,
      indexed?: readonly (readonly unknown[])[],
    ): Op<{ sessions: ListedSession[]; total: number }> {
      const where = ['project_id = ?'];
      const params: unknown[] = [projectId];
      if (filter.tag !== undefined) {
        where.push(d.hasElement('tags'));
        params.push(d.hasElementValue(filter.tag));
      }
      if (filter.q !== undefined) {
        // A search with no word in it (punctuation only) finds nothing.
        const words = searchWords(filter.q);
        if (words.length === 0) return { sessions: [], total: 0 };
        const keys = yield* d.matchingSessions(words, indexed);
        if (keys.length === 0) return { sessions: [], total: 0 };
        where.push(d.sessionKeyIn);
        params.push(d.sessionKeysParam(keys));
      }
      if (filter.endState === 'running') where.push('end_state IS NULL');
      else if (filter.endState !== undefined) {
        where.push('end_state = ?');
        params.push(filter.endState);
      }
      for (const [name, column] of EQUALITY_FILTERS) {
        if (filter[name] === undefined) continue;
        where.push(`${column} = ?`);
        params.push(filter[name]);
      }
      for (const [name, column, op, value] of RANGE_FILTERS) {
        const given = filter[name];
        if (given === undefined) continue;
        where.push(`${column} ${op} ?`);
        params.push(value(given));
      }
      const clause = where.join(' AND ');
      const rows = yield* all<Parameters<typeof listedSession>[0]>(
        `SELECT ${SESSION_FIELDS}, ${SESSION_TOTALS_COLUMNS}, ${AGENT_COUNT} FROM sessions WHERE ${clause}
         ORDER BY init_timestamp DESC, ${d.seq} DESC LIMIT ? OFFSET ?`,
        [...params, filter.limit, filter.offset],
      );
      const count = yield* get<{ n: number }>(`SELECT ${d.int('COUNT(*)')} AS n FROM sessions WHERE ${clause}`, params);
      return { sessions: rows.map(listedSession), total: count?.n ?? 0 };
    },

    totals: (sessionId: string) =>
      get<SessionTotalsRow>(`SELECT ${SESSION_TOTALS_COLUMNS} FROM sessions WHERE id = ?`, [sessionId]),

    /** Adds what newly stored events count to the session's totals and its per-model costs. */
    *addTotals(sessionId: string, t: SessionTotals): Op<void> {
      const s = t.session;
      yield* run(addTotals, [
        s.llmCalls,
        s.errors,
        s.toolCalls,
        s.actions,
        s.promptTokens,
        s.completionTokens,
        s.cacheReadTokens,
        s.cacheCreationTokens,
        s.reasoningTokens,
        s.cost,
        s.payloadBytes,
        s.lastEnd ?? null,
        sessionId,
      ]);
      // In the models' order: two instances adding to one session take their row locks alike.
      for (const [model, m] of [...t.models].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        yield* run(addModel, [sessionId, model, m.llmCalls, m.promptTokens, m.completionTokens, m.cost]);
      }
    },

    *addEvaluations(sessionId: string, added: number): Op<void> {
      if (added > 0) yield* run('UPDATE sessions SET evaluations = evaluations + ? WHERE id = ?', [added, sessionId]);
    },

    *upsertAgent(sessionId: string, agent: AgentPayload): Op<void> {
      yield* run(
        `INSERT INTO agents (session_id, id, name, span_id, parent_span_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (session_id, id) DO UPDATE SET name = excluded.name,
           span_id = COALESCE(excluded.span_id, agents.span_id),
           parent_span_id = COALESCE(excluded.parent_span_id, agents.parent_span_id)`,
        [sessionId, agent.id, agent.name, agent.span_id ?? null, agent.parent_span_id ?? null],
      );
    },

    *agents(sessionId: string): Op<AgentPayload[]> {
      const rows = yield* all<AgentRow>(
        `SELECT id, name, span_id, parent_span_id FROM agents WHERE session_id = ? ORDER BY ${d.seq}`,
        [sessionId],
      );
      return rows.map(agentOfRow);
    },

    *agentCount(sessionId: string): Op<number> {
      const row = yield* get<{ n: number }>(`SELECT ${d.int('COUNT(*)')} AS n FROM agents WHERE session_id = ?`, [
        sessionId,
      ]);
      return row?.n ?? 0;
    },

    /** A batch's span links; a link stored already is kept. */
    *addLinks(sessionId: string, links: readonly SpanLinkPayload[]): Op<void> {
      yield* insertNew(
        'span_links',
        [{ name: 'session_id', type: 'text', value: sessionId }],
        [
          { name: 'span_id', type: 'text' },
          { name: 'parent_span_id', type: 'text' },
        ],
        links.map((l) => [l.span_id, l.parent_span_id]),
        'span_id',
      );
    },

    *links(sessionId: string): Op<Map<string, string>> {
      const rows = yield* all<{ span_id: string; parent_span_id: string }>(
        'SELECT span_id, parent_span_id FROM span_links WHERE session_id = ?',
        [sessionId],
      );
      return new Map(rows.map((r) => [r.span_id, r.parent_span_id]));
    },
  };
}
