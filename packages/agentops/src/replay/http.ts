/**
 * LLM calls recorded and replayed where every client meets the network: Node's `fetch` (undici),
 * whose requests all pass its global dispatcher. The dispatcher is wrapped once per process; a
 * request made while an LLM call's span is active (the instrumentation's span around the client's
 * call) is recorded on that span, or, inside a replay, answered from the recording without the
 * network. Any other request passes through untouched. Clients that keep their own `fetch`
 * reference (OpenAI, Anthropic, Gemini, the AI SDK) still reach the one global dispatcher.
 *
 * The response is read as the client reads it: status, the headers a client looks at, the body in
 * the pieces it came in (decompressed where the server compressed it, a stream then cut at its
 * events). Request headers are never kept: they hold the provider's key.
 */

import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { ReplayExchange } from '@agentops/exporter';
import { context, type Span } from '@opentelemetry/api';
import { nonNodeRuntime } from '../resource/AgentOpsResourceDetector.js';
import { interceptFetch } from './fetch.js';
import { asError, KEPT_HEADERS, keep, llmSpanIn, type ReplayCalls, replayIn, state, TEXT_TYPE } from './intercepted.js';
import type { RequestShape } from './request-key.js';

export { REPLAY_KEY, type ReplayCalls, replayIn, type ToolAnswer } from './intercepted.js';

/** Undici's handler of one request (its callbacks as Node 20's and 24's fetch pass them). */
interface Handler {
  onConnect?(abort: (err?: Error) => void): void;
  onHeaders?(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: Buffer[] | null): void;
  onError?(err: Error): void;
}

interface DispatchOptions {
  origin?: string | URL;
  path: string;
  method: string;
  body?: unknown;
}

interface Dispatcher {
  dispatch(options: DispatchOptions, handler: Handler): boolean;
}

/** Where undici (Node's `fetch`) keeps the dispatcher every request goes through. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/** Records LLM calls' exchanges from now on (`recordReplay`), or stops. Installs the interception. */
export function recordExchanges(on: boolean): boolean {
  state.recording = on;
  return on ? intercept() : true;
}

/**
 * Wraps Node's global dispatcher. Undici makes it when `fetch` is first called (at once, before the
 * call's promise), so a `data:` URL, which needs no network, is fetched to make it. An app may set
 * its own later (undici's `setGlobalDispatcher`, for a proxy or its own pool): it is wrapped in turn
 * when the next LLM call starts (`keepIntercepting`), and only the newest wrapper records, so one
 * composed over the last (`getGlobalDispatcher().compose(...)`) records each call once. False where
 * there is none (a runtime whose `fetch` is not Node's) or it cannot be replaced.
 */
