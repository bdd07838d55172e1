/**
 * The AgentOps REST API v2 over HTTP (see transport.ts). One call = one request: retries, batching and ordering
 * belong to the exporter. Every request runs with tracing suppressed so that HTTP instrumentation
 * does not trace the exporter's own traffic.
 */
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { SessionId } from '../internal/ids.js';
import type {
  AgentPayload,
  CreateSessionResponse,
  SessionExport,
  SessionPayload,
  SessionStats,
  UpdateSessionResponse,
} from '../wire.js';
import { ApiError, parseRetryAfter } from './api-error.js';
import { fetchTransport, nodeTransport, type Transport, type TransportResponse } from './transport.js';

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

export class AgentOpsClient {
  readonly endpoint: string;
  readonly #apiKey: string;
  readonly #timeoutMillis: number;
  readonly #transport: Transport;

  constructor(options: ClientOptions) {
    this.#apiKey = options.apiKey;
    this.endpoint = (options.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.#timeoutMillis = options.timeoutMillis ?? 10_000;
    this.#transport = options.fetch ? fetchTransport(options.fetch) : nodeTransport();
  }

  createSession(session: SessionPayload): Promise<CreateSessionResponse> {
    return this.#call('POST', '/v2/create_session', { apiKey: true }, JSON.stringify({ session }));
  }

  reauthorizeJwt(sessionId: SessionId): Promise<{ status: string; jwt: string }> {
    return this.#call('POST', '/v2/reauthorize_jwt', { apiKey: true }, JSON.stringify({ session_id: sessionId }));
  }

  /** create_events with events already JSON-encoded one by one: the body is put together, not re-encoded. */
  createEncodedEvents(jwt: string, encoded: readonly string[]): Promise<unknown> {
    return this.#call('POST', '/v2/create_events', { jwt }, `{"events":[${encoded.join(',')}]}`);
  }

  createAgent(jwt: string, agent: AgentPayload): Promise<unknown> {
    return this.#call('POST', '/v2/create_agent', { jwt }, JSON.stringify(agent));
  }

  updateSession(jwt: string, session: SessionPayload): Promise<UpdateSessionResponse> {
    return this.#call('POST', '/v2/update_session', { jwt }, JSON.stringify({ session }));
  }

  getSessionStats(sessionId: SessionId): Promise<SessionStats> {
    return this.#call('GET', `/v2/sessions/${encodeURIComponent(sessionId)}/stats`, { apiKey: true });
  }

  exportSession(sessionId: SessionId): Promise<SessionExport> {
    return this.#call('GET', `/v2/sessions/${encodeURIComponent(sessionId)}/export`, { apiKey: true });
  }

  /** `body` is JSON text. */
  async #call<T>(method: 'GET' | 'POST', path: string, auth: Auth, body?: string): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if ('jwt' in auth) headers.authorization = `Bearer ${auth.jwt}`;
    else headers['x-agentops-api-key'] = this.#apiKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const request = { method, headers, body, timeoutMillis: this.#timeoutMillis };
    let response: TransportResponse;
    try {
      response = await context.with(suppressTracing(context.active()), () =>
        this.#transport(this.endpoint + path, request),
      );
    } catch (err) {
      const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
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
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }
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
