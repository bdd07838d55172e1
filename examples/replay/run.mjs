// `pnpm example:replay`: an agent's run recorded for replay, then replayed and forked. The agent
// asks the model, runs the tool it asks for, and answers. Its session is exported to a file; the
// API is then turned off and the run replayed from the file: the same answer, the recorded tool
// result, no request sent. Last, a fork replays the first call and the tool, and runs the second
// call live with a fixed prompt, recorded as a new session linked to the first. With
// OPENAI_API_KEY set it calls OpenAI; without, a local stand-in of the API answers.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@agentops/server';
import * as agentops from 'agentops';
import OpenAI from 'openai';
import { printSession } from '../report.mjs';
import { startStandIns } from '../stand-ins.mjs';

const apiKey = '00000000-0000-4000-8000-0000000e91a7';
const server = await startServer({ port: 0, db: ':memory:', apiKey });
const live = !!process.env.OPENAI_API_KEY;
let standIn = live ? undefined : await startStandIns();

// Each LLM call's HTTP exchange is recorded with its event.
agentops.init({ apiKey, endpoint: server.url, recordReplay: true, autoStartSession: false });

let toolRuns = 0;
const getWeather = agentops.recordTool('get_weather', async ({ city }) => {
  toolRuns++;
  return `sunny in ${city}, measured at ${new Date().toISOString()}`;
});

async function agent(system) {
  const client = new OpenAI(
    live ? {} : { apiKey: 'local-stand-in', baseURL: standIn?.openaiUrl ?? 'http://127.0.0.1:1024/v1' },
  );
  const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
  const messages = [
    { role: 'system', content: 'You answer weather questions.' },
    { role: 'user', content: 'What is the weather in Paris?' },
  ];
  const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
  const call = first.choices[0].message.tool_calls?.[0];
  const result = call ? await getWeather(JSON.parse(call.function.arguments)) : 'no tool called';
  messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call?.id ?? 'none', content: result });
  messages[0] = { role: 'system', content: system };
  const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
  return { answer: second.choices[0].message.content, result };
}

// 1. The run, recorded.
const session = agentops.startSession({ tags: ['replay-example'] });
const original = await session.run(() => agent('You answer weather questions.'));
await session.endSession('Success');
const file = join(tmpdir(), `agentops-replay-${session.id}.json`);
writeFileSync(file, JSON.stringify(await agentops.exportSession(session.id)));
console.log(`Recorded: ${original.answer} (tool: ${original.result}); exported to ${file}`);

// 2. The API turned off; the run replayed from the file.
await standIn?.close();
standIn = undefined;
const replay = await agentops.replay(file);
const again = await replay.run(() => agent('You answer weather questions.'));
await replay.end();
console.log(
  `Replayed: ${again.answer} (tool: ${again.result}); ${replay.replayed} calls from the recording, ${replay.live} live, ` +
    `the tool ran ${toolRuns} time(s) in all`,
);

// 3. A fork from step 2 (the second LLM call), with a fixed prompt, the API back.
standIn = live ? undefined : await startStandIns();
const fork = await agentops.replay(file, { from: { step: 2 }, tags: ['fixed-prompt'] });
const forked = await fork.run(() => agent('You answer weather questions in one sentence.'));
await fork.end();
console.log(`Forked at step 2: ${replay.steps.map((s) => `${s.step} ${s.kind} ${s.name}`).join(', ')}`);
console.log(`Fork: ${fork.replayed} calls replayed, ${fork.live} live`);

await agentops.shutdown();
await printSession(server, apiKey, forked.answer, { sessionId: fork.session.id });
const { session: stored } = await (
  await fetch(`${server.url}/v2/sessions/${fork.session.id}/export`, { headers: { 'x-agentops-api-key': apiKey } })
).json();
console.log(
  `The fork: ${stored.forked_from === session.id ? 'forked from the recorded session' : 'not linked'} at step ${stored.fork_step}, tags ${stored.tags.join(', ')}`,
);
await standIn?.close();
await server.close();
