// `pnpm example:bedrock`: Claude on Amazon Bedrock through the Converse API, a tool use answered by
// the app and the model's reply, recorded with no AgentOps code beyond init(), into the local
// server: each request an LLM call with tokens, cost and messages. With AWS credentials in the
// environment (AWS_ACCESS_KEY_ID) it calls Bedrock; without, a local stand-in of the API answers.

import { startServer } from '@agentops/server';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import * as agentops from 'agentops';
import { printSession } from '../report.mjs';
import { startStandIns } from '../stand-ins.mjs';

const apiKey = '00000000-0000-4000-8000-00000000abed';
const server = await startServer({ port: 0, db: ':memory:', apiKey });
const standIn = process.env.AWS_ACCESS_KEY_ID ? undefined : await startStandIns();

// The one line of AgentOps: every Bedrock request is now recorded in the session.
const session = agentops.init({ apiKey, endpoint: server.url, tags: ['bedrock'] });

const client = new BedrockRuntimeClient(
  standIn
    ? {
        region: 'us-east-1',
        endpoint: standIn.bedrockEndpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'stand-in' },
      }
    : {},
);
const modelId = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const toolConfig = {
  tools: [
    {
      toolSpec: {
        name: 'get_weather',
        description: 'The weather in a city',
        inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      },
    },
  ],
};
const messages = [{ role: 'user', content: [{ text: 'What is the weather in Paris?' }] }];
const first = await client.send(new ConverseCommand({ modelId, messages, toolConfig }));
const use = first.output.message.content.find((c) => c.toolUse)?.toolUse;
const forecast = `sunny in ${use?.input?.city ?? 'Paris'}`;
session.record(new agentops.ToolEvent({ name: 'get_weather', params: use?.input, returns: forecast }));
messages.push(first.output.message, {
  role: 'user',
  content: [{ toolResult: { toolUseId: use?.toolUseId, content: [{ text: forecast }] } }],
});
const reply = await client.send(new ConverseCommand({ modelId, messages, toolConfig }));
await session.endSession('Success');
await agentops.shutdown();

await printSession(server, apiKey, reply.output.message.content[0].text);
await standIn?.close();
await server.close();
