// The time withSession() adds to one invocation of a serverless handler, as a function frozen on
// return needs it: the call's session started, ended and delivered to the local server (in its own
// process) before the answer, with exportMode 'immediate'. Side by side with the same handler
// unwrapped. Prints the mean milliseconds per invocation of each.
import * as agentops from 'agentops';

const [url, apiKey, count] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 200)];
agentops.init({
  apiKey,
  endpoint: url,
  exportMode: 'immediate',
  autoStartSession: false,
  handleExit: false,
  logLevel: 'silent',
});
const lookup = agentops.recordTool('lookup_order', async (id) => ({ id, status: 'shipped' }));
const handler = async (event) => {
  agentops.record(new agentops.LLMEvent({ model: 'gpt-4o-mini', promptTokens: 40, completionTokens: 8 }));
  return { statusCode: 200, body: JSON.stringify(await lookup(event.n)) };
};
const wrapped = agentops.withSession(handler);

async function meanMs(fn) {
  const start = performance.now();
  for (let n = 0; n < count; n++) await fn({ n });
  return (performance.now() - start) / count;
}
// Warm both paths, then measure them in turns.
await meanMs(handler);
await meanMs(wrapped);
const bare = [];
const withSession = [];
for (let round = 0; round < 3; round++) {
  bare.push(await meanMs(handler));
  withSession.push(await meanMs(wrapped));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[1];
await agentops.shutdown();
console.log(JSON.stringify({ bareMs: median(bare), withSessionMs: median(withSession), invocations: count * 3 }));
