/**
 * Next.js 16 (App Router, the Node and Edge runtimes) from its npm package: `next build` of an app whose
 * `instrumentation.ts` starts AgentOps in `register()` and whose route handlers are wrapped in
 * `withSession`, then `next start` against the local server. Each request is a session, delivered
 * before the response is sent (a streamed response: before its stream closes); a handler that
 * throws gives a 500 and a Failure session.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { SessionExport } from 'agentops';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from './helpers/child.js';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const appDir = fileURLToPath(new URL('./fixtures/next-app/', import.meta.url));
const nextBin = fileURLToPath(new URL('./node_modules/next/dist/bin/next', import.meta.url));
const env = { NEXT_TELEMETRY_DISABLED: '1', NODE_NO_WARNINGS: '1' };
let server: TestServer;
let openai: FakeOpenAI;
let next: ChildProcess | undefined;
let base = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  [server, openai] = await Promise.all([startTestServer(), startFakeOpenAI()]);
  const build = await runCommand(process.execPath, [nextBin, 'build'], appDir, env);
  expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  next = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: appDir,
    env: {
      ...process.env,
      ...env,
      AGENTOPS_API_KEY: server.apiKey,
      AGENTOPS_API_ENDPOINT: server.url,
      OPENAI_BASE_URL: openai.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  next.stdout?.on('data', (d) => (output += d));
  next.stderr?.on('data', (d) => (output += d));
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(base)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`next start did not answer: ${output}`);
}, 240_000);

afterAll(async () => {
  if (next && next.exitCode === null) {
    const exited = new Promise((r) => next?.once('exit', r));
    next.kill('SIGTERM');
    await exited;
  }
  await server?.stop();
  await openai?.close();
  rmSync(new URL('./fixtures/next-app/.next', import.meta.url), { recursive: true, force: true });
});

const stored = async (id: string) => (await server.get<SessionExport>(`/v2/sessions/${id}/export`)).body;

it('a route handler: each request a session, there whole by the time the response arrives', async () => {
  const res = await fetch(`${base}/api/hello`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ city: 'Paris' }),
  });
  const body = (await res.json()) as { answer: string; session: string };
  expect(body.answer).toBe('sunny in Paris');
  const s = await stored(body.session);
  expect(s.session.end_state).toBe('Success');
  expect(s.session.tags).toEqual(['next']);
  expect(s.llms).toHaveLength(1);
  expect(s.tools.map((t) => [t.name, t.returns])).toEqual([['lookup', 'sunny in Paris']]);
  expect(JSON.stringify(s.session.host_env)).toContain('"Runtime":"nodejs"');
});

it('a handler that throws: a 500, and its session a Failure with the error', async () => {
  const before = new Set(
    (await server.get<{ sessions: { session_id: string }[] }>('/v2/sessions')).body.sessions.map((s) => s.session_id),
  );
  const res = await fetch(`${base}/api/hello`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ city: 'nowhere' }),
  });
  expect(res.status).toBe(500);
  const { sessions } = (await server.get<{ sessions: { session_id: string }[] }>('/v2/sessions')).body;
  const added = sessions.filter((s) => !before.has(s.session_id));
  expect(added).toHaveLength(1);
  const s = await stored(added[0]?.session_id as string);
  expect([s.session.end_state, s.session.end_state_reason]).toEqual(['Fail', 'Error: no such city']);
});

it('a streamed response: what arrives with the stream is in the session, delivered before the stream closes', async () => {
  const res = await fetch(`${base}/api/stream`);
  expect(await res.text()).toBe('Paris is sunny');
  const s = await stored(res.headers.get('x-session') as string);
  expect(s.session.end_state).toBe('Success');
  expect(s.llms.map((l) => l.prompt_tokens)).toEqual([30]);
});

it("the AI SDK's streamText in a route handler: its model call is an LLM call of the request's session, with its tokens", async () => {
  const res = await fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'Say hello' }),
  });
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('Bonjour from the stream.');
  const id = res.headers.get('x-session') as string;
  const data = await stored(id);
  expect(data.session.end_state).toBe('Success');
  expect(data.llms.map((l) => [l.model, l.prompt_tokens, l.completion_tokens])).toEqual([
    [expect.stringContaining('gpt-4o-mini'), 30, 5],
  ]);
});

/** The id `next build` gave a server action: how a form or a client component calls it. */
function actionId(file: string, name: string): string {
  const manifest = JSON.parse(
    readFileSync(new URL('./fixtures/next-app/.next/server/server-reference-manifest.json', import.meta.url), 'utf8'),
  ) as { node: Record<string, { filename: string; exportedName: string }> };
  const found = Object.entries(manifest.node).find(([, a]) => a.filename.endsWith(file) && a.exportedName === name);
  if (!found) throw new Error(`no server action ${name} of ${file} in the build`);
  return found[0];
}

it("a server action using the AI SDK's generateText: each call a session with its LLM call, delivered before the action answers", async () => {
  // As Next.js's client calls an action: a POST to the page with the action's id and its arguments.
  const res = await fetch(`${base}/ask`, {
    method: 'POST',
    headers: { 'next-action': actionId('app/actions.js', 'ask'), 'content-type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify(['What is the capital of France?']),
  });
  expect(res.status).toBe(200);
  // The action's answer, in the React Server Components payload: its text and its session's id.
  const payload = await res.text();
  expect(payload).toContain('Paris is the capital of France.');
  const id = /"session":"([0-9a-f-]{36})"/.exec(payload)?.[1] as string;
  expect(id).toBeDefined();
  const data = await stored(id);
  expect(data.session).toMatchObject({ end_state: 'Success', tags: ['next', 'server-action'] });
  expect(data.llms.map((l) => [l.model, l.prompt_tokens, l.completion_tokens])).toEqual([
    [expect.stringContaining('gpt-4o-mini'), 24, 8],
  ]);
});

it('a route handler on the Edge runtime: the Web-API entry, each request a session, nested across awaits', async () => {
  const res = await fetch(`${base}/api/edge?city=Lyon`);
  const body = (await res.json()) as { answer: string; session: string };
  expect(body.answer).toBe('sunny in Lyon');
  const s = await stored(body.session);
  expect(s.session.end_state).toBe('Success');
  expect(s.session.tags).toEqual(['next', 'edge']);
  // The Edge runtime names itself; it has no host (CPU, memory, disk) to tell of.
  expect(s.session.host_env).toEqual({ SDK: { 'AgentOps SDK Version': expect.any(String), Runtime: 'edge-runtime' } });
  const agent = s.agents[0];
  expect(s.agents.map((a) => a.name)).toEqual(['planner']);
  expect(s.llms.map((l) => [l.agent_id, l.prompt_tokens])).toEqual([[agent?.id, 7]]);
  expect(s.tools.map((t) => [t.name, t.agent_id, t.parent_span_id])).toEqual([['lookup', agent?.id, agent?.span_id]]);
});

it("the AI SDK's streamText on the Edge runtime: its model call an LLM call of the request's session", async () => {
  const res = await fetch(`${base}/api/edge-chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'Say hello' }),
  });
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('Bonjour from the stream.');
  const data = await stored(res.headers.get('x-session') as string);
  expect(data.session.end_state).toBe('Success');
  expect(JSON.stringify(data.session.host_env)).toContain('"Runtime":"edge-runtime"');
  expect(data.llms.map((l) => [l.model, l.prompt_tokens, l.completion_tokens])).toEqual([
    [expect.stringContaining('gpt-4o-mini'), 30, 5],
  ]);
});
