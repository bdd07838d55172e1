/**
 * The parts of an OpenAI call's tokens the official `@opentelemetry/instrumentation-openai` leaves
 * out: the prompt tokens read from OpenAI's prompt cache (priced at the cache rate, a quarter to a
 * half of the input rate) and the completion tokens spent reasoning. Without them a call whose
 * prompt was mostly cached is priced as if none of it were.
 *
 * Read through public APIs only: the client's own `create` methods (`OpenAI.Chat.Completions` and
 * `OpenAI.Responses`, the classes the instrumentation wraps) are wrapped first, so that the
 * instrumentation's wrapper calls this one with its call's span active (as it runs every request,
 * so the request's own spans nest under it). This wrapper reads the result the client resolves
 * (`usage.prompt_tokens_details` or `input_tokens_details`, and the reasoning details), or the last
 * chunk of a stream, and writes the counts on that span. Its handler is on the call's promise before
 * the instrumentation's, which ends the span, so the counts are there when it does; a stream is read
 * as the app iterates it, before the instrumentation sees the end of it.
 */

import { semconv as S } from '@agentops/exporter';
import { type Span, trace } from '@opentelemetry/api';

/** The instrumentation whose call spans get the details (another span active here is the app's). */
const INSTRUMENTATION_SCOPE = '@opentelemetry/instrumentation-openai';
const ORIGINAL = Symbol.for('agentops.openai-usage.original');

/** A chat completion's usage (`prompt_tokens_details`) or a response's (`input_tokens_details`). */
interface Usage {
  prompt_tokens_details?: { cached_tokens?: unknown } | null;
  completion_tokens_details?: { reasoning_tokens?: unknown } | null;
  input_tokens_details?: { cached_tokens?: unknown } | null;
  output_tokens_details?: { reasoning_tokens?: unknown } | null;
}

const count = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;

/** Writes the cached and reasoning parts of `usage` on the call's span. Never throws. */
export function recordUsageDetails(span: Span | undefined, usage: unknown): void {
  try {
    if (!span || typeof usage !== 'object' || usage === null) return;
    const u = usage as Usage;
    const cached = count(u.prompt_tokens_details?.cached_tokens ?? u.input_tokens_details?.cached_tokens);
    const reasoning = count(u.completion_tokens_details?.reasoning_tokens ?? u.output_tokens_details?.reasoning_tokens);
    if (cached !== undefined) span.setAttribute(S.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, cached);
    if (reasoning !== undefined) span.setAttribute(S.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, reasoning);
  } catch {
    // A result that cannot be read: the call is recorded without its details.
  }
}

/**
 * The usage in a result or a stream's item: a chat completion or its final chunk (with
 * `stream_options.include_usage`) has `usage`; a response has `usage`, and a response stream ends
 * with `response.completed`, whose response has it.
 */
function usageOf(item: unknown): unknown {
  const value = item as { usage?: unknown; type?: unknown; response?: { usage?: unknown } } | null;
  if (!value || typeof value !== 'object') return undefined;
  if (value.type === 'response.completed') return value.response?.usage;
  return value.usage;
}

/** The call span the OpenAI instrumentation has active around the client's request, if it is that. */
function callSpan(): Span | undefined {
  const span = trace.getActiveSpan();
  const scope = (span as { instrumentationScope?: { name?: unknown } } | undefined)?.instrumentationScope;
  return span?.isRecording() && scope?.name === INSTRUMENTATION_SCOPE ? span : undefined;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof (v as { then?: unknown } | null)?.then === 'function';

/** The chunks of `iterator` as they come, each shown to `see` first. */
async function* peek(iterator: AsyncIterator<unknown>, see: (item: unknown) => void): AsyncGenerator<unknown> {
  for (;;) {
    const next = await iterator.next();
    if (next.done) return next.value;
    see(next.value);
    yield next.value;
  }
}

/** A stream the app iterates: each item it reads shown to `see` on its way. */
function watchStream(stream: object, see: (item: unknown) => void): void {
  const s = stream as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown> };
  const iterate = s[Symbol.asyncIterator];
  if (typeof iterate !== 'function') return;
  Object.defineProperty(stream, Symbol.asyncIterator, {
    value(this: unknown) {
      return peek(iterate.call(this), see);
    },
    configurable: true,
    writable: true,
  });
}

/** `create` that writes the details of what it resolves on the call's span. */
function detailed(original: Method): Method {
  const create = function (this: unknown, ...args: unknown[]) {
    const result = original.apply(this, args);
    const span = callSpan();
    if (span && isThenable(result)) {
      // On the client's own promise, before the instrumentation's handler (which ends the span).
      result.then(
        (value) => {
          try {
            if (value && typeof value === 'object' && Symbol.asyncIterator in value) {
              watchStream(value, (item) => {
                const usage = usageOf(item);
                if (usage !== undefined) recordUsageDetails(span, usage);
              });
            } else {
              recordUsageDetails(span, usageOf(value));
            }
          } catch {
            // A result that cannot be watched (a frozen stream): the call is recorded without its
            // details, and this handler's promise, which nobody awaits, never rejects.
          }
        },
        () => {
          // The app sees the failure through its own handlers; the instrumentation records it.
        },
      );
    }
    return result;
  };
  Object.defineProperty(create, ORIGINAL, { value: original });
  return create;
}

type Prototype = Record<string, unknown>;

/** The prototypes whose `create` the instrumentation wraps, in this copy of the client (CommonJS or ES module). */
function prototypesOf(module: unknown): Prototype[] {
  const m = module as { OpenAI?: unknown; default?: { OpenAI?: unknown } } | null;
  const OpenAI = (m?.OpenAI ?? m?.default?.OpenAI) as
    | { Chat?: { Completions?: { prototype?: Prototype } }; Responses?: { prototype?: Prototype } }
    | undefined;
  return [OpenAI?.Chat?.Completions?.prototype, OpenAI?.Responses?.prototype].filter(
    (p): p is Prototype => typeof p?.create === 'function',
  );
}

/**
 * The patch applied beneath the instrumentation's (clients.ts, the `openai` row's `beneath`): each
 * copy of the client's `create` methods wrapped once, put back on unpatch.
 */
export const openAIUsageDetails: { patch(module: unknown): unknown; unpatch(module: unknown): unknown } = {
  patch(module) {
    for (const proto of prototypesOf(module)) {
      const create = proto.create as Method & { [ORIGINAL]?: Method };
      if (!create[ORIGINAL]) proto.create = detailed(create);
    }
    return module;
  },
  unpatch(module) {
    for (const proto of prototypesOf(module)) {
      const original = (proto.create as { [ORIGINAL]?: Method })[ORIGINAL];
      if (original) proto.create = original;
    }
    return module;
  },
};
