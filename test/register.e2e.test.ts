/**
 * `node --import agentops/register app.mjs`: an ES module app that imports `openai` at its top (and
 * again dynamically later) is recorded with no AgentOps code, through OpenTelemetry's own ES module
 * hook; so is a CommonJS app; `NODE_OPTIONS=--import=agentops/register` does the same; and an
 * `init()` in the app's code takes over the session register opened instead of starting a second
 * runtime. The real `openai` client against a local fake of its API, into the real local server.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SessionExport } from 'agentops';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// `--import` resolves its specifier from the working directory: the test package's, where an app
// that installed agentops resolves it.
const cwd = fileURLToPath(new URL('.', import.meta.url));
const app = (name: string) => fileURLToPath(new URL(`./fixtures/register/${name}`, import.meta.url));

let server: TestServer;
let openai: FakeOpenAI;
beforeAll(async () => {
  [server, openai] = await Promise.all([startTestServer(), startFakeOpenAI()]);
});
afterAll(async () => {
  await openai.close();
  await server.stop();
});

function run(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: {
        ...process.env,
        AGENTOPS_API_KEY: server.apiKey,
        AGENTOPS_API_ENDPOINT: server.url,
        AGENTOPS_LOG_LEVEL: 'warn',
        OPENAI_BASE_URL: openai.url,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The sessions the server has now that it did not have `before`, exported. */
async function newSessions(before: Set<string>): Promise<SessionExport[]> {
  const { sessions } = (await server.get<{ sessions: { session_id: string }[] }>('/v2/sessions')).body;
  const fresh = sessions.map((s) => s.session_id).filter((id) => !before.has(id));
  return Promise.all(fresh.map(async (id) => (await server.get<SessionExport>(`/v2/sessions/${id}/export`)).body));
}

async function known(): Promise<Set<string>> {
  const { sessions } = (await server.get<{ sessions: { session_id: string }[] }>('/v2/sessions')).body;
  return new Set(sessions.map((s) => s.session_id));
}

it.each([
  ['--import agentops/register, ES module app', ['--import', 'agentops/register', app('app.mjs')], {}],
  [
    'NODE_OPTIONS=--import=agentops/register, ES module app',
    [app('app.mjs')],
    { NODE_OPTIONS: '--import=agentops/register' },
  ],
])('%s: its static and dynamic imports of openai are recorded with no AgentOps code', async (_name, args, env) => {
  const before = await known();
  const r = await run(args, env);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  const sessions = await newSessions(before);
  expect(sessions).toHaveLength(1);
  const [session] = sessions;
  expect(session?.llms.map((l) => l.model)).toEqual(['gpt-4o-mini-2024-07-18', 'text-embedding-3-small']);
  expect(session?.llms[0]).toMatchObject({ provider: 'openai', prompt_tokens: 24, completion_tokens: 8 });
  // Ended by the exit handler: nothing in the app ended it.
  expect(session?.session.end_state).toBe('Indeterminate');
  expect(Number(session?.stats.cost)).toBeGreaterThan(0);
});

it('--import agentops/register, CommonJS app: recorded the same way', async () => {
  const before = await known();
  const r = await run(['--import', 'agentops/register', app('app.cjs')]);
  expect(r.code, r.stderr).toBe(0);
  const sessions = await newSessions(before);
  expect(sessions.map((s) => s.llms.length)).toEqual([1]);
});

it("init() in the app's code after --import agentops/register takes over its session: one runtime, one session", async () => {
  const before = await known();
  const r = await run(['--import', 'agentops/register', app('app.mjs')], { CALL_INIT: '1' });
  expect(r.code, r.stderr).toBe(0);
  // No "init() was already called" warning: the first init() in code is expected after register.
  expect(r.stderr).toBe('');
  const { id } = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { id: string };
  const sessions = await newSessions(before);
  expect(sessions.map((s) => s.session.session_id)).toEqual([id]);
  expect(sessions[0]?.session).toMatchObject({ end_state: 'Success', tags: ['in-code'] });
  expect(sessions[0]?.llms).toHaveLength(2);
});

it('AGENTOPS_AUTO_START_SESSION=false: register starts AgentOps but opens no session', async () => {
  const before = await known();
  const r = await run(['--import', 'agentops/register', app('app.cjs')], { AGENTOPS_AUTO_START_SESSION: 'false' });
  expect(r.code, r.stderr).toBe(0);
  expect(await newSessions(before)).toEqual([]);
});

/** The clients' calls as the server has them: model, provider and tokens, in the order they ran. */
const CLIENT_CALLS = [
  ['claude-3-5-sonnet-20241022', 'anthropic', 21, 9], // Anthropic SDK 0.x
  ['claude-3-5-sonnet-20241022', 'anthropic', 21, 9], // Anthropic SDK 1.x, by its own tracing
  ['gemini-2.5-flash', 'gcp.gemini', 1200, 40],
  ['claude-3-5-haiku-20241022', 'aws', 25, 9], // Bedrock's Converse
  ['gpt-4o-mini', null, 24, 8], // LangChain's ChatOpenAI, through OpenInference (which names no provider)
];

it.each([
  ['--import agentops/register, ES module app', ['--import', 'agentops/register', app('clients-app.mjs')], {}],
  ['--import agentops/register, CommonJS app', ['--import', 'agentops/register', app('clients-app.cjs')], {}],
  ['init() alone, ES module app (clients imported before it)', [app('clients-app.mjs')], { CALL_INIT: '1' }],
  ['init() alone, CommonJS app', [app('clients-app.cjs')], { CALL_INIT: '1' }],
])('%s: Anthropic (0.x and 1.x), Gen AI, Bedrock and LangChain, each call once, priced', async (_name, args, env) => {
  const before = await known();
  const r = await run(args, {
    ANTHROPIC_BASE_URL: openai.origin,
    GEMINI_BASE_URL: openai.origin,
    BEDROCK_ENDPOINT: openai.bedrockEndpoint,
    ...env,
  });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, string>;
  // The app's own answers, whatever AgentOps does.
  expect(out).toMatchObject({
    anthropic0: 'Lisbon has seven hills.',
    anthropic1: 'Lisbon has seven hills.',
    gemini: 'It is sunny in Paris.',
    bedrock: 'Lisbon has seven hills.',
    langchain: 'Paris is the capital of France.',
  });
  const sessions = await newSessions(before);
  expect(sessions).toHaveLength(1);
  const [session] = sessions;
  if (env.CALL_INIT) expect(session?.session).toMatchObject({ session_id: out.id, tags: ['in-code'] });
  expect(session?.llms.map((l) => [l.model, l.provider ?? null, l.prompt_tokens, l.completion_tokens])).toEqual(
    CLIENT_CALLS,
  );
  // Each priced: claude-3-5-sonnet $3 / $15, gemini-2.5-flash $0.30 / $2.50, claude-3-5-haiku $0.80 / $4,
  // gpt-4o-mini $0.15 / $0.60 per million tokens.
  const expected = 2 * (21 * 3 + 9 * 15) + (1200 * 0.3 + 40 * 2.5) + (25 * 0.8 + 9 * 4) + (24 * 0.15 + 8 * 0.6);
  expect(Number(session?.stats.cost)).toBeCloseTo(expected / 1e6, 6);
});
