/**
 * The SDK unchanged on the other server-side runtimes, from the npm packages of Bun and Deno (their
 * binaries inside): init(), an event, a wrapped tool awaited inside a wrapped agent, endSession and
 * shutdown, recorded into the local server; the session's host environment names the runtime and
 * its version (OpenTelemetry's process detector says Node.js on both), and the process exits by itself.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, runNode } from './helpers/child.js';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { freePort } from './helpers/free-port.js';
import { OTHER_RUNTIMES } from './helpers/runtimes.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const testDir = fileURLToPath(new URL('.', import.meta.url));
const app = fileURLToPath(new URL('./fixtures/runtime-app.mjs', import.meta.url));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

it.each(OTHER_RUNTIMES)(
  '$name $version: recorded whole, the host environment names the runtime',
  async (runtime) => {
    const [command, ...args] = runtime.command(app);
    const r = await runCommand(command, args, testDir, {
      AGENTOPS_API_KEY: server.apiKey,
      AGENTOPS_API_ENDPOINT: server.url,
      NO_COLOR: '1',
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { id: string; answer: string };
    expect(out.answer).toBe('sunny in Paris');
    const data = await server.exported(out.id);
    expect(data.session.end_state).toBe('Success');
    expect(data.session.tags).toEqual(['runtime']);
    const env = data.session.host_env as Record<string, Record<string, unknown>>;
    expect(JSON.stringify(env)).toContain(`"Runtime":"${runtime.name}"`);
    expect(JSON.stringify(env)).toContain(`"Runtime Version":"${runtime.version}"`);
    // The context crossed the awaits: the LLM call and the tool name their agent, the tool nests under it.
    expect(data.agents.map((a) => a.name)).toEqual(['planner']);
    const agentId = data.agents[0]?.id;
    expect(data.llms.map((l) => l.agent_id)).toEqual([agentId]);
    expect(data.tools.map((t) => [t.name, t.agent_id, t.parent_span_id])).toEqual([
      ['lookup', agentId, data.agents[0]?.span_id],
    ]);
  },
  60_000,
);

const exitApp = fileURLToPath(new URL('./fixtures/exit-app.mjs', import.meta.url));
const EVENTS = 10;

describe.each(OTHER_RUNTIMES)('$name: the exit paths end the session and deliver every event', (runtime) => {
  it.each([
    ['normal', undefined, 'Indeterminate', 'Process exited without ending the session'],
    ['sigint', 'SIGINT', 'Fail', 'Interrupted by SIGINT'],
    ['uncaught', undefined, 'Fail', 'Error: kaboom'],
  ] as const)(
    '%s',
    async (mode, signal, endState, reason) => {
      const [command, ...args] = runtime.command(exitApp);
      const r = await runCommand(
        command,
        [...args, mode, String(EVENTS)],
        testDir,
        { AGENTOPS_API_KEY: server.apiKey, AGENTOPS_API_ENDPOINT: server.url, NO_COLOR: '1' },
        (line, child) => {
          if (line === 'READY' && signal) setTimeout(() => child.kill(signal), 100);
        },
      );
      const id = /SESSION (\S+)/.exec(r.stdout)?.[1];
      expect(id, r.stderr).toBeDefined();
      // It exited by itself (or by the signal): nothing keeps the runtime alive.
      if (!signal) expect(r.code, r.stderr).toBe(mode === 'uncaught' ? 1 : 0);
      const exported = await server.exported(id as string);
      expect([exported.session.end_state, exported.session.end_state_reason]).toEqual([endState, reason]);
      expect(exported.tools).toHaveLength(EVENTS);
    },
    60_000,
  );
});

// Replay where fetch is the runtime's own (Bun's and Deno's: `fetch` itself is wrapped, not undici's dispatcher).
describe.each(OTHER_RUNTIMES)('$name: a run recorded for replay and replayed offline', (runtime) => {
  const replayApp = fileURLToPath(new URL('./fixtures/replay-app.mjs', import.meta.url));
  let openai: FakeOpenAI;
  beforeAll(async () => {
    openai = await startFakeOpenAI();
  });
  afterAll(async () => {
    await openai.close();
  });
  const env = (extra: Record<string, string>) => ({
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    NO_COLOR: '1',
    ...extra,
  });
  const last = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop() as string);

  it('answers every LLM call and the tool from the recording, in the runtime and in Node, with the API gone', async () => {
    const [command, ...args] = runtime.command(replayApp);
    const rec = await runCommand(command, args, testDir, env({ RECORD: '1', OPENAI_BASE_URL: openai.url }));
    expect(rec.code, rec.stderr).toBe(0);
    const original = last(rec.stdout);
    const exported = await server.exported(original.id);
    expect(exported.llms).toHaveLength(4);
    expect(exported.llms.every((l) => l.replay && !l.replay.masked)).toBe(true);
    const sent = openai.requests.length;
    const nowhere = `http://127.0.0.1:${await freePort()}/v1`;
    const source = { REPLAY_SOURCE: original.id, OPENAI_BASE_URL: nowhere };
    const inRuntime = await runCommand(command, args, testDir, env(source));
    const inNode = await runNode(replayApp, [], env(source));
    for (const r of [inRuntime, inNode]) {
      expect(r.code, r.stderr).toBe(0);
      const out = last(r.stdout);
      expect(out.error).toBeUndefined();
      expect(out).toMatchObject({
        origin: original.id,
        replayable: true,
        replayed: 5,
        live: 0,
        divergences: [],
        answer: original.answer,
        ids: original.ids,
        pieces: original.pieces,
        failure: original.failure,
        // The tool's recorded result, not a run of it.
        result: original.result,
        toolRuns: 0,
      });
    }
    expect(openai.requests.length).toBe(sent);
  }, 60_000);
});
