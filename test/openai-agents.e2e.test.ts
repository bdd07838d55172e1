/**
 * `@openai/agents` (the real package, loaded the CommonJS way so that `openai` 7 under it is also
 * patched by the OpenAI instrumentation) against a local fake of the Responses API, recorded with
 * no code: a run is a session (or joins the open one) with its agents, LLM calls (tokens, cached and
 * reasoning ones, and cost), tool calls, handoffs and guardrails, each model call once.
 */
import { createRequire } from 'node:module';
import * as agentops from 'agentops';
import { beforeAll, describe, expect, it } from 'vitest';
import { sdkSuite } from './helpers/sdk-suite.js';

type AgentsModule = typeof import('@openai/agents');

const suite = sdkSuite({ fake: true });
let agents: AgentsModule;

beforeAll(() => {
  process.env.OPENAI_API_KEY = 'sk-test-agents';
  process.env.OPENAI_BASE_URL = suite.fake.url;
});

/**
 * init() (which loads the Agents SDK, when installed, and adds its processor after OpenAI's), then
 * the Agents SDK as the app loads it; OpenAI's own trace export is taken out (its ingest is not
 * reachable here), and tracing is turned on (it is off by default under NODE_ENV=test).
 */
function start(options: agentops.InitOptions = {}) {
  const session = agentops.init({ ...suite.options(), autoStartSession: false, ...options });
  agents = createRequire(import.meta.url)('@openai/agents') as AgentsModule;
  const ours = (globalThis as Record<symbol, { processor: unknown } | undefined>)[
    Symbol.for('agentops.sdk.openai-agents.processor.v1')
  ]?.processor;
  expect(ours).toBeDefined();
  agents.setTraceProcessors([ours as Parameters<AgentsModule['setTraceProcessors']>[0][number]]);
  agents.setTracingDisabled(false);
  return session;
}

async function sessionsTagged(tag: string): Promise<string[]> {
  const res = await suite.server.get<{ sessions: { session_id: string }[] }>(
    `/v2/sessions?tag=${encodeURIComponent(tag)}`,
  );
  return res.body.sessions.map((s) => s.session_id);
}

function weatherAgents(a: AgentsModule) {
  const getWeather = a.tool({
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
    strict: true,
    execute: async (input: unknown) => `sunny in ${(input as { city: string }).city}`,
  });
  const weather = new a.Agent({
    name: 'Weather',
    instructions: 'Say the weather.',
    model: 'gpt-4o-mini',
    tools: [getWeather],
  });
  const triage = new a.Agent({
    name: 'Triage',
    instructions: 'Hand weather questions to Weather.',
    model: 'gpt-4o-mini',
    handoffs: [weather],
  });
  return { triage, weather };
}

