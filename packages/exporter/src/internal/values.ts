/**
 * Reading values of unknown shape (span attributes, user options, JSON from the wire) without
 * throwing. One definition of each reading, named for what it accepts.
 */

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Any string, the empty one included. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A string with something in it: empty strings read as missing. */
export function asText(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A finite number. */
export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A finite number, or a string that holds one (some instrumentations write counts as strings). */
export function asNumeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Most tokens one count of one event may say: a billion, far past any model's context. More is a
 * mistake, not a count; and sums of counts so bounded cannot overflow a 64-bit integer (that would
 * take 9.2 billion events in one session).
 */
export const MAX_TOKEN_COUNT = 1e9;

/** A token count: a whole number from 0 to `MAX_TOKEN_COUNT`, from a number or numeric string. */
export function asCount(value: unknown): number | undefined {
  const n = asNumeric(value);
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= MAX_TOKEN_COUNT ? n : undefined;
}

/**
 * Largest magnitude of an evaluation's score: any scale fits (0..1, 1..5, 0..100), and sums of
 * scores so bounded stay finite on every store.
 */
export const MAX_SCORE = 1e9;

/** An evaluation's score: a finite number from -`MAX_SCORE` to `MAX_SCORE`. */
export function asScore(value: unknown): number | undefined {
  return typeof value === 'number' && Math.abs(value) <= MAX_SCORE ? value : undefined;
}

/** Most USD one LLM call can cost; more is a unit mistake, not a cost. */
export const MAX_COST_USD = 1e9;

/** A cost in USD: a finite number from 0 to `MAX_COST_USD`. */
export function asCost(value: unknown): number | undefined {
  return typeof value === 'number' && value >= 0 && value <= MAX_COST_USD ? value : undefined;
}

/**
 * What went wrong, as text, for a log line: never throws, whatever was thrown (a null-prototype
 * object, a Proxy, an Error whose `message` getter throws).
 */
export function errorText(err: unknown): string {
  try {
    if (err instanceof Error) return `${err.name}: ${err.message}`;
  } catch {
    // A getter of the Error threw: its string form may still work.
  }
  try {
    return String(err);
  } catch {
    try {
      return `a thrown ${typeof err} that cannot be printed`;
    } catch {
      return 'a thrown value that cannot be printed';
    }
  }
}
