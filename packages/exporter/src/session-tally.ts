/**
 * What was recorded of each session, counted here when nothing is sent (no API key): the same
 * mapping and pricing as the exporter's, so the session's summary and `getAnalytics()` tell the
 * truth either way.
 */
import type { SessionResults } from './AgentOpsSpanExporter.js';
import { loadedPriceFn, loadPriceFn, type PriceFn, reportingUnknownModels } from './cost.js';
import { addToTotals, emptyTotals, type SessionTotals } from './delivery/totals.js';
import type { Logger } from './internal/logger.js';
import type { SpanLike } from './mapping/span-like.js';
import { mapSpan } from './mapping/span-to-payload.js';
import type { UpdateSessionResponse } from './wire.js';

const SESSIONS_KEPT = 1000;

export class SessionTally implements SessionResults {
  readonly #totals = new Map<string, SessionTotals>();
  #price: PriceFn | undefined;

  constructor(logger: Logger) {
    const reporting = (price: PriceFn) => reportingUnknownModels(price, (m) => logger.info(m));
    const loaded = loadedPriceFn();
    this.#price = loaded && reporting(loaded);
    loadPriceFn().then(
      (price) => {
        this.#price ??= reporting(price);
      },
      () => {},
    );
  }

  /** Counts what a finished span stands for. Never throws. */
  take(span: SpanLike): void {
    try {
      for (const item of mapSpan(span, { price: this.#price })) {
        if (item.kind !== 'event') continue;
        let totals = this.#totals.get(item.sessionId);
        if (!totals) {
          totals = emptyTotals();
          this.#totals.set(item.sessionId, totals);
          if (this.#totals.size > SESSIONS_KEPT) this.#totals.delete(this.#totals.keys().next().value as string);
        }
        addToTotals(totals, item.event);
      }
    } catch {
      // A span that cannot be mapped is not counted; recording goes on.
    }
  }

  sessionTotals(sessionId: string): SessionTotals | undefined {
    const totals = this.#totals.get(sessionId);
    return totals ? { ...totals } : undefined;
  }

  sessionResult(): UpdateSessionResponse | undefined {
    return undefined;
  }

  sessionUrl(): string | undefined {
    return undefined;
  }
}
