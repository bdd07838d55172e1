/**
 * The SDK's LLM events are encoded straight from their spans on the export hot path
 * (mapping/llm-event-json.ts); the JSON must be exactly `JSON.stringify` of the event `mapSpan`
 * gives, for any LLM event the SDK can record, and any other span must be left to `mapSpan`.
 */

import type { Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { encodedSdkLlmEvent } from '../src/mapping/llm-event-json.js';
import { completionMessagesJson, promptMessagesJson } from '../src/mapping/messages.js';
import { mapSpan } from '../src/mapping/span-to-payload.js';
import { SESSION_ID, span } from './span-fixture.js';

const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '"\\\n\u2028\ud800</script>'));
const count = fc.oneof(fc.constant(undefined), fc.nat({ max: 2_000_000 }));
const plainMessage = fc.oneof(text, fc.record({ role: fc.constantFrom('user', 'system', 'assistant'), content: text }));

/** The attributes of an SDK LLM event's span, as `LLMEvent.toSpanShape` and stamping write them. */
const sdkAttributes = fc
  .record({
    model: fc.oneof(fc.constant(undefined), text, fc.constant('gpt-4o-mini'), fc.constant('x'.repeat(300))),
    provider: fc.oneof(fc.constant(undefined), fc.constantFrom('openai', 'anthropic'), text),
    input: count,
    output: count,
    cacheRead: count,
    cacheWrite: count,
    reasoning: count,
    cost: fc.oneof(fc.constant(undefined), fc.double({ min: 0, max: 100, noNaN: true })),
    thread: fc.oneof(fc.constant(undefined), text, fc.constant(SESSION_ID.toUpperCase())),
    eventId: fc.oneof(fc.constant(undefined), fc.uuid(), fc.constant('y'.repeat(100))),
    agentId: fc.oneof(fc.constant(undefined), text, fc.constant('z'.repeat(300))),
    prompt: fc.oneof(fc.constant(undefined), plainMessage, fc.array(plainMessage, { minLength: 1, maxLength: 4 })),
    completion: fc.oneof(fc.constant(undefined), plainMessage),
  })
  .map((e) => {
    const a: Attributes = {
      'agentops.event.type': 'llms',
      'agentops.session.id': SESSION_ID,
      'gen_ai.conversation.id': SESSION_ID,
      'gen_ai.operation.name': 'chat',
    };
    const values: [string, string | number | undefined][] = [
      ['agentops.event.id', e.eventId],
      ['agentops.agent.id', e.agentId],
      ['gen_ai.provider.name', e.provider],
      ['gen_ai.request.model', e.model],
      ['gen_ai.response.model', e.model],
      ['gen_ai.usage.input_tokens', e.input],
      ['gen_ai.usage.output_tokens', e.output],
      ['gen_ai.usage.cache_read.input_tokens', e.cacheRead],
      ['gen_ai.usage.cache_creation.input_tokens', e.cacheWrite],
      ['gen_ai.usage.reasoning.output_tokens', e.reasoning],
      ['agentops.llm.cost_usd', e.cost],
      ['agentops.llm.thread_id', e.thread],
      ['gen_ai.input.messages', e.prompt === undefined ? undefined : promptMessagesJson(e.prompt)],
      ['gen_ai.output.messages', e.completion === undefined ? undefined : completionMessagesJson(e.completion)],
    ];
    for (const [key, value] of values) if (value !== undefined) a[key] = value;
    return a;
  });

const prices = fc.constantFrom(
  undefined,
  () => 0.0125,
  () => undefined,
  () => 1e-9,
);
const withParent = fc.boolean();

function mapped(attributes: Attributes, parent: boolean, price: (() => number | undefined) | undefined) {
  const s = span({
    name: 'chat gpt-4o-mini',
    attributes,
    ...(parent
      ? {
          parentSpanContext: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: 1 },
        }
      : {}),
  });
  const items = mapSpan(s, { price });
  return { s, items };
}

it("the SDK's LLM events are encoded directly, exactly as the mapping's event is encoded", () => {
  fc.assert(
    fc.property(sdkAttributes, withParent, prices, (attributes, parent, price) => {
      const { s, items } = mapped(attributes, parent, price);
      const encoded = encodedSdkLlmEvent(s, SESSION_ID, price);
      expect(items).toHaveLength(1);
      const item = items[0];
      if (item?.kind !== 'event' || item.event.event_type !== 'llms') throw new Error('not an LLM event');
      // Every span generated here is of the SDK's plain shape: the direct path takes it.
      expect(encoded?.json).toBe(JSON.stringify(item.event));
      expect(encoded).toMatchObject({
        initTimestamp: item.event.init_timestamp,
        promptTokens: item.event.prompt_tokens,
        completionTokens: item.event.completion_tokens,
        cost: item.event.cost,
      });
    }),
    { numRuns: 3000 },
  );
});

it('any other span is left to the mapping', () => {
  const base: Attributes = {
    'agentops.event.type': 'llms',
    'agentops.session.id': SESSION_ID,
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
  };
  const others: Attributes[] = [
    { ...base, 'agentops.event.params': '{"a":1}' },
    { ...base, 'agentops.llm.duplicate_of': 'b7ad6b7169203331' },
    { ...base, 'gen_ai.system_instructions': '[{"type":"text","content":"be brief"}]' },
    { ...base, 'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"x"},{"type":"image"}]}]' },
    { ...base, 'gen_ai.output.messages': '[]' },
    { ...base, 'gen_ai.input.messages': 42 },
    { ...base, 'agentops.event.type': 'tools' },
    { ...base, 'gen_ai.operation.name': 'embeddings' },
    { ...base, 'llm.prompts.0.content': 'x' },
  ];
  for (const attributes of others) expect(encodedSdkLlmEvent(span({ attributes }), SESSION_ID)).toBeUndefined();
  expect(encodedSdkLlmEvent(span({ name: 'agentops.session', attributes: base }), SESSION_ID)).toBeUndefined();
  expect(encodedSdkLlmEvent(span({ attributes: base }), SESSION_ID)?.json).toBe(
    JSON.stringify((mapSpan(span({ attributes: base }))[0] as { event: unknown }).event),
  );
});
