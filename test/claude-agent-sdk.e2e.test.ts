/**
 * The Claude Agent SDK (the real `@anthropic-ai/claude-agent-sdk`, with its Claude Code binary) in
 * an ES module app that calls only `agentops.init()`: Claude Code, a child process, calls a local
 * fake of the Messages API, runs the Glob tool, and answers. Its own traces join the app's session
 * as a second process of it: the turn as an agent, each model request an LLM call with its tokens
 * and cost, the tool a tool call; the session's cost is the one the Agent SDK reports.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode } from './helpers/child.js';
import { type FakeOpenAI, startFakeOpenAI } from './helpers/fake-llm-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const app = fileURLToPath(new URL('./fixtures/claude-agent-app.mjs', import.meta.url));
let server: TestServer;
let fake: FakeOpenAI;
const home = mkdtempSync(join(tmpdir(), 'agentops-claude-home-'));
const workdir = join(home, 'project');

beforeAll(async () => {
  server = await startTestServer();
  fake = await startFakeOpenAI();
  mkdirSync(workdir);
  writeFileSync(join(workdir, 'package.json'), '{}');
});
afterAll(async () => {
  await fake.close();
  await server.stop();
  rmSync(home, { recursive: true, force: true });
});

/** Runs the app with `scenario`; its session id and the Agent SDK's own cost of the run. */
async function runApp(scenario: 'files' | 'trip') {
  const r = await runNode(app, [], {
    SCENARIO: scenario,
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    ANTHROPIC_BASE_URL: fake.origin,
    ANTHROPIC_API_KEY: 'sk-ant-test-claude-agent',
    // Claude Code's own state, offline, in a folder of this test.
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    WORKDIR: workdir,
    NODE_NO_WARNINGS: '1',
  });
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
    sessionId: string;
    subtype: string;
    cost: number;
  };
  expect(out.subtype).toBe('success');
  return out;
}

it("a query() run is part of the app's session: its turn, model requests with tokens and cost, and tool", async () => {
  const out = await runApp('files');
  // claude-sonnet-4-5, $3 in and $15 out per million: two requests of 100 input tokens, 12 + 7 out.
  expect(out.cost).toBeCloseTo((200 * 3 + 19 * 15) / 1e6, 12);

  const data = await server.exportedWhen(out.sessionId, (d) => d.llms.length >= 2 && d.tools.length >= 1);
  expect(data.llms.map((l) => [l.model, l.provider, l.prompt_tokens, l.completion_tokens, l.cost])).toEqual([
    ['claude-sonnet-4-5', 'anthropic', 100, 12, '0.000480'],
    ['claude-sonnet-4-5', 'anthropic', 100, 7, '0.000405'],
  ]);
  expect(data.tools.map((t) => t.name)).toEqual(['Glob']);
  expect(data.agents.length).toBeGreaterThanOrEqual(1);
  // The session's cost is what the Agent SDK itself reports for the run.
  expect(data.stats.cost).toBe(out.cost.toFixed(6));
  expect(data.session.tags).toEqual(['claude-agent']);
}, 60_000);

it("an MCP tool of the app and a subagent: both tool calls, and the subagent's own model request", async () => {
  const out = await runApp('trip');
  // Five model requests: the MCP tool's turn (12 out), the subagent's call (20), the answer (7), the
  // subagent's own request (3), and the answer again once the subagent, run in the background, is done (7).
  expect(out.cost).toBeCloseTo((500 * 3 + 49 * 15) / 1e6, 12);
  const data = await server.exportedWhen(out.sessionId, (d) => d.llms.length >= 5 && d.tools.length >= 2);
  expect(data.llms.map((l) => l.completion_tokens).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([3, 7, 7, 12, 20]);
  // The MCP tool by its own name, and the subagent's call (Claude Code names its Task tool "Agent").
  expect(data.tools.map((t) => t.name).sort()).toEqual(['Agent', 'get_weather']);
  expect(data.stats.cost).toBe(out.cost.toFixed(6));
  // The subagent's request is nested under the Agent call: its span starts inside Claude Code's
  // execution of the tool (a span that is no event), which the server sees through.
  const subagent = data.llms.find((l) => l.completion_tokens === 3);
  const agentCall = data.tools.find((t) => t.name === 'Agent');
  expect(agentCall?.span_id).toBeTruthy();
  expect(subagent?.parent_span_id).toBe(agentCall?.span_id);
  // The main agent's own requests stay under its turn.
  const mainTurn = data.llms.find((l) => l.completion_tokens === 12);
  expect(mainTurn?.parent_span_id).not.toBe(agentCall?.span_id);
}, 90_000);
