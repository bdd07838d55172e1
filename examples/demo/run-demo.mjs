// `pnpm demo`: starts the local AgentOps server (SQLite under ./.agentops), runs a two-process
// multi-agent session against it, and prints what the server recorded. Stays up to browse the
// dashboard when run in a terminal; exits at once in CI or with --exit.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from '@agentops/server';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const stayUp = process.stdout.isTTY && !process.env.CI && !process.argv.includes('--exit');

const server = await startServer({ port: Number(process.env.PORT ?? 0) });
const apiKey = server.createdApiKey ?? (await import('@agentops/server')).readSavedApiKey();
console.log(`AgentOps local server: ${server.url}`);
const env = { ...process.env, AGENTOPS_API_KEY: apiKey, AGENTOPS_API_ENDPOINT: server.url };

const research = fork(here('./research-service.mjs'), { env });
const { port } = await new Promise((resolve, reject) => {
  research.once('message', resolve);
  research.once('exit', (code) => reject(new Error(`research service exited with ${code}`)));
});

const planner = fork(here('./planner.mjs'), {
  env: { ...env, RESEARCH_URL: `http://127.0.0.1:${port}` },
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
});
let output = '';
planner.stdout.on('data', (d) => (output += d));
const code = await new Promise((resolve) => planner.on('exit', resolve));
research.send('stop');
await new Promise((resolve) => research.on('exit', resolve));
if (code !== 0) throw new Error(`planner exited with ${code}`);

const { sessionId, cost } = JSON.parse(output.trim().split('\n').pop());
const headers = { 'x-agentops-api-key': apiKey };
const stats = await (await fetch(`${server.url}/v2/sessions/${sessionId}/stats`, { headers })).json();
const exported = await (await fetch(`${server.url}/v2/sessions/${sessionId}/export`, { headers })).json();
const hosts = new Set(
  [...exported.llms, ...exported.tools, ...exported.actions, ...exported.errors].map((e) => e.origin?.pid),
);

console.log(`\nSession ${sessionId}: ${exported.session.end_state} (${exported.session.end_state_reason})`);
console.log(`  tags          ${exported.session.tags.join(', ')}`);
console.log(`  duration      ${stats.duration}`);
console.log(
  `  LLM calls     ${stats.llm_calls}  (${stats.prompt_tokens} prompt + ${stats.completion_tokens} completion tokens)`,
);
console.log(`  tool calls    ${stats.tool_calls}`);
console.log(`  actions       ${stats.actions}`);
console.log(`  errors        ${stats.errors}`);
console.log(`  agents        ${exported.agents.map((a) => a.name).join(', ')}`);
console.log(`  processes     ${hosts.size}`);
console.log(`  cost          $${stats.cost} (endSession() answered $${cost})`);
console.log(`API key:   ${apiKey}`);

if (stayUp) {
  console.log(`\nDashboard: ${server.url}/sessions/${sessionId}`);
  console.log('\nServer running; Ctrl+C to stop.');
  process.once('SIGINT', () => server.close().then(() => process.exit(0)));
} else {
  await server.close();
  // The server stops here (CI or --exit); the session stays in its database under ./.agentops.
  console.log('\nDashboard: this server has stopped. To open the session, start the server on that database:');
  console.log(`  pnpm agentops-server   then open http://127.0.0.1:8787/sessions/${sessionId}`);
}
