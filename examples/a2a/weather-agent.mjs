// The remote agent of `pnpm example:a2a`: an A2A agent (the A2A SDK's request handler over
// JSON-RPC, with Express) that asks an LLM and a wrapped helper, with AgentOps' one line. Started
// by run.mjs, which passes it the AgentOps endpoint and key, and the LLM's address, in its
// environment. Prints its port.
import { AGENT_CARD_PATH } from '@a2a-js/sdk';
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import * as agentops from 'agentops';
import express from 'express';
import OpenAI from 'openai';

// The one line of AgentOps in the remote agent: a message that carries a session is recorded in it.
agentops.init({ tags: ['weather-a2a-agent'] });

const llm = new OpenAI();
// A helper of the agent, wrapped: recorded inside the agent's work, in the caller's session.
const forecast = agentops.recordTool('forecast_lookup', async (city) => `Forecast for ${city}: sunny, 24°C.`);

const text = (value) => [{ content: { $case: 'text', value }, mediaType: 'text/plain', filename: '', metadata: {} }];
const reply = (taskId, contextId, value) => ({
  role: 2, // ROLE_AGENT
  messageId: crypto.randomUUID(),
  parts: text(value),
  taskId,
  contextId,
  extensions: [],
  metadata: {},
  referenceTaskIds: [],
});

/** The agent's work: a task, a working update, the answer as an artifact, completed. */
const executor = {
  async execute({ taskId, contextId, userMessage }, bus) {
    const now = () => new Date().toISOString();
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status: { state: 1, timestamp: now() },
        artifacts: [],
        history: [userMessage],
        metadata: {},
      }),
    );
    bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: { state: 2, timestamp: now() }, metadata: {} }));
    const question = userMessage.parts.map((p) => p.content?.value ?? '').join('');
    const facts = await forecast('Paris');
    const answer = await llm.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: `Answer from this forecast: ${facts}` },
        { role: 'user', content: question },
      ],
    });
    const said = answer.choices[0].message.content;
    bus.publish(
      AgentEvent.artifactUpdate({
        taskId,
        contextId,
        artifact: {
          artifactId: 'answer',
          name: 'answer',
          description: '',
          parts: text(said),
          metadata: {},
          extensions: [],
        },
        append: false,
        lastChunk: true,
        metadata: {},
      }),
    );
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: { state: 3, message: reply(taskId, contextId, said), timestamp: now() },
        metadata: {},
      }),
    );
  },
  async cancelTask() {},
};

const app = express();
const listener = app.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${listener.address().port}`;
  const card = {
    name: 'Weather Agent',
    description: 'Says the weather in a city',
    supportedInterfaces: [{ url: `${url}/a2a`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' }],
    version: '1.0.0',
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [],
    documentationUrl: '',
    signatures: [],
  };
  const requestHandler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
  app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: requestHandler }));
  app.use('/a2a', jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication }));
  console.log(`PORT ${listener.address().port}`);
});
// Stopped by run.mjs: delivers what it recorded, then exits.
process.on('SIGTERM', () => {
  listener.closeAllConnections();
  listener.close(() => agentops.shutdown().then(() => process.exit(0)));
});
