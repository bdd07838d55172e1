import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { classifySpan, type EventPayload, exportAllSpansFilter, mapSpan, type SpanCategory } from '../src/index.js';
import { inSession, SESSION_ID, span, TRACE_ID } from './span-fixture.js';

const price = (model: string, input: number, output: number) =>
  model === 'gpt-4o' ? input * 2.5e-6 + output * 1e-5 : undefined;

function only(items: ReturnType<typeof mapSpan>): EventPayload {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item?.kind !== 'event') throw new Error(`expected an event, got ${item?.kind}`);
  return item.event;
}

describe('classifySpan', () => {
  const cases: [string, Parameters<typeof span>[0], SpanCategory | undefined][] = [
    ['session root', { name: 'agentops.session', attributes: inSession({}) }, 'session'],
    ['SDK llm event', { attributes: { 'agentops.event.type': 'llms' } }, 'llms'],
    ['GenAI chat', { attributes: { 'gen_ai.operation.name': 'chat' } }, 'llms'],
    ['GenAI embeddings', { attributes: { 'gen_ai.operation.name': 'embeddings' } }, 'llms'],
    ['GenAI text_completion', { attributes: { 'gen_ai.operation.name': 'text_completion' } }, 'llms'],
    ['GenAI generate_content', { attributes: { 'gen_ai.operation.name': 'generate_content' } }, 'llms'],
    ['GenAI execute_tool', { attributes: { 'gen_ai.operation.name': 'execute_tool' } }, 'tools'],
    ['GenAI invoke_agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } }, 'agents'],
    ['GenAI create_agent', { attributes: { 'gen_ai.operation.name': 'create_agent' } }, 'agents'],
    ['OpenInference LLM', { attributes: { 'openinference.span.kind': 'LLM' } }, 'llms'],
    ['OpenInference TOOL', { attributes: { 'openinference.span.kind': 'TOOL' } }, 'tools'],
    ['OpenInference AGENT', { attributes: { 'openinference.span.kind': 'AGENT' } }, 'agents'],
    ['OpenInference CHAIN', { attributes: { 'openinference.span.kind': 'CHAIN' } }, undefined],
    ['OpenLLMetry chat', { attributes: { 'llm.request.type': 'chat' } }, 'llms'],
    ['OpenLLMetry tool', { attributes: { 'traceloop.span.kind': 'tool' } }, 'tools'],
    ['OpenLLMetry workflow', { attributes: { 'traceloop.span.kind': 'workflow' } }, undefined],
    ['Vercel doGenerate', { attributes: { 'ai.operationId': 'ai.generateText.doGenerate' } }, 'llms'],
    ['Vercel outer generateText', { attributes: { 'ai.operationId': 'ai.generateText' } }, undefined],
    ['Vercel toolCall', { attributes: { 'ai.operationId': 'ai.toolCall' } }, 'tools'],
    [
      'old GenAI without operation',
      { attributes: { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4' } },
      'llms',
    ],
    ['HTTP client span', { name: 'GET', attributes: { 'http.request.method': 'GET' } }, undefined],
    [
      'LLM span marked a duplicate of its parent',
      { attributes: { 'gen_ai.operation.name': 'chat', 'agentops.llm.reentrant': true } },
      undefined,
    ],
  ];
  it.each(cases)('%s', (_name, partial, expected) => {
    expect(classifySpan(span(partial))).toBe(expected);
  });
});

describe('mapSpan: SDK spans', () => {
  it('maps an LLM event span to an llms payload with ChatML prompt and completion', () => {
    const event = only(
      mapSpan(
        span({
          name: 'chat gpt-4o',
          attributes: inSession({
            'agentops.event.id': '11111111-1111-4111-8111-111111111111',
            'agentops.event.type': 'llms',
            'agentops.agent.id': 'agent-1',
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.usage.input_tokens': 100,
            'gen_ai.usage.output_tokens': 20,
            'gen_ai.input.messages': JSON.stringify([
              { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
              { role: 'user', parts: [{ type: 'text', content: 'Hi' }] },
            ]),
            'gen_ai.output.messages': JSON.stringify([
              { role: 'assistant', parts: [{ type: 'text', content: 'Hello!' }], finish_reason: 'stop' },
            ]),
            'agentops.llm.thread_id': 't-1',
          }),
        }),
        { price },
      ),
    );
    expect(event).toEqual({
      id: '11111111-1111-4111-8111-111111111111',
      event_type: 'llms',
      session_id: SESSION_ID,
      init_timestamp: '2024-05-01T12:00:00.000000Z',
      end_timestamp: '2024-05-01T12:00:01.500000Z',
      agent_id: 'agent-1',
      span_id: 'b7ad6b7169203331',
      parent_span_id: null,
      origin: { host: 'box', pid: 42, service: 'svc' },
      model: 'gpt-4o',
      provider: 'openai',
      prompt: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      completion: { role: 'assistant', content: 'Hello!', finish_reason: 'stop' },
      prompt_tokens: 100,
      completion_tokens: 20,
      cost: 100 * 2.5e-6 + 20 * 1e-5,
      thread_id: 't-1',
      params: undefined,
      returns: undefined,
    });
  });

  it('keeps a cost the caller gave instead of pricing it', () => {
    const event = only(
      mapSpan(
        span({
          attributes: inSession({
            'agentops.event.type': 'llms',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.usage.input_tokens': 100,
            'agentops.llm.cost_usd': 0.5,
          }),
        }),
        { price },
      ),
    );
    expect(event.event_type === 'llms' && event.cost).toBe(0.5);
  });

  it('leaves the cost of an unknown model null', () => {
    const event = only(
      mapSpan(
        span({ attributes: inSession({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'my-model' }) }),
        { price },
      ),
    );
    expect(event.event_type === 'llms' && event.cost).toBeNull();
  });

  it('maps tool spans with JSON arguments and result', () => {
    const event = only(
      mapSpan(
        span({
          name: 'execute_tool search',
          attributes: inSession({
            'agentops.event.type': 'tools',
            'agentops.event.id': '22222222-2222-4222-8222-222222222222',
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 'search',
            'gen_ai.tool.call.arguments': '{"q":"x"}',
            'gen_ai.tool.call.result': '[1,2]',
            'agentops.tool.logs': 'took 3 tries',
          }),
        }),
      ),
    );
    expect(event).toMatchObject({
      event_type: 'tools',
      name: 'search',
      params: { q: 'x' },
      returns: [1, 2],
      logs: 'took 3 tries',
    });
  });

  it('maps action spans', () => {
    const event = only(
      mapSpan(
        span({
          name: 'save',
          attributes: inSession({
            'agentops.event.type': 'actions',
            'agentops.action.type': 'save',
            'agentops.action.params': '{"path":"/tmp/x"}',
            'agentops.action.returns': 'ok',
            'agentops.action.screenshot': 'data:image/png;base64,AAAA',
          }),
        }),
      ),
    );
    expect(event).toMatchObject({
      event_type: 'actions',
      action_type: 'save',
      params: { path: '/tmp/x' },
      returns: 'ok',
      screenshot: 'data:image/png;base64,AAAA',
    });
  });

  it('maps error spans with their trigger and exception', () => {
    const event = only(
      mapSpan(
        span({
          name: 'error TypeError',
          status: { code: SpanStatusCode.ERROR, message: 'boom' },
          attributes: inSession({
            'agentops.event.type': 'errors',
            'agentops.event.id': '33333333-3333-4333-8333-333333333333',
            'error.type': 'TypeError',
            'agentops.error.code': 'E1',
            'agentops.error.trigger_event.id': '22222222-2222-4222-8222-222222222222',
            'agentops.error.trigger_event.type': 'tools',
          }),
          events: [
            {
              name: 'exception',
              time: [1714564801, 0],
              attributes: { 'exception.message': 'boom', 'exception.stacktrace': 'at x' },
            },
          ],
        }),
      ),
    );
    expect(event).toMatchObject({
      event_type: 'errors',
      error_type: 'TypeError',
      code: 'E1',
      details: 'boom',
      logs: 'at x',
      trigger_event_id: '22222222-2222-4222-8222-222222222222',
      trigger_event_type: 'tools',
    });
  });

  it('maps agent spans to agents, not events', () => {
    const items = mapSpan(
      span({
        name: 'invoke_agent planner',
        attributes: inSession({
          'agentops.event.type': 'agents',
          'gen_ai.agent.id': 'a-1',
          'gen_ai.agent.name': 'planner',
        }),
      }),
    );
    expect(items).toEqual([{ kind: 'agent', sessionId: SESSION_ID, agent: { id: 'a-1', name: 'planner' } }]);
  });
});

describe('mapSpan: sessions', () => {
  it('maps an ended session root with Failure as "Fail" on the wire', () => {
    const [item] = mapSpan(
      span({
        name: 'agentops.session',
        ended: true,
        attributes: inSession({
          'agentops.session.tags': ['a', 'b'],
          'agentops.session.end_state': 'Failure',
          'agentops.session.end_state_reason': 'Interrupted by SIGINT',
        }),
      }),
    );
    expect(item).toMatchObject({
      kind: 'session',
      ended: true,
      session: {
        session_id: SESSION_ID,
        init_timestamp: '2024-05-01T12:00:00.000000Z',
        end_timestamp: '2024-05-01T12:00:01.500000Z',
        end_state: 'Fail',
        end_state_reason: 'Interrupted by SIGINT',
        tags: ['a', 'b'],
        host_env: { OS: { Hostname: 'box' }, Process: { PID: 42, Service: 'svc' } },
      },
    });
  });

  it('gives a running session no end', () => {
    const [item] = mapSpan(
      span({ name: 'agentops.session', ended: false, endTime: [0, 0], attributes: inSession({}) }),
    );
    expect(item?.kind === 'session' && item.session).toMatchObject({ end_timestamp: null, end_state: null });
  });

  it('lets an inherited session that was not ended explicitly say nothing of its end or tags', () => {
    const [item] = mapSpan(
      span({
        name: 'agentops.session',
        ended: true,
        attributes: inSession({ 'agentops.session.inherited': true, 'agentops.session.tags': [] }),
      }),
    );
    expect(item?.kind === 'session' && item.inherited).toBe(true);
    const session = item?.kind === 'session' ? item.session : undefined;
    expect(session?.end_state).toBeNull();
    expect(session?.end_timestamp).toBeNull();
    expect(session && 'tags' in session).toBe(false);
    expect(session && 'host_env' in session).toBe(false);
  });
});

describe('mapSpan: foreign spans', () => {
  it('skips spans outside any session, unless the trace id may name one', () => {
    const foreign = span({ attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } });
    expect(mapSpan(foreign)).toEqual([]);
    expect(only(mapSpan(foreign, { traceIdFallback: true })).session_id).toBe(SESSION_ID);
    expect(TRACE_ID.length).toBe(32);
  });

  it('drops HTTP spans by default and sends them as actions with exportAllSpans', () => {
    const http = span({ name: 'GET /api', attributes: inSession({ 'http.request.method': 'GET' }) });
    expect(mapSpan(http)).toEqual([]);
    expect(only(mapSpan(http, { filter: exportAllSpansFilter }))).toMatchObject({
      event_type: 'actions',
      action_type: 'GET /api',
    });
  });

  it('gives foreign spans stable derived ids, so a re-sent batch maps to the same events', () => {
    const s = span({ attributes: inSession({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' }) });
    const a = only(mapSpan(s));
    const b = only(mapSpan(s));
    expect(a.id).toBe(b.id);
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('adds an error event triggered by a failed foreign LLM span', () => {
    const items = mapSpan(
      span({
        status: { code: SpanStatusCode.ERROR, message: '429 Too Many Requests' },
        attributes: inSession({
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'error.type': 'RateLimitError',
        }),
      }),
    );
    expect(items).toHaveLength(2);
    const [llm, error] = items.map((i) => (i.kind === 'event' ? i.event : undefined));
    expect(error).toMatchObject({
      event_type: 'errors',
      error_type: 'RateLimitError',
      details: '429 Too Many Requests',
      trigger_event_id: llm?.id,
      trigger_event_type: 'llms',
    });
  });

  it('reads OpenLLMetry indexed prompts and usage', () => {
    const event = only(
      mapSpan(
        span({
          attributes: inSession({
            'llm.request.type': 'chat',
            'gen_ai.system': 'openai',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.response.model': 'gpt-4o-2024-08-06',
            'gen_ai.prompt.0.role': 'user',
            'gen_ai.prompt.0.content': 'Hi',
            'gen_ai.completion.0.role': 'assistant',
            'gen_ai.completion.0.content': 'Hello',
            'llm.usage.total_tokens': 12,
            'gen_ai.usage.prompt_tokens': 5,
            'gen_ai.usage.completion_tokens': 7,
          }),
        }),
      ),
    );
    expect(event).toMatchObject({
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      prompt: [{ role: 'user', content: 'Hi' }],
      completion: { role: 'assistant', content: 'Hello' },
      prompt_tokens: 5,
      completion_tokens: 7,
    });
  });

  it('reads OpenInference messages and token counts', () => {
    const event = only(
      mapSpan(
        span({
          attributes: inSession({
            'openinference.span.kind': 'LLM',
            'llm.model_name': 'claude-3-5-sonnet-20241022',
            'llm.provider': 'anthropic',
            'llm.input_messages.0.message.role': 'user',
            'llm.input_messages.0.message.content': 'What is 2+2?',
            'llm.output_messages.0.message.role': 'assistant',
            'llm.output_messages.0.message.content': '4',
            'llm.token_count.prompt': 11,
            'llm.token_count.completion': 1,
          }),
        }),
      ),
    );
    expect(event).toMatchObject({
      model: 'claude-3-5-sonnet-20241022',
      prompt: [{ role: 'user', content: 'What is 2+2?' }],
      completion: { role: 'assistant', content: '4' },
      prompt_tokens: 11,
      completion_tokens: 1,
    });
  });

  it('reads Vercel AI SDK prompt messages stored as a JSON string', () => {
    const event = only(
      mapSpan(
        span({
          attributes: inSession({
            'ai.operationId': 'ai.generateText.doGenerate',
            'ai.model.id': 'gpt-4o-mini',
            'ai.model.provider': 'openai.chat',
            'ai.prompt.messages': JSON.stringify([{ role: 'user', content: [{ type: 'text', text: 'Hey' }] }]),
            'ai.response.text': 'Hi there',
            'ai.usage.promptTokens': 3,
            'ai.usage.completionTokens': 2,
          }),
        }),
      ),
    );
    expect(event).toMatchObject({
      model: 'gpt-4o-mini',
      prompt: [{ role: 'user', content: [{ type: 'text', text: 'Hey' }] }],
      completion: { role: 'assistant', content: 'Hi there' },
      prompt_tokens: 3,
      completion_tokens: 2,
    });
  });
});
