/**
 * A project's overview over a time range: sessions, cost, tokens, errors and duration percentiles
 * per hour or day, end states, cost per model, the slowest and the costliest sessions. Computed in
 * the store from the sessions' own totals (kept as events are stored, see SessionTotals), never
 * from their events, so a range of 100,000 sessions is one pass over their rows. The statements
 * are the same SQL on both stores but for a session's duration and the placeholders.
 */

import { formatCost } from '@agentops/exporter';
import { all, type Dialect, type Op } from './sql/query.js';

export type OverviewBucket = 'hour' | 'day';

export interface OverviewQuery {
  /** Normalized ISO-8601 UTC times: sessions started at or after `from`, before `to`. */
  from: string;
  to: string;
  bucket: OverviewBucket;
}

/**
 * Money as the whole API gives it: USD as a decimal string of six places (`"0.000430"`; `"0.00"`
 * when nothing was spent), as AgentOps gives a session's cost (`formatCost`).
 */
export type Money = string;

export interface OverviewPoint {
  /** The bucket's start (UTC). */
  start: string;
  sessions: number;
  cost: Money;
  prompt_tokens: number;
  completion_tokens: number;
  /** Of `prompt_tokens`: read from the provider's prompt cache. */
  cache_read_tokens: number;
  llm_calls: number;
  errors: number;
  duration_p50_ms: number | null;
  duration_p95_ms: number | null;
}

export interface OverviewSession {
  session_id: string;
  init_timestamp: string;
  end_state: string | null;
  duration_ms: number;
  cost: Money;
  llm_calls: number;
  errors: number;
}

export interface OverviewModel {
  model: string;
  llm_calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: Money;
}

export interface Overview extends OverviewQuery {
  totals: Omit<OverviewPoint, 'start'>;
  series: OverviewPoint[];
  /** Sessions by end state; `running` for those not ended. */
  end_states: Record<string, number>;
  cost_by_model: OverviewModel[];
  slowest: OverviewSession[];
  costliest: OverviewSession[];
}

/** A served row as the statements give it: its money a number of USD, made a `Money` when put together. */
type Row<T extends { cost: Money }> = Omit<T, 'cost'> & { cost: number };

/** Rows the statements give, before they are put together. */
export interface OverviewRows {
  buckets: (Row<Omit<OverviewPoint, 'start' | 'duration_p50_ms' | 'duration_p95_ms'>> & { bucket: string })[];
  /** [bucket, duration] of every session, ordered by bucket then duration. */
  durations: [string, number][];
  states: { end_state: string | null; n: number }[];
  models: Row<OverviewModel>[];
  slowest: Row<OverviewSession>[];
  costliest: Row<OverviewSession>[];
}

/** A row with its money as the API gives it. */
function served<T extends { cost: number }>(row: T): Omit<T, 'cost'> & { cost: Money } {
  return { ...row, cost: formatCost(row.cost) };
}

/** The most buckets one overview has (a year of days; a month of hours). */
export const MAX_BUCKETS = 800;
const BUCKET_CHARS: Record<OverviewBucket, number> = { hour: 13, day: 10 };
const BUCKET_MS: Record<OverviewBucket, number> = { hour: 3_600_000, day: 86_400_000 };
const TOP = 5;
const MODELS = 10;

/** How many buckets a range has. */
export function bucketCount(q: OverviewQuery): number {
  const first = Date.parse(bucketStart(q.from, q.bucket));
  return Math.max(0, Math.ceil((Date.parse(q.to) - first) / BUCKET_MS[q.bucket]));
}

function bucketStart(iso: string, bucket: OverviewBucket): string {
  const key = iso.slice(0, BUCKET_CHARS[bucket]);
  return bucket === 'hour' ? `${key}:00:00.000Z` : `${key}T00:00:00.000Z`;
}

