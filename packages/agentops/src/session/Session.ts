/**
 * A session: one run of an agent workflow, recorded as the root span `agentops.session` whose trace
 * id is the session id. Events are child spans; ending the session ends the root span, flushes, and
 * answers the session's total cost.
 */

import {
  type BudgetStatus,
  type BudgetSubject,
  END_STATES,
  type EndState,
  type EvaluationInput,
  emptyTotals,
  formatCost,
  type GenAiMetrics,
  type Logger,
  semconv as S,
  type SessionResults,
  type SessionTotals,
  traceIdToSessionId,
} from '@agentops/exporter';
import { describeValue, errorText, tagList } from '@agentops/exporter/internal';
import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type Link,
  type Span,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type ResolvedConfig, text } from '../config.js';
import { withSessionBaggage } from '../context-keys.js';
import { isAgentOpsEvent } from '../events/AgentOpsEvent.js';
import type { Event } from '../events/index.js';
import { safeOptions } from '../events/safe-options.js';
import { injectInto } from '../propagation.js';
import { parentInSession, recordEventSpan } from '../record-event.js';
import { endSummary, type SessionAnalytics, sessionAnalytics } from './analytics.js';
import { checkEvaluation, type Evaluation, evaluationAttributes } from './evaluation.js';
import { type StartSessionOptions, startPoint } from './start-point.js';

export type { SessionAnalytics } from './analytics.js';
export type { Evaluation } from './evaluation.js';
export type { StartSessionOptions } from './start-point.js';
export type { EndState };

/** What a session needs from the SDK around it: no more, so that it depends on no pipeline class. */
/** The session a replay was made from and a fork's step, as the session's span says them. */
function forkAttributes(fork: StartSessionOptions['forkedFrom']): Attributes {
  if (!fork || typeof fork !== 'object' || typeof fork.sessionId !== 'string') return {};
  const step = fork.step;
  return {
    [S.ATTR_SESSION_FORKED_FROM]: fork.sessionId,
    ...(Number.isInteger(step) && (step as number) >= 0 ? { [S.ATTR_SESSION_FORK_STEP]: step as number } : {}),
  };
}

/** What `init()` gives every session it starts, unless the session says otherwise. */
export type SessionDefaults = Pick<ResolvedConfig, 'tags' | 'userId' | 'environment' | 'release'>;
const NO_DEFAULTS: SessionDefaults = { tags: [], userId: undefined, environment: undefined, release: undefined };

export interface SessionHost {
  readonly tracer: Tracer;
  readonly captureContent: boolean;
  readonly logger: Logger;
  /** What the exporter knows of each session; undefined when nothing is sent to AgentOps. */
  readonly results: SessionResults | undefined;
  /** The session's state changed while it runs (its tags): send it now rather than at its end. */
  announce(span: Span): void;
  /** A session started (`opened`) or ended or detached (`closed`). */
  opened(session: Session): void;
  closed(session: Session): void;
  flush(): Promise<void>;
  /** Where the project's spend rules stand for a subject (`GET /v2/budgets`); rejects when there is no API to ask. */
  budgets(subject: BudgetSubject): Promise<BudgetStatus>;
  /** Sends evaluations of a session that has ended here, through the API; false (said why) when not taken. */
  evaluateEnded(sessionId: string, evaluation: EvaluationInput): Promise<boolean>;
  /** The session metrics, when a meter provider takes them. */
  readonly metrics?: GenAiMetrics | undefined;
}

export class Session {
  readonly id: string;
  /** @internal */
  readonly traceId: string;
  readonly #host: SessionHost;
  readonly #span: Span;
  readonly #context: Context;
  readonly #startedAt = Date.now();
  /** Tally of events recorded through this object, used when no exporter counts for us. */
  #tags: string[];
  #endState: EndState | undefined;
  #endStateReason: string | undefined;
  #endedAt: number | undefined;
  #cost: Promise<string> | undefined;
  #inherited: boolean;
  #detached = false;
  /** Whom and where the session runs for, as its budgets are kept. */
  readonly #subject: BudgetSubject;

  /** @internal Use `agentops.startSession()`. */
  static start(host: SessionHost, options: StartSessionOptions = {}, defaults: SessionDefaults = NO_DEFAULTS): Session {
    return new Session(host, options, defaults);
  }

