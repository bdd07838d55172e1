/**
 * Writes what clients send into the store: sessions, agents and events from the v2 API, and the
 * same from OTLP spans once the exporter's mapping has turned them into AgentOps items. It is the
 * server's one boundary: with `--mask-file`, everything is masked here, whichever way it came,
 * before anything is stored.
 */
import { randomUUID } from 'node:crypto';
import type {
  AgentPayload,
  EvaluationInput,
  EvaluationPayload,
  EventPayload,
  MappedItem,
  Mask,
  PriceFn,
  SessionPayload,
  SpanLinkPayload,
} from '@agentops/exporter';
import { fromWireEndState, pricedUsage, toWireEndState } from '@agentops/exporter';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Store, StoredEvent, UploadRow } from './db/Store.js';
import { agentSchema, evaluationSchema, eventSchema, sessionIdSchema, sessionSchema } from './routes/schemas.js';
import { normalizeTimestamp } from './timestamps.js';

export class BadInput extends Error {}

/**
 * The one validation of what is stored, whichever way it came: the v2 request schemas, strictly (42
 * is not "42"). A v2 request's body was validated by its route, against these same schemas, before
 * it reaches `Ingest` (its methods take it as it is); payloads mapped from OTLP spans, which no
 * route schema saw, are checked here. So each payload is validated once.
 */
const ajv = new Ajv({ allErrors: false, coerceTypes: false, strict: false });
const validators = {
  session: ajv.compile(sessionSchema),
  sessionId: ajv.compile<unknown>(sessionIdSchema),
  event: ajv.compile(eventSchema),
  agent: ajv.compile(agentSchema),
  evaluation: ajv.compile(evaluationSchema),
};

/** A session id as both ingest paths take it (a UUID, not the all-zero one). */
function isSessionId(id: string): boolean {
  return validators.sessionId(id);
}

function check(validate: ValidateFunction, value: unknown, what: string): void {
  if (validate(value)) return;
  const e = validate.errors?.[0];
  throw new BadInput(
    `${what}${e?.instancePath ? e.instancePath.replaceAll('/', '.') : ''} ${e?.message ?? 'is not valid'}`,
  );
}

export class Ingest {
  constructor(
    readonly store: Store,
    readonly price: PriceFn | undefined,
    /** The team's mask (`--mask-file`): applied to every payload before it is stored. */
    readonly mask?: Mask,
  ) {}