export function intercept(): boolean {
  const holder = globalThis as unknown as Record<symbol, Dispatcher | undefined>;
  if (holder[GLOBAL_DISPATCHER] === undefined) {
    try {
      fetch('data:,').catch(() => {});
    } catch {
      // No fetch: nothing to intercept.
    }
  }
  const inner = holder[GLOBAL_DISPATCHER];
  // Bun's fetch and Deno's are their own: `fetch` itself is wrapped.
  if (!inner || typeof inner.dispatch !== 'function') return interceptFetch();
  if (inner === state.proxy) return true;
  const proxy: Dispatcher = new Proxy(inner, {
    get(target, key) {
      if (key === 'dispatch') return ours;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  // A wrapper another replaced passes requests on untouched: the newest one records.
  const ours = (options: DispatchOptions, handler: Handler) =>
    proxy === state.proxy ? dispatch(inner, options, handler) : inner.dispatch(options, handler);
  try {
    holder[GLOBAL_DISPATCHER] = proxy;
  } catch {
    return false;
  }
  if (holder[GLOBAL_DISPATCHER] !== proxy) return false;
  state.proxy = proxy;
  return true;
}

/**
 * At `init()`: where `fetch` is the runtime's own (Bun, Deno), it is wrapped now, so that clients
 * made after `init()` take the wrapped one and a later `agentops.replay()` reaches them. (Node's
 * dispatcher is reached by every client whenever it is wrapped.)
 */
export function interceptOwnFetch(): void {
  const runtime = nonNodeRuntime()?.name;
  if (runtime === 'bun' || runtime === 'deno') interceptFetch();
}

/** At an LLM call's start: the dispatcher wrapped again if the app replaced it since (once wrapped at all). */
export function keepIntercepting(): void {
  if (state.proxy && (globalThis as unknown as Record<symbol, unknown>)[GLOBAL_DISPATCHER] !== state.proxy) intercept();
}

/** A request's body as text (null: none); undefined for a body that is not text or bytes (a stream, a form). */
export function requestBodyText(body: unknown): string | null | undefined {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return undefined;
}

/** The request as the replay compares it; undefined for a body that is not text (a stream, a form). */
function requestOf(options: DispatchOptions): RequestShape | undefined {
  const text = requestBodyText(options.body);
  if (text === undefined) return undefined;
  const origin = options.origin === undefined ? '' : String(options.origin).replace(/\/$/, '');
  return { method: options.method, url: `${origin}${options.path}`, body: text };
}

function dispatch(inner: Dispatcher, options: DispatchOptions, handler: Handler): boolean {
  const ctx = context.active();
  const replay = replayIn(ctx);
  // Neither recording nor replaying: the request passes as it is, nothing else looked at.
  if (!state.recording && !replay) return inner.dispatch(options, handler);
  const span = llmSpanIn(ctx);
  if (!span) return inner.dispatch(options, handler);
  if (isStream(options.body)) {
    // Fetch hands the body as a stream of its bytes (a form's with the boundary its header names):
    // read whole first, then sent as those bytes.
    const body = options.body;
    void readAll(body).then(
      (bytes) => exchangeOrPass(inner, { ...options, body: bytes }, handler, span, replay),
      (err: unknown) => handler.onError?.(asError(err)),
    );
    return true;
  }
  return exchangeOrPass(inner, options, handler, span, replay);
}

const isStream = (body: unknown): body is AsyncIterable<unknown> =>
  typeof body === 'object' && body !== null && Symbol.asyncIterator in body;

async function readAll(body: AsyncIterable<unknown>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of body) {
    pieces.push(typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece as Uint8Array));
  }
  return Buffer.concat(pieces);
}

/** An LLM call's request: answered from the replay, or sent and its response recorded. */
function exchangeOrPass(
  inner: Dispatcher,
  options: DispatchOptions,
  handler: Handler,
  span: Span,
  replay: ReplayCalls | undefined,
): boolean {
  const request = requestOf(options);
  if (!request) return inner.dispatch(options, handler);
  if (replay) {
    let answer: ReturnType<ReplayCalls['llm']>;
    try {
      answer = replay.llm(request, span);
    } catch (err) {
      answer = asError(err);
    }
    if (answer instanceof Error) {
      const failure = answer;
      setImmediate(() => handler.onError?.(failure));
      return true;
    }
    if (answer !== 'live') {
      keep(span, answer);
      respond(handler, answer);
      return true;
    }
  }
  return inner.dispatch(options, recording(handler, request, span));
}

/** Answers a request with a recorded response, piece by piece, as the network would have. */
function respond(handler: Handler, exchange: ReplayExchange): void {
  const { response } = exchange;
  let aborted = false;
  let waiting: (() => void) | undefined;
  const resume = () => {
    const go = waiting;
    waiting = undefined;
    go?.();
  };
  const pieces = response.chunks.map((c) => Buffer.from(c, 'utf8'));
  const send = (i: number): void => {
    if (aborted) return;
    if (i === pieces.length) {
      handler.onComplete?.([]);
      return;
    }
    // A paused reader (false) is resumed through `resume`; else the next piece comes on the next turn.
    const more = handler.onData?.(pieces[i] as Buffer);
    if (more === false) waiting = () => setImmediate(send, i + 1);
    else setImmediate(send, i + 1);
  };
  setImmediate(() => {
    try {
      handler.onConnect?.((err) => {
        aborted = true;
        if (err) handler.onError?.(err);
      });
      if (aborted) return;
      const raw = response.headers.flatMap(([name, value]) => [Buffer.from(name), Buffer.from(value)]);
      const more = handler.onHeaders?.(response.status, raw, resume, response.status_text);
      if (more === false) waiting = () => setImmediate(send, 0);
      else send(0);
    } catch (err) {
      handler.onError?.(asError(err));
    }
  });
}

/** The body's text, decompressed; undefined for a body that is not text or cannot be decoded. */
export function bodyText(pieces: Buffer[], encoding: string | undefined): string[] | undefined {
  if (!encoding || encoding === 'identity') {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    try {
      const chunks = pieces.map((p) => decoder.decode(p, { stream: true }));
      const rest = decoder.decode();
      if (rest) chunks.push(rest);
      return chunks.filter((c) => c !== '');
    } catch {
      return undefined;
    }
  }
  const whole = Buffer.concat(pieces);
  let text: string;
  try {
    const plain =
      encoding === 'gzip' || encoding === 'x-gzip'
        ? gunzipSync(whole)
        : encoding === 'br'
          ? brotliDecompressSync(whole)
          : encoding === 'deflate'
            ? inflateSync(whole)
            : undefined;
    if (!plain) return undefined;
    text = new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    return undefined;
  }
  // A compressed stream's pieces are not its events: it is cut at each event's end instead.
  return text.split(/(?<=\n\n)/).filter((c) => c !== '');
}

/** A handler that passes everything on and keeps the response, written on the span when it is whole. */
function recording(handler: Handler, request: RequestShape, span: Span): Handler {
  let status = 0;
  let statusText = '';
  let headers: [string, string][] = [];
  let encoding: string | undefined;
  let textual = false;
  const pieces: Buffer[] = [];
  const own: Partial<Handler> = {
    onHeaders(code, rawHeaders, resume, text) {
      status = code;
      statusText = text ?? '';
      headers = [];
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        const name = String(rawHeaders[i]).toLowerCase();
        const value = String(rawHeaders[i + 1]);
        if (name === 'content-encoding') encoding = value.trim().toLowerCase();
        if (name === 'content-type') textual = TEXT_TYPE.test(value);
        if (KEPT_HEADERS.has(name)) headers.push([name, value]);
      }
      return handler.onHeaders?.(code, rawHeaders, resume, text) ?? true;
    },
    onData(chunk) {
      if (textual) pieces.push(Buffer.from(chunk));
      return handler.onData?.(chunk) ?? true;
    },
    onComplete(trailers) {
      try {
        const chunks = textual ? bodyText(pieces, encoding) : undefined;
        if (chunks) keep(span, { request, response: { status, status_text: statusText, headers, chunks } });
      } catch {
        // Not recorded: the call is still answered.
      }
      handler.onComplete?.(trailers);
    },
  };
  // Every other callback and field of undici's handler (its body, abort, upgrade) as it is.
  return new Proxy(handler, {
    get(target, key, receiver) {
      if (typeof key === 'string' && key in own) return own[key as keyof Handler];
      const value = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
