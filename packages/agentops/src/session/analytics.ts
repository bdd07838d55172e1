/** A session's counts, duration and cost, from what the exporter saw of it (or what was recorded here). */
import { emptyTotals, formatCost, formatDuration, type SessionResults } from '@agentops/exporter';

export interface SessionAnalytics {
  llmCalls: number;
  toolCalls: number;
  actions: number;
  errors: number;
  /** Evaluations recorded (`session.evaluate()`). */
  evaluations: number;
  /** "1m 2.50s" */
  duration: string;
  durationMs: number;
  /** USD, "0.00" or six decimals. */
  cost: string;
}

/**
 * The pipeline's totals of the session (none when the SDK did not start); the cost is the server's
 * figure once the session's end was delivered, else the sum of the events' costs.
 */
export function sessionAnalytics(
  sessionId: string,
  results: SessionResults | undefined,
  durationMs: number,
): SessionAnalytics {
  const totals = results?.sessionTotals(sessionId) ?? emptyTotals();
  const serverCost = results?.sessionResult(sessionId)?.token_cost;
  const serverUsd = serverCost === undefined ? Number.NaN : Number(serverCost);
  return {
    llmCalls: totals.llmCalls,
    toolCalls: totals.toolCalls,
    actions: totals.actions,
    errors: totals.errors,
    evaluations: totals.evaluations,
    duration: formatDuration(durationMs),
    durationMs,
    cost: formatCost(Number.isFinite(serverUsd) ? serverUsd : totals.costUsd),
  };
}

/** `1 LLM call`, `2 LLM calls`. */
function counted(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/**
 * One line that says how a session went, as the Python SDK prints it at the end. The counts are
 * what this process recorded; the cost is AgentOps' figure once it has answered, which also counts
 * what other processes recorded into the session: when the two differ, the line says so.
 */
export function endSummary(
  id: string,
  endState: string,
  a: SessionAnalytics,
  url: string | undefined,
  localCostUsd: number,
): string {
  const counts =
    `${counted(a.llmCalls, 'LLM call')}, ${counted(a.toolCalls, 'tool call')}, ${counted(a.actions, 'action')}, ` +
    `${counted(a.errors, 'error')}` +
    (a.evaluations > 0 ? `, ${counted(a.evaluations, 'evaluation')}` : '');
  const local = formatCost(localCostUsd);
  const cost =
    a.cost === local
      ? `cost $${a.cost}, ${counts}`
      : `cost $${a.cost} in all its processes (AgentOps' figure); recorded in this process: ${counts}, cost $${local}`;
  return `Session ${id} ended ${endState}: ${a.duration}, ${cost}${url ? `. Replay: ${url}` : ''}`;
}
