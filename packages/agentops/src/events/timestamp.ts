export type Timestamp = Date | string | number;

// Times an OpenTelemetry span and an ISO-8601 string can both hold: from the Unix epoch to year 9999.
const EARLIEST = 0;
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A user-given timestamp as a Date, or undefined when it is missing or not a usable time. */
export function toDate(value: unknown): Date | undefined {
  let date: Date;
  if (value instanceof Date) date = value;
  else if (typeof value === 'string' || typeof value === 'number') date = new Date(value);
  else return undefined;
  const ms = date.getTime();
  return Number.isNaN(ms) || ms < EARLIEST || ms > LATEST ? undefined : date;
}
