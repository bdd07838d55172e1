/**
 * Evaluations and feedback (GenAI `gen_ai.evaluation.result`) through the built SDK and the real
 * local server: recorded while a session runs, parented to what they judge, sent after the fact
 * through the API, stored, counted in stats and exported; the same over OTLP; and a server that
 * has no create_evaluations (AgentOps' cloud) disturbs nothing else of the session.
 */
import { randomUUID } from 'node:crypto';
import type { SessionStats } from 'agentops';
import * as agentops from 'agentops';
import { describe, expect, it } from 'vitest';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { captureConsole } from './helpers/logs.js';
import { sdkSuite } from './helpers/sdk-suite.js';

const suite = sdkSuite();
const init = (options: agentops.InitOptions = {}) => suite.start(options);

describe('session.evaluate()', () => {
  it('records evaluations of an event, of a wrapped call and of the session, parented to what they judge', async () => {
    const session = init();
    const llm = new agentops.LLMEvent({ model: 'gpt-4o-mini', prompt: 'What is 2+2?', completion: '4' });
    session.record(llm);
    expect(
      await session.evaluate({
        name: 'correctness',
        score: 0.9,
        label: 'correct',
        explanation: 'The answer is right.',
        event: llm,
      }),
    ).toBe(true);
    const search = agentops.recordTool('search', async (q: string) => {
      expect(await session.evaluate({ name: 'tool_result', label: 'pass' })).toBe(true);
      return `results for ${q}`;
    });
    await session.run(() => search('cats'));
    expect(await session.evaluate({ name: 'user_feedback', score: 1, label: 'thumbs_up' })).toBe(true);
    const analytics = await session.getAnalytics();
    expect(analytics.evaluations).toBe(3);
    await session.endSession('Success');

    const data = await suite.server.exported(session.id);
    const byName = new Map((data.evaluations ?? []).map((e) => [e.name, e]));
    expect([...byName.keys()].sort()).toEqual(['correctness', 'tool_result', 'user_feedback']);
    const llmRow = data.llms[0];
    expect(byName.get('correctness')).toMatchObject({
      session_id: session.id,
      score: 0.9,
      label: 'correct',
      explanation: 'The answer is right.',
      event_id: llm.id,
      parent_span_id: llmRow?.span_id,
    });
    expect(llmRow?.id).toBe(llm.id);
    // Inside the wrapper, the evaluation judges the tool call it runs in.
    const tool = data.tools.find((t) => t.name === 'search');
    expect(byName.get('tool_result')).toMatchObject({ label: 'pass', score: null, parent_span_id: tool?.span_id });
    // Outside any event: the session itself (its root span, which no event has).
    const feedback = byName.get('user_feedback');
    expect(feedback?.event_id).toBeNull();
    expect([...data.llms, ...data.tools].some((e) => e.span_id === feedback?.parent_span_id)).toBe(false);
    expect(data.stats.evaluations).toBe(3);
    expect(data.stats.evaluation_scores).toEqual([
      { name: 'correctness', count: 1, mean_score: 0.9, labels: { correct: 1 } },
      { name: 'tool_result', count: 1, mean_score: null, labels: { pass: 1 } },
      { name: 'user_feedback', count: 1, mean_score: 1, labels: { thumbs_up: 1 } },
    ]);
  });

  it('after the session ended, through the API: on the session object and by id from anywhere', async () => {
    const session = init();
    const llm = new agentops.LLMEvent({ model: 'gpt-4o-mini', completion: 'hello' });
    session.record(llm);
    await session.endSession('Success');
    expect(await session.evaluate({ name: 'user_feedback', score: 0, label: 'thumbs_down' })).toBe(true);
    await agentops.shutdown();
    // Another process (no session open here): by id, judging an event by its id.
    agentops.init({
      apiKey: suite.server.apiKey,
      endpoint: suite.server.url,
      logLevel: 'silent',
      autoStartSession: false,
    });
    expect(
      await agentops.evaluateSession(session.id, { name: 'user_feedback', score: 1, eventId: llm.id, label: 'ok' }),
    ).toBe(true);

    const data = await suite.server.exported(session.id);
    expect(data.evaluations?.map((e) => [e.name, e.score, e.label, e.event_id])).toEqual([
      ['user_feedback', 0, 'thumbs_down', null],
      ['user_feedback', 1, 'ok', llm.id],
    ]);
    expect(data.evaluations?.every((e) => typeof e.id === 'string' && !Number.isNaN(Date.parse(e.timestamp)))).toBe(
      true,
    );
    const stats = (await suite.server.get<SessionStats>(`/v2/sessions/${session.id}/stats`)).body;
    expect(stats.evaluation_scores).toEqual([
      { name: 'user_feedback', count: 2, mean_score: 0.5, labels: { ok: 1, thumbs_down: 1 } },
    ]);
  });

  it('bad input is refused with a clear warning, and nothing else of the session is lost', async () => {
    const session = init();
    const logs = captureConsole();
    try {
      expect(await session.evaluate({ name: 'no-result' })).toBe(false);
      expect(await session.evaluate({ name: 'bad-score', score: Number.NaN })).toBe(false);
      expect(await session.evaluate({ name: 'huge-score', score: 1e308 })).toBe(false);
      expect(await session.evaluate({ name: '', score: 1 })).toBe(false);
      expect(await session.evaluate(null as unknown as agentops.Evaluation)).toBe(false);
      expect(await agentops.evaluateSession('not-a-session', { name: 'x', score: 1 })).toBe(false);
      expect(await agentops.evaluateSession(randomUUID(), { name: 'x', score: 1 })).toBe(false);
      session.record(new agentops.ActionEvent({ actionType: 'after-bad-input' }));
      await session.endSession('Success');
    } finally {
      logs.restore();
    }
    const warned = logs.lines.join('\n');
    expect(warned).toContain('evaluation "no-result" has neither a score nor a label');
    expect(warned).toContain('evaluation "bad-score": score must be a number from -1000000000 to 1000000000, not NaN');
    expect(warned).toContain('evaluation "huge-score": score must be a number from -1000000000 to 1000000000');
    expect(warned).toContain('an evaluation needs a name');
    expect(warned).toContain('is not a session id');
    expect(warned).toContain('an evaluation is an object');
    expect(warned).toMatch(/was not taken: .*POST \/v2\/sessions\/[0-9a-f-]+\/evaluations: 404 Session not found/);
    const data = await suite.server.exported(session.id);
    expect(data.evaluations).toEqual([]);
    expect(data.actions.map((a) => a.action_type)).toEqual(['after-bad-input']);
  });
});

