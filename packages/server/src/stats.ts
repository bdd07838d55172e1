/** A session's statistics from its totals: what the stats and export endpoints and the session list answer. */
import {
  type EvaluationSummary,
  formatCost,
  formatDuration,
  type SessionRecord,
  type SessionStats,
} from '@agentops/exporter';
import type { EvaluationTotalsRow, SessionTotalsRow } from './db/Store.js';

/** Evaluation names a summary gives (the most frequent first), and labels per name; the rest is counted. */
export const SUMMARY_NAMES = 20;
export const SUMMARY_LABELS = 20;

/**
 * A session's stats from its totals (its row's: never a scan of its events). With the rows of its
 * evaluations' totals, also their summary per name, bounded (`evaluation_names` says how many
 * names there are; `GET /v2/sessions/:id/evaluation_scores` pages them all); the session list
 * leaves the summary out.
 */
export function sessionStats(
  session: SessionRecord,
  totals: SessionTotalsRow | undefined,
  agents: number,
  evaluations?: EvaluationTotalsRow[],
  now = Date.now(),
): SessionStats {
  const n = (value: number | string | undefined | null) => Number(value ?? 0);
  const start = Date.parse(session.init_timestamp);
  const lastEnd = totals?.last_event_end ? Date.parse(totals.last_event_end) : start;
  const end = session.end_timestamp ? Date.parse(session.end_timestamp) : Math.max(lastEnd, start, now);
  const durationMs = Math.max(0, end - start);
  const llmCalls = n(totals?.llm_calls);
  const toolCalls = n(totals?.tool_calls);
  const actions = n(totals?.actions);
  const errors = n(totals?.errors);
  const stats: SessionStats = {
    session_id: session.session_id,
    events: llmCalls + toolCalls + actions + errors,
    llm_calls: llmCalls,
    tool_calls: toolCalls,
    actions,
    errors,
    prompt_tokens: n(totals?.prompt_tokens),
    completion_tokens: n(totals?.completion_tokens),
    cache_read_tokens: n(totals?.cache_read_tokens),
    cache_creation_tokens: n(totals?.cache_creation_tokens),
    reasoning_tokens: n(totals?.reasoning_tokens),
    cost: formatCost(n(totals?.cost)),
    duration_ms: durationMs,
    duration: formatDuration(durationMs),
    agents,
    end_state: session.end_state,
    evaluations: n(totals?.evaluations),
  };
  if (!evaluations) return stats;
  const summaries = evaluationSummaries(evaluations);
  return { ...stats, evaluation_scores: summaries.slice(0, SUMMARY_NAMES), evaluation_names: summaries.length };
}

/**
 * Per evaluation name: how many, the mean score, and how many said each label (at most
 * SUMMARY_LABELS, the most said first; `other_labels` counts the evaluations with the rest). The
 * most frequent names first, then by name.
 */
export function evaluationSummaries(rows: EvaluationTotalsRow[]): EvaluationSummary[] {
  const byName = new Map<
    string,
    { summary: EvaluationSummary; scored: number; sum: number; labels: [string, number][] }
  >();
  for (const row of rows) {
    let entry = byName.get(row.name);
    if (!entry) {
      entry = { summary: { name: row.name, count: 0, mean_score: null, labels: {} }, scored: 0, sum: 0, labels: [] };
      byName.set(row.name, entry);
    }
    const count = Number(row.count);
    entry.summary.count += count;
    entry.scored += Number(row.scored);
    entry.sum += Number(row.score_sum ?? 0);
    if (row.label !== null) entry.labels.push([row.label, count]);
  }
  const summaries = [...byName.values()].map(({ summary, scored, sum, labels }) => {
    labels.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const kept = labels.slice(0, SUMMARY_LABELS);
    const other = labels.slice(SUMMARY_LABELS).reduce((acc, [, c]) => acc + c, 0);
    return {
      ...summary,
      mean_score: scored > 0 ? sum / scored : null,
      labels: Object.fromEntries(kept),
      ...(other > 0 ? { other_labels: other } : {}),
    };
  });
  return summaries.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
}
