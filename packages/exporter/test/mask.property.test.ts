/**
 * The mask as a boundary, as a property (issue 27): for generated values (text, JSON of any shape
 * with the secret in strings and in keys, JSON inside JSON, lists of text) placed anywhere an app
 * can put them (span attributes, span events, links, the status message, the resource, a wire
 * payload), and generated rule sets (a pattern as a RegExp or as JSON, redact, hash or drop; a
 * function that throws, drops or rewrites), nothing the mask lets out contains the secret, and what
 * the exporter's mapping makes of the masked span does not either.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapSpan } from '../src/mapping/span-to-payload.js';
import { Mask } from '../src/mask/Mask.js';
import type { MaskOption } from '../src/mask/rules.js';

const SECRET = 'sk-canary-prop7x';
const SESSION_ID = '0af76519-16cd-43dd-8448-eb211c80319c';

/** Text that may hold the secret, with anything around it (quotes, backslashes, newlines, unicode). */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc
    .tuple(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('', '"', '\\', '\n', ' '), fc.string())
    .map(([a, q, b]) => `${a}${q}${SECRET}${q}${b}`),
);

/** JSON values whose strings and keys may hold the secret. */
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(text, tie('json'), { maxKeys: 4 }),
    // JSON inside JSON: a tool call's arguments inside a message.
    tie('json').map((inner) => JSON.stringify(inner)),
  ),
}));

/** A value as an attribute holds it: text, JSON text, or a list of text. */
const attributeValue = fc.oneof(
  text,
  json.map((v) => JSON.stringify(v)),
  fc.array(text, { maxLength: 4 }),
);

const action = fc.constantFrom('redact' as const, 'hash' as const, 'drop' as const);
const thrower = (value: string) => {
  if (value.includes('canary')) throw new Error('mask bug');
  return value;
};
const masks: fc.Arbitrary<MaskOption> = fc.oneof(
  action.map((a) => [{ match: /sk-canary-[0-9a-z]+/, action: a }]),
  action.map((a) => [{ pattern: 'SK-CANARY-[0-9A-Z]+', flags: 'i', action: a }]),
  action.map((a) => ({
    rules: [
      { match: 'unrelated.*', action: a },
      { match: /canary-prop7x/, action: a },
    ],
  })),
  fc.constant({ fn: thrower }),
  fc.constant({ fn: (value: string) => (value.includes(SECRET) ? undefined : value) }),
  fc.constant({ fn: (value: string) => value.replaceAll(SECRET, '***') }),
);

/** Attribute names, some of which a mask keeps from patterns (they never hold the secret here). */
const names = fc.constantFrom(
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'agentops.action.params',
  'agentops.error.details',
  'agentops.session.tags',
  'user.id',
  'app.custom',
);

const spanOf = (a: {
  attributes: Record<string, unknown>;
  event: unknown;
  link: unknown;
  status: unknown;
  resource: unknown;
}) =>
  ({
    name: 'error Vault',
    kind: 0,
    spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: 1 }),
    parentSpanContext: undefined,
    startTime: [1_700_000_000, 0],
    endTime: [1_700_000_001, 0],
    duration: [1, 0],
    ended: true,
    attributes: {
      ...a.attributes,
      'agentops.session.id': SESSION_ID,
      'agentops.event.type': 'errors',
      'error.type': 'Vault',
    },
    events: [{ name: 'exception', time: [1_700_000_000, 5], attributes: { 'exception.message': a.event } }],
    links: [
      { context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }, attributes: { why: a.link } },
    ],
    status: { code: 2, message: a.status },
    resource: { attributes: { 'process.command_args': ['node', a.resource], 'service.name': 'app' } },
    instrumentationScope: { name: 'test' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  }) as unknown as ReadableSpan;

/** Everything a consumer of the masked span can read, as text. */
function visible(span: ReadableSpan): string {
  return JSON.stringify({
    attributes: span.attributes,
    events: span.events,
    links: span.links.map((l) => l.attributes),
    status: span.status,
    resource: span.resource.attributes,
  });
}

describe('nothing the mask lets out holds the secret', () => {
  it('a span: attributes, events, links, status message, resource; and its mapping to a payload', () => {
    fc.assert(
      fc.property(
        masks,
        fc.dictionary(names, attributeValue, { minKeys: 1 }),
        fc.record({ event: text, link: text, status: text, resource: text }),
        (option, attributes, rest) => {
          const mask = Mask.of(option, () => {}) as Mask;
          const masked = mask.span(spanOf({ attributes, ...rest }));
          if (!masked) return; // not exported at all
          expect(visible(masked)).not.toContain(SECRET);
          const mapped = mapSpan(masked as never);
          expect(JSON.stringify(mapped ?? null)).not.toContain(SECRET);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a wire payload of any shape (what the server masks at ingest)', () => {
    const payload = fc.dictionary(
      fc.constantFrom('prompt', 'completion', 'params', 'returns', 'tags', 'host_env', 'details', 'label', 'name'),
      json,
    );
    fc.assert(
      fc.property(masks, payload, (option, p) => {
        const mask = Mask.of(option, () => {}) as Mask;
        const event = { id: 'e1', session_id: SESSION_ID, event_type: 'tools', ...p };
        const out = mask.payload(event) as Record<string, unknown>;
        expect(JSON.stringify(out)).not.toContain(SECRET);
        expect(out).toMatchObject({ id: 'e1', session_id: SESSION_ID, event_type: 'tools' });
      }),
      { numRuns: 400 },
    );
  });
});
