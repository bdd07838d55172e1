/**
 * The parts of an OpenAI call's tokens the official `@opentelemetry/instrumentation-openai` leaves
 * out: the prompt tokens read from OpenAI's prompt cache (priced at the cache rate, a quarter to a
 * half of the input rate) and the completion tokens spent reasoning. Without them a call whose
 * prompt was mostly cached is priced as if none of it were. The instrumentation reads each result
 * (a chat completion, a response, the final chunk or event of a stream) in one method of its own
 * before it ends the call's span; this adds the details to the span there, then lets the method go
 * on. Those methods are the instrumentation's, not a public API: where a version has none of them,
 * calls are still recorded and priced without the details, and the SDK says so once.
 */

import type { Logger } from '@agentops/exporter';
import { semconv as S } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import type { Span } from '@opentelemetry/api';

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

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** Where each method of the instrumentation finds the span and the usage in its arguments. */
const RESULT_METHODS = ['_onChatCompletionsCreateResult', '_onResponsesCreateResult'] as const;
const STREAM_METHODS = {
  // The final chunk of a chat completion stream carries the usage (`stream_options.include_usage`).
  _onChatCompletionsStreamIterator: (item: unknown) => (item as { usage?: unknown } | null)?.usage,
  // A response stream ends with `response.completed`, whose response carries the usage.
  _onResponsesStreamIterator: (item: unknown) => {
    const event = item as { type?: unknown; response?: { usage?: unknown } } | null;
    return event?.type === 'response.completed' ? event.response?.usage : undefined;
  },
} as const;

/** The chunks of `iterator` as they come, each shown to `see` first. */
async function* peek(iterator: AsyncIterable<unknown>, see: (item: unknown) => void): AsyncGenerator<unknown> {
  for await (const item of iterator) {
    see(item);
    yield item;
  }
}

/**
 * Has `instrumentation` (an `OpenAIInstrumentation`) record the cached and reasoning tokens of each
 * call on its span. Returns false, having said so once, when its version reads results elsewhere.
 */
export function recordOpenAIUsageDetails(instrumentation: object, logger: Logger): boolean {
  const target = instrumentation as Record<string, unknown>;
  const has = (name: string) => typeof target[name] === 'function';
  const names = [...RESULT_METHODS, ...Object.keys(STREAM_METHODS)];
  if (!names.every(has)) {
    const missing = names.filter((n) => !has(n));
    logger.warn(
      `this @opentelemetry/instrumentation-openai reads OpenAI's results elsewhere (${missing.join(', ')} not found): OpenAI calls are recorded and priced without their cached and reasoning tokens.`,
    );
    return false;
  }
  try {
    for (const name of RESULT_METHODS) {
      const original = target[name] as Method;
      // (span, startNow, commonAttrs, result, config, ctx)
      target[name] = function (this: unknown, ...args: unknown[]) {
        recordUsageDetails(args[0] as Span, (args[3] as { usage?: unknown } | null)?.usage);
        return original.apply(this, args);
      };
    }
    for (const [name, usageOf] of Object.entries(STREAM_METHODS)) {
      const original = target[name] as Method;
      // (iterator, span, startNow, config, commonAttrs, ctx)
      target[name] = function (this: unknown, ...args: unknown[]) {
        const span = args[1] as Span;
        const iterator = args[0] as AsyncIterable<unknown>;
        if (iterator && typeof (iterator as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
          args[0] = peek(iterator, (item) => {
            const usage = usageOf(item);
            if (usage !== undefined) recordUsageDetails(span, usage);
          });
        }
        return original.apply(this, args);
      };
    }
    return true;
  } catch (err) {
    logger.warn(`OpenAI calls are recorded without their cached and reasoning tokens: ${errorText(err)}`);
    return false;
  }
}
