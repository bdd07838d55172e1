/** The attribute names AgentOps' current cloud reads, written beside a span's own: one case per kind. */
import { describe, expect, it } from 'vitest';
import { agentOpsV04Attributes } from '../src/index.js';
import { inSession, span } from './span-fixture.js';

describe('agentOpsV04Attributes', () => {
  it.each([
    [
      'an SDK LLM call: tokens under the names the backend reads, content flattened',
      span({
        attributes: inSession({
          'agentops.event.type': 'llms',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.output_tokens': 20,
          'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]),
          'gen_ai.output.messages': JSON.stringify([
            {
              role: 'assistant',
              parts: [{ type: 'tool_call', id: 'c1', name: 'search', arguments: { q: 'x' } }],
              finish_reason: 'tool_calls',
            },
          ]),
        }),
      }),
      {
        'agentops.span.kind': 'llm',
        'gen_ai.usage.prompt_tokens': 100,
        'gen_ai.usage.completion_tokens': 20,
        'gen_ai.usage.total_tokens': 120,
        'gen_ai.prompt.0.role': 'user',
        'gen_ai.prompt.0.content': 'Hi',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.finish_reason': 'tool_calls',
        'gen_ai.completion.0.tool_calls.0.id': 'c1',
        'gen_ai.completion.0.tool_calls.0.name': 'search',
        'gen_ai.completion.0.tool_calls.0.arguments': '{"q":"x"}',
      },
    ],
    [
      'a tool: its name and JSON arguments and result',
      span({
        attributes: inSession({
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'search',
          'gen_ai.tool.call.arguments': '{"q":"x"}',
          'gen_ai.tool.call.result': '[1,2]',
        }),
      }),
      {
        'agentops.span.kind': 'tool',
        'operation.name': 'search',
        'agentops.entity.input': '{"q":"x"}',
        'agentops.entity.output': '[1,2]',
      },
    ],
    [
      'an action',
      span({ attributes: inSession({ 'agentops.event.type': 'actions', 'agentops.action.type': 'plan' }) }),
      { 'agentops.span.kind': 'operation', 'operation.name': 'plan' },
    ],
    [
      'an agent',
      span({ attributes: inSession({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage' }) }),
      { 'agentops.span.kind': 'agent', 'operation.name': 'triage' },
    ],
    [
      'the session root: its tags',
      span({ name: 'agentops.session', attributes: inSession({ 'agentops.session.tags': ['a', 'b'] }) }),
      { 'agentops.span.kind': 'session', 'agentops.tags': ['a', 'b'] },
    ],
  ])('%s', (_name, input, expected) => {
    const out = agentOpsV04Attributes(input);
    expect(out).toMatchObject(expected);
    // Nothing the span has is written again.
    for (const key of Object.keys(out ?? {})) expect(input.attributes[key]).toBeUndefined();
  });

  it('a span outside any session, or of no agent work, gets nothing', () => {
    expect(agentOpsV04Attributes(span({ attributes: { 'gen_ai.operation.name': 'chat' } }))).toBeUndefined();
    expect(agentOpsV04Attributes(span({ attributes: inSession({ 'http.method': 'GET' }) }))).toBeUndefined();
  });

  it('never writes over what the span already says', () => {
    const out = agentOpsV04Attributes(
      span({
        attributes: inSession({
          'agentops.event.type': 'llms',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.prompt_tokens': 7,
        }),
      }),
    );
    expect(out?.['gen_ai.usage.prompt_tokens']).toBeUndefined();
  });
});
