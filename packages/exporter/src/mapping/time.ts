import type { HrTime } from '@opentelemetry/api';

// Spans of one batch mostly fall in the same second: its date-time prefix is formatted once.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** OpenTelemetry HrTime -> ISO-8601 UTC with microseconds (`2024-01-01T00:00:00.123456Z`). */
export function hrTimeToIso(time: HrTime): string {
  const [seconds, nanos] = time;
  if (seconds !== cachedSecond) {
    cachedPrefix = new Date(seconds * 1000).toISOString().slice(0, 19);
    cachedSecond = seconds;
  }
  return `${cachedPrefix}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** "1h 2m 3.45s", the way AgentOps prints a session's duration. */
export function formatDuration(ms: number): string {
  const safe = Number.isFinite(ms) && ms > 0 ? ms : 0;
  const hours = Math.floor(safe / 3_600_000);
  const minutes = Math.floor((safe % 3_600_000) / 60_000);
  const seconds = (safe % 60_000) / 1000;
  const parts: string[] = [];
  if (hours) parts.push(`${hours}h`);
  if (hours || minutes) parts.push(`${minutes}m`);
  parts.push(`${seconds.toFixed(2)}s`);
  return parts.join(' ');
}
