import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  classifySpan,
  type EventPayload,
  exportAllSpansFilter,
  type MapOptions,
  mapSpan,
  type SpanCategory,
} from '../src/index.js';
import { inSession, SESSION_ID, span } from './span-fixture.js';

const price = (model: string, u: { input: number; output: number }) =>
  model === 'gpt-4o' ? u.input * 2.5e-6 + u.output * 1e-5 : undefined;

function only(items: ReturnType<typeof mapSpan>): EventPayload {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item?.kind !== 'event') throw new Error(`expected an event, got ${item?.kind}`);
  return item.event;
}

/** An expected event item of the session, matched on the fields given. */
const event = (fields: Record<string, unknown>) => ({ kind: 'event', sessionId: SESSION_ID, event: fields });

interface MapCase {
  name: string;
  span: Parameters<typeof span>[0];
  options?: MapOptions;
  /** What mapSpan answers: matched with toMatchObject (same length, the given fields), or toEqual when exact. */
  items: unknown[];
  exact?: boolean;
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
    ['AgentOps 0.4 session', { name: 'x.session', attributes: { 'agentops.span.kind': 'session' } }, 'session'],
    ['AgentOps 0.4 agent', { attributes: { 'agentops.span.kind': 'agent' } }, 'agents'],
    ['AgentOps 0.4 tool', { attributes: { 'agentops.span.kind': 'tool' } }, 'tools'],
    ['AgentOps 0.4 llm', { attributes: { 'agentops.span.kind': 'llm' } }, 'llms'],
    ['AgentOps 0.4 task', { attributes: { 'agentops.span.kind': 'task' } }, 'actions'],
    ['AgentOps 0.4 operation', { attributes: { 'agentops.span.kind': 'operation' } }, 'actions'],
    ['AgentOps 0.4 workflow', { attributes: { 'agentops.span.kind': 'workflow' } }, 'actions'],
    ['AgentOps 0.4 guardrail', { attributes: { 'agentops.span.kind': 'guardrail' } }, 'actions'],
    ['AgentOps 0.4 unknown kind', { attributes: { 'agentops.span.kind': 'toString' } }, undefined],
    ['OpenLLMetry tool', { attributes: { 'traceloop.span.kind': 'tool' } }, 'tools'],
    // Declared by the app (@workflow, @task), as AgentOps 0.4's are: shown as actions of their kind.
    ['OpenLLMetry workflow', { attributes: { 'traceloop.span.kind': 'workflow' } }, 'actions'],
    ['OpenLLMetry task', { attributes: { 'traceloop.span.kind': 'task' } }, 'actions'],
    ['GenAI invoke_workflow', { attributes: { 'gen_ai.operation.name': 'invoke_workflow' } }, 'actions'],
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
    [
      "client LLM span marked a duplicate of a framework's model call",
      { attributes: { 'gen_ai.operation.name': 'chat', 'agentops.llm.duplicate_of': 'b7ad6b7169203331' } },
      undefined,
    ],
  ];
  it.each(cases)('%s', (_name, partial, expected) => {
    expect(classifySpan(span(partial))).toBe(expected);
  });

  it("a LangChain tool's output (a serialized ToolMessage, alone or under output) is sent as the tool's result", () => {
    const message = (content: string) => ({
      lc: 1,
      type: 'constructor',
      id: ['langchain_core', 'messages', 'ToolMessage'],
      kwargs: { content, tool_call_id: 'call_1', name: 'get_weather' },
    });
    const returnsOf = (output: unknown) => {
      const attributes = inSession({
        'openinference.span.kind': 'TOOL',
        'tool.name': 'get_weather',
        'output.value': JSON.stringify(output),
      });
      const [item] = mapSpan(span({ attributes }), { price: () => undefined });
      return item?.kind === 'event' && item.event.event_type === 'tools' ? item.event.returns : 'not a tool event';
    };
    expect(returnsOf(message('sunny in Paris'))).toBe('sunny in Paris');
    expect(returnsOf({ output: message('{"temp":20}') })).toEqual({ temp: 20 });
    // Anything else is the tool's own result, kept as it is.
    expect(returnsOf({ output: 'x' })).toEqual({ output: 'x' });
    expect(returnsOf({ lc: 1, type: 'constructor', id: ['AIMessage'], kwargs: { content: 'c' } })).toMatchObject({
      lc: 1,
    });
  });

  it('a span marked a duplicate is never sent, even when every span is', () => {
    for (const marked of [{ 'agentops.llm.reentrant': true }, { 'agentops.llm.duplicate_of': 'b7ad6b7169203331' }]) {
      const duplicate = span({ attributes: inSession({ 'gen_ai.operation.name': 'chat', ...marked }) });
      expect(mapSpan(duplicate, { filter: () => true, price: () => undefined })).toEqual([]);
    }
  });
});

