/**
 * Evaluation spans (GenAI `gen_ai.evaluation.result`) -> AgentOps evaluations: a table of shapes,
 * and their delivery (create_evaluations after the session's events; a server without the call).
 */
import { describe, expect, it } from 'vitest';
import { classifySpan, derivedEventId, mapSpan } from '../src/index.js';
import { inSession, SESSION_ID, span, TRACE_ID } from './span-fixture.js';

const JUDGED = { traceId: TRACE_ID, spanId: 'aaaaaaaaaaaaaaaa', traceFlags: 1 };

interface EvaluationCase {
  name: string;
  span: Parameters<typeof span>[0];
  expected: Record<string, unknown> | 'dropped' | 'nothing';
  eventsFull?: boolean;
}

const CASES: EvaluationCase[] = [
  {
    name: "the SDK's span: every field, parented to the judged span",
    span: {
      name: 'gen_ai.evaluation.result',
      parentSpanContext: JUDGED,
      attributes: inSession({
        'gen_ai.evaluation.name': 'relevance',
        'gen_ai.evaluation.score.value': 0.75,
        'gen_ai.evaluation.score.label': 'relevant',
        'gen_ai.evaluation.explanation': 'On topic.',
        'agentops.evaluation.event_id': '3f1c2a4e-0000-4000-8000-000000000001',
        'gen_ai.response.id': 'chatcmpl-9',
      }),
    },
    expected: {
      id: derivedEventId({ traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: 1 }, 'evaluation'),
      session_id: SESSION_ID,
      timestamp: '2024-05-01T12:00:00.000000Z',
      name: 'relevance',
      score: 0.75,
      label: 'relevant',
      explanation: 'On topic.',
      event_id: '3f1c2a4e-0000-4000-8000-000000000001',
      parent_span_id: 'aaaaaaaaaaaaaaaa',
      response_id: 'chatcmpl-9',
      origin: { host: 'box', pid: 42, service: 'svc' },
    },
  },
  {
    name: 'a label only: no score, nothing made up',
    span: {
      name: 'gen_ai.evaluation.result',
      attributes: inSession({ 'gen_ai.evaluation.name': 'toxicity', 'gen_ai.evaluation.score.label': 'none' }),
    },
    expected: { name: 'toxicity', score: null, label: 'none', event_id: null, parent_span_id: null },
  },
  {
    name: 'another name of span with the GenAI evaluation attributes (an evaluator library)',
    span: {
      name: 'judge answer',
      parentSpanContext: JUDGED,
      attributes: inSession({ 'gen_ai.evaluation.name': 'faithfulness', 'gen_ai.evaluation.score.value': 1 }),
    },
    expected: { name: 'faithfulness', score: 1, parent_span_id: 'aaaaaaaaaaaaaaaa' },
  },
  {
    name: 'a score that is not a number is no score',
    span: {
      name: 'gen_ai.evaluation.result',
      attributes: inSession({ 'gen_ai.evaluation.name': 'x', 'gen_ai.evaluation.score.value': 'high' }),
    },
    expected: { name: 'x', score: null },
  },
  {
    name: 'no name: still an evaluation, named so',
    span: { name: 'gen_ai.evaluation.result', attributes: inSession({ 'gen_ai.evaluation.score.value': 3 }) },
    expected: { name: 'evaluation', score: 3 },
  },
  {
    name: 'its own event id is kept',
    span: {
      name: 'gen_ai.evaluation.result',
      attributes: inSession({
        'gen_ai.evaluation.name': 'x',
        'gen_ai.evaluation.score.value': 1,
        'agentops.event.id': 'ev-1',
      }),
    },
    expected: { id: 'ev-1' },
  },
  {
    name: 'the outboxes are full: counted as dropped',
    span: { name: 'gen_ai.evaluation.result', attributes: inSession({ 'gen_ai.evaluation.name': 'x' }) },
    eventsFull: true,
    expected: 'dropped',
  },
  {
    name: 'outside any session: nothing',
    span: { name: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'x' } },
    expected: 'nothing',
  },
];

describe('evaluation spans', () => {
  it.each(CASES)('$name', ({ span: partial, expected, eventsFull }) => {
    const s = span(partial);
    const items = mapSpan(s, { eventsFull });
    if (expected === 'nothing') {
      expect(items).toEqual([]);
      return;
    }
    expect(classifySpan(s)).toBe('evaluations');
    if (expected === 'dropped') {
      expect(items).toEqual([{ kind: 'dropped', sessionId: SESSION_ID, count: 1 }]);
      return;
    }
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'evaluation', sessionId: SESSION_ID, evaluation: expected });
  });

  it('ids derived for an evaluation differ from the event, error and agent ids of the same span', () => {
    const ctx = { traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: 1 };
    const ids = new Set(['event', 'error', 'agent', 'evaluation'].map((p) => derivedEventId(ctx, p as 'event')));
    expect(ids.size).toBe(4);
  });
});
