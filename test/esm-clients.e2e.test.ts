/**
 * An ES module app that imports its LLM clients statically (so before init()) and calls them at
 * once is recorded all the same: Google's Gen AI SDK through its ES module build, patched by init()
 * where it is loaded, and Bedrock's runtime client, a CommonJS module already in the require cache,
 * patched there.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode } from './helpers/child.js';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const app = fileURLToPath(new URL('./fixtures/esm-clients-app.mjs', import.meta.url));
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
    NODE_NO_WARNINGS: '1',
  });
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
    id: string;
    gemini: string;
    bedrock: string;
  };
  expect(out).toMatchObject({ gemini: 'It is sunny in Paris.', bedrock: 'Lisbon has seven hills.' });
  const data = await server.exported(out.id);
  expect(data.llms.map((l) => [l.provider, l.model, l.prompt_tokens])).toEqual([
    ['gcp.gemini', 'gemini-2.5-flash', 1200],
    ['aws', 'claude-3-5-haiku-20241022', 25],
  ]);
});