const mapCases: MapCase[] = [
  // The SDK's own spans
  {
    name: 'SDK LLM event: ChatML prompt and completion, priced',
    span: {
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
    },
    options: { price },
    exact: true,
    items: [
      {
        kind: 'event',
        sessionId: SESSION_ID,
        event: {
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
        },
      },
    ],
  },
  {
    name: 'a cost the caller gave is kept, not priced',
    span: {
      attributes: inSession({
        'agentops.event.type': 'llms',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 100,
        'agentops.llm.cost_usd': 0.5,
      }),
    },
    options: { price },
    items: [event({ event_type: 'llms', cost: 0.5 })],
  },
  {
    name: 'the cost of an unknown model stays null',
    span: { attributes: inSession({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'my-model' }) },
    options: { price },
    items: [event({ event_type: 'llms', model: 'my-model', cost: null })],
  },
  {
    name: 'GenAI conversation id is the thread',
    span: { attributes: inSession({ 'gen_ai.operation.name': 'chat', 'gen_ai.conversation.id': 'conv-7' }) },
    items: [event({ event_type: 'llms', thread_id: 'conv-7' })],
  },
  {
    name: 'token counts written as numeric strings are read',
    span: {
      attributes: inSession({
        'gen_ai.operation.name': 'chat',
        'gen_ai.usage.input_tokens': '12',
        'gen_ai.usage.output_tokens': 'many',
      }),
    },
    items: [event({ prompt_tokens: 12, completion_tokens: null })],
  },
  {
    name: 'SDK tool event: JSON arguments and result',
    span: {
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
    },
    items: [event({ event_type: 'tools', name: 'search', params: { q: 'x' }, returns: [1, 2], logs: 'took 3 tries' })],
  },
  {
    name: 'SDK action event',
    span: {
      name: 'save',
      attributes: inSession({
        'agentops.event.type': 'actions',
        'agentops.action.type': 'save',
        'agentops.action.params': '{"path":"/tmp/x"}',
        'agentops.action.returns': 'ok',
        'agentops.action.screenshot': 'data:image/png;base64,AAAA',
      }),
    },
    items: [
      event({
        event_type: 'actions',
        action_type: 'save',
        params: { path: '/tmp/x' },
        returns: 'ok',
        screenshot: 'data:image/png;base64,AAAA',
      }),
    ],
  },
  {
    name: 'SDK error event with its trigger and exception',
    span: {
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
    },
    items: [
      event({
        event_type: 'errors',
        error_type: 'TypeError',
        code: 'E1',
        details: 'boom',
        logs: 'at x',
        trigger_event_id: '22222222-2222-4222-8222-222222222222',
        trigger_event_type: 'tools',
      }),
    ],
  },
  {
    name: 'SDK agent span: an agent, not an event',
    span: {
      name: 'invoke_agent planner',
      attributes: inSession({
        'agentops.event.type': 'agents',
        'gen_ai.agent.id': 'a-1',
        'gen_ai.agent.name': 'planner',
      }),
    },
    exact: true,
    items: [
      { kind: 'agent', sessionId: SESSION_ID, agent: { id: 'a-1', name: 'planner', span_id: 'b7ad6b7169203331' } },
    ],
  },
  // Sessions
  {
    name: 'an ended session root, Failure spelled "Fail" on the wire',
    span: {
      name: 'agentops.session',
      ended: true,
      attributes: inSession({
        'agentops.session.tags': ['a', 'b', '', 'a'],
        'agentops.session.end_state': 'Failure',
        'agentops.session.end_state_reason': 'Interrupted by SIGINT',
      }),
    },
    items: [
      {
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
      },
    ],
  },
  {
    name: "a session root's user, environment and release",
    span: {
      name: 'agentops.session',
      attributes: inSession({
        'user.id': 'u-42',
        'deployment.environment.name': 'staging',
        'agentops.session.release': '1.4.2',
      }),
    },
    items: [{ kind: 'session', session: { user_id: 'u-42', environment: 'staging', release: '1.4.2' } }],
  },
  {
    name: "a session root without them takes its resource's environment and service.version",
    span: {
      name: 'agentops.session',
      attributes: inSession({}),
      resource: { attributes: { 'deployment.environment.name': 'production', 'service.version': '2.0.0' } },
    },
    items: [{ kind: 'session', session: { user_id: null, environment: 'production', release: '2.0.0' } }],
  },
  {
    name: 'an inherited session says nothing of its user, environment or release',
    span: {
      name: 'agentops.session',
      attributes: inSession({
        'agentops.session.inherited': true,
        'user.id': 'other',
        'deployment.environment.name': 'dev',
      }),
    },
    items: [
      {
        kind: 'session',
        session: expect.not.objectContaining({ user_id: expect.anything(), environment: expect.anything() }),
      },
    ],
  },
  {
    name: 'an LLM call whose conversation is only its session has no thread of its own',
    span: {
      attributes: inSession({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.conversation.id': SESSION_ID,
      }),
    },
    items: [event({ event_type: 'llms', thread_id: null })],
  },
  {
    name: 'an LLM call in a conversation of its own keeps it as its thread',
    span: {
      attributes: inSession({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.conversation.id': 'conv-7',
      }),
    },
    items: [event({ event_type: 'llms', thread_id: 'conv-7' })],
  },
  {
    name: 'a running session has no end',
    span: { name: 'agentops.session', ended: false, endTime: [0, 0], attributes: inSession({}) },
    items: [{ kind: 'session', ended: false, session: { end_timestamp: null, end_state: null } }],
  },
  {
    name: 'an inherited session not ended explicitly says nothing of its end, tags or host',
    span: {
      name: 'agentops.session',
      ended: true,
      attributes: inSession({ 'agentops.session.inherited': true, 'agentops.session.tags': [] }),
    },
    items: [
      {
        kind: 'session',
        inherited: true,
        session: expect.not.objectContaining({ tags: expect.anything(), host_env: expect.anything() }),
      },
    ],
  },
  {
    name: 'an inherited session keeps end_state and end_timestamp null',
    span: { name: 'agentops.session', ended: true, attributes: inSession({ 'agentops.session.inherited': true }) },
    items: [{ kind: 'session', session: { end_state: null, end_timestamp: null } }],
  },
  // Foreign spans
  {
    name: 'a span outside any session maps to nothing',
    span: { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } },
    exact: true,
    items: [],
  },
  {
    name: 'with traceIdFallback a span joins the session its trace id names',
    span: { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } },
    options: { traceIdFallback: true },
    items: [event({ event_type: 'llms', session_id: SESSION_ID })],
  },
  {
    name: 'HTTP spans are not sent by default',
    span: { name: 'GET /api', attributes: inSession({ 'http.request.method': 'GET' }) },
    exact: true,
    items: [],
  },
  {
    name: 'with exportAllSpans HTTP spans go as actions',
    span: { name: 'GET /api', attributes: inSession({ 'http.request.method': 'GET' }) },
    options: { filter: exportAllSpansFilter },
    items: [event({ event_type: 'actions', action_type: 'GET /api' })],
  },
  {
    name: 'a failed foreign LLM span also stands for an error event',
    span: {
      status: { code: SpanStatusCode.ERROR, message: '429 Too Many Requests' },
      attributes: inSession({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'error.type': 'RateLimitError',
      }),
    },
    items: [
      event({ event_type: 'llms' }),
      event({
        event_type: 'errors',
        error_type: 'RateLimitError',
        details: '429 Too Many Requests',
        trigger_event_type: 'llms',
      }),
    ],
  },
  {
    name: 'with full outboxes events are counted, not built (a failed foreign span counts twice)',
    span: {
      status: { code: SpanStatusCode.ERROR },
      attributes: inSession({ 'gen_ai.operation.name': 'chat' }),
    },
    options: { eventsFull: true },
    exact: true,
    items: [{ kind: 'dropped', sessionId: SESSION_ID, count: 2 }],
  },
  {
    name: 'OpenLLMetry: indexed prompts and completions, usage',
    span: {
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
    },
    items: [
      event({
        model: 'gpt-4o-2024-08-06',
        provider: 'openai',
        prompt: [{ role: 'user', content: 'Hi' }],
        completion: { role: 'assistant', content: 'Hello' },
        prompt_tokens: 5,
        completion_tokens: 7,
      }),
    ],
  },
  {
    name: 'OpenLLMetry: a tool from traceloop.entity.*',
    span: {
      name: 'search.tool',
      attributes: inSession({
        'traceloop.span.kind': 'tool',
        'traceloop.entity.name': 'search',
        'traceloop.entity.input': '{"q":"x"}',
        'traceloop.entity.output': '"found"',
      }),
    },
    items: [event({ event_type: 'tools', name: 'search', params: { q: 'x' }, returns: 'found' })],
  },
  {
    name: 'OpenLLMetry: an agent named by traceloop.entity.name',
    span: {
      name: 'planner.agent',
      attributes: inSession({ 'traceloop.span.kind': 'agent', 'traceloop.entity.name': 'planner' }),
    },
    items: [{ kind: 'agent', agent: { name: 'planner' } }],
  },
  {
    name: 'OpenInference: messages and token counts',
    span: {
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
    },
    items: [
      event({
        model: 'claude-3-5-sonnet-20241022',
        provider: 'anthropic',
        prompt: [{ role: 'user', content: 'What is 2+2?' }],
        completion: { role: 'assistant', content: '4' },
        prompt_tokens: 11,
        completion_tokens: 1,
      }),
    ],
  },
  {
    name: 'OpenInference: plain input.value and output.value',
    span: { attributes: inSession({ 'openinference.span.kind': 'LLM', 'input.value': 'Q?', 'output.value': 'A.' }) },
    items: [event({ prompt: 'Q?', completion: { role: 'assistant', content: 'A.' } })],
  },
  {
    name: 'OpenInference: a tool with tool.name and input/output values',
    span: {
      attributes: inSession({
        'openinference.span.kind': 'TOOL',
        'tool.name': 'calc',
        'input.value': '{"a":1}',
        'output.value': '2',
      }),
    },
    items: [event({ event_type: 'tools', name: 'calc', params: { a: 1 }, returns: 2 })],
  },
  {
    name: 'Vercel AI SDK: prompt messages stored as a JSON string',
    span: {
      attributes: inSession({
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.id': 'gpt-4o-mini',
        'ai.model.provider': 'openai.chat',
        'ai.prompt.messages': JSON.stringify([{ role: 'user', content: [{ type: 'text', text: 'Hey' }] }]),
        'ai.response.text': 'Hi there',
        'ai.usage.promptTokens': 3,
        'ai.usage.completionTokens': 2,
      }),
    },
    items: [
      event({
        model: 'gpt-4o-mini',
        provider: 'openai.chat',
        prompt: [{ role: 'user', content: [{ type: 'text', text: 'Hey' }] }],
        completion: { role: 'assistant', content: 'Hi there' },
        prompt_tokens: 3,
        completion_tokens: 2,
      }),
    ],
  },
  {
    name: "this SDK's workflow: an action of kind workflow",
    span: {
      name: 'invoke_workflow checkout',
      attributes: inSession({
        'agentops.event.type': 'actions',
        'agentops.action.type': 'checkout',
        'agentops.span.kind': 'workflow',
        'gen_ai.operation.name': 'invoke_workflow',
      }),
    },
    items: [event({ event_type: 'actions', action_type: 'checkout', action_kind: 'workflow' })],
  },
  {
    name: 'a GenAI invoke_workflow span of another library is a workflow',
    span: { name: 'invoke_workflow triage', attributes: inSession({ 'gen_ai.operation.name': 'invoke_workflow' }) },
    items: [event({ event_type: 'actions', action_kind: 'workflow' })],
  },
  {
    name: "OpenLLMetry's task: an action of kind task",
    span: {
      name: 'summarize.task',
      attributes: inSession({ 'traceloop.span.kind': 'task', 'traceloop.entity.name': 'summarize' }),
    },
    items: [event({ event_type: 'actions', action_type: 'summarize', action_kind: 'task' })],
  },
  {
    name: 'a plain action has no kind',
    span: {
      name: 'click',
      attributes: inSession({ 'agentops.event.type': 'actions', 'agentops.action.type': 'click' }),
    },
    items: [event(expect.objectContaining({ action_type: 'click' }))],
  },
  {
    name: 'a plain action has no action_kind field',
    span: {
      name: 'click',
      attributes: inSession({ 'agentops.event.type': 'actions', 'agentops.action.type': 'click' }),
    },
    items: [event(expect.not.objectContaining({ action_kind: expect.anything() }))],
  },
  {
    name: 'Vercel AI SDK: a tool call',
    span: {
      attributes: inSession({
        'ai.operationId': 'ai.toolCall',
        'ai.toolCall.name': 'weather',
        'ai.toolCall.args': '{"city":"Oslo"}',
        'ai.toolCall.result': '{"c":3}',
      }),
    },
    items: [event({ event_type: 'tools', name: 'weather', params: { city: 'Oslo' }, returns: { c: 3 } })],
  },
  {
    name: 'an MCP tool call names the server it went to',
    span: {
      name: 'tools/call get_weather',
      attributes: inSession({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'get_weather',
        'agentops.peer.protocol': 'mcp',
        'agentops.peer.name': 'weather',
        'agentops.peer.version': '1.2.0',
      }),
    },
    items: [
      event({ event_type: 'tools', name: 'get_weather', peer: { protocol: 'mcp', name: 'weather', version: '1.2.0' } }),
    ],
  },
  {
    name: 'an A2A call names the agent it went to (no version: none said)',
    span: {
      name: 'invoke_agent Weather Agent',
      attributes: inSession({
        'agentops.action.type': 'invoke_agent Weather Agent',
        'agentops.peer.protocol': 'a2a',
        'agentops.peer.name': 'Weather Agent',
      }),
    },
    items: [event({ event_type: 'actions', peer: { protocol: 'a2a', name: 'Weather Agent' } })],
  },
  {
    name: 'a peer of an unknown protocol is no peer',
    span: {
      name: 'tools/call x',
      attributes: inSession({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'x',
        'agentops.peer.protocol': 'grpc',
        'agentops.peer.name': 'svc',
      }),
    },
    items: [event(expect.not.objectContaining({ peer: expect.anything() }))],
  },
  {
    name: 'a peer without a name is no peer',
    span: {
      name: 'tools/call x',
      attributes: inSession({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'x',
        'agentops.peer.protocol': 'mcp',
        'agentops.peer.name': '',
      }),
    },
    items: [event(expect.not.objectContaining({ peer: expect.anything() }))],
  },
];

