/** The runnable examples in examples/ do what the README says, each started by its one command. */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runNode } from './helpers/child.js';

const example = (path: string) => fileURLToPath(new URL(`../examples/${path}`, import.meta.url));

/** Lines on stderr other than the SDK's info lines (the session's replay link and its summary), which go there. */
const unexpected = (stderr: string) =>
  stderr.split('\n').filter((l) => l !== '' && !/^AgentOps: (Session Replay for|Session [0-9a-f-]{36} ended) /.test(l));

it('examples/openai-agents: a handoff and a tool call, recorded into the local server with init() alone', async () => {
  // As a user runs it: not under NODE_ENV=test (where the Agents SDK turns tracing off), no OpenAI key.
  const r = await runNode(example('openai-agents/run.mjs'), [], { NODE_ENV: 'development', OPENAI_API_KEY: '' });
  expect(unexpected(r.stderr)).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Answer: It is sunny in Paris.');
  expect(r.stdout).toMatch(
    /Session [0-9a-f-]{36}: Success, 2 agents, 3 LLM calls \(2700 prompt tokens, 1800 cached\), 1 tool calls, 1 actions, cost \$0\.\d{6}/,
  );
  expect(r.stdout).not.toContain('Dashboard:');
  expect(r.stdout).toContain("This example's server kept the session in memory and stops with it");
});

/** The summary line every example prints: `Session <id>: <end state>, …`. */
const summary = (counts: string) => new RegExp(`Session [0-9a-f-]{36}: Success, ${counts}, cost \\$0\\.\\d{6}`);

it.each([
  ['ai-sdk', '1 agents, 2 LLM calls \\(1800 prompt tokens, 1200 cached\\), 1 tool calls, 2 actions'],
  ['langgraph', '0 agents, 2 LLM calls \\(240 prompt tokens, 0 cached\\), 1 tool calls, 0 actions'],
  ['google-genai', '0 agents, 2 LLM calls \\(180 prompt tokens, 0 cached\\), 1 tool calls, 0 actions'],
  ['bedrock', '0 agents, 2 LLM calls \\(420 prompt tokens, 0 cached\\), 1 tool calls, 0 actions'],
])(
  'examples/%s: a tool call and the answer, recorded into the local server with init() alone',
  async (name, counts) => {
    // No provider keys: each example calls the local stand-ins of the APIs.
    const r = await runNode(example(`${name}/run.mjs`), [], {
      OPENAI_API_KEY: '',
      GEMINI_API_KEY: '',
      AWS_ACCESS_KEY_ID: '',
      NODE_NO_WARNINGS: '1',
    });
    expect(unexpected(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Answer: It is sunny in Paris.');
    expect(r.stdout).toMatch(summary(counts));
    expect(r.stdout).not.toContain('Dashboard:');
    expect(r.stdout).toContain("This example's server kept the session in memory and stops with it");
  },
);

it("examples/mcp: an agent's tool call on an MCP server over stdio, the server's work in the agent's session", async () => {
  const r = await runNode(example('mcp/run.mjs'), [], { NODE_NO_WARNINGS: '1' });
  expect(unexpected(r.stderr)).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Answer: It is sunny in Paris.');
  // The agent's get_weather and the server's forecast_lookup; the agent's tools/list and the server's
  // handling of both requests.
  expect(r.stdout).toMatch(
    /Session [0-9a-f-]{36}: Success, 0 agents, 0 LLM calls \(0 prompt tokens, 0 cached\), 2 tool calls, 3 actions, cost \$0\.00/,
  );
  expect(r.stdout).toContain("This example's server kept the session in memory and stops with it");
});

it("examples/a2a: an agent delegates to a remote agent over A2A, the remote agent's work in the agent's session", async () => {
  const r = await runNode(example('a2a/run.mjs'), [], { NODE_NO_WARNINGS: '1', OPENAI_API_KEY: '' });
  expect(unexpected(r.stderr)).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Answer: It is sunny in Paris.');
  // The agent's call (an action); the remote agent, its LLM call (priced) and its wrapped helper.
  expect(r.stdout).toMatch(
    /Session [0-9a-f-]{36}: Success, 1 agents, 1 LLM calls \(120 prompt tokens, 0 cached\), 1 tool calls, 1 actions, cost \$0\.0000\d\d/,
  );
});

it('examples/replay: a run recorded, replayed from its export with the API off, then forked at step 2', async () => {
  const r = await runNode(example('replay/run.mjs'), [], { NODE_NO_WARNINGS: '1', OPENAI_API_KEY: '' });
  expect(unexpected(r.stderr)).toEqual([]);
  expect(r.code).toBe(0);
  const tool = /Recorded: It is sunny in Paris\. \(tool: (sunny in Paris, measured at [^)]+)\)/.exec(r.stdout)?.[1];
  expect(tool).toBeDefined();
  // The replay gives the recorded tool result (its time), and the tool ran only in the recorded run.
  expect(r.stdout).toContain(
    `Replayed: It is sunny in Paris. (tool: ${tool}); 3 calls from the recording, 0 live, the tool ran 1 time(s) in all`,
  );
  expect(r.stdout).toContain('Fork: 2 calls replayed, 1 live');
  expect(r.stdout).toContain('The fork: forked from the recorded session at step 2, tags fork, fixed-prompt');
  expect(r.stdout).toMatch(
    /Session [0-9a-f-]{36}: Success, 0 agents, 2 LLM calls \(240 prompt tokens, 0 cached\), 1 tool calls/,
  );
});
