/** Jittered exponential backoff ("full jitter"), bounded, and never shorter than `Retry-After`. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Longest `Retry-After` we honour; a server asking for more gets this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 30_000, maxRetryAfterMs: 60_000 };

export function backoffDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  if (retryAfterMs === undefined) return jittered;
  return Math.min(options.maxRetryAfterMs, Math.max(retryAfterMs, jittered));
}