  /** A validated payload as it is stored: masked, ids, kinds and times kept. */
  #masked<T>(payload: T): T {
    return this.mask ? this.mask.payload(payload) : payload;
  }

  /** An upload's text as it is stored: masked under the upload's kind (empty when the mask drops it). */
  uploadText(kind: UploadRow['kind'], text: string): string {
    return this.mask ? (this.mask.value(kind, text) ?? '') : text;
  }

  /** A session payload validated, its timestamps normalized; throws BadInput for an invalid one. */
  normalizeSession(s: SessionPayload): SessionPayload {
    check(validators.session, s, 'session');
    return this.#normalized(s);
  }

  /** A valid session payload with its timestamps normalized; throws BadInput for unreadable ones. */
  #normalized(s: SessionPayload): SessionPayload {
    const init = normalizeTimestamp(s.init_timestamp);
    if (!init)
      throw new BadInput(`session.init_timestamp is not an ISO-8601 time: ${JSON.stringify(s.init_timestamp)}`);
    const end = s.end_timestamp == null ? null : normalizeTimestamp(s.end_timestamp);
    if (end === undefined)
      throw new BadInput(`session.end_timestamp is not an ISO-8601 time: ${JSON.stringify(s.end_timestamp)}`);
    // Clients may send the SDK's name for a failure; the wire (and the store) say `Fail`.
    const known = fromWireEndState(s.end_state);
    const endState = known ? toWireEndState(known) : s.end_state;
    return this.#masked({
      ...s,
      session_id: s.session_id.toLowerCase(),
      init_timestamp: init,
      end_timestamp: end,
      end_state: endState,
    });
  }

  /**
   * Creates or merges a session (see `Store.upsertSession`) from a body its route validated; throws
   * BadInput before anything is written.
   */
  session(projectId: string, s: SessionPayload): Promise<void> {
    return this.store.upsertSession(projectId, this.#normalized(s));
  }

  /** Stores events its route validated (timestamps normalized, LLM costs priced); returns how many were new. */
  events(sessionId: string, events: EventPayload[]): Promise<number> {
    return this.store.insertEvents(
      sessionId,
      events.map((e, i) => this.#row(sessionId, e, `events[${i}]`)),
    );
  }

  /** A valid event as it is stored (timestamps normalized, priced); throws BadInput. */
  #row(sessionId: string, e: EventPayload, what: string): StoredEvent {
    const init = normalizeTimestamp(e.init_timestamp);
    const end = normalizeTimestamp(e.end_timestamp ?? e.init_timestamp);
    if (!init || !end) throw new BadInput(`${what}: init_timestamp and end_timestamp must be ISO-8601 times`);
    const payload = this.#masked({
      ...e,
      session_id: sessionId,
      init_timestamp: init,
      end_timestamp: end,
    } as EventPayload);
    return { payload, cost: this.#cost(payload) };
  }

  #cost(e: EventPayload): number | null {
    if (e.event_type !== 'llms') return null;
    if (typeof e.cost === 'number' && Number.isFinite(e.cost)) return e.cost;
    if (!this.price || !e.model) return null;
    const usage = pricedUsage({
      input: e.prompt_tokens,
      output: e.completion_tokens,
      cacheRead: e.cache_read_tokens,
      cacheWrite: e.cache_creation_tokens,
    });
    return this.price(e.model, usage, e.provider ?? undefined) ?? null;
  }

  /**
   * Stores evaluations not stored yet; returns them as stored. One without an id or a time (given
   * after the fact, through the API) gets a new id and the time it arrived.
   */
  async evaluations(sessionId: string, evaluations: EvaluationInput[]): Promise<EvaluationPayload[]> {
    const rows = evaluations.map((e, i) => this.#evaluation(sessionId, e, `evaluations[${i}]`));
    await this.store.insertEvaluations(sessionId, rows);
    return rows;
  }

  /** An evaluation as it is stored (validated, its time normalized); throws BadInput. */
  #evaluation(sessionId: string, e: EvaluationInput, what: string): EvaluationPayload {
    if ((e.score === undefined || e.score === null) && !e.label) {
      throw new BadInput(`${what} has neither a score nor a label`);
    }
    if (e.session_id && e.session_id.toLowerCase() !== sessionId) {
      throw new BadInput(`${what} names session ${e.session_id}, not ${sessionId}`);
    }
    const timestamp = e.timestamp === undefined ? new Date().toISOString() : normalizeTimestamp(e.timestamp);
    if (!timestamp) throw new BadInput(`${what}.timestamp is not an ISO-8601 time: ${JSON.stringify(e.timestamp)}`);
    // Every field there, as the SDK's mapping writes them: one shape whichever way it came.
    return this.#masked({
      id: e.id ?? randomUUID(),
      session_id: sessionId,
      timestamp,
      name: e.name,
      score: e.score ?? null,
      label: e.label ?? null,
      explanation: e.explanation ?? null,
      event_id: e.event_id ?? null,
      parent_span_id: e.parent_span_id ?? null,
      response_id: e.response_id ?? null,
      ...(e.origin ? { origin: e.origin } : {}),
    });
  }

  /** Stores an agent its route validated. */
  agent(sessionId: string, agent: AgentPayload): Promise<void> {
    return this.store.upsertAgent(sessionId, this.#masked(agent));
  }

  /**
   * Applies mapped OTLP items for a project, validated as v2 payloads are: an item that is not
   * valid, or names a session owned by another project, is skipped and counted, never written.
   */
  async mapped(
    projectId: string,
    items: MappedItem[],
  ): Promise<{ accepted: number; rejected: number; reason?: string }> {
    let accepted = 0;
    let rejected = 0;
    let reason: string | undefined;
    const reject = (count: number, why: string) => {
      rejected += count;
      reason ??= why;
    };
    const bySession = new Map<string, MappedItem[]>();
    for (const item of items) {
      const sessionId = item.sessionId.toLowerCase();
      const list = bySession.get(sessionId) ?? [];
      list.push(item);
      bySession.set(sessionId, list);
    }
    for (const [sessionId, list] of bySession) {
      if (!isSessionId(sessionId)) {
        reject(
          list.length,
          `agentops.session.id ${JSON.stringify(sessionId.slice(0, 64))} is not a session id (a UUID)`,
        );
        continue;
      }
      // Each event checked on its own: one that would not be stored is counted, the others go on.
      const events: StoredEvent[] = [];
      const evaluations: EvaluationPayload[] = [];
      let invalid = 0;
      let why: string | undefined;
      const agents: AgentPayload[] = [];
      const links: SpanLinkPayload[] = [];
      let session: SessionPayload | undefined;
      for (const item of list) {
        if (item.kind === 'session') session = this.normalizeSession({ ...item.session, session_id: sessionId });
        else if (item.kind === 'link') links.push(item.link);
        else if (item.kind === 'agent') {
          check(validators.agent, item.agent, 'agent');
          agents.push(this.#masked(item.agent));
        } else if (item.kind === 'event' || item.kind === 'evaluation') {
          try {
            // Checked here: no route schema saw a payload mapped from a span.
            if (item.kind === 'event') {
              check(validators.event, item.event, 'event');
              events.push(this.#row(sessionId, item.event, 'event'));
            } else {
              check(validators.evaluation, item.evaluation, 'evaluation');
              evaluations.push(this.#evaluation(sessionId, item.evaluation, 'evaluation'));
            }
          } catch (err) {
            if (!(err instanceof BadInput)) throw err;
            invalid++;
            why ??= err.message;
          }
        }
      }
      const start = events[0]?.payload.init_timestamp ?? evaluations[0]?.timestamp ?? new Date().toISOString();
      if (
        !(await this.store.writeSession(projectId, sessionId, { session, start, agents, events, evaluations, links }))
      ) {
        reject(list.length, 'some spans named sessions this key cannot write to');
        continue;
      }
      if (why !== undefined) reject(invalid, why);
      accepted += list.length - invalid;
    }
    return { accepted, rejected, reason };
  }
}
