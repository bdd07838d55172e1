/**
 * LLM calls of the AWS SDK's Bedrock runtime client recorded and replayed at the client's own
 * transport. Its requests do not pass Node's `fetch` (it sends through `node:http2`), so a
 * middleware of ours sits last in each client's stack, just before its request handler: it is given
 * the signed request and gives back the HTTP response, which the client's deserializer reads as it
 * would the network's. Recording, the response's body is passed on through a tap that keeps it
 * (text as text; an event stream as its messages, read into JSON: event-stream.ts); inside a
 * replay, the recorded response is handed back and the handler is never called.
 *
 * The instrumentation that records the call (OpenInference's) starts its span without making it
 * active, so the client's `send` is wrapped around it and runs as an open call: the first span
 * started inside it is the call's (intercepted.ts), which the middleware writes the exchange on.
 */
import { pipeline, Readable, Transform } from 'node:stream';
import type { ReplayExchange } from '@agentops/exporter';
import { context, type Span } from '@opentelemetry/api';
import { EVENT_STREAM_TYPE, eventStreamMessage, eventStreamText } from './event-stream.js';
import { bodyText, requestBodyText } from './http.js';
import {
  asError,
  asOpenCall,
  KEPT_HEADERS,
  keep,
  llmCallOf,
  openCallIn,
  type ReplayCalls,
  replayIn,
  state,
  TEXT_TYPE,
} from './intercepted.js';
import type { RequestShape } from './request-key.js';

/** A Smithy `HttpRequest`, as the last middleware is given it. */
interface HttpRequest {
  method: string;
  protocol?: string;
  hostname?: string;
  port?: number;
  path?: string;
  query?: Record<string, string | (string | null)[] | null>;
  body?: unknown;
}

/** A Smithy `HttpResponse`: what a request handler gives and the deserializer reads. */
interface HttpResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body?: unknown;
}

type Handler = (args: { request?: unknown }) => Promise<{ response: unknown; output?: unknown }>;

interface MiddlewareStack {
  add(
    middleware: (next: Handler) => Handler,
    options: { step: string; priority: string; name: string; override: boolean },
  ): void;
}

type Send = (this: unknown, ...args: unknown[]) => unknown;

/** A patch of a client's module (the shape of the client table's patches). */
interface ModulePatch {
  patch(exports: unknown): unknown;
  unpatch(exports: unknown): unknown;
}

const MIDDLEWARE_NAME = 'agentopsReplayMiddleware';
/** The clients whose stack has the middleware. */
const withMiddleware = new WeakSet<object>();
/** Each patched `send`, by the one it wraps: unpatching puts that one back. */
const wrapped = new WeakMap<Send, Send>();

/**
 * The patch of a package's client class (its `send`), applied around the instrumentation's: each
 * client gets the middleware at its first `send`, and a call made while recording or replaying runs
 * as an open call.
 */
export function smithyClientPatch(className: string): ModulePatch {
  return {
    patch(exports) {
      const proto = prototypeOf(exports, className);
      const original = proto?.send as Send | undefined;
      if (!proto || typeof original !== 'function' || wrapped.has(original)) return exports;
      const send: Send = function (this: unknown, ...args: unknown[]) {
        addMiddleware(this);
        const ctx = context.active();
        if (!state.recording && !replayIn(ctx)) return Reflect.apply(original, this, args);
        return asOpenCall(ctx, () => Reflect.apply(original, this, args));
      };
      wrapped.set(send, original);
      proto.send = send;
      return exports;
    },
    unpatch(exports) {
      const proto = prototypeOf(exports, className);
      const original = proto && wrapped.get(proto.send as Send);
      if (proto && original) proto.send = original;
      return exports;
    },
  };
}

function prototypeOf(exports: unknown, className: string): { send?: unknown } | undefined {
  const Class = (exports as Record<string, unknown> | undefined)?.[className];
  return typeof Class === 'function' ? (Class.prototype as { send?: unknown }) : undefined;
}

