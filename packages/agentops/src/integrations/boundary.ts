/**
 * What the agent-protocol integrations (MCP, A2A) share: a session carried across a process
 * boundary in W3C fields of the protocol's own request metadata, joined on the other side for the
 * request's handling; the replacement of a class's methods, put back exactly on unpatch; a span
 * ended when the work it times settles, whether that work is a value, a promise or a stream.
 */
import { type EventPeer, type Logger, semconv as S } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import {
  type Context,
  context,
  type Span,
  type SpanContext,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { sessionIdFromContext, withSessionBaggage } from '../context-keys.js';
import { extractFrom, injectInto } from '../propagation.js';
import { SDK_VERSION } from '../version.js';

/** A session joined for one request: its work runs inside `run`, and it is left (not ended) after. */
export interface JoinedSession {
  run<T>(fn: () => T): T;
  detach(): Promise<void>;
}

/** What an integration of a protocol is given by the runtime. */
export interface ProtocolHost {
  tracerProvider: TracerProvider | undefined;
  captureContent: boolean;
  logger: Logger;
  /** Joins the session the W3C fields carry. */
  joinSession(carrier: Record<string, string>): JoinedSession | undefined;
  /** The session new work belongs to, and the context it starts in. */
  sessionOfNewWork(): { context: Context; sessionId: string } | undefined;
}

/** The W3C fields a request carries: trace context and the session's baggage. */
export const W3C_FIELDS = ['traceparent', 'tracestate', 'baggage'] as const;

export const tracerOf = (host: ProtocolHost, name: string): Tracer =>
  (host.tracerProvider ?? trace.getTracerProvider()).getTracer(name, SDK_VERSION);

/** The context a caller's request starts in: the session new work joins, its id in the baggage. */
export function callerContext(host: ProtocolHost): Context {
  const work = host.sessionOfNewWork();
  return work ? withSessionBaggage(work.context, work.sessionId) : context.active();
}

/** `fields` with the W3C fields of `ctx` added; `fields` itself untouched. Undefined when `ctx` has no span. */
export function withW3CFields(
  fields: Record<string, unknown> | undefined,
  ctx: Context,
): Record<string, unknown> | undefined {
  const carried = injectInto(ctx);
  if (!carried.traceparent) return undefined;
  return { ...(fields ?? {}), ...carried };
}

/**
 * The W3C fields of a request's metadata and the caller's span they name, when their baggage
 * carries an AgentOps session: a request without it is handled in this process's own session.
 */
export function carriedSession(fields: unknown): { carrier: Record<string, string>; caller: SpanContext } | undefined {
  if (!fields || typeof fields !== 'object') return undefined;
  const carrier: Record<string, string> = {};
  for (const field of W3C_FIELDS) {
    const value = (fields as Record<string, unknown>)[field];
    if (typeof value === 'string') carrier[field] = value;
  }
  if (!carrier.traceparent) return undefined;
  const extracted = extractFrom(carrier);
  const caller = trace.getSpanContext(extracted);
  return caller && sessionIdFromContext(extracted) ? { carrier, caller } : undefined;
}

/** The session a request's metadata carries, joined, and the caller's span; never throws. */
export function joinCarried(
  host: ProtocolHost,
  fields: unknown,
  what: string,
): { joined: JoinedSession | undefined; caller: SpanContext | undefined } {
  try {
    const carried = carriedSession(fields);
    const joined = carried ? host.joinSession(carried.carrier) : undefined;
    return { joined, caller: joined ? carried?.caller : undefined };
  } catch (err) {
    host.logger.debug(`${what}: the caller's session not joined: ${errorText(err)}`);
    return { joined: undefined, caller: undefined };
  }
}

/**
 * The context a request is handled in: under the caller's span when it came with one (in the
 * session joined), else in this process's session as new work is, so that everything recorded
 * inside the handling, wrappers included, nests under the handling's span.
 */
export function handlingContext(host: ProtocolHost, caller: SpanContext | undefined): Context {
  return caller ? trace.setSpanContext(context.active(), caller) : callerContext(host);
}

/** Leaves a joined session without waiting for what leaving starts (its delivery). */
function leave(session: JoinedSession): void {
  session.detach().catch(() => undefined);
}

/**
 * Runs `handle` in the joined session, if any, and leaves it once the result settles (a value, a
 * promise, or, with `stream`, the end of an async iterable), however it ends.
 */
export function inJoinedSession<T>(joined: JoinedSession | undefined, handle: () => T): T {
  if (!joined) return handle();
  let result: T;
  try {
    result = joined.run(handle);
  } catch (err) {
    leave(joined);
    throw err;
  }
  if (isAsyncIterable(result)) return onStreamEnd(result, () => leave(joined)) as T;
  Promise.resolve(result).then(
    () => leave(joined),
    () => leave(joined),
  );
  return result;
}

/**
 * Names the other side of a call on its span (`agentops.peer.*`): the MCP server or remote agent
 * as it introduced itself (`{ name, version }`, its `serverInfo` or agent card). Nothing without a name.
 */
export function recordPeer(span: Span, protocol: EventPeer['protocol'], info: unknown): void {
  const { name, version } = (info ?? {}) as { name?: unknown; version?: unknown };
  if (typeof name !== 'string' || !name) return;
  span.setAttribute(S.ATTR_PEER_PROTOCOL, protocol);
  span.setAttribute(S.ATTR_PEER_NAME, name);
  if (typeof version === 'string' && version) span.setAttribute(S.ATTR_PEER_VERSION, version);
}

/** Ends `span`, failed with `error` when there is one. */
export function ended(span: Span, error?: unknown): void {
  if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: errorText(error) });
  span.end();
}

