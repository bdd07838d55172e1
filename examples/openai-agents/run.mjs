// `pnpm example:openai-agents`: an OpenAI Agents SDK run (a triage agent handing off to a weather
// agent with a tool) recorded with no AgentOps code beyond init(), into the local server. With
// OPENAI_API_KEY set it calls OpenAI; without, a small local stand-in of the Responses API answers.
import { createRequire } from 'node:module';
import { startServer } from '@agentops/server';
import * as agentops from 'agentops';
import { printSession } from '../report.mjs';
import { startStandIns } from '../stand-ins.mjs';

const apiKey = '00000000-0000-4000-8000-00000000a9e7';
const server = await startServer({ port: 0, db: ':memory:', apiKey });
const { Agent, run, tool, setTraceProcessors } = createRequire(import.meta.url)('@openai/agents');
let standIn;
if (!process.env.OPENAI_API_KEY) {
  standIn = await startStandIns();
  process.env.OPENAI_API_KEY = 'sk-local-stand-in';
  process.env.OPENAI_BASE_URL = standIn.openaiUrl;
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

await printSession(server, apiKey, result.finalOutput);
await standIn?.close();
await server.close();
