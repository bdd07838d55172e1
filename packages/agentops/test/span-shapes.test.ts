/**
 * What the SDK writes as OpenTelemetry spans, read back with InMemorySpanExporter: the session root,
 * each event type's name, kind and GenAI attributes (DESIGN.md section 3), nesting and timestamps.
 */

import { derivedEventId, mapSpan } from '@agentops/exporter';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { transform } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppTracerProvider } from '../../../test/helpers/otel.js';
import * as agentops from '../src/index.js';

/** The id a span is sent under: its event's (or agent's) id as the exporter maps it. */
function sentId(span: ReadableSpan): string | undefined {
  const item = mapSpan(span, { price: () => undefined })[0];
  if (item?.kind === 'event') return item.event.id;
  if (item?.kind === 'agent') return item.agent.id;
  return undefined;
}

let memory: InMemorySpanExporter;
let provider: AppTracerProvider;

beforeEach(() => {
  memory = new InMemorySpanExporter();
  // No API key: the processor only stamps sessions; the in-memory exporter sees every span.
  provider = new AppTracerProvider({
    spanProcessors: [
      new agentops.AgentOpsSpanProcessor({ logLevel: 'silent' }),
      new SimpleSpanProcessor({ exporter: memory }),
    ],
  });
  provider.register();
});

