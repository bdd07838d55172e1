/**
 * LLM auto-instrumentation: apps that call the real `openai` and `@anthropic-ai/sdk` clients (against local fakes of the
 * OpenAI API) gets LLM events with model, tokens, cost, prompt and completion, with no manual record.
 */
import { fileURLToPath } from 'node:url';
import type { SessionExport } from 'agentops';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode } from './helpers/child.js';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const app = fileURLToPath(new URL('./fixtures/openai-app.cjs', import.meta.url));
let server: TestServer;
let openai: FakeOpenAI;

beforeAll(async () => {
  server = await startTestServer();
  openai = await startFakeOpenAI();
});
afterAll(async () => {
  await openai.close();
  await server.stop();
});

async function run(env: Record<string, string> = {}) {
  const r = await runNode(app, [], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    OPENAI_BASE_URL: openai.url,
    ...env,
  });
  expect(r.code, r.stderr).toBe(0);
  const { id, cost } = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { id: string; cost: string };
  return { id, cost, exported: (await server.get<SessionExport>(`/v2/sessions/${id}/export`)).body };
}

it('chat, streaming, tool calls and embeddings become LLM events with tokens and cost', async () => {
  const { cost, exported } = await run();
  const llms = exported.llms;
  expect(llms).toHaveLength(4);
  const [chat, streamed, toolCall, embedding] = llms;
  expect(chat).toMatchObject({
    model: 'gpt-4o-mini-2024-07-18',
    provider: 'openai',
    prompt_tokens: 24,
    completion_tokens: 8,
    prompt: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'What is the capital of France?' },
    ],
    completion: { role: 'assistant', content: 'Paris is the capital of France.', finish_reason: 'stop' },
  });
  expect(streamed).toMatchObject({
    prompt_tokens: 30,
    completion_tokens: 5,
    completion: { role: 'assistant', content: 'Bonjour from the stream.' },
  });
  expect(toolCall?.completion).toMatchObject({
    role: 'assistant',
    tool_calls: [
      { id: 'call_W2b1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ],
  });
  expect(embedding).toMatchObject({ model: 'text-embedding-3-small', prompt_tokens: 5 });
  // gpt-4o-mini: $0.15 / $0.60 per million tokens; embeddings $0.02 per million.
  const expected = (24 + 30 + 24) * 0.15e-6 + (8 + 5 + 8) * 0.6e-6 + 5 * 0.02e-6;
  expect(Number(exported.stats.cost)).toBeCloseTo(expected, 6);
  expect(cost).toBe(exported.stats.cost);
});

const cachedApp = (file: string) => fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));