  private constructor(host: SessionHost, options: StartSessionOptions, defaults: SessionDefaults) {
    this.#host = host;
    const o = safeOptions<StartSessionOptions>(options);
    this.#tags = tagList([...defaults.tags, ...(tagList(o.tags) ?? [])]) ?? [];
    const who: Record<string, string> = {};
    for (const [key, value] of [
      [S.ATTR_SESSION_NAME, text(o.name)],
      [S.ATTR_USER_ID, text(o.userId) ?? defaults.userId],
      [S.ATTR_DEPLOYMENT_ENVIRONMENT, text(o.environment) ?? defaults.environment],
      [S.ATTR_SESSION_RELEASE, text(o.release) ?? defaults.release],
    ] as const) {
      if (value !== undefined) who[key] = value;
    }
    this.#subject = {
      ...(who[S.ATTR_USER_ID] ? { userId: who[S.ATTR_USER_ID] } : {}),
      ...(who[S.ATTR_DEPLOYMENT_ENVIRONMENT] ? { environment: who[S.ATTR_DEPLOYMENT_ENVIRONMENT] } : {}),
    };
    const { parent, inherited } = startPoint(o, host.logger);
    this.#inherited = inherited;
    const activeSpan = trace.getSpanContext(context.active());
    const links: Link[] = !inherited && activeSpan && isSpanContextValid(activeSpan) ? [{ context: activeSpan }] : [];
    this.#span = host.tracer.startSpan(
      S.SESSION_SPAN_NAME,
      {
        kind: SpanKind.INTERNAL,
        root: !inherited,
        links,
        attributes: {
          [S.ATTR_SESSION_TAGS]: this.#tags,
          [S.ATTR_SESSION_INHERITED]: inherited,
          ...who,
          ...forkAttributes(o.forkedFrom),
        },
      },
      parent,
    );
    this.traceId = this.#span.spanContext().traceId;
    this.id = traceIdToSessionId(this.traceId);
    this.#context = withSessionBaggage(trace.setSpan(parent, this.#span), this.id);
    host.opened(this);
  }

  get tags(): string[] {
    return [...this.#tags];
  }

  get endState(): EndState | undefined {
    return this.#endState;
  }

  get endStateReason(): string | undefined {
    return this.#endStateReason;
  }

  get ended(): boolean {
    return this.#endState !== undefined || this.#detached;
  }

  /** The OpenTelemetry context of this session; spans started in it belong to the session. */
  context(): Context {
    return this.#context;
  }

  /** Runs `fn` with this session active, so events, wrappers and instrumented calls land in it. */
  run<T>(fn: () => T): T {
    if (typeof fn !== 'function') {
      this.#host.logger.warn('session.run() takes a function; nothing was run.');
      return undefined as T;
    }
    return context.with(this.#context, fn);
  }

  record(event: Event): void {
    try {
      if (!isAgentOpsEvent(event)) {
        this.#host.logger.warn('record() takes an LLMEvent, ToolEvent, ActionEvent or ErrorEvent; ignored.');
        return;
      }
      if (this.ended) {
        this.#host.logger.warn(`session ${this.id} has ended; event ${event.id} was not recorded.`);
        return;
      }
      const parent = parentInSession(context.active(), this.#context, this.traceId);
      recordEventSpan(this.#host.tracer, parent, event, this.#host.captureContent, this.id);
    } catch (err) {
      this.#host.logger.warn(`record() failed: ${errorText(err)}`);
    }
  }

  /**
   * Records an evaluation of this session, or of one of its events (`event`, `eventId`, `span`;
   * else the active span when it is in this session, else the session itself): a score, a label or
   * both, and why. On a session that has ended here it is sent through the API
   * (`POST /v2/sessions/:id/evaluations`). Resolves true when it was recorded (or the server took
   * it); never rejects: bad input is reported and resolves false.
   */
  evaluate(evaluation: Evaluation): Promise<boolean> {
    try {
      const checked = checkEvaluation(evaluation);
      if (typeof checked === 'string') {
        this.#host.logger.warn(`evaluate(): ${checked}; not recorded.`);
        return Promise.resolve(false);
      }
      if (this.ended) {
        // What was recorded before the end is delivered first: the session is on the server then.
        const input = checked.input;
        return this.#host
          .flush()
          .catch(() => undefined)
          .then(() => this.#host.evaluateEnded(this.id, input));
      }
      const { input, judged } = checked;
      let parent: Context;
      if (judged && judged.traceId === this.traceId) parent = trace.setSpanContext(this.#context, judged);
      else {
        if (judged) {
          this.#host.logger.warn(
            `evaluate(): the span of evaluation ${JSON.stringify(input.name)} is not in session ${this.id}; it is recorded as the session's.`,
          );
        }
        parent = judged ? this.#context : parentInSession(context.active(), this.#context, this.traceId);
      }
      this.#host.tracer
        .startSpan(
          S.EVALUATION_SPAN_NAME,
          { kind: SpanKind.INTERNAL, attributes: evaluationAttributes(this.id, input) },
          parent,
        )
        .end();
      return Promise.resolve(true);
    } catch (err) {
      this.#host.logger.warn(`evaluate() failed: ${errorText(err)}`);
      return Promise.resolve(false);
    }
  }

  addTags(tags: string[]): void {
    const add = tagList(tags);
    if (!add) {
      this.#host.logger.warn('addTags() takes an array of strings; ignored.');
      return;
    }
    this.#updateTags([...new Set([...this.#tags, ...add])]);
  }

  setTags(tags: string[]): void {
    const next = tagList(tags);
    if (!next) {
      this.#host.logger.warn('setTags() takes an array of strings; ignored.');
      return;
    }
    this.#updateTags(next);
  }

  #updateTags(tags: string[]): void {
    if (this.ended) {
      this.#host.logger.warn(`session ${this.id} has ended; tags not changed.`);
      return;
    }
    this.#tags = tags;
    this.#span.setAttribute(S.ATTR_SESSION_TAGS, tags);
    this.#host.announce(this.#span);
  }

  /** True when this process joined a session that another process started. */
  get inherited(): boolean {
    return this.#inherited;
  }

  /**
   * Stops recording into a session this process joined, without ending the session: this process's
   * events are flushed and the owning process keeps the session's end state. For a session this
   * process started, same as `endSession('Indeterminate')`.
   */
  async detach(): Promise<void> {
    if (!this.#inherited) {
      await this.endSession('Indeterminate', 'Detached without ending the session');
      return;
    }
    if (this.#cost || this.#detached) return;
    this.#detached = true;
    this.#endedAt = Date.now();
    this.#span.end();
    this.#host.closed(this);
    await this.#host.flush().catch(() => undefined);
  }

  /** W3C headers that carry this session to another service. */
  headers(): Record<string, string> {
    return injectInto(parentInSession(context.active(), this.#context, this.traceId));
  }

  /**
   * Ends the session and resolves to its total cost in USD: the server's figure when it gives one,
   * else the sum of the events' costs. Ending twice warns and answers the same cost.
   */
  endSession(endState: EndState, endStateReason?: string): Promise<string> {
    if (this.#cost || this.#detached) {
      this.#host.logger.warn(`session ${this.id} has already ended (${this.#endState ?? 'detached'}).`);
      return this.#cost ?? Promise.resolve(formatCost(this.#totals().costUsd));
    }
    let state: EndState = endState;
    if (!END_STATES.includes(endState)) {
      this.#host.logger.warn(
        `endSession(): ${describeValue(endState)} is not Success, Failure or Indeterminate; using Indeterminate.`,
      );
      state = 'Indeterminate';
    }
    this.#endState = state;
    this.#endStateReason = typeof endStateReason === 'string' ? endStateReason : undefined;
    this.#endedAt = Date.now();
    this.#span.setAttribute(S.ATTR_SESSION_END_STATE, state);
    if (this.#endStateReason) this.#span.setAttribute(S.ATTR_SESSION_END_STATE_REASON, this.#endStateReason);
    this.#span.end();
    this.#host.closed(this);
    this.#cost = this.#finish();
    return this.#cost;
  }

  async #finish(): Promise<string> {
    try {
      await this.#host.flush();
      const analytics = this.#analyticsNow();
      const url = this.#host.results?.sessionUrl(this.id);
      const localCost = this.#totals().costUsd;
      this.#host.metrics?.sessionEnded({
        endState: this.#endState ?? 'Indeterminate',
        durationMillis: (this.#endedAt ?? Date.now()) - this.#startedAt,
        costUsd: Number(analytics.cost),
      });
      this.#host.logger.info(endSummary(this.id, this.#endState ?? 'Indeterminate', analytics, url, localCost));
      return analytics.cost;
    } catch (err) {
      this.#host.logger.warn(`endSession() could not finish cleanly: ${errorText(err)}`);
      return formatCost(this.#totals().costUsd);
    }
  }

  /**
   * Where the project's spend rules stand for this session's user and environment (the server's
   * `GET /v2/budgets`): `over` is true when one is over its limit, so that an app can stop its agent
   * before it spends more. Rejects with the API's error (this is a query, not telemetry).
   */
  budget(): Promise<BudgetStatus> {
    return Promise.resolve().then(() => this.#host.budgets(this.#subject));
  }

  /** Counts, duration and cost of the session so far (after flushing what was recorded). */
  async getAnalytics(): Promise<SessionAnalytics> {
    try {
      await this.#host.flush();
    } catch {
      // Analytics of what is known locally are still right.
    }
    return this.#analyticsNow();
  }

  #analyticsNow(): SessionAnalytics {
    const durationMs = (this.#endedAt ?? Date.now()) - this.#startedAt;
    return sessionAnalytics(this.id, this.#host.results, durationMs);
  }

  /**
   * What the pipeline counted of this session: counted once, where its spans are mapped (the
   * exporter's outbox, or the local tally when nothing is sent); nothing when the SDK did not start.
   */
  #totals(): SessionTotals {
    return this.#host.results?.sessionTotals(this.id) ?? emptyTotals();
  }
}
