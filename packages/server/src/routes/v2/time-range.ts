/** The `from` and `to` of a read's query string, as the stores compare them (normalized ISO-8601 UTC). */
import { normalizeTimestamp } from '../../timestamps.js';

/** The range given, or what is wrong with it (a time that is not ISO-8601). */
export function timeRange(query: { from?: string; to?: string }): { from?: string; to?: string } | string {
  const range: { from?: string; to?: string } = {};
  for (const key of ['from', 'to'] as const) {
    const given = query[key];
    if (given === undefined) continue;
    const time = normalizeTimestamp(given);
    if (!time) return `${key} is not an ISO-8601 time: ${JSON.stringify(given)}`;
    range[key] = time;
  }
  return range;
}
