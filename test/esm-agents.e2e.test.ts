/**
 * An ES module app on the OpenAI Agents SDK (issue 28, item 11): init() finds the Agents SDK's
 * trace provider its ES module build made and adds its processor there, without loading the
 * CommonJS build (which would add the Agents SDK's console exporter to that provider and print
 * `[Exporter] Export trace ...` lines into the app's output). The run is recorded all the same.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode } from './helpers/child.js';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const app = fileURLToPath(new URL('./fixtures/esm-agents-app.mjs', import.meta.url));
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

it('a run in an ES module app is recorded, and the app prints only what it prints', async () => {
  const r = await runNode(app, [], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    OPENAI_API_KEY: 'sk-test-esm-agents',
    OPENAI_BASE_URL: fake.url,
    // As an app runs (the Agents SDK turns its tracing off under NODE_ENV=test).
    NODE_ENV: 'production',
    NODE_NO_WARNINGS: '1',
  });
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines, r.stdout).toHaveLength(1);
  const out = JSON.parse(lines[0] as string) as { id: string; answer: string };
  expect(out.answer).toBeTruthy();
  const data = await server.exported(out.id);
  expect(data.llms.map((l) => l.model)).toEqual([expect.stringMatching(/^gpt-4o-mini/)]);
  expect(data.stats.agents).toBe(1);
});
