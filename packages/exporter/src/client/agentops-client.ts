/**
 * The AgentOps REST API v2 over HTTP (see transport.ts). One call = one request: retries, batching and ordering
 * belong to the exporter. Every request runs with tracing suppressed so that HTTP instrumentation
 * does not trace the exporter's own traffic.
 */
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { SessionId } from '../internal/ids.js';
import { errorText } from '../internal/values.js';
import type {
  AgentPayload,
  BudgetStatus,
  BudgetSubject,
  CreateSessionResponse,
  EvaluationInput,
  SessionExport,
  SessionPayload,
  SessionStats,
  UpdateSessionResponse,
} from '../wire.js';
import { ApiError, parseRetryAfter } from './api-error.js';
import { defaultTransport } from './default-transport.js';
import { AnswerTooLarge, fetchTransport, type Transport, type TransportResponse } from './transport.js';

export const DEFAULT_ENDPOINT = 'https://api.agentops.ai';

export interface ClientOptions {
  apiKey: string;
  endpoint?: string;
  /** Per-request timeout. */
  timeoutMillis?: number;
  /** Send through this `fetch` instead of Node's http/https. */
  fetch?: typeof fetch;
}

type Auth = { apiKey: true } | { jwt: string };

/**
 * What a call's answer must be: an object with a `jwt` (create_session, reauthorize_jwt), an
 * acknowledgement (`"Success"`, any JSON or nothing), or a JSON object (or nothing, for update_session).
 */
type Expect = 'jwt' | 'ack' | 'object' | 'object-or-empty';

/** Most bytes read of an ingest call's answer; a read (stats, export) may be far larger. */
const MAX_INGEST_ANSWER = 1024 * 1024;
const MAX_READ_ANSWER = 256 * 1024 * 1024;

export class AgentOpsClient {
  readonly endpoint: string;
  readonly #apiKey: string;
  readonly #timeoutMillis: number;
  readonly #transport: Transport;

  constructor(options: ClientOptions) {
    this.#apiKey = options.apiKey;
    this.endpoint = (options.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.#timeoutMillis = options.timeoutMillis ?? 10_000;
    this.#transport = options.fetch ? fetchTransport(options.fetch) : defaultTransport();
  }

  createSession(session: SessionPayload): Promise<CreateSessionResponse> {
    return this.#call('POST', '/v2/create_session', { apiKey: true }, 'jwt', JSON.stringify({ session }));
  }

  reauthorizeJwt(sessionId: SessionId): Promise<{ status: string; jwt: string }> {
    return this.#call(
      'POST',
      '/v2/reauthorize_jwt',
      { apiKey: true },
      'jwt',
      JSON.stringify({ session_id: sessionId }),
    );
  }

  /** create_events with events already JSON-encoded one by one: the body is put together, not re-encoded. */
  createEncodedEvents(jwt: string, encoded: readonly string[]): Promise<unknown> {
    return this.#call('POST', '/v2/create_events', { jwt }, 'ack', `{"events":[${encoded.join(',')}]}`);
  }

  /** create_evaluations (a call of the local server; AgentOps' cloud has none), with evaluations already JSON-encoded. */
  createEncodedEvaluations(jwt: string, encoded: readonly string[]): Promise<unknown> {
    return this.#call('POST', '/v2/create_evaluations', { jwt }, 'ack', `{"evaluations":[${encoded.join(',')}]}`);
  }

