// `pnpm example:langgraph`: a LangGraph.js ReAct agent (LangChain's ChatOpenAI and a tool)
// recorded with no AgentOps code beyond init(), into the local server: its model turns as LLM
// calls with tokens and cost, the tool call between them. With OPENAI_API_KEY set it calls
// OpenAI; without, a local stand-in of the API answers.
import { createRequire } from 'node:module';
import { startServer } from '@agentops/server';
import * as agentops from 'agentops';
import { printSession } from '../report.mjs';
import { startStandIns } from '../stand-ins.mjs';

const apiKey = '00000000-0000-4000-8000-00000000a9a9';
const server = await startServer({ port: 0, db: ':memory:', apiKey });
const standIn = process.env.OPENAI_API_KEY ? undefined : await startStandIns();

// The one line of AgentOps, before LangChain is loaded: every chain and graph is now recorded.
const session = agentops.init({ apiKey, endpoint: server.url, tags: ['langgraph'] });

const require = createRequire(import.meta.url);
const { createReactAgent } = require('@langchain/langgraph/prebuilt');
const { ChatOpenAI } = require('@langchain/openai');
const { tool } = require('@langchain/core/tools');
const { z } = require('zod');

const getWeather = tool(async ({ city }) => `sunny in ${city}`, {
  name: 'get_weather',
  description: 'The weather in a city',
  schema: z.object({ city: z.string() }),
});
const llm = new ChatOpenAI({
  model: 'gpt-4o-mini',
  ...(standIn ? { apiKey: 'sk-local-stand-in', configuration: { baseURL: standIn.openaiUrl } } : {}),
});
const agent = createReactAgent({ llm, tools: [getWeather] });
const state = await agent.invoke({ messages: [{ role: 'user', content: 'What is the weather in Paris?' }] });
await session.endSession('Success');
await agentops.shutdown();

await printSession(server, apiKey, state.messages.at(-1).content);
await standIn?.close();
await server.close();
