/** A point in time: a `Date`, an ISO-8601 string, or milliseconds since the epoch. */
export type Timestamp = Date | string | number;

// Times an OpenTelemetry span and an ISO-8601 string can both hold: from the Unix epoch to year 9999.
const EARLIEST = 0;
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A user-given timestamp as a Date, or undefined when it is missing or not a usable time. */
export function toDate(value: unknown): Date | undefined {
  let ms: number;
  try {
    // A Date's own time, read by Date's method: `Object.create(Date.prototype)` or a subclass
    // whose getTime lies is not taken at its word.
    if (typeof value === 'string' || typeof value === 'number') ms = new Date(value).getTime();
    else if (value instanceof Date) ms = Date.prototype.getTime.call(value);
    else return undefined;
  } catch {
    return undefined;
  }
  return Number.isNaN(ms) || ms < EARLIEST || ms > LATEST ? undefined : new Date(ms);
}