/** Adds the middleware to a client's stack once (a stack it cannot be added to is left as it is). */
function addMiddleware(client: unknown): void {
  if (typeof client !== 'object' || client === null || withMiddleware.has(client)) return;
  withMiddleware.add(client);
  try {
    const stack = (client as { middlewareStack?: MiddlewareStack }).middlewareStack;
    // The deserialize step's last: after signing and retries, right before the request handler.
    stack?.add(middleware, { step: 'deserialize', priority: 'low', name: MIDDLEWARE_NAME, override: true });
  } catch {
    // Not recorded, never broken.
  }
}

const middleware =
  (next: Handler): Handler =>
  async (args) => {
    const ctx = context.active();
    const replay = replayIn(ctx);
    const started = openCallIn(ctx)?.span;
    const span = started && (state.recording || replay) ? llmCallOf(started) : undefined;
    const request = span ? requestOf(args.request as HttpRequest | undefined) : undefined;
    if (!span || !request) return next(args);
    if (replay) {
      const answer = answerOf(replay, request, span);
      if (answer instanceof Error) throw answer;
      if (answer !== 'live') {
        keep(span, answer);
        return { response: responseOf(answer) };
      }
    }
    const out = await next(args);
    try {
      tapResponse(out.response as HttpResponse, request, span);
    } catch {
      // Not recorded: the call is still answered.
    }
    return out;
  };

function answerOf(replay: ReplayCalls, request: RequestShape, call: object): ReturnType<ReplayCalls['llm']> {
  try {
    return replay.llm(request, call);
  } catch (err) {
    return asError(err);
  }
}

/** The request as the replay compares it (its URL from the parts Smithy keeps); undefined for a body that is not text. */
function requestOf(request: HttpRequest | undefined): RequestShape | undefined {
  if (!request || typeof request.method !== 'string') return undefined;
  const body = requestBodyText(request.body);
  if (body === undefined) return undefined;
  const port = request.port ? `:${request.port}` : '';
  const query = Object.entries(request.query ?? {})
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => [name, v] as const))
    .map(([name, v]) =>
      v === null ? encodeURIComponent(name) : `${encodeURIComponent(name)}=${encodeURIComponent(v)}`,
    )
    .join('&');
  const url = `${request.protocol ?? 'https:'}//${request.hostname ?? ''}${port}${request.path ?? '/'}${query ? `?${query}` : ''}`;
  return { method: request.method, url, body };
}

/** Passes the response's body on through a tap that writes the exchange on the span when the body ends. */
function tapResponse(response: HttpResponse, request: RequestShape, span: Span): void {
  const body = response?.body;
  if (!(body instanceof Readable)) return;
  const headers: [string, string][] = [];
  let type = '';
  let encoding: string | undefined;
  for (const [key, value] of Object.entries(response.headers ?? {})) {
    const name = key.toLowerCase();
    if (name === 'content-type') type = String(value);
    if (name === 'content-encoding') encoding = String(value).trim().toLowerCase();
    if (KEPT_HEADERS.has(name)) headers.push([name, String(value)]);
  }
  const eventStream = EVENT_STREAM_TYPE.test(type);
  if (!eventStream && !TEXT_TYPE.test(type)) return;
  const pieces: Buffer[] = [];
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      pieces.push(chunk);
      done(null, chunk);
    },
    flush(done) {
      try {
        const chunks = eventStream ? eventStreamText(Buffer.concat(pieces)) : bodyText(pieces, encoding);
        if (chunks) {
          const status_text = response.reason ?? '';
          keep(span, { request, response: { status: response.statusCode, status_text, headers, chunks } });
        }
      } catch {
        // Not recorded.
      }
      done();
    },
  });
  pipeline(body, tap, () => {});
  response.body = tap;
}

/** A recorded response as the request handler would have given it, its body in the recorded pieces. */
function responseOf(exchange: ReplayExchange): HttpResponse {
  const { response } = exchange;
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) headers[name] = value;
  const eventStream = EVENT_STREAM_TYPE.test(headers['content-type'] ?? '');
  let pieces: Buffer[];
  try {
    pieces = response.chunks.map((c) => (eventStream ? eventStreamMessage(c) : Buffer.from(c, 'utf8')));
  } catch (err) {
    throw new Error(`the recorded event stream cannot be replayed: ${asError(err).message}`);
  }
  return {
    statusCode: response.status,
    ...(response.status_text ? { reason: response.status_text } : {}),
    headers,
    body: Readable.from(pieces, { objectMode: false }),
  };
}