  /** Evaluations of a session after the fact (it may have ended), with the API key: feedback, offline evaluators. */
  addSessionEvaluations(sessionId: SessionId, evaluations: readonly EvaluationInput[]): Promise<unknown> {
    return this.#call(
      'POST',
      `/v2/sessions/${encodeURIComponent(sessionId)}/evaluations`,
      { apiKey: true },
      'ack',
      JSON.stringify({ evaluations }),
      // The app awaits it (after a session ended, as a script's last statement): it holds the process.
      true,
    );
  }

  createAgent(jwt: string, agent: AgentPayload): Promise<unknown> {
    return this.#call('POST', '/v2/create_agent', { jwt }, 'ack', JSON.stringify(agent));
  }

  updateSession(jwt: string, session: SessionPayload): Promise<UpdateSessionResponse> {
    return this.#call('POST', '/v2/update_session', { jwt }, 'object-or-empty', JSON.stringify({ session }));
  }

  getSessionStats(sessionId: SessionId): Promise<SessionStats> {
    return this.#call('GET', `/v2/sessions/${encodeURIComponent(sessionId)}/stats`, { apiKey: true }, 'object');
  }

  exportSession(sessionId: SessionId): Promise<SessionExport> {
    return this.#call('GET', `/v2/sessions/${encodeURIComponent(sessionId)}/export`, { apiKey: true }, 'object');
  }

  /** Where the project's spend rules stand for a user, tag, environment or model (`GET /v2/budgets`). */
  getBudgets(subject: BudgetSubject): Promise<BudgetStatus> {
    const query = new URLSearchParams();
    for (const [name, value] of [
      ['user_id', subject.userId],
      ['tag', subject.tag],
      ['environment', subject.environment],
      ['model', subject.model],
    ] as const) {
      if (value) query.set(name, value);
    }
    return this.#call('GET', `/v2/budgets?${query}`, { apiKey: true }, 'object');
  }

  /** `body` is JSON text. */
  async #call<T>(
    method: 'GET' | 'POST',
    path: string,
    auth: Auth,
    expect: Expect,
    body?: string,
    awaited = method === 'GET',
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if ('jwt' in auth) headers.authorization = `Bearer ${auth.jwt}`;
    else headers['x-agentops-api-key'] = this.#apiKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    // Reads (stats, export) are queries the caller awaits; the rest is background delivery.
    const query = method === 'GET';
    const request = {
      method,
      headers,
      body,
      timeoutMillis: this.#timeoutMillis,
      maxResponseBytes: query ? MAX_READ_ANSWER : MAX_INGEST_ANSWER,
      holdsProcess: awaited,
    };
    let response: TransportResponse;
    try {
      response = await context.with(suppressTracing(context.active()), () =>
        this.#transport(this.endpoint + path, request),
      );
    } catch (err) {
      if (err instanceof AnswerTooLarge) {
        throw new ApiError(`${method} ${path}: ${this.endpoint} sent ${err.message}`, 0, undefined, true);
      }
      const cause =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : errorText(err);
      throw new ApiError(`${method} ${path}: no answer from ${this.endpoint} (${cause})`, 0);
    }
    const text = response.text;
    if (response.status < 200 || response.status > 299) {
      throw new ApiError(
        `${method} ${path}: ${response.status} ${errorMessage(text) ?? response.statusText}`,
        response.status,
        parseRetryAfter(response.retryAfter),
      );
    }
    const answer = readAnswer(text, expect);
    if (answer.ok) return answer.value as T;
    throw new ApiError(
      `${method} ${path}: ${response.status} but not an answer of the AgentOps API (${answer.why}): ${preview(text)}`,
      response.status,
      parseRetryAfter(response.retryAfter),
      true,
    );
  }
}

function readAnswer(text: string, expect: Expect): { ok: true; value: unknown } | { ok: false; why: string } {
  if (text === '') {
    return expect === 'ack' || expect === 'object-or-empty'
      ? { ok: true, value: undefined }
      : { ok: false, why: 'empty body' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (expect === 'ack' && text.trim().toLowerCase() === 'success') return { ok: true, value: text };
    return { ok: false, why: 'not JSON' };
  }
  if (expect === 'ack') return { ok: true, value };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, why: 'not a JSON object' };
  if (expect === 'jwt' && typeof (value as { jwt?: unknown }).jwt !== 'string') return { ok: false, why: 'no jwt' };
  return { ok: true, value };
}

/** The start of an unexpected answer, on one line, for the warning. */
function preview(text: string): string {
  const line = text.slice(0, 80).replace(/\s+/g, ' ');
  return text.length > 80 ? `${line}...` : line;
}

function errorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    const message = body.message ?? body.error;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return text ? text.slice(0, 200) : undefined;
  }
}
