/** The mask's rules and function on span attributes, spans and wire payloads, as pure data (table cases). */
import { createHash } from 'node:crypto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { Mask } from '../src/mask/Mask.js';
import { type MaskOption, parseMaskRules } from '../src/mask/rules.js';

const SECRET = 'sk-live-4f9a8b7c6d5e4f3a2b1c';
const hashOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;

function masked(option: MaskOption, attributes: Record<string, unknown>, warnings: string[] = []) {
  const mask = Mask.of(option, (m) => warnings.push(m));
  if (!mask) throw new Error('no mask');
  return mask.attributes(attributes as never);
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
    const mask = Mask.of([{ match: /sk-live-/, action: 'redact' }], () => {}) as Mask;
    expect(mask.attributes(attributes)).toBe(attributes);
    const span = {
      name: 's',
      attributes,
      events: [],
      links: [],
      status: { code: 2, message: 'failed' },
      resource: { attributes: { 'service.name': 'app' } },
    } as unknown as ReadableSpan;
    expect(mask.span(span)).toBe(span);
  });

  it('a masked span is a view: the span itself is left as it was, its exception events are masked', () => {
    const mask = Mask.of([{ match: /sk-live-[0-9a-z]+/, action: 'redact' }], () => {}) as Mask;
    const span = {
      name: 's',
      attributes: { 'agentops.error.details': SECRET },
      events: [{ name: 'exception', time: [0, 0], attributes: { 'exception.message': `bad ${SECRET}` } }],
      links: [],
      status: { code: 0 },
      resource: { attributes: {} },
      spanContext: () => ({ traceId: 't', spanId: 's', traceFlags: 1 }),
    } as unknown as ReadableSpan;
    const view = mask.span(span) as ReadableSpan;
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
    expect(Mask.of(option, (m) => warnings.push(m))).toBeUndefined();
  });

  it('a rule with an unknown action or no match is said and skipped', () => {
    const warnings: string[] = [];
    const mask = Mask.of(
      [
        { match: 'a', action: 'scramble' as never },
        { match: 42 as never, action: 'drop' },
        { match: 'b', action: 'drop' },
      ],
      (m) => warnings.push(m),
    ) as Mask;
    expect(mask.attributes({ a: 'x', b: 'y' })).toEqual({ a: 'x' });
    expect(warnings).toHaveLength(2);
  });
});

