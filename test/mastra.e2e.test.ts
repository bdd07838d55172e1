/**
 * Mastra (`@mastra/core` 1.x, with Mastra's own OpenTelemetry bridge installed) recorded with no
 * code: an app that configures no observability and calls only agentops.init(). An agent with a tool
 * answers against the local fake OpenAI API (two model requests: the tool call, then the answer);
 * the session has the agent, its model generation with the tokens of both requests and their cost,
 * and the tool call with its arguments and result, in an ES module app (the classes imported before
 * init()) and a CommonJS one (required after). Mastra needs Node >= 22.13, which the Node 24 leg has.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from './helpers/child.js';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const mastraRuns = major > 22 || (major === 22 && minor >= 13);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe.runIf(mastraRuns)('Mastra', () => {
  let server: TestServer;
  let fake: FakeOpenAI;
  beforeAll(async () => {
    server = await startTestServer();
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
    await server.stop();
  });

  const run = async (app: string, env: Record<string, string> = {}) => {
    const r = await runNode(fixture(app), [], {
      AGENTOPS_API_KEY: server.apiKey,
      AGENTOPS_API_ENDPOINT: server.url,
      OPENAI_BASE_URL: fake.url,
      NODE_NO_WARNINGS: '1',
      ...env,
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { id: string; answer: string };
    expect(out.answer).toBe('Paris is the capital of France.');
    return { out, stderr: r.stderr, data: await server.exported(out.id) };
  };

  it.each(['mastra-app.mjs', 'mastra-app.cjs'])(
    '%s: the agent, its LLM calls with tokens and cost, the tool call',
    async (app) => {
      const { data } = await run(app);
      expect(data.agents.map((a) => a.name)).toEqual(['Trip planner']);
      expect(data.llms).toHaveLength(1);
      expect(data.llms[0]).toMatchObject({ provider: 'openai.chat', prompt_tokens: 48, completion_tokens: 16 });
      // gpt-4o-mini: $0.15 / $0.60 per million tokens.
      expect(Number(data.llms[0]?.cost)).toBeCloseTo(48 * 0.15e-6 + 16 * 0.6e-6, 6);
      expect(data.tools).toHaveLength(1);
      expect(data.tools[0]).toMatchObject({
        name: 'get_weather',
        params: { city: 'Paris' },
        returns: { forecast: 'sunny in Paris' },
      });
      const agentId = data.agents[0]?.id;
      expect([...data.llms, ...data.tools].map((e) => e.agent_id)).toEqual([agentId, agentId]);
    },
  );

  it("an app that configures Mastra's observability with the bridge itself: each span recorded once", async () => {
    const { data } = await run('mastra-app.mjs', { OWN_OBSERVABILITY: '1' });
    expect(data.agents.map((a) => a.name)).toEqual(['Trip planner']);
    expect(data.llms.map((l) => [l.prompt_tokens, l.completion_tokens])).toEqual([[48, 16]]);
    expect(data.tools.map((t) => t.name)).toEqual(['get_weather']);
  });

  it('with captureContent: false, no prompt, completion, instruction or tool argument and result is sent', async () => {
    const { data } = await run('mastra-app.mjs', { CONTENT: 'off' });
    expect(data.llms).toHaveLength(1);
    expect(data.llms[0]).toMatchObject({ prompt_tokens: 48, completion_tokens: 16 });
    expect(data.tools.map((t) => t.name)).toEqual(['get_weather']);
    const sent = JSON.stringify(data);
    for (const content of ['What is the weather', 'You plan trips', 'sunny in Paris', 'capital of France', '"city"'])
      expect(sent).not.toContain(content);
  });
});
