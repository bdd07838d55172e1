/** A session's statistics from its stored events: what the stats and export endpoints answer. */
import {
  type EvaluationSummary,
  formatCost,
  formatDuration,
  type SessionRecord,
  type SessionStats,
} from '@agentops/exporter';
import type { EvaluationTotalsRow, EventTotalsRow } from './db/Store.js';

export function sessionStats(
  session: SessionRecord,
  totals: EventTotalsRow[],
  agents: number,
  evaluations: EvaluationTotalsRow[] = [],
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
    evaluations: evaluations.reduce((n, e) => n + e.count, 0),
    evaluation_scores: evaluationSummaries(evaluations),
  };
}

/** Per evaluation name: how many, the mean score, and how many said each label (rows ordered by name). */
export function evaluationSummaries(rows: EvaluationTotalsRow[]): EvaluationSummary[] {
  const byName = new Map<string, EvaluationSummary & { scored: number; sum: number }>();
  for (const row of rows) {
    let summary = byName.get(row.name);
    if (!summary) {
      summary = { name: row.name, count: 0, mean_score: null, labels: {}, scored: 0, sum: 0 };
      byName.set(row.name, summary);
    }
    summary.count += row.count;
    summary.scored += row.scored;
    summary.sum += row.score_sum ?? 0;
    if (row.label !== null) summary.labels[row.label] = (summary.labels[row.label] ?? 0) + row.count;
  }
  return [...byName.values()].map(({ scored, sum, ...summary }) => ({
    ...summary,
    mean_score: scored > 0 ? sum / scored : null,
  }));
}