describe('the mask sees decoded text', () => {
  const quoted = [{ match: /password="[^"]*"/, action: 'redact' as const }];

  it('a rule with a quote in it matches inside a prompt (the JSON encoding is not what it sees)', () => {
    const messages = JSON.stringify([
      { role: 'user', parts: [{ type: 'text', content: 'log in with password="hunter2" please' }] },
    ]);
    const out = masked(quoted, { 'gen_ai.input.messages': messages });
    const decoded = JSON.parse(out['gen_ai.input.messages'] as string);
    expect(decoded[0].parts[0].content).toBe('log in with [REDACTED] please');
    expect(out['gen_ai.input.messages']).not.toContain('hunter2');
  });

  it('JSON inside JSON (a tool call arguments string inside a message) is decoded too', () => {
    const messages = JSON.stringify([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', name: 'login', arguments: JSON.stringify({ auth: 'password="hunter2"' }) }],
      },
    ]);
    const out = masked(quoted, { 'gen_ai.output.messages': messages });
    expect(out['gen_ai.output.messages']).not.toContain('hunter2');
    const args = JSON.parse(JSON.parse(out['gen_ai.output.messages'] as string)[0].parts[0].arguments);
    expect(args).toEqual({ auth: '[REDACTED]' });
  });

  it('a recorded HTTP exchange (recordReplay) is masked inside its bodies; a name rule for the messages drops it whole', () => {
    const exchange = JSON.stringify({
      request: {
        method: 'POST',
        url: 'https://api.openai.com/v1/chat/completions',
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `my key is ${SECRET}` }] }),
      },
      response: { status: 200, status_text: 'OK', headers: [], chunks: [`{"choices":[{"text":"${SECRET}"}]}`] },
    });
    const secret = [{ match: /sk-live-[0-9a-z]+/, action: 'redact' as const }];
    const out = masked(secret, { 'agentops.replay.exchange': exchange })['agentops.replay.exchange'] as string;
    expect(out).not.toContain(SECRET);
    const body = JSON.parse(JSON.parse(out).request.body);
    expect(body.messages[0].content).toBe('my key is [REDACTED]');
    // Marked as changed (a replay may not answer as the call was answered); one with nothing to mask is left as it is.
    expect(JSON.parse(out).masked).toBe(true);
    const clean = exchange.replaceAll(SECRET, 'nothing');
    expect(masked(secret, { 'agentops.replay.exchange': clean })['agentops.replay.exchange']).toBe(clean);
    const inPayload = Mask.of(secret, () => {})?.payload({ id: 'e1', replay: JSON.parse(exchange) }) as {
      replay: { masked?: boolean; response: { chunks: string[] } };
    };
    expect(inPayload.replay.masked).toBe(true);
    expect(inPayload.replay.response.chunks[0]).not.toContain(SECRET);
    const untouched = JSON.parse(clean);
    expect(Mask.of(secret, () => {})?.payload({ id: 'e1', replay: untouched }).replay).toBe(untouched);
    for (const name of ['gen_ai.input.messages', 'gen_ai.output.messages']) {
      const named = masked([{ match: name, action: 'redact' }], { 'agentops.replay.exchange': exchange, x: 1 });
      expect(named).toEqual({ x: 1 });
    }
    const mask = Mask.of([{ match: 'prompt', action: 'hash' }], () => {});
    expect(mask?.payload({ id: 'e1', prompt: 'hi', replay: JSON.parse(exchange) })).toEqual({
      id: 'e1',
      prompt: hashOf('hi'),
    });
  });

  it("a Bedrock event stream's messages, recorded read, are masked inside, down to a chunk's decoded bytes", () => {
    const delta = JSON.stringify({ type: 'content_block_delta', delta: { text: `key ${SECRET}` } });
    const message = (body: unknown, bytes?: string) =>
      JSON.stringify({ headers: { ':event-type': 'chunk', ':message-type': 'event' }, body, bytes });
    const exchange = JSON.stringify({
      request: { method: 'POST', url: 'https://bedrock/model/m/invoke-with-response-stream', body: '{}' },
      response: {
        status: 200,
        status_text: '',
        headers: [['content-type', 'application/vnd.amazon.eventstream']],
        chunks: [message({ p: 'ab' }, delta), message({ contentBlockIndex: 0, delta: { text: SECRET } })],
      },
    });
    const out = masked([{ match: /sk-live-[0-9a-z]+/, action: 'redact' }], { 'agentops.replay.exchange': exchange })[
      'agentops.replay.exchange'
    ] as string;
    expect(out).not.toContain(SECRET);
    const [first, second] = (JSON.parse(out).response.chunks as string[]).map((c) => JSON.parse(c));
    expect(JSON.parse(first.bytes).delta.text).toBe('key [REDACTED]');
    expect(first.body).toEqual({ p: 'ab' });
    expect(second.body.delta.text).toBe('[REDACTED]');
    expect(JSON.parse(out).masked).toBe(true);
  });

  it('object keys are text too: a key that matches is masked, one dropped takes its value with it', () => {
    const params = JSON.stringify({ [SECRET]: 1, keep: 2 });
    expect(JSON.parse(masked([{ match: /sk-live-[0-9a-z]+/, action: 'redact' }], { p: params }).p as string)).toEqual({
      '[REDACTED]': 1,
      keep: 2,
    });
    expect(JSON.parse(masked([{ match: /sk-live-/, action: 'drop' }], { p: params }).p as string)).toEqual({ keep: 2 });
  });

  it('the function sees each decoded string with the attribute name, and its result is encoded again', () => {
    const seen: string[] = [];
    const out = masked(
      {
        fn: (value, name) => {
          seen.push(`${name}:${value}`);
          return value.replace('"', "'");
        },
      },
      { 'gen_ai.tool.call.arguments': JSON.stringify({ q: 'say "hi"' }) },
    );
    expect(seen).toEqual(['gen_ai.tool.call.arguments:q', 'gen_ai.tool.call.arguments:say "hi"']);
    expect(JSON.parse(out['gen_ai.tool.call.arguments'] as string)).toEqual({ q: `say 'hi"` });
  });

  it('text that only looks like JSON is masked as text', () => {
    expect(masked(quoted, { t: '[not json] password="x"' })).toEqual({ t: '[not json] [REDACTED]' });
  });
});

