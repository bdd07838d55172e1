/**
 * What both interceptions of LLM calls share (Node's undici dispatcher, http.ts; `fetch` itself
 * where it is the runtime's own, fetch.ts): the replay in the context, the LLM call a request is
 * made in, the exchange written on its span, and what of a response is kept. Web APIs only.
 */
import { classifySpan, type ReplayExchange, semconv as S, type SpanLike } from '@agentops/exporter';
import { type Context, context, type Span, trace } from '@opentelemetry/api';
import { processWide } from '../process-wide.js';
import { outermostCall } from './outer-calls.js';
import type { RequestShape } from './request-key.js';

/** A tool call's answer from a recording: its result, or the error it threw. */
export type ToolAnswer = { value: unknown } | { error: Error };

/** The replay in the active context: what it answers for an LLM call's request and a wrapped tool's call. */
export interface ReplayCalls {
  /**
   * The recorded exchange to answer with, `live` to call the network, or an error to fail the
   * request with. `call`: the LLM call's span, the same for each attempt a client makes of it.
   */
  llm(request: RequestShape, call: object): ReplayExchange | 'live' | Error;
  /** The recorded outcome of the tool's call with these arguments, or `live` to call it. */
  tool(name: string, args: unknown): ToolAnswer | 'live';
}

/** A registered symbol: the ESM and the CommonJS build find the same replay in the context. */
export const REPLAY_KEY = Symbol.for('agentops.replay');

export function replayIn(ctx: Context): ReplayCalls | undefined {
  return ctx.getValue(REPLAY_KEY) as ReplayCalls | undefined;
}

/**
 * Whether exchanges are recorded (`recordReplay`), and the wrappers installed: undici's dispatcher
 * (the newest one, which alone records) or `fetch`. One per process, whichever build asks.
 */
export const state = processWide<{ recording: boolean; proxy: object | undefined; fetch: unknown }>(
  'replay.http',
  () => ({ recording: false, proxy: undefined, fetch: undefined }),
);

/** The response headers a client reads (its body's type, the request id it reports, retry advice). */
export const KEPT_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'x-request-id',
  'request-id',
  'retry-after',
  'retry-after-ms',
  'x-should-retry',
  // AWS's: the request id a client reports, and the error's type it throws by.
  'x-amzn-requestid',
  'x-amzn-errortype',
]);

/** A response body kept as text: JSON, NDJSON, server-sent events and other text. */
export const TEXT_TYPE = /^(application\/(json|.*\+json|x-ndjson)|text\/)/i;

/** What was thrown, as an Error. */
export const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * The LLM call whose span is active in `ctx`, if a recording one is: its outermost span when the
 * call is recorded twice over (a client's own span inside the instrumentation's).
 */
export function llmSpanIn(ctx: Context): Span | undefined {
  const active = trace.getSpan(ctx);
  return active ? llmCallOf(active) : undefined;
}

/** The LLM call `span` is (its outermost span), if it is a recording LLM span. */
export function llmCallOf(active: Span): Span | undefined {
  const span = outermostCall(active);
  if (!span.isRecording() || !('attributes' in span)) return undefined;
  try {
    return classifySpan(span as unknown as SpanLike) === 'llms' ? span : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the exchange on the call's span (unless the call ended before its response was read). */
export function keep(span: Span, exchange: ReplayExchange): void {
  if (span.isRecording()) span.setAttribute(S.ATTR_REPLAY_EXCHANGE, JSON.stringify(exchange));
}

/**
 * A client call under way whose instrumentation starts its span without making it active
 * (OpenInference's Bedrock one): the first span started inside the call is its span, noted by
 * stamping (`noteSpanStarted`) for the interception further down the call to find.
 */
export interface OpenCall {
  span: Span | undefined;
}

const OPEN_CALL_KEY = Symbol.for('agentops.replay.open-call');
/** How many such calls are under way: while none is, stamping looks for none. */
const openCalls = processWide('replay.open-calls', () => ({ count: 0 }));

/** Runs `call` as an open call (see `OpenCall`); the interception finds it with `openCallIn`. */
export function asOpenCall<T>(ctx: Context, call: () => T): T {
  const open: OpenCall = { span: undefined };
  openCalls.count++;
  let result: T;
  try {
    result = context.with(ctx.setValue(OPEN_CALL_KEY, open), call);
  } catch (err) {
    openCalls.count--;
    throw err;
  }
  const done = () => {
    openCalls.count--;
  };
  if (result instanceof Promise) result.then(done, done);
  else done();
  return result;
}

export function openCallIn(ctx: Context): OpenCall | undefined {
  return ctx.getValue(OPEN_CALL_KEY) as OpenCall | undefined;
}

/** At each span's start (stamping): the first span started in an open call is that call's. */
export function noteSpanStarted(span: Span, parentContext: Context): void {
  if (openCalls.count === 0) return;
  const open = openCallIn(parentContext);
  if (open && open.span === undefined) open.span = span;
}
