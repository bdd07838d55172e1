// `pnpm example:a2a`: an agent delegates a question to a remote agent over Agent2Agent (A2A), and
// streams the remote agent's task updates; both processes run agentops.init() and nothing else
// of AgentOps. The message carries the session in its `metadata`, so the remote agent, its LLM
// call and its helper land in the delegating agent's session, nested under its call, into the
// local server. With OPENAI_API_KEY set the remote agent calls OpenAI; without, a local stand-in.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ClientFactory } from '@a2a-js/sdk/client';
import { startServer } from '@agentops/server';
import * as agentops from 'agentops';
import { printSession } from '../report.mjs';
import { startStandIns } from '../stand-ins.mjs';

const apiKey = '00000000-0000-4000-8000-0000000000dd';
const server = await startServer({ port: 0, db: ':memory:', apiKey });
const standIn = process.env.OPENAI_API_KEY ? undefined : await startStandIns();

// The remote agent: another process, with its own AgentOps line.
const remote = spawn(process.execPath, [new URL('./weather-agent.mjs', import.meta.url).pathname], {
  env: {
    ...process.env,
    AGENTOPS_API_KEY: apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    AGENTOPS_LOG_LEVEL: 'warn',
    ...(standIn ? { OPENAI_API_KEY: 'sk-local-stand-in', OPENAI_BASE_URL: standIn.openaiUrl } : {}),
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [port] = await new Promise((resolve, reject) => {
  remote.once('exit', (code) => reject(new Error(`the remote agent exited (${code})`)));
  createInterface({ input: remote.stdout }).on('line', (line) => {
    const m = /^PORT (\d+)$/.exec(line);
    if (m) resolve([Number(m[1])]);
  });
});

// The one line of AgentOps in the delegating agent: its A2A messages are now recorded, and carry the session.
const session = agentops.init({ apiKey, endpoint: server.url, tags: ['a2a'] });

const client = await new ClientFactory().createFromUrl(`http://127.0.0.1:${port}`);
const message = {
  messageId: crypto.randomUUID(),
  role: 1, // ROLE_USER
  parts: [
    {
      content: { $case: 'text', value: 'What is the weather in Paris?' },
      mediaType: 'text/plain',
      filename: '',
      metadata: {},
    },
  ],
  taskId: '',
  contextId: '',
  extensions: [],
  metadata: {},
  referenceTaskIds: [],
};
let answer = '';
for await (const update of client.sendMessageStream({ message, metadata: {}, tenant: '' })) {
  const parts = update.payload?.value?.status?.message?.parts;
  if (parts) answer = parts.map((p) => p.content?.value ?? '').join('');
}
await session.endSession('Success');
await agentops.shutdown();
// Stopping the remote agent delivers what it recorded.
remote.kill('SIGTERM');
await once(remote, 'exit');

await printSession(server, apiKey, answer, { sessionId: session.id, until: { toolCalls: 1 } });
await standIn?.close();
await server.close();
