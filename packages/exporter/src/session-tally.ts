/**
 * What was recorded of each session, counted here when nothing is sent (no API key): the same
 * classification, fields and pricing as the exporter's mapping, so the session's summary and `getAnalytics()` tell the
 * truth either way.
 */

import type { SessionResults } from './AgentOpsSpanExporter.js';
import { PriceSource } from './cost.js';
import { countEvent, emptyTotals, type SessionTotals } from './delivery/totals.js';
import type { Logger } from './internal/logger.js';
import { llmModel, llmProvider, llmUsage } from './mapping/fields.js';
import { classifySpan, defaultSpanFilter } from './mapping/span-filter.js';
import type { SpanLike } from './mapping/span-like.js';
import { alsoStandsForError, llmCost, sessionIdOf } from './mapping/span-to-payload.js';
import type { UpdateSessionResponse } from './wire.js';

const SESSIONS_KEPT = 1000;

export class SessionTally implements SessionResults {
  readonly #totals = new Map<string, SessionTotals>();
  readonly #prices: PriceSource;

  constructor(logger: Logger) {
    this.#prices = new PriceSource(logger);
  }

  /**
   * Counts what a finished span stands for, as the exporter would send it (the default filter):
   * its category, and for an LLM call its tokens and cost. Reads only those attributes (no
   * messages), so counting costs little. Never throws.
   */
  take(span: SpanLike): void {
    try {
      const sessionId = sessionIdOf(span);
      if (!sessionId) return;
      const category = classifySpan(span);
      if (!defaultSpanFilter(span, category) || category === 'session' || category === 'agents') return;
      const totals = this.#totalsOf(sessionId);
      const a = span.attributes;
      if (category === 'llms') {
        const model = llmModel(a);
        const usage = llmUsage(a, span.instrumentationScope?.name);
        const cost = llmCost(a, model, usage, llmProvider(a), this.#prices.current);
        countEvent(totals, 'llms', usage.input, usage.output, cost);
      } else {
        countEvent(totals, category ?? 'actions');
      }
      if (alsoStandsForError(span, category)) countEvent(totals, 'errors');
    } catch {
      // A span that cannot be read is not counted; recording goes on.
    }
  }

  #totalsOf(sessionId: string): SessionTotals {
    let totals = this.#totals.get(sessionId);
    if (!totals) {
      totals = emptyTotals();
      this.#totals.set(sessionId, totals);
      if (this.#totals.size > SESSIONS_KEPT) this.#totals.delete(this.#totals.keys().next().value as string);
    }
    return totals;
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
