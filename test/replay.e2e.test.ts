/**
 * Replay and fork (`agentops.replay()`): an agent (a loop of OpenAI calls, a `recordTool` tool, a
 * streamed call and a call that fails) records a run against the fake OpenAI API; the run is
 * replayed with the API gone and gives the same outputs and the same session; a changed prompt is
 * reported with a diff, or run live; a fork replays the first calls and runs the rest live.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionExport } from 'agentops';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode } from './helpers/child.js';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { freePort } from './helpers/free-port.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const app = (ext: 'cjs' | 'mjs') => fileURLToPath(new URL(`./fixtures/replay-app.${ext}`, import.meta.url));
let server: TestServer;
let openai: FakeOpenAI;
/** An API address nothing listens at: a call that reached the network would fail. */
let nowhere: string;
let recorded: { id: string; output: AgentOutput; exported: SessionExport; file: string };

interface AgentOutput {
  answer: string;
  ids: string[];
  pieces: string[];
  result: { measured: string };
  failure: { class: string; status: number; message: string };
  retried?: { class: string; status: number; message: string };
  toolRuns: number;
}

interface ReplayOutput extends Partial<AgentOutput> {
  id: string;
  origin: string;
  replayable: boolean;
  steps: { step: number; kind: string; name: string }[];
  replayed: number;
  live: number;
  divergences: { step: number; kind: string; action: string; diff: string }[];
  error?: { name: string; message: string };
}

