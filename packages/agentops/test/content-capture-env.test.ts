/**
 * Content capture from the environment, read as OpenTelemetry's GenAI instrumentations read it:
 * the latest conventions' modes behind OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental,
 * the older boolean without it; the option wins; a value of neither is said once and ignored.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { optsInToLatestGenAi, resolveConfig } from '../src/config.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const captured = (env: Record<string, string>, options = {}) =>
  resolveConfig({ logLevel: 'warn', ...options }, env).captureContent;

it.each([
  [{}, true],
  [{ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false' }, false],
  [{ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'TRUE' }, true],
  [
    {
      OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'no_content',
    },
    false,
  ],
  [
    {
      OTEL_SEMCONV_STABILITY_OPT_IN: ' http , GEN_AI_LATEST_EXPERIMENTAL',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'EVENT_ONLY',
    },
    false,
  ],
  [
    {
      OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'SPAN_AND_EVENT',
    },
    true,
  ],
  [
    {
      OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'SPAN_ONLY',
    },
    true,
  ],
])('%j: content captured %s', (env, expected) => {
  expect(captured(env)).toBe(expected);
});

it('the option wins over the environment', () => {
  expect(captured({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false' }, { captureContent: true })).toBe(
    true,
  );
  expect(captured({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' }, { captureContent: false })).toBe(
    false,
  );
});

it('a value of the other conventions is not one: content is captured, and that is said once', () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  // NO_CONTENT without the opt-in, and a boolean with it.
  expect(captured({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'NO_CONTENT' })).toBe(true);
  expect(captured({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'NO_CONTENT' })).toBe(true);
  const said = [...warn.mock.calls, ...error.mock.calls].map((c) => String(c[0]));
  expect(said.filter((line) => line.includes('NO_CONTENT'))).toHaveLength(1);
  expect(said.find((line) => line.includes('NO_CONTENT'))).toContain(
    'without OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental',
  );
  expect(
    captured({
      OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false',
    }),
  ).toBe(true);
});

it('the opt-in is one entry of a comma-separated list', () => {
  expect(optsInToLatestGenAi({ OTEL_SEMCONV_STABILITY_OPT_IN: 'http/dup,gen_ai_latest_experimental' })).toBe(true);
  expect(optsInToLatestGenAi({ OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental_v2' })).toBe(false);
  expect(optsInToLatestGenAi({})).toBe(false);
});