describe('evaluations over the other ways spans travel', () => {
  it("with protocol 'otlp', the server maps the evaluation span from OTLP", async () => {
    const session = init({ protocol: 'otlp', exporterEndpoint: `${suite.server.url}/v1/traces` });
    const llm = new agentops.LLMEvent({ model: 'gpt-4o-mini', completion: 'hi' });
    session.record(llm);
    await session.evaluate({ name: 'relevance', score: 0.25, event: llm, responseId: 'chatcmpl-1' });
    await session.endSession('Success');
    const data = await suite.server.exported(session.id);
    expect(data.evaluations).toHaveLength(1);
    expect(data.evaluations?.[0]).toMatchObject({
      name: 'relevance',
      score: 0.25,
      event_id: llm.id,
      response_id: 'chatcmpl-1',
      parent_span_id: data.llms[0]?.span_id,
    });
  });

  it('a server without create_evaluations (404) drops them, says so once, and the rest is delivered', async () => {
    const proxy = await startFaultProxy(suite.server.url);
    proxy.setFault(({ path }) =>
      path === '/v2/create_evaluations'
        ? { kind: 'status', status: 404, body: '{"message":"Not Found"}' }
        : { kind: 'pass' },
    );
    const logs = captureConsole();
    let sessionId = '';
    try {
      const session = init({ endpoint: proxy.url });
      sessionId = session.id;
      session.record(new agentops.ActionEvent({ actionType: 'first' }));
      await session.evaluate({ name: 'quality', score: 1 });
      await agentops.flush();
      await session.evaluate({ name: 'quality', score: 0 });
      session.record(new agentops.ActionEvent({ actionType: 'second' }));
      await session.endSession('Success');
    } finally {
      logs.restore();
      await proxy.close();
    }
    const warnings = logs.lines.filter((l) => l.includes('does not take evaluations'));
    expect(warnings).toHaveLength(1);
    expect(proxy.requests.filter((r) => r.path === '/v2/create_evaluations')).toHaveLength(1);
    const data = await suite.server.exported(sessionId);
    expect(data.actions.map((a) => a.action_type).sort()).toEqual(['first', 'second']);
    expect(data.session.end_state).toBe('Success');
    expect(data.evaluations).toEqual([]);
  });
});
