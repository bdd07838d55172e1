/**
 * What the sender does with a failed call and how much one call carries: pure decisions, so they
 * can be tested without a server. The waiting itself (backoff timers) is the sender's.
 */
import { ApiError } from '../client/api-error.js';
import { type BackoffOptions, backoffDelay } from '../client/backoff.js';

/** Most JSON text in one create_events body (besides the first event, whatever its size). */
export const MAX_BATCH_CHARS = 2 * 1024 * 1024;

/** How many of the waiting events go in the next batch: up to `limit`, and up to `maxChars`. */
export function batchEnd(events: readonly string[], limit: number, maxChars = MAX_BATCH_CHARS): number {
  const end = Math.min(limit, events.length);
  let chars = 0;
  for (let i = 0; i < end; i++) {
    chars += (events[i] as string).length + 1;
    if (chars > maxChars && i > 0) return i;
  }
  return end;
}

/**
 * What to do after a call failed:
 * - `retry`: the same call again after a backoff (network, timeout, 408, 429, 5xx);
 * - `reauthorize`: the JWT expired; get a new one, then go on;
 * - `split`: the body was too large; send half as many events per call;
 * - `isolate`: the server refused a batch of several events as bad input (400, 422): most likely
 *   one event of it; send it again in halves, so only what the server refuses alone is dropped;
 * - `refuse-key`: the API key itself was refused (401/403); nothing more will be accepted;
 * - `drop`: the server refused this data for good; no retry would change that.
 * Anything that is not an `ApiError` is a bug of ours, not an answer: `fault`.
 */
export type FailureAction = 'retry' | 'reauthorize' | 'split' | 'isolate' | 'refuse-key' | 'drop' | 'fault';

export function failureAction(err: unknown, batchSize = 0): FailureAction {
  if (!(err instanceof ApiError)) return 'fault';
  if (err.retryable) return 'retry';
  if (err.expiredToken) return 'reauthorize';
  if (err.status === 401 || err.status === 403) return 'refuse-key';
  if (err.status === 413 && batchSize > 1) return 'split';
  if ((err.status === 400 || err.status === 422) && batchSize > 1) return 'isolate';
  return 'drop';
}

/** Consecutive retryable failures and how long to wait before the next attempt. */
export class RetryBackoff {
  #attempt = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** A call succeeded: the next failure waits the shortest time again. */
  succeeded(): void {
    this.#attempt = 0;
  }

  /** A call failed and will be retried: how long to wait, growing with each failure in a row. */
  nextDelay(err: ApiError): number {
    return backoffDelay(this.#attempt++, err.retryAfterMs, this.options);
  }
}
