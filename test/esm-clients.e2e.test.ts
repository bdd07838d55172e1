/**
 * An ES module app that imports its LLM clients statically (so before init()) and calls them at
 * once is recorded all the same: Google's Gen AI SDK and LangChain through their ES module builds,
 * patched by init() where they are loaded, and Bedrock's runtime client, a CommonJS module already
 * in the require cache, patched there. The OpenAI Agents SDK's ES module build: init() adds its
 * processor to the trace provider that build made, without loading the CommonJS build (which would
 * add the Agents SDK's console exporter to that provider and print every trace into the app's output).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode } from './helpers/child.js';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const app = fileURLToPath(new URL('./fixtures/esm-clients-app.mjs', import.meta.url));
const agentsApp = fileURLToPath(new URL('./fixtures/esm-agents-app.mjs', import.meta.url));
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

it('clients imported before init(): each call is an LLM call of the session', async () => {
  const r = await runNode(app, [], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    GEMINI_BASE_URL: fake.origin,
    BEDROCK_ENDPOINT: fake.bedrockEndpoint,
    OPENAI_BASE_URL: fake.url,
    NODE_NO_WARNINGS: '1',
  });
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, string>;
  expect(out).toMatchObject({
    gemini: 'It is sunny in Paris.',
    bedrock: 'Lisbon has seven hills.',
    langchain: 'Paris is the capital of France.',
  });
  const data = await server.exported(out.id as string);
  expect(data.llms.map((l) => [l.model, l.prompt_tokens])).toEqual([
    ['gemini-2.5-flash', 1200],
    ['claude-3-5-haiku-20241022', 25],
    ['gpt-4o-mini', 24], // through OpenInference's LangChain instrumentation, which names no provider
  ]);
  expect(data.llms.slice(0, 2).map((l) => l.provider)).toEqual(['gcp.gemini', 'aws']);
});

it('openai and Anthropic imported at the top of an ES module app, before init(), with no flag: each call is recorded', async () => {
  const r = await runNode(fileURLToPath(new URL('./fixtures/esm-openai-app.mjs', import.meta.url)), [], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    OPENAI_BASE_URL: fake.url,
    ANTHROPIC_BASE_URL: fake.url.replace(/\/v1$/, ''),
    NODE_NO_WARNINGS: '1',
  });
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { id: string; answer: string };
  expect(out.answer).toBe('Paris is the capital of France.');
  const data = await server.exported(out.id);
  expect(data.llms.map((l) => [l.model, l.provider, l.prompt_tokens, l.completion_tokens])).toEqual([
    ['gpt-4o-mini-2024-07-18', 'openai', 24, 8],
    ['gpt-4o-mini-2024-07-18', 'openai', 30, 5],
    ['claude-3-5-sonnet-20241022', 'anthropic', 21, 9],
  ]);
  // gpt-4o-mini: $0.15 / $0.60 per million tokens; claude-3-5-sonnet: $3 / $15.
  const expected = (24 + 30) * 0.15e-6 + (8 + 5) * 0.6e-6 + 21 * 3e-6 + 9 * 15e-6;
  expect(Number(data.stats.cost)).toBeCloseTo(expected, 6);
});

it('a run in an ES module app is recorded, and the app prints only what it prints', async () => {
  const r = await runNode(agentsApp, [], {
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