afterEach(async () => {
  await agentops.shutdown();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

function init(options: agentops.InitOptions = {}) {
  const session = agentops.init({ handleExit: false, logLevel: 'silent', ...options });
  if (!session) throw new Error('no session');
  return session;
}

const byName = (name: string): ReadableSpan => {
  const span = memory.getFinishedSpans().find((s) => s.name === name);
  if (!span) throw new Error(`no span ${name}; have ${memory.getFinishedSpans().map((s) => s.name)}`);
  return span;
};

describe('the session root span', () => {
  it('is a root named agentops.session whose trace id is the session id', async () => {
    const session = init({ tags: ['a'] });
    session.addTags(['b', 'a']);
    await session.endSession('Failure', 'it broke');
    const root = byName('agentops.session');
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.kind).toBe(SpanKind.INTERNAL);
    expect(session.id.replaceAll('-', '')).toBe(root.spanContext().traceId);
    expect(root.attributes).toMatchObject({
      'agentops.session.id': session.id,
      'agentops.session.tags': ['a', 'b'],
      'agentops.session.end_state': 'Failure',
      'agentops.session.end_state_reason': 'it broke',
      'agentops.session.inherited': false,
    });
  });

  it('starts a new root with a link to the span that was active', async () => {
    const outer = trace.getTracer('app').startSpan('request');
    const session =
      trace.getTracer('app') &&
      context.with(trace.setSpan(context.active(), outer), () =>
        agentops.init({ handleExit: false, logLevel: 'silent' }),
      );
    outer.end();
    await session?.endSession('Success');
    const root = byName('agentops.session');
    expect(root.spanContext().traceId).not.toBe(outer.spanContext().traceId);
    expect(root.links.map((l) => l.context.spanId)).toEqual([outer.spanContext().spanId]);
  });

  it('an inherited session continues the given trace and is marked inherited', async () => {
    agentops.init({ autoStartSession: false, handleExit: false, logLevel: 'silent' });
    const id = '0af76519-16cd-43dd-8448-eb211c80319c';
    const session = agentops.startSession({ inheritedSessionId: id });
    expect(session.id).toBe(id);
    await session.detach();
    const root = byName('agentops.session');
    expect(root.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(root.attributes['agentops.session.inherited']).toBe(true);
    expect(root.attributes['agentops.session.end_state']).toBeUndefined();
  });

  it('joins from traceparent + baggage headers', async () => {
    agentops.init({ autoStartSession: false, handleExit: false, logLevel: 'silent' });
    const session = agentops.startSession({
      headers: {
        Traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'rojo=00f067aa0ba902b7',
        baggage: 'agentops.session.id=0af76519-16cd-43dd-8448-eb211c80319c',
      },
    });
    expect(session.id).toBe('0af76519-16cd-43dd-8448-eb211c80319c');
    // What it passes on keeps the trace, the vendor tracestate and the session baggage.
    const out = session.headers();
    expect(out.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(out.tracestate).toBe('rojo=00f067aa0ba902b7');
    expect(out.baggage).toBe('agentops.session.id=0af76519-16cd-43dd-8448-eb211c80319c');
    await session.detach();
    expect(byName('agentops.session').parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('bad inherited ids and headers warn and start a new session', async () => {
    agentops.init({ autoStartSession: false, handleExit: false, logLevel: 'silent' });
    const a = agentops.startSession({ inheritedSessionId: 'not-a-uuid' });
    const b = agentops.startSession({ headers: { traceparent: 'garbage' } });
    const c = agentops.startSession({ headers: null as never });
    for (const s of [a, b, c]) expect(s.inherited).toBe(false);
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
  });
});

describe('event spans', () => {
  it('LLMEvent: chat {model}, CLIENT, GenAI attributes, explicit times', async () => {
    const session = init();
    const event = new agentops.LLMEvent({
      model: 'gpt-4o',
      prompt: 'Hi',
      completion: 'Hello',
      promptTokens: 3,
      completionTokens: 2,
      cacheReadTokens: 1,
      cacheWriteTokens: 1,
      reasoningTokens: 1,
      cost: 0.01,
      threadId: 'th',
      initTimestamp: new Date('2024-01-01T00:00:00Z'),
      endTimestamp: '2024-01-01T00:00:01.500Z',
    });
    session.record(event);
    await session.endSession('Success');
    const span = byName('chat gpt-4o');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'agentops.session.id': session.id,
      // Every span of a session is in its GenAI conversation.
      'gen_ai.conversation.id': session.id,
      'agentops.event.type': 'llms',
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 3,
      'gen_ai.usage.output_tokens': 2,
      'gen_ai.usage.cache_read.input_tokens': 1,
      'gen_ai.usage.cache_creation.input_tokens': 1,
      'gen_ai.usage.reasoning.output_tokens': 1,
      'agentops.llm.cost_usd': 0.01,
      'agentops.llm.thread_id': 'th',
    });
    expect(JSON.parse(span.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Hi' }] },
    ]);
    expect(JSON.parse(span.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello' }] },
    ]);
    // No random UUID is made while recording: the event takes the id derived from its span's ids,
    // which the span does not carry (it is derived again where the span is read).
    expect(span.attributes['agentops.event.id']).toBeUndefined();
    expect(event.id).toBe(derivedEventId(span.spanContext(), 'event'));
    expect(sentId(span)).toBe(event.id);
    expect(span.startTime).toEqual([1704067200, 0]);
    expect(span.endTime).toEqual([1704067201, 500_000_000]);
    expect(span.parentSpanContext?.spanId).toBe(byName('agentops.session').spanContext().spanId);
  });

  it('ToolEvent: execute_tool {name} with JSON arguments and result', async () => {
    const session = init();
    session.record(new agentops.ToolEvent({ name: 'search', params: { q: 'x' }, returns: [1] }));
    await session.endSession('Success');
    expect(byName('execute_tool search').attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'search',
      'gen_ai.tool.call.arguments': '{"q":"x"}',
      'gen_ai.tool.call.result': '[1]',
    });
  });

  it('ActionEvent: {actionType} with params and returns', async () => {
    const session = init();
    session.record(new agentops.ActionEvent({ actionType: 'click', params: ['#ok'], returns: 'done', logs: 'l' }));
    await session.endSession('Success');
    expect(byName('click').attributes).toMatchObject({
      'agentops.action.type': 'click',
      'agentops.action.params': '["#ok"]',
      'agentops.action.returns': '"done"',
      'agentops.action.logs': '"l"',
    });
  });

  it('ErrorEvent: error {type}, status ERROR, an exception event and its trigger', async () => {
    const session = init();
    const tool = new agentops.ToolEvent({ name: 't' });
    session.record(tool);
    session.record(new agentops.ErrorEvent({ triggerEvent: tool, exception: new TypeError('nope'), code: 'E1' }));
    await session.endSession('Failure');
    const span = byName('error TypeError');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'nope' });
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(span.attributes).toMatchObject({
      'error.type': 'TypeError',
      'agentops.error.code': 'E1',
      'agentops.error.details': 'nope',
      'agentops.error.trigger_event.id': tool.id,
      'agentops.error.trigger_event.type': 'tools',
    });
  });

  it('captureContent: false leaves prompts, completions, arguments and results out', async () => {
    const session = init({ captureContent: false });
    session.record(new agentops.LLMEvent({ model: 'gpt-4o', prompt: 'secret', completion: 'secret' }));
    session.record(new agentops.ToolEvent({ name: 't', params: 'secret', returns: 'secret' }));
    await session.endSession('Success');
    for (const span of memory.getFinishedSpans()) expect(JSON.stringify(span.attributes)).not.toContain('secret');
    expect(byName('chat gpt-4o').attributes['gen_ai.request.model']).toBe('gpt-4o');
  });
});

describe('wrappers and nesting', () => {
  it('agent > tool > LLM keeps its nesting, and events inside an agent carry its id', async () => {
    const session = init();
    const tool = agentops.recordTool('lookup', (id: number) => {
      agentops.record(new agentops.LLMEvent({ model: 'gpt-4o-mini' }));
      return { id };
    });
    const agent = agentops.trackAgent('planner', async () => tool(7));
    await expect(agent()).resolves.toEqual({ id: 7 });
    await session.endSession('Success');
    const agentSpan = byName('invoke_agent planner');
    const toolSpan = byName('execute_tool lookup');
    const llmSpan = byName('chat gpt-4o-mini');
    expect(toolSpan.parentSpanContext?.spanId).toBe(agentSpan.spanContext().spanId);
    expect(llmSpan.parentSpanContext?.spanId).toBe(toolSpan.spanContext().spanId);
    const agentId = agentSpan.attributes['gen_ai.agent.id'];
    expect(agentSpan.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'planner',
    });
    expect(toolSpan.attributes['agentops.agent.id']).toBe(agentId);
    expect(llmSpan.attributes['agentops.agent.id']).toBe(agentId);
    expect(toolSpan.attributes['gen_ai.tool.call.arguments']).toBe('7');
    expect(toolSpan.attributes['gen_ai.tool.call.result']).toBe('{"id":7}');
    // A wrapped call's event id is derived from its span's ids where the span is read: not written.
    expect(toolSpan.attributes['agentops.event.id']).toBeUndefined();
    expect(toolSpan.attributes['gen_ai.tool.call.id']).toBeUndefined();
    expect(sentId(toolSpan)).toBe(derivedEventId(toolSpan.spanContext(), 'event'));
    // The agent's id is written (its work's spans name it) and is the id it is sent under.
    expect(agentId).toBe(derivedEventId(agentSpan.spanContext(), 'agent'));
    expect(sentId(agentSpan)).toBe(agentId);
  });

  it('workflow > task > tool: invoke_workflow and task spans nested as called, actions of their kind', async () => {
    const session = init();
    const charge = agentops.recordTool('charge', (cents: number) => ({ ok: cents > 0 }));
    const pay = agentops.recordTask('pay', (cents: number) => charge(cents));
    const checkout = agentops.recordWorkflow('checkout', async (cents: number) => pay(cents));
    await expect(checkout(500)).resolves.toEqual({ ok: true });
    await session.endSession('Success');
    const workflow = byName('invoke_workflow checkout');
    const task = byName('pay');
    const tool = byName('execute_tool charge');
    expect(task.parentSpanContext?.spanId).toBe(workflow.spanContext().spanId);
    expect(tool.parentSpanContext?.spanId).toBe(task.spanContext().spanId);
    expect(workflow.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_workflow',
      'agentops.span.kind': 'workflow',
      'agentops.event.type': 'actions',
      'agentops.action.type': 'checkout',
      'agentops.action.params': '500',
      'agentops.action.returns': '{"ok":true}',
    });
    expect(task.attributes).toMatchObject({ 'agentops.span.kind': 'task', 'agentops.action.type': 'pay' });
    expect(task.attributes['gen_ai.operation.name']).toBeUndefined();
  });

  it('a sync throw is recorded as an error linked to the call and rethrown as the same object', async () => {
    const session = init();
    const boom = new Error('sync boom');
    const fn = agentops.recordAction('explode', () => {
      throw boom;
    });
    let caught: unknown;
    try {
      fn();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBe(boom);
    await session.endSession('Failure');
    const action = byName('explode');
    const error = byName('error Error');
    expect(action.status.code).toBe(SpanStatusCode.ERROR);
    expect(error.parentSpanContext?.spanId).toBe(action.spanContext().spanId);
    expect(sentId(action)).toBe(derivedEventId(action.spanContext(), 'event'));
    expect(error.attributes['agentops.error.trigger_event.id']).toBe(sentId(action));
  });

  it('every event span is sent under its id: given or read before recording (carried), or derived from the span', async () => {
    const session = init();
    const given = new agentops.ToolEvent({ name: 'given', id: '6F1C2B9A-0D4E-4F5A-8B7C-1D2E3F4A5B6C' });
    const readEarly = new agentops.ToolEvent({ name: 'early' });
    const earlyId = readEarly.id;
    const late = new agentops.ToolEvent({ name: 'late' });
    for (const event of [given, readEarly, late]) session.record(event);
    await session.endSession('Success');
    expect(byName('execute_tool given').attributes['agentops.event.id']).toBe('6f1c2b9a-0d4e-4f5a-8b7c-1d2e3f4a5b6c');
    expect(byName('execute_tool early').attributes['agentops.event.id']).toBe(earlyId);
    expect(readEarly.id).toBe(earlyId);
    expect(sentId(byName('execute_tool given'))).toBe('6f1c2b9a-0d4e-4f5a-8b7c-1d2e3f4a5b6c');
    expect(sentId(byName('execute_tool early'))).toBe(earlyId);
    const lateSpan = byName('execute_tool late');
    expect(lateSpan.attributes['agentops.event.id']).toBeUndefined();
    expect(late.id).toBe(derivedEventId(lateSpan.spanContext(), 'event'));
    expect(sentId(lateSpan)).toBe(late.id);
    expect(byName('execute_tool given').attributes['gen_ai.tool.call.id']).toBe('6f1c2b9a-0d4e-4f5a-8b7c-1d2e3f4a5b6c');
  });

  it('TC39 decorators on class methods', async () => {
    // Vite's transform cannot lower standard decorators yet; esbuild implements them, so the class
    // is written with real decorator syntax and lowered by esbuild before it runs.
    const source = `
      class Agent {
        constructor(prefix) { this.prefix = prefix; }
        @agentops.recordTool('shout')
        shout(text) { return this.prefix + text.toUpperCase(); }
        @agentops.trackAgent()
        async run() { return this.shout('hi'); }
      }
      globalThis.__DecoratedAgent = Agent;`;
    const { code } = await transform(source, { loader: 'ts', target: 'es2022' });
    new Function('agentops', code)(agentops);
    const Agent = (globalThis as unknown as { __DecoratedAgent: new (p: string) => { run(): Promise<string> } })
      .__DecoratedAgent;
    const session = init();
    await expect(new Agent('> ').run()).resolves.toBe('> HI');
    await session.endSession('Success');
    expect(byName('invoke_agent run').attributes['gen_ai.agent.name']).toBe('run');
    expect(byName('execute_tool shout').attributes['gen_ai.tool.call.result']).toBe('"> HI"');
  });

  it('each call of one wrapped function has its own arguments, result and ids (the fixed part is shared)', async () => {
    const session = init();
    const tool = agentops.recordTool('square', (x: number) => x * x);
    const action = agentops.recordAction('note', (text: string) => text.length);
    const agent = agentops.trackAgent('worker', () => tool(3) + action('abc'));
    expect([tool(2), tool(5), agent(), agent()]).toEqual([4, 25, 12, 12]);
    await session.endSession('Success');
    const spans = memory.getFinishedSpans();
    const tools = spans.filter((s) => s.name === 'execute_tool square');
    expect(
      tools.map((s) => [s.attributes['gen_ai.tool.call.arguments'], s.attributes['gen_ai.tool.call.result']]),
    ).toEqual([
      ['2', '4'],
      ['5', '25'],
      ['3', '9'],
      ['3', '9'],
    ]);
    const toolIds = tools.map(sentId);
    expect(new Set(toolIds).size).toBe(4);
    for (const s of tools) expect(sentId(s)).toBe(derivedEventId(s.spanContext(), 'event'));
    const actions = spans.filter((s) => s.name === 'note');
    expect(actions.map((s) => s.attributes['agentops.action.params'])).toEqual(['"abc"', '"abc"']);
    expect(actions.map((s) => s.attributes['agentops.action.returns'])).toEqual(['3', '3']);
    const agents = spans.filter((s) => s.name === 'invoke_agent worker');
    const agentIds = agents.map((s) => s.attributes['gen_ai.agent.id']);
    expect(new Set(agentIds).size).toBe(2);
    for (const s of agents) expect(sentId(s)).toBe(s.attributes['gen_ai.agent.id']);
    // The tool calls made inside each agent invocation carry that invocation's id.
    expect(tools.slice(2).map((s) => s.attributes['agentops.agent.id'])).toEqual(agentIds);
  });

  it('outside any session a wrapper just calls the function', () => {
    agentops.init({ autoStartSession: false, handleExit: false, logLevel: 'silent' });
    const fn = agentops.recordTool('t', (x: number) => x * 2);
    expect(fn(21)).toBe(42);
    expect(memory.getFinishedSpans()).toEqual([]);
  });

  it('an LLM span directly inside an LLM span of the same call is marked a duplicate; another call is not', async () => {
    const session = init();
    const tracer = trace.getTracer('layered');
    const llm = (model: string) => ({
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': model,
      },
    });
    session.run(() =>
      tracer.startActiveSpan('chat outer', llm('claude-3-5-sonnet-20241022'), (outer) => {
        tracer.startSpan('chat same-call', llm('claude-3-5-sonnet-20241022')).end();
        tracer.startSpan('chat other-model', llm('claude-3-5-haiku-20241022')).end();
        outer.end();
      }),
    );
    await session.endSession('Success');
    expect(byName('chat same-call').attributes['agentops.llm.reentrant']).toBe(true);
    expect(byName('chat other-model').attributes['agentops.llm.reentrant']).toBeUndefined();
    expect(byName('chat outer').attributes['agentops.llm.reentrant']).toBeUndefined();
  });

  it('foreign spans started inside a session are stamped with it', async () => {
    const session = init();
    session.run(() => trace.getTracer('other-lib').startSpan('chat claude').end());
    await session.endSession('Success');
    expect(byName('chat claude').attributes['agentops.session.id']).toBe(session.id);
  });
});

describe('headers', () => {
  it('injectHeaders gives traceparent (sampled) and the session baggage', async () => {
    const session = init();
    const headers = agentops.injectHeaders();
    expect(headers.traceparent).toMatch(new RegExp(`^00-${session.id.replaceAll('-', '')}-[0-9a-f]{16}-01$`));
    expect(headers.baggage).toBe(`agentops.session.id=${session.id}`);
    expect(session.headers().traceparent?.split('-')[1]).toBe(session.id.replaceAll('-', ''));
    await session.endSession('Success');
  });
});
