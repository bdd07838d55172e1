/**
 * Counts what each finished span stands for (`SessionTally`: the exporter's classification and
 * pricing), for the session's own figures when they are not sent to AgentOps' REST API, then passes
 * the span on to `next` when there is one (the cloud protocol's batch processor).
 */

import { type Logger, type SessionResults, SessionTally } from '@agentops/exporter';
import { errorText, unrefTimer } from '@agentops/exporter/internal';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/** How long a flush or shutdown of `next` is waited for, at most. */
const NEXT_TIMEOUT_MILLIS = 10_000;

export class TallySpanProcessor implements SpanProcessor {
  readonly #tally: SessionTally;
  readonly #next: SpanProcessor | undefined;
  readonly #logger: Logger;
  readonly #timeoutMillis: number;

  constructor(logger: Logger, next?: SpanProcessor, timeoutMillis = NEXT_TIMEOUT_MILLIS) {
    this.#tally = new SessionTally(logger);
    this.#next = next;
    this.#logger = logger;
    this.#timeoutMillis = timeoutMillis;
  }

  get results(): SessionResults {
    return this.#tally;
  }

  onStart(span: Span, parentContext: Context): void {
    this.#next?.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.#tally.take(span);
    this.#next?.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.#next ? this.#bounded(this.#next.forceFlush(), 'flush') : Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.#next ? this.#bounded(this.#next.shutdown(), 'shutdown') : Promise.resolve();
  }

  /** Waits for `work` at most the timeout; a failure or the timeout is said, never thrown. */
  async #bounded(work: Promise<void>, what: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#timeoutMillis);
      unrefTimer(timer);
    });
    try {
      if ((await Promise.race([work, timeout])) === 'timeout')
        this.#logger.warn(`${what} gave up after ${this.#timeoutMillis} ms: spans may not have reached AgentOps.`);
    } catch (err) {
      this.#logger.warn(`${what} failed: ${errorText(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
