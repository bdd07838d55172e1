// `pnpm example:google-genai`: Gemini through Google's Gen AI SDK, a function call answered by the
// app and the model's reply, recorded with no AgentOps code beyond init(), into the local server:
// each model request an LLM call with tokens (thinking ones too) and cost. With GEMINI_API_KEY set
// it calls the Gemini API; without, a local stand-in of the API answers.
import { startServer } from '@agentops/server';
import { GoogleGenAI } from '@google/genai';
import * as agentops from 'agentops';
import { printSession } from '../report.mjs';
import { startStandIns } from '../stand-ins.mjs';

const apiKey = '00000000-0000-4000-8000-00000000a6e1';
const server = await startServer({ port: 0, db: ':memory:', apiKey });
const standIn = process.env.GEMINI_API_KEY ? undefined : await startStandIns();

// The one line of AgentOps: every Gemini request is now recorded in the session.
const session = agentops.init({ apiKey, endpoint: server.url, tags: ['google-genai'] });

const ai = new GoogleGenAI(
  standIn
    ? { apiKey: 'local-stand-in', httpOptions: { baseUrl: standIn.geminiUrl } }
    : { apiKey: process.env.GEMINI_API_KEY },
);
const tools = [
  {
    functionDeclarations: [
      {
        name: 'get_weather',
        description: 'The weather in a city',
        parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ],
  },
];
const question = { role: 'user', parts: [{ text: 'What is the weather in Paris?' }] };
const first = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: [question], config: { tools } });
const call = first.functionCalls?.[0];
const forecast = `sunny in ${call?.args?.city ?? 'Paris'}`;
const reply = await ai.models.generateContent({
  model: 'gemini-2.5-flash',
  contents: [
    question,
    first.candidates[0].content,
    { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { forecast } } }] },
  ],
  config: { tools },
});
session.record(new agentops.ToolEvent({ name: 'get_weather', params: call?.args, returns: forecast }));
await session.endSession('Success');
await agentops.shutdown();

await printSession(server, apiKey, reply.text);
await standIn?.close();
await server.close();
