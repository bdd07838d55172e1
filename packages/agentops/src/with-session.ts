/**
 * `withSession(handler)`: a session per call of a serverless function or route handler, that
 * cannot lose what it recorded when the platform freezes or ends the process the moment the
 * handler returns. The session starts with the call (or joins the caller's, when the request's
 * headers carry an AgentOps session), ends with the handler's outcome (Success; Failure with the
 * thrown error, or a response with a 5xx status), and its delivery is finished before the wrapped
 * handler's promise settles, bounded by a budget; or it is handed to the platform's `waitUntil`
 * (Cloudflare's `ctx.waitUntil`, Vercel's, Next.js `after()`) and the answer goes at once. A
 * streamed response body ends the session when the stream ends, and the stream closes only once
 * the session is delivered.
 */
import { errorText } from '@agentops/exporter/internal';
import { safeOptions } from './events/safe-options.js';
import { carriedSession, W3C_FIELDS } from './integrations/boundary.js';
import type { Carrier } from './propagation.js';
import { currentRuntime, joinCallerSession, type Runtime, startRuntime } from './runtime/runtime.js';
import { type EndState, Session } from './session/Session.js';
import type { StartSessionOptions } from './session/start-point.js';

/** A platform's way to keep the function alive for work that outlives its answer. */
export type WaitUntil = (work: Promise<unknown>) => void;

export interface WithSessionOptions<A extends unknown[] = unknown[]>
  extends Pick<StartSessionOptions, 'tags' | 'userId' | 'environment' | 'release'> {
  /**
   * The headers of the request the call serves: a caller's AgentOps session they carry (W3C
   * `traceparent` and `baggage`) is joined. Default: the first argument's `headers` (a Web
   * `Request`, a Node request, an API Gateway or Vercel event).
   */
  headers?: (...args: A) => Carrier | Headers | undefined;
  /**
   * Where delivery goes instead of being waited for: `after` of Next.js, `waitUntil` of
   * `@vercel/functions`. Default: an argument's `waitUntil` (Cloudflare's `ctx`), else Vercel's
   * request context when there is one, else none (delivery is waited for).
   */
  waitUntil?: WaitUntil;
  /** Longest wait for delivery before the handler's answer is given. Default `init({ flushTimeoutMillis })`. */
  deliveryBudgetMillis?: number;
}

/** The W3C fields of a request's headers: a `Headers` (Web), or a record with any-case keys (Node, API Gateway). */
function w3cFields(headers: unknown): Record<string, string> | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const fields: Record<string, string> = {};
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    for (const name of W3C_FIELDS) {
      const value = (get as (n: string) => unknown).call(headers, name);
      if (typeof value === 'string' && value) fields[name] = value;
    }
  } else {
    for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
      const name = key.toLowerCase() as (typeof W3C_FIELDS)[number];
      if (!W3C_FIELDS.includes(name)) continue;
      const text = Array.isArray(value) ? value.join(',') : value;
      if (typeof text === 'string' && text) fields[name] = text;
    }
  }
  return fields.traceparent ? fields : undefined;
}

/** Vercel's request context (`@vercel/functions` reads it the same way): its `waitUntil`, when it has one. */
function vercelWaitUntil(): WaitUntil | undefined {
  try {
    const holder = (globalThis as Record<symbol, unknown>)[Symbol.for('@vercel/request-context')] as
      | { get?: () => { waitUntil?: unknown } | undefined }
      | undefined;
    const waitUntil = holder?.get?.()?.waitUntil;
    return typeof waitUntil === 'function' ? (waitUntil as WaitUntil) : undefined;
  } catch {
    return undefined;
  }
}

/** The platform's `waitUntil` for this call: the option, an argument's (Cloudflare's `ctx`), Vercel's. */
function waitUntilOf(args: unknown[], option: WaitUntil | undefined): WaitUntil | undefined {
  if (option) return option;
  for (const arg of args) {
    try {
      const waitUntil = (arg as { waitUntil?: unknown } | null)?.waitUntil;
      if (typeof waitUntil === 'function') return (work) => (waitUntil as WaitUntil).call(arg, work);
    } catch {
      // An argument that cannot be read has no waitUntil.
    }
  }
  return vercelWaitUntil();
}

/** A response-like answer's status, when it has one (a Web `Response`, an API Gateway result). */
function statusOf(result: unknown): number | undefined {
  try {
    const status =
      (result as { status?: unknown; statusCode?: unknown } | null)?.status ??
      (result as { statusCode?: unknown } | null)?.statusCode;
    return typeof status === 'number' ? status : undefined;
  } catch {
    return undefined;
  }
}

/** Waits for `work` at most `millis`; never rejects. */
function bounded(work: Promise<unknown>, millis: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, millis);
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}

interface CallSession {
  session: Session;
  /** Ends the session (or leaves a joined one) with the call's outcome; resolves once delivered. */
  finish(state: EndState, reason?: string): Promise<void>;
}