it.each([
  ['a CommonJS app', 'openai-cached-app.cjs', {}],
  ['an ES module app, openai imported before init()', 'openai-cached-app.mjs', {}],
  [
    'an ES module app with no AgentOps code, under --import agentops/register',
    'openai-cached-app.mjs',
    { REGISTERED: '1', NODE_OPTIONS: `--import=${import.meta.resolve('agentops/register')}` },
  ],
])(
  "%s: OpenAI's cached prompt tokens are priced at the cache rate, and reasoning tokens recorded, streamed or not",
  async (_app, file, env) => {
    const before = new Set(
      (await server.get<{ sessions: { session_id: string }[] }>('/v2/sessions')).body.sessions.map((s) => s.session_id),
    );
    const r = await runNode(cachedApp(file), [], {
      AGENTOPS_API_KEY: server.apiKey,
      AGENTOPS_API_ENDPOINT: server.url,
      OPENAI_BASE_URL: openai.url,
      ...env,
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { id?: string; cost?: string };
    // Under register the session is the one it opened (ended by the exit handler).
    const fresh = (await server.get<{ sessions: { session_id: string }[] }>('/v2/sessions')).body.sessions
      .map((s) => s.session_id)
      .filter((s) => !before.has(s));
    expect(fresh).toHaveLength(1);
    const id = out.id ?? (fresh[0] as string);
    const exported = (await server.get<SessionExport>(`/v2/sessions/${id}/export`)).body;
    const tokens = exported.llms.map((e) => [
      e.prompt_tokens,
      e.cache_read_tokens,
      e.completion_tokens,
      e.reasoning_tokens,
    ]);
    // Chat completions (plain, streamed): 16 of the prompt's tokens cached, 3 spent reasoning; the
    // Responses API (plain, streamed): 1,000 of 1,200 cached, 8 of 40 reasoning.
    expect(tokens).toEqual([
      [24, 16, 8, 3],
      [30, 16, 5, 3],
      [1200, 1000, 40, 8],
      [1200, 1000, 40, 8],
    ]);
    // gpt-4o-mini: input $0.15, cached input $0.075, output $0.60 per million tokens (reasoning is output).
    const price = (input: number, cached: number, output: number) =>
      (input - cached) * 0.15e-6 + cached * 0.075e-6 + output * 0.6e-6;
    const each = [price(24, 16, 8), price(30, 16, 5), price(1200, 1000, 40), price(1200, 1000, 40)];
    // Each event's cost as money is given everywhere it is read: USD to six decimal places.
    expect(exported.llms.map((e) => e.cost)).toEqual(['0.000007', '0.000006', '0.000129', '0.000129']);
    expect(each.map((c) => c.toFixed(6))).toEqual(['0.000007', '0.000006', '0.000129', '0.000129']);
    // The session's cost is given rounded to the millionth of a dollar ($0.000424 without the cache rate).
    const total = each.reduce((a, b) => a + b);
    expect(Math.abs(Number(exported.stats.cost) - total)).toBeLessThanOrEqual(0.5e-6 + 1e-12);
    if (out.cost !== undefined) expect(out.cost).toBe(exported.stats.cost);
  },
);

it('captureContent: false keeps tokens and cost but no prompt or completion text', async () => {
  const { exported } = await run({ CAPTURE: 'false' });
  expect(exported.llms).toHaveLength(4);
  expect(exported.llms[0]?.prompt_tokens).toBe(24);
  expect(JSON.stringify(exported.llms)).not.toContain('capital of France');
});

it.each([
  ['gen_ai_latest_experimental', 'NO_CONTENT', false],
  ['gen_ai_latest_experimental', 'EVENT_ONLY', false],
  ['http,gen_ai_latest_experimental', 'SPAN_ONLY', true],
  ['', 'false', false],
  ['', 'true', true],
])(
  'OTEL_SEMCONV_STABILITY_OPT_IN=%j, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=%s: content captured %s',
  async (optIn, mode, captured) => {
    const { exported } = await run({
      OTEL_SEMCONV_STABILITY_OPT_IN: optIn,
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: mode,
    });
    expect(exported.llms).toHaveLength(4);
    expect(exported.llms[0]?.prompt_tokens).toBe(24);
    expect(JSON.stringify(exported.llms).includes('capital of France')).toBe(captured);
  },
);

const anthropicApp = fileURLToPath(new URL('./fixtures/anthropic-app.cjs', import.meta.url));

/** Runs the Anthropic app against the fake API; what it printed, and the session's export. */
async function runAnthropic(env: Record<string, string> = {}) {
  const r = await runNode(anthropicApp, [], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    ANTHROPIC_BASE_URL: openai.url.replace(/\/v1$/, ''),
    ...env,
  });
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
    id: string;
    cost: string;
    stats: { cost: string; prompt_tokens: number };
  };
  return { ...out, exported: (await server.get<SessionExport>(`/v2/sessions/${out.id}/export`)).body };
}

it('Anthropic messages become LLM events with tokens, cost and content', async () => {
  const { cost, exported } = await runAnthropic();
  expect(exported.llms).toHaveLength(1);
  expect(exported.llms[0]).toMatchObject({
    model: 'claude-3-5-sonnet-20241022',
    prompt_tokens: 21,
    completion_tokens: 9,
    prompt: [{ role: 'user', content: 'Tell me one fact about Lisbon.' }],
  });
  expect(JSON.stringify(exported.llms[0]?.completion)).toContain('Lisbon has seven hills.');
  // claude-3-5-sonnet: $3 / $15 per million tokens.
  expect(Number(cost)).toBeCloseTo(21 * 3e-6 + 9 * 15e-6, 6);
});

