/**
 * Every stored timestamp is ISO-8601 UTC with exactly six fraction digits
 * (`2024-05-01T12:00:00.123456Z`), so SQLite can order and compare them as strings.
 */
const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]00:?00)?$/i;

/**
 * An ISO-8601 UTC time (`Z` or an offset of zero; `T` or a space) of a real calendar day between
 * 1970 and 9999, normalized; undefined for anything else (`"1"`, `2024-02-30`, a bare date). Both
 * ingest paths (v2 and OTLP) store only what this accepts.
 */
export function normalizeTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const [, date = '', time = '', fraction = ''] = m;
  const iso = `${date}T${time}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
  const ms = Date.parse(iso);
  // Date.parse rolls 2024-02-30 over to March 1st: the day must come back as it was written.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== `${date}T${time}`) return undefined;
  return ms < 0 ? undefined : iso;
}

/** A time in ms since the epoch as the store keeps times (before 1970: 1970, where the stores' times begin). */
export function timestampOf(ms: number): string {
  return normalizeTimestamp(new Date(Math.max(0, ms)).toISOString()) as string;
}
