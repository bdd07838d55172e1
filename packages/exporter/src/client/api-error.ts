/** A failed call to the AgentOps API, with what the caller needs to decide whether to retry. */
export class ApiError extends Error {
  override readonly name = 'AgentOpsApiError';
  constructor(
    message: string,
    /** HTTP status, or 0 when no answer came (network error, timeout). */
    readonly status: number,
    /** Milliseconds the server asked us to wait (`Retry-After`), when it did. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** Network errors, timeouts, 408, 429 and 5xx are worth another try; other answers are final. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }

  get expiredToken(): boolean {
    return this.status === 401 && /expired/i.test(this.message);
  }
}

/** `Retry-After` is either seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
