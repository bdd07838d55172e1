/** A failed call to the AgentOps API, with what the caller needs to decide whether to retry. */
export class ApiError extends Error {
  override readonly name = 'AgentOpsApiError';
  constructor(
    message: string,
    /** HTTP status, or 0 when no answer came (network error, timeout). */
    readonly status: number,
    /** Milliseconds the server asked us to wait (`Retry-After`), when it did. */
    readonly retryAfterMs?: number,
    /**
     * The answer was not the AgentOps API's (an HTML page with 200, invalid JSON, no JWT, a body
     * past the size limit): a captive portal, a proxy's error page or a wrong endpoint. Retried with
     * backoff, like a server error.
     */
    readonly unexpectedAnswer = false,
  ) {
    super(message);
  }

  /** Network errors, timeouts, 408, 429, 5xx and answers that are not the API's are worth another try; other answers are final. */
  get retryable(): boolean {
    return (
      this.unexpectedAnswer || this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500
    );
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
