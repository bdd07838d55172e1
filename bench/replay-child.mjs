// What recording an LLM call for replay (`recordReplay`) adds to the call, and what a replayed call
// costs: `count` chat requests of about 1 kB each way, through Node's fetch to a local HTTP server
// in this process, each inside an LLM call's span (as an instrumentation makes it). Mode `off`:
// recordReplay false; `on`: true; `replay`: the same calls answered from a recording, no network.
// Prints the mean microseconds per call.
import http from 'node:http';
import { trace } from '@opentelemetry/api';
import * as agentops from 'agentops';

const [mode, count] = [process.argv[2], Number(process.argv[3] ?? 2000)];
const answer = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(900) }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 200, completion_tokens: 200, total_tokens: 400 },
});
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(answer);
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/v1/chat/completions`;
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'y'.repeat(900) }] });

agentops.init({
  recordReplay: mode === 'on',
  autoStartSession: mode !== 'replay',
  handleExit: false,
  logLevel: 'silent',
});
const tracer = trace.getTracer('bench-llm');
const attributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.provider.name': 'openai',
};
const call = () =>
  tracer.startActiveSpan('chat gpt-4o-mini', { attributes }, async (span) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.text();
    // Recording on, the call's exchange is on its span by the time the client has read the body.
    if (mode === 'on' && span.attributes['agentops.replay.exchange'] === undefined) throw new Error('not recorded');
    span.end();
  });

async function meanUs(n, run) {
  const start = performance.now();
  for (let i = 0; i < n; i++) await run();
  return ((performance.now() - start) * 1000) / n;
}

let us;
if (mode === 'replay') {
  const at = new Date().toISOString();
  const exchange = {
    request: { method: 'POST', url, body },
    response: { status: 200, status_text: 'OK', headers: [['content-type', 'application/json']], chunks: [answer] },
  };
  const recording = (n) => ({
    session: { session_id: crypto.randomUUID() },
    llms: Array.from({ length: n }, (_, i) => ({
      id: `e${i}`,
      event_type: 'llms',
      init_timestamp: at,
      end_timestamp: at,
      model: 'gpt-4o-mini',
      replay: exchange,
    })),
    tools: [],
    errors: [],
    actions: [],
    agents: [],
  });
  const warm = await agentops.replay(recording(200));
  await warm.run(() => meanUs(200, call));
  const replay = await agentops.replay(recording(count));
  us = await replay.run(() => meanUs(count, call));
  if (replay.replayed !== count) throw new Error(`replayed ${replay.replayed} of ${count}`);
} else {
  await meanUs(200, call);
  us = await meanUs(count, call);
}
await agentops.shutdown();
server.close();
console.log(JSON.stringify({ mode, us, calls: count }));