describe('a span as exporters see it', () => {
  const rules: MaskOption = [{ match: /sk-live-[0-9a-z]+/, action: 'redact' }];
  const span = (over: Record<string, unknown>) =>
    ({
      name: 's',
      attributes: {},
      events: [],
      links: [],
      status: { code: 0 },
      resource: { attributes: {} },
      ...over,
    }) as unknown as ReadableSpan;

  it('the status message is masked under otel.status_description, and dropped with a name rule or a failing function', () => {
    const failed = span({ status: { code: 2, message: `could not rotate ${SECRET}` } });
    expect(((Mask.of(rules, () => {}) as Mask).span(failed) as ReadableSpan).status).toEqual({
      code: 2,
      message: 'could not rotate [REDACTED]',
    });
    const dropped = Mask.of([{ match: 'otel.status_description', action: 'drop' }], () => {})?.span(failed);
    expect(dropped?.status).toEqual({ code: 2 });
    const thrown = Mask.of(
      {
        fn: () => {
          throw new Error('bug');
        },
      },
      () => {},
    )?.span(failed);
    expect(thrown?.status).toEqual({ code: 2 });
  });

  it("the resource's attributes and the links' attributes are masked; one view per resource", () => {
    const resource = {
      attributes: { 'process.command_args': ['node', 'app.js', `--key=${SECRET}`], 'service.name': 'app' },
      asyncAttributesPending: false,
    };
    const mask = Mask.of(rules, () => {}) as Mask;
    const a = mask.span(
      span({ resource, links: [{ context: {}, attributes: { note: `from ${SECRET}` } }] }),
    ) as ReadableSpan;
    const b = mask.span(span({ resource })) as ReadableSpan;
    expect(a.resource.attributes).toEqual({
      'process.command_args': ['node', 'app.js', '--key=[REDACTED]'],
      'service.name': 'app',
    });
    expect(b.resource).toBe(a.resource);
    expect(a.links[0]?.attributes).toEqual({ note: 'from [REDACTED]' });
    expect(resource.attributes['process.command_args'][2]).toContain(SECRET);
  });
});

describe('a wire payload (the server at ingest)', () => {
  it('names are field names at any depth; ids, kinds and times are kept from patterns', () => {
    const mask = Mask.of(
      [
        { match: 'user_id', action: 'drop' },
        { match: 'content', action: 'hash' },
        { pattern: 'sk-live-[0-9a-z]+', action: 'redact' },
      ],
      () => {},
    ) as Mask;
    const event = {
      id: 'sk-live-id',
      event_type: 'llms',
      session_id: '0af76519-16cd-43dd-8448-eb211c80319c',
      prompt: [{ role: 'user', content: 'hello' }],
      completion: { role: 'assistant', content: 'hi', note: `key ${SECRET}` },
      params: JSON.stringify({ token: SECRET }),
      user_id: 'ada',
      prompt_tokens: 3,
    };
    expect(mask.payload(event)).toEqual({
      id: 'sk-live-id',
      event_type: 'llms',
      session_id: '0af76519-16cd-43dd-8448-eb211c80319c',
      prompt: [{ role: 'user', content: hashOf('hello') }],
      completion: { role: 'assistant', content: hashOf('hi'), note: 'key [REDACTED]' },
      params: JSON.stringify({ token: '[REDACTED]' }),
      prompt_tokens: 3,
    });
    const untouched = { id: 'x', prompt: 'nothing here' };
    expect(mask.payload(untouched)).toBe(untouched);
  });
});

describe('rule files', () => {
  it('a JSON list of rules (or { rules }) is read, patterns as { pattern, flags }', () => {
    const rules = parseMaskRules(
      JSON.parse(
        '{"rules":[{"match":"user.id","action":"drop"},{"pattern":"SK-LIVE-[0-9a-z]+","flags":"i","action":"redact"}]}',
      ),
    );
    expect(masked(rules, { 'user.id': 'ada', t: `a ${SECRET}` })).toEqual({ t: 'a [REDACTED]' });
  });

  it.each([
    ['not a list', { match: 'a' }, /a JSON list of rules/],
    ['a bad action', [{ match: 'a', action: 'hide' }], /mask rule 0: a rule's action must be redact, hash or drop/],
    [
      'a bad pattern',
      [
        { match: 'a', action: 'drop' },
        { pattern: '(', action: 'drop' },
      ],
      /mask rule 1: .*is not a RegExp/,
    ],
    ['a bad flag', [{ pattern: 'a', flags: 'x', action: 'drop' }], /flags must be RegExp flags/],
    ['a match that is not a name', [{ match: 42, action: 'drop' }], /match must be a name/],
  ])('a file with %s is refused, saying which rule and why', (_what, json, message) => {
    expect(() => parseMaskRules(json)).toThrow(message);
  });
});