/** The statements, each with the project, the range's start and its end as its three parameters. */
function overviewStatements(d: Dialect, bucket: OverviewBucket) {
  // A session's duration: to its end, else to its last event (a running session, so far).
  const duration = d.durationMs('COALESCE(end_timestamp, last_event_end, init_timestamp)', 'init_timestamp');
  const inRange = 'project_id = ? AND init_timestamp >= ? AND init_timestamp < ?';
  const num = (x: string) => `CAST(${x} AS DOUBLE PRECISION)`;
  const int = (x: string) => `CAST(${x} AS INTEGER)`;
  const sessionsOf = `SELECT id, init_timestamp, end_state, ${duration} AS duration_ms, cost, llm_calls, errors,
                       prompt_tokens, completion_tokens, cache_read_tokens FROM sessions WHERE ${inRange}`;
  const top = (order: string, where = '') =>
    `SELECT id AS session_id, init_timestamp, end_state, ${num('duration_ms')} AS duration_ms, ${num('cost')} AS cost,
            ${int('llm_calls')} AS llm_calls, ${int('errors')} AS errors
     FROM (${sessionsOf}) AS s ${where} ORDER BY ${order} DESC, init_timestamp DESC LIMIT ${TOP}`;
  return {
    buckets: `SELECT substr(init_timestamp, 1, ${BUCKET_CHARS[bucket]}) AS bucket, ${int('COUNT(*)')} AS sessions,
                     ${num('SUM(cost)')} AS cost, ${num('SUM(prompt_tokens)')} AS prompt_tokens,
                     ${num('SUM(completion_tokens)')} AS completion_tokens, ${num('SUM(cache_read_tokens)')} AS cache_read_tokens,
                     ${num('SUM(llm_calls)')} AS llm_calls, ${num('SUM(errors)')} AS errors
              FROM sessions WHERE ${inRange} GROUP BY bucket ORDER BY bucket`,
    // Every session's bucket and duration, in that order: the percentiles are read off them.
    durations: `SELECT substr(init_timestamp, 1, ${BUCKET_CHARS[bucket]}) AS bucket, ${num(duration)} AS duration_ms
                FROM sessions WHERE ${inRange} ORDER BY bucket, duration_ms`,
    states: `SELECT end_state, ${int('COUNT(*)')} AS n FROM sessions WHERE ${inRange} GROUP BY end_state`,
    models: `SELECT m.model, ${int('SUM(m.llm_calls)')} AS llm_calls, ${num('SUM(m.prompt_tokens)')} AS prompt_tokens,
                    ${num('SUM(m.completion_tokens)')} AS completion_tokens, ${num('SUM(m.cost)')} AS cost
             FROM session_models m JOIN sessions s ON s.id = m.session_id
             WHERE s.project_id = ? AND s.init_timestamp >= ? AND s.init_timestamp < ?
             GROUP BY m.model ORDER BY cost DESC, llm_calls DESC, m.model LIMIT ${MODELS}`,
    slowest: top('duration_ms'),
    costliest: top('cost', 'WHERE cost > 0'),
  };
}

/** The project's overview of the sessions started in a range: to run in one snapshot, so every part sees the same sessions. */
export function* overviewOf(d: Dialect, projectId: string, query: OverviewQuery): Op<Overview> {
  const statements = overviewStatements(d, query.bucket);
  const params = [projectId, query.from, query.to];
  const durations = yield* all<{ bucket: string; duration_ms: number }>(statements.durations, params);
  const rows: OverviewRows = {
    buckets: yield* all(statements.buckets, params),
    durations: durations.map((r) => [r.bucket, r.duration_ms]),
    states: yield* all(statements.states, params),
    models: yield* all(statements.models, params),
    slowest: yield* all(statements.slowest, params),
    costliest: yield* all(statements.costliest, params),
  };
  return assembleOverview(query, rows);
}

/** The nearest-rank percentile `p` of ascending values (the smallest with at least p of them at or below it). */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null;
}

/** The rows put together: every bucket of the range (empty ones as zeros), the totals over all. */
export function assembleOverview(q: OverviewQuery, rows: OverviewRows): Overview {
  const perBucket = new Map<string, number[]>();
  for (const [bucket, ms] of rows.durations) {
    const list = perBucket.get(bucket);
    if (list) list.push(ms);
    else perBucket.set(bucket, [ms]);
  }
  const percentiles = (sorted: readonly number[] = []) => ({
    duration_p50_ms: nearestRank(sorted, 0.5),
    duration_p95_ms: nearestRank(sorted, 0.95),
  });
  const byBucket = new Map(rows.buckets.map((b) => [bucketStart(b.bucket, q.bucket), b]));
  const series: Row<OverviewPoint>[] = [];
  const first = Date.parse(bucketStart(q.from, q.bucket));
  for (let i = 0; i < bucketCount(q); i++) {
    const start = new Date(first + i * BUCKET_MS[q.bucket]).toISOString();
    const found = byBucket.get(start);
    if (!found) {
      series.push({ start, ...EMPTY });
      continue;
    }
    const { bucket, ...sums } = found;
    series.push({ start, ...sums, ...percentiles(perBucket.get(bucket)) });
  }
  const sum = (pick: (p: Row<OverviewPoint>) => number) => series.reduce((acc, p) => acc + pick(p), 0);
  const end_states: Record<string, number> = {};
  for (const s of rows.states) end_states[s.end_state ?? 'running'] = s.n;
  return {
    ...q,
    totals: {
      sessions: sum((p) => p.sessions),
      cost: formatCost(sum((p) => p.cost)),
      prompt_tokens: sum((p) => p.prompt_tokens),
      completion_tokens: sum((p) => p.completion_tokens),
      cache_read_tokens: sum((p) => p.cache_read_tokens),
      llm_calls: sum((p) => p.llm_calls),
      errors: sum((p) => p.errors),
      ...percentiles(rows.durations.map(([, ms]) => ms).sort((a, b) => a - b)),
    },
    series: series.map(served),
    end_states,
    cost_by_model: rows.models.map(served),
    slowest: rows.slowest.map(served),
    costliest: rows.costliest.map(served),
  };
}

const EMPTY: Omit<Row<OverviewPoint>, 'start'> = {
  sessions: 0,
  cost: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  cache_read_tokens: 0,
  llm_calls: 0,
  errors: 0,
  duration_p50_ms: null,
  duration_p95_ms: null,
};
