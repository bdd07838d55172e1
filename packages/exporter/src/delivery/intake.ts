/**
 * Finished spans into the outboxes: each span mapped (pure code, see mapping/) and each event
 * encoded to its JSON at once, so what waits is compact. Prices load once; until they have loaded,
 * spans wait for them (usually they are loaded synchronously when the exporter is made).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { PriceSource } from '../cost.js';
import type { Logger } from '../internal/logger.js';
import { nextTurn } from '../internal/timers.js';
import { errorText } from '../internal/values.js';
import { encodedSdkLlmEvent } from '../mapping/llm-event-json.js';
import { defaultSpanFilter, type SpanFilter } from '../mapping/span-filter.js';
import type { SpanLike } from '../mapping/span-like.js';
import { mapSpan, sessionIdOf, spanToSession } from '../mapping/span-to-payload.js';
import { ATTR_SESSION_INHERITED } from '../semconv.js';
import type { OutboxStore } from './outbox-store.js';

/** Spans mapped between two yields to the event loop. */
export const MAP_SLICE = 32;

export class Intake {
  readonly #store: OutboxStore;
  readonly #filter: SpanFilter | undefined;
  readonly #logger: Logger;
  readonly #prices: PriceSource;

  readonly #traceIsSession: boolean;

  constructor(store: OutboxStore, filter: SpanFilter | undefined, logger: Logger, traceIsSession = false) {
    this.#store = store;
    this.#filter = filter;
    this.#logger = logger;
    this.#prices = new PriceSource(logger);
    this.#traceIsSession = traceIsSession;
  }

  /** Settles when prices have loaded (or failed to: costs are then unknown). */
  get pricesLoaded(): Promise<void> {
    return this.#prices.loaded;
  }

  /**
   * Maps and queues spans: now when prices are loaded and there are at most `MAP_SLICE`, else in
   * slices that yield to the event loop in between, so a large batch never blocks the app. A span
   * that cannot be mapped is reported and counted as failed; the others go on.
   */
  async take(spans: readonly ReadableSpan[]): Promise<void> {
    if (!this.#prices.settled) await this.#prices.loaded;
    for (let i = 0; i < spans.length; i += MAP_SLICE) {
      if (i > 0) await new Promise<void>((resolve) => nextTurn(resolve));
      const end = Math.min(spans.length, i + MAP_SLICE);
      for (let j = i; j < end; j++) this.#takeOne(spans[j] as ReadableSpan);
    }
  }

  /**
   * A session's root span has started (or its tags changed): queue its state, so the session is
   * created on the server while it runs rather than when its root span ends.
   */
  announce(span: SpanLike): void {
    // At its start a session span may not carry its id yet: its trace id is the session id.
    const sessionId = sessionIdOf(span, true);
    if (!sessionId) return;
    const inherited = span.attributes[ATTR_SESSION_INHERITED] === true;
    const outbox = this.#store.open(sessionId, inherited ? 'join' : 'create');
    if (!outbox.ended) outbox.setPayload(spanToSession(span, sessionId), false);
  }

  /**
   * An LLM event the SDK itself recorded, encoded straight from its span (mapping/llm-event-json.ts):
   * the same JSON the mapping's event is encoded to, without building the event first. False for
   * any other span, or when the event would not be queued as it is (a full queue, traces as sessions).
   */
  #tookSdkLlmEvent(span: ReadableSpan): boolean {
    if (this.#traceIsSession || this.#store.full) return false;
    const sessionId = sessionIdOf(span);
    if (!sessionId) return false;
    const encoded = encodedSdkLlmEvent(span, sessionId, this.#prices.current);
    if (!encoded) return false;
    // What the mapping asks of the filter for such a span (the SDK's spans are LLM calls).
    if (!(this.#filter ?? defaultSpanFilter)(span, 'llms')) return true;
    this.#store.addEncodedLlmEvent(sessionId, encoded);
    return true;
  }

  #takeOne(span: ReadableSpan): void {
    let items: ReturnType<typeof mapSpan>;
    try {
      if (this.#tookSdkLlmEvent(span)) return;
      items = mapSpan(span, {
        filter: this.#filter,
        price: this.#prices.current,
        eventsFull: this.#store.full,
        traceIsSession: this.#traceIsSession,
      });
    } catch (err) {
      this.#logger.error(`could not map span ${describeSpan(span)}: ${errorText(err)}`);
      this.#store.unmappable(1);
      return;
    }
    for (const item of items) {
      switch (item.kind) {
        case 'session':
          this.#store.open(item.sessionId, item.inherited ? 'join' : 'create').setPayload(item.session, item.ended);
          break;
        case 'agent':
          this.#store.open(item.sessionId, 'join').addAgent(item.agent);
          break;
        case 'dropped':
          this.#store.recordDropped(item.count);
          break;
        case 'evaluation':
          this.#store.addEvaluation(item.sessionId, item.evaluation);
          break;
        case 'event':
          // Checked again per event: one span can stand for two (a failed foreign span).
          this.#store.addEvent(item.sessionId, item.event);
          break;
        case 'link':
          // The REST API has no links: they are the OTLP receiver's, for other processes' spans.
          break;
      }
    }
  }
}

function describeSpan(span: ReadableSpan): string {
  try {
    return JSON.stringify(String(span.name));
  } catch {
    return '(unnamed)';
  }
}
