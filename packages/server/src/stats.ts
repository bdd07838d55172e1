/** A session's statistics from its stored events: what the stats and export endpoints answer. */
import { formatCost, formatDuration, type SessionRecord, type SessionStats } from '@agentops/exporter';
import type { EventTotalsRow } from './db/Store.js';

export function sessionStats(
  session: SessionRecord,
  totals: EventTotalsRow[],
  agents: number,
  now = Date.now(),
): SessionStats {
  const count = (type: string) => totals.find((t) => t.event_type === type)?.count ?? 0;
  const sum = (pick: (t: EventTotalsRow) => number | null) => totals.reduce((acc, t) => acc + (pick(t) ?? 0), 0);
  const start = Date.parse(session.init_timestamp);
  const lastEventEnd = totals.reduce(
    (max, t) => (t.last_end && Date.parse(t.last_end) > max ? Date.parse(t.last_end) : max),
    start,
  );
  const end = session.end_timestamp ? Date.parse(session.end_timestamp) : Math.max(lastEventEnd, now);
  const durationMs = Math.max(0, end - start);
  return {
    session_id: session.session_id,
    events: sum((t) => t.count),
    llm_calls: count('llms'),
    tool_calls: count('tools'),
    actions: count('actions'),
    errors: count('errors'),
    prompt_tokens: sum((t) => t.prompt_tokens),
    completion_tokens: sum((t) => t.completion_tokens),
    cache_read_tokens: sum((t) => t.cache_read_tokens),
    cache_creation_tokens: sum((t) => t.cache_creation_tokens),
    reasoning_tokens: sum((t) => t.reasoning_tokens),
    cost: formatCost(sum((t) => t.cost)),
    duration_ms: durationMs,
    duration: formatDuration(durationMs),
    agents,
    end_state: session.end_state,
  };
}
