/** The `mask` option's rules and function, on span attributes as pure data (table cases). */
import { createHash } from 'node:crypto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { Masker, type MaskOption } from '../src/pipeline/masking.js';

const SECRET = 'sk-live-4f9a8b7c6d5e4f3a2b1c';
const hashOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;

function masked(option: MaskOption, attributes: Record<string, unknown>, warnings: string[] = []) {
  const masker = Masker.of(option, (m) => warnings.push(m));
  if (!masker) throw new Error('no masker');
  return masker.attributes(attributes as never);
}

const prompt = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `my key is ${SECRET}` }] }]);

describe('mask rules', () => {
  const cases: [string, MaskOption, Record<string, unknown>, Record<string, unknown>][] = [
    [
      'an attribute name, redacted whole',
      [{ match: 'gen_ai.tool.call.arguments', action: 'redact' }],
      { 'gen_ai.tool.call.arguments': `{"token":"${SECRET}"}`, 'gen_ai.tool.name': 'login' },
      { 'gen_ai.tool.call.arguments': '[REDACTED]', 'gen_ai.tool.name': 'login' },
    ],
    [
      'a wildcard name, dropped',
      [{ match: 'gen_ai.prompt.*', action: 'drop' }],
      { 'gen_ai.prompt.0.content': SECRET, 'gen_ai.prompt.0.role': 'user', 'gen_ai.request.model': 'gpt-4o' },
      { 'gen_ai.request.model': 'gpt-4o' },
    ],
    [
      'an attribute name, hashed (the same text, the same hash)',
      [{ match: 'user.email', action: 'hash' }],
      { 'user.email': 'ada@example.com' },
      { 'user.email': hashOf('ada@example.com') },
    ],
    [
      'a pattern, redacted wherever it occurs',
      [{ match: /sk-live-[0-9a-z]+/, action: 'redact' }],
      { 'gen_ai.input.messages': prompt, 'gen_ai.tool.call.result': `ok ${SECRET} and ${SECRET}` },
      {
        'gen_ai.input.messages': prompt.replace(SECRET, '[REDACTED]'),
        'gen_ai.tool.call.result': 'ok [REDACTED] and [REDACTED]',
      },
    ],
    [
      'a pattern, hashed: only the match',
      [{ match: /sk-live-[0-9a-z]+/g, action: 'hash' }],
      { 'agentops.action.returns': `key=${SECRET}` },
      { 'agentops.action.returns': `key=${hashOf(SECRET)}` },
    ],
    [
      'a pattern with drop removes the attribute it occurs in',
      [{ match: /sk-live-/, action: 'drop' }],
      { 'gen_ai.output.messages': `here: ${SECRET}`, 'gen_ai.usage.input_tokens': 12 },
      { 'gen_ai.usage.input_tokens': 12 },
    ],
    [
      'patterns mask inside lists of text too',
      [{ match: /sk-live-[0-9a-z]+/, action: 'redact' }],
      { 'agentops.session.tags': ['prod', SECRET] },
      { 'agentops.session.tags': ['prod', '[REDACTED]'] },
    ],
    [
      'the ids and kinds of a span are never masked by a pattern',
      [{ match: /.+/, action: 'redact' }],
      {
        'agentops.session.id': '0af76519-16cd-43dd-8448-eb211c80319c',
        'agentops.event.type': 'tools',
        'gen_ai.tool.name': 'x',
      },
      {
        'agentops.session.id': '0af76519-16cd-43dd-8448-eb211c80319c',
        'agentops.event.type': 'tools',
        'gen_ai.tool.name': '[REDACTED]',
      },
    ],
    [
      'a function after the rules: returns the text to keep, or undefined to drop',
      {
        rules: [{ match: /sk-live-[0-9a-z]+/, action: 'redact' }],
        fn: (value, key) => (key === 'agentops.error.details' ? undefined : value.toUpperCase()),
      },
      { 'gen_ai.tool.call.result': `x ${SECRET}`, 'agentops.error.details': 'boom' },
      { 'gen_ai.tool.call.result': 'X [REDACTED]' },
    ],
  ];
  it.each(cases)('%s', (_name, option, input, expected) => {
    expect(masked(option, input)).toEqual(expected);
  });

  it('a function that throws drops the value it was masking, says so once, and the rest is kept', () => {
    const warnings: string[] = [];
    const fn = (value: string) => {
      if (value.includes('sk-')) throw new Error('mask bug');
      return value;
    };
    const out = masked(
      { fn },
      { 'gen_ai.input.messages': SECRET, 'gen_ai.tool.call.result': SECRET, 'gen_ai.tool.name': 'ok' },
      warnings,
    );
    expect(out).toEqual({ 'gen_ai.tool.name': 'ok' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/mask failed on gen_ai.input.messages \(Error: mask bug\); such values are dropped/);
  });

  it('a function that returns something else than text drops the value', () => {
    expect(masked({ fn: () => 42 as never }, { 'gen_ai.tool.call.result': SECRET })).toEqual({});
  });

  it('nothing masked: the same attributes object, and the same span', () => {
    const attributes = { 'gen_ai.tool.name': 'lookup' };
    const masker = Masker.of([{ match: /sk-live-/, action: 'redact' }], () => {}) as Masker;
    expect(masker.attributes(attributes)).toBe(attributes);
    const span = { name: 's', attributes, events: [] } as unknown as ReadableSpan;
    expect(masker.span(span)).toBe(span);
  });

  it('a masked span is a view: the span itself is left as it was, its exception events are masked', () => {
    const masker = Masker.of([{ match: /sk-live-[0-9a-z]+/, action: 'redact' }], () => {}) as Masker;
    const span = {
      name: 's',
      attributes: { 'agentops.error.details': SECRET },
      events: [{ name: 'exception', time: [0, 0], attributes: { 'exception.message': `bad ${SECRET}` } }],
      spanContext: () => ({ traceId: 't', spanId: 's', traceFlags: 1 }),
    } as unknown as ReadableSpan;
    const view = masker.span(span);
    expect(view.attributes).toEqual({ 'agentops.error.details': '[REDACTED]' });
    expect(view.events[0]?.attributes).toEqual({ 'exception.message': 'bad [REDACTED]' });
    expect(view.spanContext().spanId).toBe('s');
    expect(span.attributes['agentops.error.details']).toBe(SECRET);
  });

  it.each([
    ['not a list or an object', 'redact-all'],
    ['an empty list', []],
  ])('a mask option that is %s masks nothing', (_what, option) => {
    const warnings: string[] = [];
    expect(Masker.of(option, (m) => warnings.push(m))).toBeUndefined();
  });

  it('a rule with an unknown action or no match is said and skipped', () => {
    const warnings: string[] = [];
    const masker = Masker.of(
      [
        { match: 'a', action: 'scramble' as never },
        { match: 42 as never, action: 'drop' },
        { match: 'b', action: 'drop' },
      ],
      (m) => warnings.push(m),
    ) as Masker;
    expect(masker.attributes({ a: 'x', b: 'y' })).toEqual({ a: 'x' });
    expect(warnings).toHaveLength(2);
  });
});