/**
 * Runs `fn` and ends `span` when its result (a promise or not) settles; a value is first shown to
 * `onValue`, whose failure is the recording's, never the app's.
 */
export function settle(span: Span, fn: () => unknown, onValue?: (value: unknown) => void): unknown {
  const succeeded = (value: unknown) => {
    try {
      onValue?.(value);
    } catch {
      // The answer is the app's whatever recording it does.
    } finally {
      ended(span);
    }
    return value;
  };
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    ended(span, err);
    throw err;
  }
  if (!(result instanceof Promise)) return succeeded(result);
  return result.then(succeeded, (error: unknown) => {
    ended(span, error);
    throw error;
  });
}

/** What a traced piece of work shows its recording as it runs and ends. */
export interface WorkHooks {
  /** The value it settled with (work that is no stream). */
  onValue?(value: unknown): void;
  /** Each item of its stream. */
  onItem?(item: unknown): void;
  /** Its stream ended, failed (`error`) or was left, before the span ends. */
  onEnd?(error: unknown): void;
}

/**
 * Runs `run` in `ctx` and ends `span` when its result settles: a value or a promise, or, with
 * `stream`, the end of the async iterable it returns, each step of which is taken in `ctx`.
 * Recording never fails the app's work.
 */
export function traceWork(
  span: Span,
  ctx: Context,
  run: () => unknown,
  stream: boolean,
  hooks: WorkHooks = {},
): unknown {
  if (!stream) return settle(span, () => context.with(ctx, run), hooks.onValue);
  let items: AsyncIterable<unknown>;
  try {
    items = context.with(ctx, run) as AsyncIterable<unknown>;
  } catch (err) {
    ended(span, err);
    throw err;
  }
  return onStreamEnd(
    items,
    (error) => {
      try {
        hooks.onEnd?.(error);
      } finally {
        ended(span, error);
      }
    },
    ctx,
    hooks.onItem,
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  try {
    return (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
    );
  } catch {
    return false;
  }
}

/** The stream `source`, each step taken in `ctx`; `done` is called once, when it ends, fails or is left. */
export function onStreamEnd<T>(
  source: AsyncIterable<T>,
  done: (error?: unknown) => void,
  ctx?: Context,
  onItem?: (item: T) => void,
): AsyncGenerator<T> {
  let finished = false;
  const finish = (error?: unknown) => {
    if (finished) return;
    finished = true;
    try {
      done(error);
    } catch {
      // Recording never fails the app's stream.
    }
  };
  const step = <R>(fn: () => Promise<R>): Promise<R> => (ctx ? context.with(ctx, fn) : fn());
  const iterator = source[Symbol.asyncIterator]();
  const generator: AsyncGenerator<T> = {
    async next() {
      let result: IteratorResult<T>;
      try {
        result = await step(() => iterator.next());
      } catch (err) {
        finish(err);
        throw err;
      }
      if (result.done) finish();
      else if (onItem) {
        try {
          onItem(result.value);
        } catch {
          // As above.
        }
      }
      return result;
    },
    async return(value?: unknown) {
      try {
        return (await step(async () =>
          iterator.return ? iterator.return(value) : { done: true, value },
        )) as IteratorResult<T>;
      } finally {
        finish();
      }
    },
    async throw(error?: unknown) {
      try {
        if (!iterator.throw) throw error;
        const result = await step(() => (iterator.throw as (e: unknown) => Promise<IteratorResult<T>>)(error));
        if (result.done) finish();
        return result;
      } catch (err) {
        finish(err);
        throw err;
      }
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return generator;
}

type Prototype = Record<PropertyKey, unknown>;
export type Method = (this: unknown, ...args: unknown[]) => unknown;
/** A class, as a patch sees it. */
export type PatchedClass = { prototype: Prototype };

export const asClass = (value: unknown): PatchedClass | undefined =>
  typeof value === 'function' ? (value as unknown as PatchedClass) : undefined;

/**
 * Replaces methods of a class's prototype, once, with what `wraps` makes of each; `restoreMethods`
 * with the same `key` puts back exactly what was there (an inherited method stays inherited).
 */
export function replaceMethods(
  Class: PatchedClass,
  key: symbol,
  what: string,
  wraps: Record<string, (original: Method) => Method>,
): void {
  const proto = Class.prototype;
  if (Object.hasOwn(proto, key)) return;
  const saved: Record<string, PropertyDescriptor | undefined> = {};
  const replaced: Record<string, Method> = {};
  for (const [name, wrap] of Object.entries(wraps)) {
    const original = proto[name];
    if (typeof original !== 'function') throw new Error(`the ${what} has no ${name} method`);
    saved[name] = Object.getOwnPropertyDescriptor(proto, name);
    replaced[name] = wrap(original as Method);
  }
  Object.defineProperty(proto, key, { value: saved, configurable: true });
  for (const [name, method] of Object.entries(replaced)) {
    Object.defineProperty(proto, name, { value: method, writable: true, configurable: true, enumerable: false });
  }
}

export function restoreMethods(Class: PatchedClass | undefined, key: symbol): void {
  const proto = Class?.prototype;
  if (!proto || !Object.hasOwn(proto, key)) return;
  const saved = proto[key] as Record<string, PropertyDescriptor | undefined>;
  for (const [name, descriptor] of Object.entries(saved)) {
    if (descriptor) Object.defineProperty(proto, name, descriptor);
    else delete proto[name];
  }
  delete proto[key];
}

/** The action type of work a process does for a caller in another process, as its events show it. */
export const servedFor = (protocol: string, name: string) => `${protocol} server: ${name}`;

/** Patches a module's exported classes by name (those it exports), and unpatches them. */
export interface ClassPatcher {
  patch(exports: unknown): unknown;
  unpatch(exports: unknown): unknown;
}

/**
 * The patch of a module whose exported classes `patches` names: each one the module exports is
 * patched; a module that exports none of them is not the module (an error naming `what`).
 */
export function classPatcher(
  key: symbol,
  what: string,
  patches: Record<string, (Class: PatchedClass) => void>,
): ClassPatcher {
  const exported = (exports: unknown, name: string) => {
    try {
      return asClass((exports as Record<string, unknown> | null | undefined)?.[name]);
    } catch {
      return undefined;
    }
  };
  return {
    patch(exports) {
      const found = Object.entries(patches).flatMap(([name, patch]) => {
        const Class = exported(exports, name);
        return Class ? [{ Class, patch }] : [];
      });
      if (found.length === 0) throw new Error(`the module exports no ${what}`);
      for (const { Class, patch } of found) patch(Class);
      return exports;
    },
    unpatch(exports) {
      for (const name of Object.keys(patches)) restoreMethods(exported(exports, name), key);
      return exports;
    },
  };
}
