/**
 * LLM calls recorded and replayed where `fetch` is the runtime's own (Bun's, Deno's): the global
 * `fetch` is wrapped (a Proxy: its own properties, such as Bun's `fetch.preconnect`, stay). A
 * client that took `fetch` before `init()` keeps the one it took: make clients after `init()`. A
 * request made while an LLM call's span is active is recorded on that span (the body as the
 * client reads it, in the pieces it reads it in), or inside a replay answered from the recording.
 * Any other request passes through untouched. Web APIs only.
 */
import type { ReplayExchange } from '@agentops/exporter';
import { context, type Span } from '@opentelemetry/api';
import { asError, KEPT_HEADERS, keep, llmSpanIn, type ReplayCalls, replayIn, state, TEXT_TYPE } from './intercepted.js';
import type { RequestShape } from './request-key.js';

type Fetch = typeof fetch;

/**
 * Wraps the global `fetch`, once (again if the app replaced it since). False where it cannot be.
 * Done by `init()` in Bun and Deno (a replay started later then reaches clients made after
 * `init()`), and by `recordReplay` or a replay where Node's dispatcher is missing.
 */
export function interceptFetch(): boolean {
  const holder = globalThis as unknown as { fetch?: Fetch };
  const original = holder.fetch;
  if (typeof original !== 'function') return false;
  if (original === state.fetch) return true;
  const wrapped = new Proxy(original, {
    apply(target, thisArg, args: Parameters<Fetch>) {
      // Neither recording nor replaying: the call passes as it is, nothing else looked at.
      if (!state.recording && !replayIn(context.active())) return Reflect.apply(target, thisArg, args);
      return fetched(target.bind(thisArg) as Fetch, args[0], args[1]);
    },
  });
  try {
    holder.fetch = wrapped;
  } catch {
    return false;
  }
  if (holder.fetch !== wrapped) return false;
  state.fetch = wrapped;
  return true;
}

async function fetched(original: Fetch, input: Parameters<Fetch>[0], init: Parameters<Fetch>[1]): Promise<Response> {
  const ctx = context.active();
  const replay = replayIn(ctx);
  const span = llmSpanIn(ctx);
  if (!span) return original(input, init);
  const request = new Request(input, init);
  const shape = await shapeOf(request);
  if (!shape) return original(request);
  if (replay) {
    const answer = answerOf(replay, shape, span);
    // As a request the network failed: fetch's own TypeError, the reason its cause.
    if (answer instanceof Error) throw new TypeError('fetch failed', { cause: answer });
    if (answer !== 'live') {
      keep(span, answer);
      return responseOf(answer);
    }
  }
  return recorded(await original(request), shape, span);
}

function answerOf(replay: ReplayCalls, shape: RequestShape, call: object): ReplayExchange | 'live' | Error {
  try {
    return replay.llm(shape, call);
  } catch (err) {
    return asError(err);
  }
}

/** The request as the replay compares it (a copy's body read); undefined for a form or a body that is not text. */
async function shapeOf(request: Request): Promise<RequestShape | undefined> {
  if (/^multipart\//i.test(request.headers.get('content-type') ?? '')) return undefined;
  let body: string | null = null;
  if (request.body) {
    try {
      body = new TextDecoder('utf-8', { fatal: true }).decode(await request.clone().arrayBuffer());
    } catch {
      return undefined;
    }
  }
  return { method: request.method, url: request.url, body };
}

/** A recorded response, as the network would give it: its pieces one by one, each on a turn of its own. */
function responseOf(exchange: ReplayExchange): Response {
  const { response } = exchange;
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const piece = response.chunks[i++];
      if (piece === undefined) controller.close();
      else controller.enqueue(encoder.encode(piece));
    },
  });
  const answer = new Response(nullBodyStatus(response.status) ? null : body, {
    status: response.status,
    statusText: response.status_text,
    headers: response.headers,
  });
  Object.defineProperty(answer, 'url', { value: exchange.request.url });
  return answer;
}

const nullBodyStatus = (status: number): boolean => status === 204 || status === 205 || status === 304;

/**
 * The response with its body read through a tap that keeps its text pieces; the exchange is written
 * on the span when the body ends, before the client sees its end (so before the call's span ends).
 */
function recorded(response: Response, request: RequestShape, span: Span): Response {
  if (!response.body || !TEXT_TYPE.test(response.headers.get('content-type') ?? '')) return response;
  // A status `new Response` refuses (outside 200-599) is not copied: the app gets the response as it came.
  if (response.status < 200 || response.status > 599) return response;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const chunks: string[] = [];
  let readable = true;
  const take = (text: string) => {
    if (text) chunks.push(text);
  };
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    transform(piece, controller) {
      if (readable) {
        try {
          take(decoder.decode(piece, { stream: true }));
        } catch {
          readable = false;
        }
      }
      controller.enqueue(piece);
    },
    flush() {
      if (!readable) return;
      try {
        take(decoder.decode());
        const headers: [string, string][] = [];
        response.headers.forEach((value, name) => {
          if (KEPT_HEADERS.has(name.toLowerCase())) headers.push([name.toLowerCase(), value]);
        });
        keep(span, {
          request,
          response: { status: response.status, status_text: response.statusText, headers, chunks },
        });
      } catch {
        // Not recorded: the call is still answered.
      }
    },
  });
  const tapped = new Response(response.body.pipeThrough(tap), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  for (const key of ['url', 'redirected'] as const) Object.defineProperty(tapped, key, { value: response[key] });
  return tapped;
}
