// Service B: a research agent behind HTTP. It joins the caller's session from the W3C headers of
// each request (startSession({ headers })), records its own LLM call and tool, and detaches when
// the request is done: the session stays the caller's to end.
import http from 'node:http';
import * as agentops from 'agentops';

agentops.init({ autoStartSession: false, tags: ['research-service'], logLevel: 'warn' });

const searchWeb = agentops.recordTool('web_search', async ({ query }) => {
  await new Promise((r) => setTimeout(r, 40));
  return [
    { title: `${query}: overview`, url: 'https://example.org/overview' },
    { title: `${query}: recent results`, url: 'https://example.org/recent' },
  ];
});

const research = agentops.trackAgent('researcher', async (topic) => {
  const results = await searchWeb({ query: topic });
  const llm = new agentops.LLMEvent({
    model: 'claude-3-5-sonnet-20241022',
    prompt: [
      { role: 'system', content: 'Summarise search results in two sentences.' },
      { role: 'user', content: JSON.stringify(results) },
    ],
  });
  await new Promise((r) => setTimeout(r, 60));
  llm.completion = { role: 'assistant', content: `${topic} is well covered; two sources agree on the basics.` };
  llm.promptTokens = 412;
  llm.completionTokens = 58;
  agentops.record(llm);
  return { summary: llm.completion.content, sources: results.map((r) => r.url) };
});

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', async () => {
    const session = agentops.startSession({ headers: req.headers });
    try {
      const { topic } = JSON.parse(body || '{}');
      const answer = await session.run(() => research(topic));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    } catch (err) {
      res.writeHead(500).end(String(err));
    } finally {
      await session.detach();
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.on('message', async (msg) => {
  if (msg === 'stop') {
    server.close();
    await agentops.shutdown();
    process.disconnect();
  }
});