async function run(ext: 'cjs' | 'mjs', env: Record<string, string>, baseUrl = openai.url) {
  const r = await runNode(app(ext), [], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    OPENAI_BASE_URL: baseUrl,
    ...env,
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

async function record(ext: 'cjs' | 'mjs', env: Record<string, string> = {}) {
  const { id, ...output } = await run(ext, { RECORD: '1', ...env });
  return { id: id as string, output: output as AgentOutput, exported: await server.exported(id) };
}

/** A replay of `source`; `options` as `agentops.replay()` takes them. */
function replay(
  ext: 'cjs' | 'mjs',
  source: string,
  options: object = {},
  env: Record<string, string> = {},
  baseUrl?: string,
) {
  return run(
    ext,
    { REPLAY_SOURCE: source, REPLAY_OPTIONS: JSON.stringify(options), ...env },
    baseUrl,
  ) as Promise<ReplayOutput>;
}

/** What a session's events are, in a form two runs of the same agent share. */
function shape(e: SessionExport) {
  return {
    llms: e.llms.map((l) => ({ model: l.model, prompt: l.prompt, completion: l.completion, tokens: l.prompt_tokens })),
    tools: e.tools.map((t) => ({ name: t.name, params: t.params, returns: t.returns })),
    errors: e.errors.map((x) => x.error_type),
  };
}

beforeAll(async () => {
  server = await startTestServer();
  openai = await startFakeOpenAI();
  nowhere = `http://127.0.0.1:${await freePort()}/v1`;
  const { id, output, exported } = await record('cjs');
  // The file as the README makes it: `agentops-server sessions export ID > run.json`.
  const file = join(mkdtempSync(join(tmpdir(), 'agentops-replay-')), 'run.json');
  const cli = join(dirname(createRequire(import.meta.url).resolve('@agentops/server')), 'cli.js');
  const printed = await runNode(cli, ['sessions', 'export', id], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
  });
  expect(printed.code, printed.stderr).toBe(0);
  writeFileSync(file, printed.stdout);
  recorded = { id, output, exported, file };
});
afterAll(async () => {
  await openai.close();
  await server.stop();
});

it('records each LLM call with its HTTP exchange: request, status, the headers a client reads, a stream in its chunks', () => {
  const { exported, output } = recorded;
  expect(output.toolRuns).toBe(1);
  expect(output.failure).toMatchObject({ class: 'NotFoundError', status: 404 });
  const exchanges = exported.llms.map((l) => l.replay);
  expect(exchanges.map((x) => x?.response.status)).toEqual([200, 200, 200, 404]);
  const [first, , streamed, failed] = exchanges;
  expect(first?.request.method).toBe('POST');
  expect(first?.request.url).toBe(`${openai.url}/chat/completions`);
  expect(JSON.parse(first?.request.body ?? '{}')).toMatchObject({
    model: 'gpt-4o-mini',
    tools: [{ type: 'function' }],
  });
  expect(JSON.parse(first?.response.chunks.join('') ?? '{}')).toMatchObject({ id: output.ids[0] });
  // No request header (the key), and only the response headers a client reads.
  expect(JSON.stringify(exchanges)).not.toContain('sk-test-not-a-real-key');
  expect(first?.response.headers).toEqual([['content-type', 'application/json']]);
  expect(streamed?.response.headers).toEqual([['content-type', 'text/event-stream']]);
  expect(streamed?.response.chunks.length).toBeGreaterThan(1);
  expect(streamed?.response.chunks.join('')).toMatch(/^data: .*data: \[DONE\]\n\n$/s);
  expect(failed?.response.headers).toContainEqual(['x-request-id', expect.stringMatching(/^req_/)]);
});

it('replays the run offline from the export file: same outputs, same session, no network and no tool run', async () => {
  const before = openai.requests.length;
  const out = await replay('cjs', recorded.file, {}, {}, nowhere);
  expect(openai.requests.length).toBe(before);
  expect(out).toMatchObject({ origin: recorded.id, replayable: true, replayed: 5, live: 0, divergences: [] });
  expect(out.error).toBeUndefined();
  const { toolRuns, ...rest } = recorded.output;
  // The tool's fresh value of the recorded run, the recorded completion ids, the stream's pieces, the same error class.
  expect(out).toMatchObject({ ...rest, toolRuns: 0 });
  expect(out.steps.map((s) => `${s.kind} ${s.name}`)).toEqual([
    'llm gpt-4o-mini-2024-07-18',
    'tool get_weather',
    'llm gpt-4o-mini-2024-07-18',
    'llm gpt-4o-mini-2024-07-18',
    'llm no-such-model',
  ]);
  const again = await server.exported(out.id);
  expect(shape(again)).toEqual(shape(recorded.exported));
  expect(again.session).toMatchObject({ forked_from: recorded.id, fork_step: null });
  expect(again.session.tags).toContain('replay');
  // The replay is itself recorded for replay.
  expect(again.llms.every((l) => l.replay !== undefined)).toBe(true);
});

it('an ES module app records a run and replays it by session id from the server', async () => {
  const own = await record('mjs');
  expect(own.exported.llms.filter((l) => l.replay)).toHaveLength(4);
  const before = openai.requests.length;
  const out = await replay('mjs', own.id, {}, {}, nowhere);
  expect(openai.requests.length).toBe(before);
  expect(out).toMatchObject({ origin: own.id, replayed: 5, live: 0, answer: own.output.answer, ids: own.output.ids });
  expect(out.result).toEqual(own.output.result);
});

it('a recorded failure the client retried is given again to each of its attempts, and the run goes on as recorded', async () => {
  const before = openai.requests.length;
  const { id, output } = await record('cjs', { RETRIED: '1' });
  // Recorded: the client tried three times (two retries), the call is one event with the last answer.
  expect(openai.requests.slice(before).filter((r) => r.body.model === 'overloaded-model')).toHaveLength(3);
  expect(output.retried).toMatchObject({ class: 'InternalServerError', status: 503 });
  const exported = await server.exported(id);
  expect(exported.llms.map((l) => l.replay?.response.status)).toEqual([200, 200, 200, 404, 503]);
  const sent = openai.requests.length;
  const out = await replay('cjs', id, {}, { RETRIED: '1' }, nowhere);
  expect(openai.requests.length).toBe(sent);
  expect(out.error).toBeUndefined();
  expect(out).toMatchObject({
    replayed: 6,
    live: 0,
    divergences: [],
    retried: output.retried,
    failure: output.failure,
  });
});

it('a changed prompt is a divergence: thrown with a diff of the two requests, nothing sent', async () => {
  const before = openai.requests.length;
  const out = await replay('cjs', recorded.file, {}, { QUESTION: 'What is the weather in Lisbon?' });
  expect(openai.requests.length).toBe(before);
  expect(out.error?.name).toBe('ReplayDivergenceError');
  expect(out.error?.message).toContain('replay diverged at step 0 (llm call)');
  expect(out.divergences).toHaveLength(1);
  expect(out.divergences[0]).toMatchObject({ step: 0, kind: 'llm', action: 'throw' });
  expect(out.divergences[0]?.diff).toBe(
    '- $.messages[1].content: "What is the weather in Paris?"\n+ $.messages[1].content: "What is the weather in Lisbon?"',
  );
});

it("onDivergence 'live' runs the diverging call for real and replays the rest", async () => {
  const before = openai.requests.length;
  const out = await replay('cjs', recorded.file, { onDivergence: 'live' }, { SECOND_SYSTEM: 'Answer in one word.' });
  // Only the changed call reached the API, with the new prompt.
  expect(openai.requests.slice(before).map((r) => (r.body.messages as { content: string }[])[0]?.content)).toEqual([
    'Answer in one word.',
  ]);
  expect(out).toMatchObject({ replayed: 4, live: 1, toolRuns: 0 });
  expect(out.divergences).toEqual([
    expect.objectContaining({
      step: 2,
      kind: 'llm',
      action: 'live',
      diff: expect.stringContaining('+ $.messages[0].content: "Answer in one word."'),
    }),
  ]);
});

it('a fork replays the calls before its step and runs the rest live, as a new session linked to its origin', async () => {
  const before = openai.requests.length;
  const out = await replay('cjs', recorded.file, { from: { step: 2 } }, { SECOND_SYSTEM: 'Answer in one word.' });
  expect(out).toMatchObject({ replayed: 2, live: 3, divergences: [], toolRuns: 0 });
  // The second call, the stream and the failing call went to the API; the first and the tool were replayed.
  const sent = openai.requests.slice(before);
  expect(sent.map((r) => r.body.model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini', 'no-such-model']);
  // The live call carries the changed prompt and the tool's recorded result (the tool did not run).
  const messages = sent[0]?.body.messages as { role: string; content: string | null }[];
  expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
  expect(messages[0]?.content).toBe('Answer in one word.');
  expect(JSON.parse(messages[3]?.content ?? '{}')).toEqual(recorded.output.result);
  const fork = await server.exported(out.id);
  expect(fork.session).toMatchObject({ forked_from: recorded.id, fork_step: 2 });
  expect(fork.session.tags).toContain('fork');
  // The origin's replays and forks, listed by the server.
  const listed = await server.get<{ sessions: { session_id: string; fork_step: number | null }[] }>(
    `/v2/sessions?forked_from=${recorded.id}&limit=200`,
  );
  expect(listed.body.sessions.map((s) => s.session_id)).toContain(out.id);
  expect(listed.body.sessions.every((s) => s.session_id !== recorded.id)).toBe(true);
  expect(fork.llms).toHaveLength(4);
  expect(fork.tools).toHaveLength(1);
});

// An ES module app runs under `--import agentops/register` (recording from AGENTOPS_RECORD_REPLAY):
// LangChain's OpenAI client is its own copy of `openai`, which init() cannot patch once imported.
const clientsApp = (ext: 'cjs' | 'mjs') =>
  fileURLToPath(new URL(`./fixtures/replay-clients-app.${ext}`, import.meta.url));
const registered = (ext: 'cjs' | 'mjs', replaying: boolean): Record<string, string> =>
  ext === 'mjs'
    ? {
        NODE_OPTIONS: `--import=${import.meta.resolve('agentops/register')}`,
        AGENTOPS_RECORD_REPLAY: 'true',
        ...(replaying ? { AGENTOPS_AUTO_START_SESSION: 'false' } : {}),
      }
    : {};

async function runClients(ext: 'cjs' | 'mjs', env: Record<string, string>, origin: string, bedrock: string) {
  const r = await runNode(clientsApp(ext), [], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    OPENAI_BASE_URL: `${origin}/v1`,
    ANTHROPIC_BASE_URL: origin,
    BEDROCK_ENDPOINT: bedrock,
    ...env,
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

it.each(['cjs', 'mjs'] as const)(
  'Anthropic, the AI SDK, Gemini, LangChain and Bedrock (%s) are recorded and replayed offline',
  async (ext) => {
    const recordedRun = { RECORD: '1', ...registered(ext, false) };
    const { id, ...output } = await runClients(ext, recordedRun, openai.origin, openai.bedrockEndpoint);
    expect(output.bedrock).toEqual({
      converse: { text: 'Lisbon has seven hills.', requestId: null },
      stream: ['Seven', ' hills.'],
      invoke: 'Porto is on the Douro.',
      invokeStream: {
        chunks: [
          'message_start',
          'content_block_start',
          'content_block_delta',
          'content_block_delta',
          'content_block_stop',
          'message_delta',
          'message_stop',
        ],
        requestId: 'req-bdrk-stream',
      },
      failure: {
        name: 'ValidationException',
        status: 400,
        message: 'The provided model identifier is invalid.',
        requestId: 'req-bdrk-invalid',
      },
    });
    const exported = await server.exported(id);
    expect(exported.llms.map((l) => [l.provider, l.replay?.response.status])).toEqual([
      ['anthropic', 200],
      ['openai', 200],
      ['gcp.gemini', 200],
      [null, 200],
      ['aws', 200],
      ['aws', 400],
      ['aws', 200],
      ['aws', 200],
      ['aws', 200],
    ]);
    // Bedrock's event streams are kept as their messages, read: the mask sees the text inside.
    const [, , stream, , invokeStream] = exported.llms.slice(4).map((l) => l.replay?.response.chunks ?? []);
    expect(stream?.map((c) => JSON.parse(c).headers[':event-type'])).toEqual([
      'messageStart',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockStop',
      'messageStop',
      'metadata',
    ]);
    expect(JSON.parse(invokeStream?.[2] ?? '{}')).toMatchObject({
      body: { p: 'abcd' },
      bytes: JSON.stringify({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: 'Coimbra has' },
      }),
    });
    const file = join(mkdtempSync(join(tmpdir(), 'agentops-replay-')), 'clients.json');
    writeFileSync(file, JSON.stringify(exported));
    const before = openai.requests.length;
    const replayRun = { REPLAY_SOURCE: file, ...registered(ext, true) };
    const out = await runClients(ext, replayRun, nowhere.replace(/\/v1$/, ''), nowhere.replace(/\/v1$/, ''));
    expect(openai.requests.length).toBe(before);
    expect(out).toMatchObject({ replayed: 9, live: 0, divergences: [], gaps: [], ...output });
    expect(out.error).toBeUndefined();
    if (ext === 'mjs') return;
    // A changed Bedrock prompt is a divergence: thrown through the AWS client (not retried), with its diff.
    const changed = await runClients(
      ext,
      { ...replayRun, BEDROCK_QUESTION: 'How many hills has Porto?' },
      nowhere.replace(/\/v1$/, ''),
      nowhere.replace(/\/v1$/, ''),
    );
    expect(changed.error?.name).toBe('ReplayDivergenceError');
    expect(changed.error?.message).toContain('How many hills has Porto?');
    expect(changed).toMatchObject({ replayed: 4, live: 0 });
    expect(changed.divergences).toHaveLength(1);
  },
);