it("a cached Anthropic call is priced at the cache rates, from the instrumentation's cache counts", async () => {
  const { cost, exported } = await runAnthropic({ ANTHROPIC_MODEL: 'claude-sonnet-4-5' });
  // Anthropic's input_tokens (5,000) leave out the 95,000 cached ones: the prompt was 100,000 tokens.
  expect(exported.llms[0]).toMatchObject({
    prompt_tokens: 100_000,
    cache_read_tokens: 90_000,
    cache_creation_tokens: 5_000,
    completion_tokens: 1_000,
  });
  // claude-sonnet-4-5: input $3, cache write $3.75, cache read $0.30, output $15 per million tokens.
  const priced = (5_000 * 3 + 5_000 * 3.75 + 90_000 * 0.3 + 1_000 * 15) / 1e6;
  expect(Number(cost)).toBeCloseTo(priced, 6);
  expect(exported.llms[0]?.cost).toBe(priced.toFixed(6));
  expect(exported.stats).toMatchObject({
    prompt_tokens: 100_000,
    cache_read_tokens: 90_000,
    cache_creation_tokens: 5_000,
  });
});

it('Anthropic SDK 1.x, recorded by its own tracing, is priced right: its input_tokens include the cached parts', async () => {
  const { exported, ...out } = await runAnthropic({
    ANTHROPIC_MODEL: 'claude-sonnet-4-5',
    ANTHROPIC_PACKAGE: 'anthropic-sdk-1',
  });
  // The API answered input_tokens 5,000, cache reads 90,000, cache writes 5,000: the SDK's span says
  // gen_ai.usage.input_tokens 100,000 (the sum) and names the writes cache_write. Of the 1,000 output
  // tokens, 400 were thinking (the SDK's reasoning.output_tokens): counted apart, priced as output once.
  expect(exported.llms).toHaveLength(1);
  expect(exported.llms[0]).toMatchObject({
    model: 'claude-sonnet-4-5',
    provider: 'anthropic',
    prompt_tokens: 100_000,
    cache_read_tokens: 90_000,
    cache_creation_tokens: 5_000,
    completion_tokens: 1_000,
    reasoning_tokens: 400,
  });
  // Its messages too: init() turns the SDK's own content mode on (the app did not set it).
  expect(exported.llms[0]).toMatchObject({
    prompt: [{ role: 'user', content: 'Tell me one fact about Lisbon.' }],
    completion: { role: 'assistant', content: 'Lisbon has seven hills.' },
  });
  const priced = (5_000 * 3 + 5_000 * 3.75 + 90_000 * 0.3 + 1_000 * 15) / 1e6;
  // endSession, the stats and the export agree on it.
  expect(Number(out.cost)).toBeCloseTo(priced, 6);
  expect(Number(out.stats.cost)).toBeCloseTo(priced, 6);
  expect(out.stats.prompt_tokens).toBe(100_000);
  expect(exported.llms[0]?.cost).toBe(priced.toFixed(6));
  expect(Number(exported.stats.cost)).toBeCloseTo(priced, 6);
});

it('Anthropic SDK 1.x with captureContent: false records no messages, and an app that set its content mode keeps it', async () => {
  const off = await runAnthropic({ ANTHROPIC_PACKAGE: 'anthropic-sdk-1', CAPTURE: 'false' });
  expect(off.exported.llms[0]).toMatchObject({ prompt: null, completion: null, prompt_tokens: 21 });
  const own = await runAnthropic({
    ANTHROPIC_PACKAGE: 'anthropic-sdk-1',
    ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE: 'metadata_only',
  });
  expect(own.exported.llms[0]).toMatchObject({ prompt: null, completion: null, completion_tokens: 9 });
});
