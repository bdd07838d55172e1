// `pnpm example:openai-agents`: an OpenAI Agents SDK run (a triage agent handing off to a weather
// agent with a tool) recorded with no AgentOps code beyond init(), into the local server. With
// OPENAI_API_KEY set it calls OpenAI; without, a small local stand-in of the Responses API answers.
import http from 'node:http';
import { createRequire } from 'node:module';
import { startServer } from '@agentops/server';
import * as agentops from 'agentops';

const apiKey = '00000000-0000-4000-8000-00000000a9e7';
const server = await startServer({ port: 0, db: ':memory:', apiKey });
const { Agent, run, tool, setTraceProcessors } = createRequire(import.meta.url)('@openai/agents');
let standIn;
if (!process.env.OPENAI_API_KEY) {
  standIn = await startResponsesStandIn();
  setTraceProcessors([]); // no OpenAI trace export for a stand-in run: only AgentOps records it
}
// The one line of AgentOps: every run of an agent is now a session (or joins the active one).
agentops.init({ apiKey, endpoint: server.url, autoStartSession: false });

const getWeather = tool({
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
  execute: async ({ city }) => `sunny in ${city}`,
});
const weather = new Agent({
  name: 'Weather',
  instructions: 'Answer with the weather.',
  model: 'gpt-4o-mini',
  tools: [getWeather],
});
const triage = new Agent({
  name: 'Triage',
  instructions: 'Hand weather questions to Weather.',
  model: 'gpt-4o-mini',
  handoffs: [weather],
});

const result = await run(triage, 'What is the weather in Paris?');
await agentops.shutdown();

const headers = { 'x-agentops-api-key': apiKey };
const { sessions } = await (await fetch(`${server.url}/v2/sessions?tag=openai-agents`, { headers })).json();
const id = sessions[0].session_id;
const stats = await (await fetch(`${server.url}/v2/sessions/${id}/stats`, { headers })).json();
console.log(`Answer: ${result.finalOutput}`);
console.log(
  `Session ${id}: ${stats.end_state}, ${stats.agents} agents, ${stats.llm_calls} LLM calls ` +
    `(${stats.prompt_tokens} prompt tokens, ${stats.cache_read_tokens} cached), ${stats.tool_calls} tool calls, ` +
    `${stats.actions} actions, cost $${stats.cost}`,
);
console.log(`Dashboard: ${server.url}/sessions/${id}`);
standIn?.close();
await server.close();

/** Just enough of the Responses API for this run: hand off, call the tool, answer. */
async function startResponsesStandIn() {
  const s = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}');
      const names = (body.tools ?? []).map((t) => t.name);
      const called = (body.input ?? []).some((i) => i.type === 'function_call' && i.name === 'get_weather');
      const handoff = names.find((n) => n.startsWith('transfer_to_'));
      const fn = (name, args) => ({
        type: 'function_call',
        id: 'fc_1',
        call_id: `call_${name}`,
        name,
        arguments: args,
        status: 'completed',
      });
      const output = handoff
        ? [fn(handoff, '{}')]
        : names.includes('get_weather') && !called
          ? [fn('get_weather', '{"city":"Paris"}')]
          : [
              {
                type: 'message',
                id: 'msg_1',
                status: 'completed',
                role: 'assistant',
                content: [{ type: 'output_text', text: 'It is sunny in Paris.', annotations: [] }],
              },
            ];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'resp_1',
          object: 'response',
          created_at: 1731000000,
          status: 'completed',
          model: 'gpt-4o-mini-2024-07-18',
          output,
          parallel_tool_calls: true,
          tool_choice: 'auto',
          tools: [],
          usage: {
            input_tokens: 900,
            input_tokens_details: { cached_tokens: 600 },
            output_tokens: 30,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: 930,
          },
        }),
      );
    });
  });
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  process.env.OPENAI_API_KEY = 'sk-local-stand-in';
  process.env.OPENAI_BASE_URL = `http://127.0.0.1:${s.address().port}/v1`;
  return { close: () => s.close() };
}
