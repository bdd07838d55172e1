/**
 * Every stored timestamp is ISO-8601 UTC with exactly six fraction digits
 * (`2024-05-01T12:00:00.123456Z`), so SQLite can order and compare them as strings.
 */
const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]00:?00)?$/i;

export function normalizeTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const m = ISO.exec(value.trim());
  if (m) {
    const [, date, time, fraction = ''] = m;
    const iso = `${date}T${time}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
    return Number.isNaN(Date.parse(iso)) ? undefined : iso;
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace('Z', '000Z');
}
