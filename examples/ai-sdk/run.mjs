// `pnpm example:ai-sdk`: a Vercel AI SDK 7 agent (generateText with a tool, two steps) recorded
// with no AgentOps code beyond init(), into the local server: the call as an agent, its steps,
// the LLM calls with tokens and cost, the tool call. With OPENAI_API_KEY set it calls OpenAI;
// without, a local stand-in of the API answers.

import { startServer } from '@agentops/server';
import { createOpenAI } from '@ai-sdk/openai';
import * as agentops from 'agentops';
import { generateText, isStepCount, tool } from 'ai';
import { z } from 'zod';
import { printSession } from '../report.mjs';
import { startStandIns } from '../stand-ins.mjs';

const apiKey = '00000000-0000-4000-8000-00000000a15d';
const server = await startServer({ port: 0, db: ':memory:', apiKey });
const standIn = process.env.OPENAI_API_KEY ? undefined : await startStandIns();
const openai = createOpenAI(standIn ? { apiKey: 'sk-local-stand-in', baseURL: standIn.openaiUrl } : {});

// The one line of AgentOps: every AI SDK call is now recorded in the session.
const session = agentops.init({ apiKey, endpoint: server.url, tags: ['ai-sdk'] });

const result = await generateText({
  model: openai('gpt-4o-mini'),
  prompt: 'What is the weather in Paris?',
  tools: {
    get_weather: tool({
      description: 'The weather in a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }) => `sunny in ${city}`,
    }),
  },
  stopWhen: isStepCount(3),
  telemetry: { functionId: 'weather-agent' },
});
await session.endSession('Success');
await agentops.shutdown();

await printSession(server, apiKey, result.text);
await standIn?.close();
await server.close();
