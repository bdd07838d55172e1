/**
 * The recording hot path writes `gen_ai.*.messages` JSON directly for plain-text chat; it must give
 * exactly what converting to OpenTelemetry messages and encoding them gives, for any input.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { safeJsonStringify } from '../src/internal/index.js';
import {
  completionMessagesJson,
  completionToOtelMessages,
  otelToChatMessage,
  plainTextMessagesFromJson,
  promptMessagesJson,
  promptToOtelMessages,
} from '../src/mapping/messages.js';

const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '"\\\n\u2028\ud800</script>'));
const chatMessage = fc.record(
  {
    role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'tool'), text, fc.integer()),
    content: fc.oneof(text, fc.constant(null), fc.integer(), fc.array(fc.record({ type: fc.constant('text'), text }))),
    name: fc.oneof(text, fc.constant(undefined)),
    tool_call_id: fc.oneof(text, fc.constant(undefined)),
    finish_reason: fc.oneof(text, fc.integer()),
    tool_calls: fc.array(fc.record({ id: text, function: fc.record({ name: text, arguments: text }) }), {
      maxLength: 2,
    }),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
const messages = fc.oneof(
  text,
  chatMessage,
  fc.array(fc.oneof(chatMessage, text), { maxLength: 4 }),
  fc.array(chatMessage, { maxLength: 4 }),
  fc.anything(),
);

it('prompt JSON written directly equals encoding the converted messages', () => {
  fc.assert(
    fc.property(messages, (prompt) => {
      expect(promptMessagesJson(prompt)).toBe(safeJsonStringify(promptToOtelMessages(prompt)));
    }),
    { numRuns: 2000 },
  );
});

it('completion JSON written directly equals encoding the converted messages', () => {
  fc.assert(
    fc.property(messages, (completion) => {
      expect(completionMessagesJson(completion)).toBe(safeJsonStringify(completionToOtelMessages(completion)));
    }),
    { numRuns: 2000 },
  );
});

it('plain-text chat takes the direct path and gives the OpenTelemetry shape', () => {
  expect(promptMessagesJson([{ role: 'system', content: 'Be brief' }, 'Hi "there"'])).toBe(
    '[{"role":"system","parts":[{"type":"text","content":"Be brief"}]},' +
      '{"role":"user","parts":[{"type":"text","content":"Hi \\"there\\""}]}]',
  );
  expect(completionMessagesJson('Hello')).toBe('[{"role":"assistant","parts":[{"type":"text","content":"Hello"}]}]');
});

it('a message whose getter throws falls back to the full conversion, which marks it and never throws', () => {
  const hostile = {
    role: 'user',
    get content(): string {
      throw new Error('no');
    },
  };
  const { proxy: revoked, revoke } = Proxy.revocable([], {});
  revoke();
  for (const prompt of [[hostile, 'fine'], revoked]) {
    const json = promptMessagesJson(prompt);
    expect(json).toBe(safeJsonStringify(promptToOtelMessages(prompt)));
    expect(json).toContain('[Unserializable: a message that cannot be read]');
  }
  expect(JSON.parse(promptMessagesJson([hostile, 'fine']) as string)[1]).toEqual({
    role: 'user',
    parts: [{ type: 'text', content: 'fine' }],
  });
});

it('a very long prompt is cut like any attribute', () => {
  const json = promptMessagesJson('x'.repeat(300 * 1024)) ?? '';
  expect(json.length).toBeLessThanOrEqual(256 * 1024 + 20);
  expect(json.endsWith('...[truncated]')).toBe(true);
});

/** What the mapping did before the direct reader: parse, then convert each message. */
function parsedThenConverted(json: string): unknown {
  try {
    const parsed = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.map(otelToChatMessage) : undefined;
  } catch {
    return undefined;
  }
}

it('the direct reader gives what parsing and converting gives, for what the SDK writes', () => {
  fc.assert(
    fc.property(messages, (prompt) => {
      const json = promptMessagesJson(prompt) ?? '[]';
      const direct = plainTextMessagesFromJson(json);
      if (direct !== undefined) expect(direct).toStrictEqual(parsedThenConverted(json));
    }),
    { numRuns: 2000 },
  );
});

it('the direct reader takes exactly the plain-text shape and leaves the rest to the full conversion', () => {
  const plain = promptMessagesJson([{ role: 'system', content: 'a "quoted" }]} text\\' }, 'second']) ?? '';
  expect(plainTextMessagesFromJson(plain)).toStrictEqual([
    { role: 'system', content: 'a "quoted" }]} text\\' },
    { role: 'user', content: 'second' },
  ]);
  for (const other of [
    '[]',
    '[{"role": "user","parts":[{"type":"text","content":"spaced"}]}]',
    '[{"parts":[{"type":"text","content":"x"}],"role":"user"}]',
    '[{"role":"user","parts":[{"type":"text","content":"x"},{"type":"text","content":"y"}]}]',
    '[{"role":"user","parts":[{"type":"text","content":5}]}]',
    '[{"role":"user","parts":[{"type":"text","content":"x"}]}',
    '[{"role":"user","parts":[{"type":"text","content":"x"}]},]',
    '[{"role":"user","parts":[{"type":"text","content":"x\\"}]}]',
  ]) {
    expect(plainTextMessagesFromJson(other)).toBeUndefined();
  }
});

it('the direct reader never throws and agrees with parsing on any string', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        messages.map((m) => promptMessagesJson(m) ?? ''),
      ),
      (json) => {
        const direct = plainTextMessagesFromJson(json);
        if (direct !== undefined) expect(direct).toStrictEqual(parsedThenConverted(json));
      },
    ),
    { numRuns: 2000 },
  );
});