describe('@openai/agents', () => {
  it('a run is a session of its own: agents, LLM calls with cached tokens and cost, the tool call and the handoff', async () => {
    start();
    const { triage } = weatherAgents(agents);
    const result = await agents.withTrace('weather-run', () => agents.run(triage, 'Weather in Paris?'));
    expect(result.finalOutput).toBe('It is sunny in Paris.');
    await agentops.shutdown();

    const ids = await sessionsTagged('weather-run');
    expect(ids).toHaveLength(1);
    const data = await suite.server.exported(ids[0] as string);
    expect(data.session.tags).toEqual(['openai-agents', 'weather-run']);
    expect(data.session.end_state).toBe('Success');
    expect(data.agents.map((a) => a.name).sort()).toEqual(['Triage', 'Weather']);
    // Three model calls (triage's handoff, the tool call, the answer), each recorded once although
    // the OpenAI instrumentation traced them too.
    expect(suite.fake.requests.filter((r) => r.path === '/v1/responses')).toHaveLength(3);
    expect(data.llms).toHaveLength(3);
    for (const llm of data.llms) {
      expect(llm).toMatchObject({
        model: 'gpt-4o-mini-2024-07-18',
        provider: 'openai',
        prompt_tokens: 1200,
        completion_tokens: 40,
        cache_read_tokens: 1000,
        reasoning_tokens: 8,
      });
      // gpt-4o-mini: $0.15/M input, $0.075/M cached input, $0.60/M output.
      expect(llm.cost).toBe(((200 * 0.15 + 1000 * 0.075 + 40 * 0.6) / 1e6).toFixed(6));
    }
    const answer = data.llms.find((l) => JSON.stringify(l.completion).includes('It is sunny in Paris.'));
    expect(answer?.prompt).toEqual(
      expect.arrayContaining([expect.objectContaining({ role: 'user', content: 'Weather in Paris?' })]),
    );
    expect(data.tools).toHaveLength(1);
    expect(data.tools[0]).toMatchObject({ name: 'get_weather', params: { city: 'Paris' }, returns: 'sunny in Paris' });
    expect(data.actions.map((a) => a.action_type)).toEqual(['handoff to Weather']);
    expect(data.actions[0]?.params).toEqual({ from_agent: 'Triage', to_agent: 'Weather' });
    // Nested as the run was: the tool call under the Weather agent's span.
    const weatherSpan = data.agents.find((a) => a.name === 'Weather')?.span_id;
    expect(data.tools[0]?.parent_span_id).toBe(weatherSpan);
    // Every event names the agent it ran under: the handoff and the first call Triage, the rest Weather.
    const agentIds = Object.fromEntries(data.agents.map((a) => [a.name, a.id]));
    expect(data.tools[0]?.agent_id).toBe(agentIds.Weather);
    expect(data.actions[0]?.agent_id).toBe(agentIds.Triage);
    expect(data.llms.map((l) => l.agent_id).sort()).toEqual(
      [agentIds.Triage, agentIds.Weather, agentIds.Weather].sort(),
    );
    expect(data.stats.cost).toBe(((3 * (200 * 0.15 + 1000 * 0.075 + 40 * 0.6)) / 1e6).toFixed(6));
  });

  it('a run inside an open session joins it, and the session is not ended with the run', async () => {
    const session = start({ autoStartSession: true });
    if (!session) throw new Error('no session');
    const { weather } = weatherAgents(agents);
    await session.run(() => agents.run(weather, 'Weather in Paris?'));
    expect(session.ended).toBe(false);
    session.record(new agentops.ActionEvent({ actionType: 'after-the-run' }));
    await session.endSession('Success');
    const data = await suite.server.exported(session.id);
    expect(data.llms).toHaveLength(2);
    expect(data.tools.map((t) => t.name)).toEqual(['get_weather']);
    expect(data.agents.map((a) => a.name)).toEqual(['Weather']);
    expect(data.actions.map((a) => a.action_type)).toEqual(['after-the-run']);
  });

  it('a guardrail whose tripwire fires ends the run, and its session, as a failure with an error', async () => {
    start();
    const guarded = new agents.Agent({
      name: 'Guarded',
      instructions: 'Answer.',
      model: 'gpt-4o-mini',
      inputGuardrails: [
        { name: 'no_secrets', execute: async () => ({ tripwireTriggered: true, outputInfo: { reason: 'secret' } }) },
      ],
    });
    await expect(agents.withTrace('guarded-run', () => agents.run(guarded, 'my password is hunter2'))).rejects.toThrow(
      agents.InputGuardrailTripwireTriggered,
    );
    await agentops.shutdown();
    const [id] = await sessionsTagged('guarded-run');
    const data = await suite.server.exported(id as string);
    expect(data.session.end_state).toBe('Fail');
    expect(data.session.end_state_reason).toBe('guardrail no_secrets triggered');
    expect(data.actions.map((a) => [a.action_type, a.returns])).toEqual([
      ['guardrail no_secrets', { triggered: true }],
    ]);
    expect(data.errors).toHaveLength(1);
    expect(data.errors[0]).toMatchObject({
      error_type: 'GuardrailTripwireTriggered',
      details: 'guardrail no_secrets triggered',
      trigger_event_id: data.actions[0]?.id,
    });
  });

  it('with captureContent false, nothing of the prompts, completions or tool arguments is sent', async () => {
    start({ captureContent: false });
    const { weather } = weatherAgents(agents);
    await agents.withTrace('no-content-run', () => agents.run(weather, 'Weather in Paris?'));
    await agentops.shutdown();
    const [id] = await sessionsTagged('no-content-run');
    const data = await suite.server.exported(id as string);
    expect(data.llms).toHaveLength(2);
    for (const llm of data.llms) {
      expect(llm.prompt).toBeNull();
      expect(llm.completion).toBeNull();
      expect(llm.prompt_tokens).toBe(1200);
    }
    expect(data.tools[0]?.params ?? null).toBeNull();
    expect(data.tools[0]?.returns ?? null).toBeNull();
  });
});