function startCallSession(runtime: Runtime, options: WithSessionOptions<unknown[]>, args: unknown[]): CallSession {
  let carried: Record<string, string> | undefined;
  try {
    const headers = options.headers
      ? options.headers(...args)
      : (args[0] as { headers?: unknown } | undefined)?.headers;
    const fields = w3cFields(headers);
    carried = fields && carriedSession(fields) ? fields : undefined;
  } catch (err) {
    runtime.logger.debug(`withSession: the request's headers could not be read: ${errorText(err)}`);
  }
  // A caller's session is joined as it is: what this function says of the sessions it starts (tags,
  // user, environment, release) is the caller's to say there.
  const { tags, userId, environment, release } = options;
  const session = carried
    ? joinCallerSession(runtime, carried)
    : Session.start(runtime, { tags, userId, environment, release }, runtime.config);
  return {
    session,
    finish: async (state, reason) => {
      if (session.inherited) await session.detach();
      else await session.endSession(state, reason);
    },
  };
}

/**
 * The options read once, each field checked: a field of the wrong kind is left out (said once), so a
 * bad option never costs a call its session or its answer.
 */
function checkedOptions<A extends unknown[]>(options: unknown): WithSessionOptions<A> {
  const o = safeOptions<WithSessionOptions<A>>(options);
  const bad: string[] = [];
  const keep = <K extends keyof WithSessionOptions<A>>(key: K, ok: (v: unknown) => boolean) => {
    if (o[key] !== undefined && !ok(o[key])) {
      bad.push(String(key));
      delete o[key];
    }
  };
  keep('headers', (v) => typeof v === 'function');
  keep('waitUntil', (v) => typeof v === 'function');
  keep('deliveryBudgetMillis', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
  if (bad.length > 0)
    (currentRuntime()?.logger ?? console).warn(
      `withSession: ${bad.join(', ')} ${bad.length === 1 ? 'is' : 'are'} not of the right kind and ${bad.length === 1 ? 'was' : 'were'} left out.`,
    );
  return o as WithSessionOptions<A>;
}

/**
 * Wraps a serverless function or route handler so that each call is a session delivered before
 * its answer is given (or handed to the platform's `waitUntil`). Never changes what the handler
 * answers or throws.
 */
export function withSession<A extends unknown[], R>(
  handler: (...args: A) => R,
  options: WithSessionOptions<A> = {},
): (...args: A) => Promise<Awaited<R>> {
  if (typeof handler !== 'function') throw new TypeError('withSession(handler): the handler must be a function');
  const o = checkedOptions(options);
  const wrapped = async function (this: unknown, ...args: A): Promise<Awaited<R>> {
    let runtime = currentRuntime();
    if (!runtime) {
      try {
        // A function's module may not call init(): the environment's configuration, no process session.
        runtime = startRuntime({ autoStartSession: false });
      } catch {
        return (await handler.apply(this, args)) as Awaited<R>;
      }
    }
    let call: CallSession;
    try {
      call = startCallSession(runtime, o as WithSessionOptions<unknown[]>, args);
    } catch (err) {
      runtime.logger.warn(`withSession: no session for this call: ${errorText(err)}`);
      return (await handler.apply(this, args)) as Awaited<R>;
    }
    const budget = o.deliveryBudgetMillis ?? runtime.config.flushTimeoutMillis;
    const waitUntil = waitUntilOf(args, o.waitUntil);
    /** Ends the session; its delivery handed to waitUntil, else waited for within the budget. */
    const deliver = async (state: EndState, reason?: string) => {
      const delivered = call.finish(state, reason).catch((err: unknown) => {
        runtime.logger.warn(`withSession: the session's delivery failed: ${errorText(err)}`);
      });
      if (waitUntil) {
        try {
          waitUntil(delivered);
          return;
        } catch (err) {
          runtime.logger.debug(`withSession: waitUntil refused the delivery, waiting for it: ${errorText(err)}`);
        }
      }
      await bounded(delivered, budget);
    };
    let result: Awaited<R>;
    try {
      result = await call.session.run(() => handler.apply(this, args));
    } catch (error) {
      await deliver('Failure', errorText(error));
      throw error;
    }
    const status = statusOf(result);
    const state: EndState = status !== undefined && status >= 500 ? 'Failure' : 'Success';
    const reason = state === 'Failure' ? `HTTP ${status}` : undefined;
    const streamed = streamedResponse(result, (error) =>
      error === undefined ? deliver(state, reason) : deliver('Failure', errorText(error)),
    );
    if (streamed) return streamed as Awaited<R>;
    await deliver(state, reason);
    return result;
  };
  return wrapped;
}

/**
 * A Web `Response` whose body is still to be streamed: the same response, whose body closes only
 * once `done` (the session's end and delivery) has run after the last chunk, or after a failure.
 */
function streamedResponse(result: unknown, done: (error?: unknown) => Promise<void>): Response | undefined {
  if (typeof Response !== 'function' || typeof TransformStream !== 'function') return undefined;
  if (!(result instanceof Response) || !result.body || result.bodyUsed) return undefined;
  let finished = false;
  const finish = (error?: unknown) => {
    if (finished) return Promise.resolve();
    finished = true;
    return done(error);
  };
  const passThrough = new TransformStream<Uint8Array, Uint8Array>({ flush: () => finish() });
  result.body
    .pipeTo(passThrough.writable)
    .catch((error: unknown) => finish(error ?? new Error('the response stream failed')));
  return new Response(passThrough.readable, {
    status: result.status,
    statusText: result.statusText,
    headers: result.headers,
  });
}