describe('mapSpan', () => {
  it.each(mapCases)('$name', ({ span: partial, options, items, exact }) => {
    const mapped = mapSpan(span(partial), options);
    if (exact) expect(mapped).toEqual(items);
    else expect(mapped).toMatchObject(items);
  });

  it('gives foreign spans stable derived ids, so a re-sent batch maps to the same events', () => {
    const s = span({ attributes: inSession({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' }) });
    const a = only(mapSpan(s));
    const b = only(mapSpan(s));
    expect(a.id).toBe(b.id);
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('names the failed foreign span as the trigger of the error event it stands for', () => {
    const [llm, error] = mapSpan(
      span({ status: { code: SpanStatusCode.ERROR }, attributes: inSession({ 'gen_ai.operation.name': 'chat' }) }),
    ).map((i) => (i.kind === 'event' ? i.event : undefined));
    expect(error?.event_type === 'errors' && error.trigger_event_id).toBe(llm?.id);
    expect(error?.id).not.toBe(llm?.id);
  });

  it("a span a convention says stands between events (Claude Code's tool execution) is a link to its parent", () => {
    const parentSpanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    };
    const execution = { name: 'claude_code.tool.execution', attributes: inSession({}), parentSpanContext };
    expect(mapSpan(span(execution))).toEqual([
      {
        kind: 'link',
        sessionId: SESSION_ID,
        link: { span_id: 'b7ad6b7169203331', parent_span_id: '00f067aa0ba902b7' },
      },
    ]);
    // Without a parent there is nothing to see through; any other span that is no event is nothing.
    expect(mapSpan(span({ ...execution, parentSpanContext: undefined }))).toEqual([]);
    expect(mapSpan(span({ ...execution, name: 'claude_code.tool.blocked_on_user' }))).toEqual([]);
    // Sent as an action when every span is exported: an event, under which its children nest as they are.
    expect(mapSpan(span(execution), { filter: exportAllSpansFilter })).toMatchObject([{ kind: 'event' }]);
  });
});

describe('mapSpan with traceIsSession (each trace a session)', () => {
  const parent = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: 1 };
  const llm = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 3 };

  it("a child span without a session id joins its trace's session; only the root ends it", () => {
    const child = mapSpan(span({ attributes: llm, parentSpanContext: parent }), { traceIsSession: true });
    expect(child.map((i) => [i.kind, i.sessionId])).toEqual([['event', SESSION_ID]]);
    const root = mapSpan(span({ name: 'handle request' }), { traceIsSession: true });
    expect(root).toEqual([
      expect.objectContaining({
        kind: 'session',
        sessionId: SESSION_ID,
        ended: true,
        session: expect.objectContaining({
          session_id: SESSION_ID,
          init_timestamp: '2024-05-01T12:00:00.000000Z',
          end_timestamp: '2024-05-01T12:00:01.500000Z',
          end_state: 'Success',
          end_state_reason: null,
        }),
      }),
    ]);
  });

  it('a root that failed ends its session as Failure with its status message; a root LLM call is an event too', () => {
    const items = mapSpan(span({ attributes: llm, status: { code: SpanStatusCode.ERROR, message: 'rate limited' } }), {
      traceIsSession: true,
    });
    expect(items.map((i) => i.kind)).toEqual(['event', 'event', 'session']);
    expect(items[2]).toMatchObject({ session: { end_state: 'Fail', end_state_reason: 'rate limited' } });
  });

  it("without it, spans without a session id are no session's", () => {
    expect(mapSpan(span({ attributes: llm }))).toEqual([]);
  });
});
