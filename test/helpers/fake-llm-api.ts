/**
 * A local stand-in for LLM provider APIs, replaying responses in the shapes the real APIs return:
 * OpenAI (chat completions as JSON and as SSE with a usage chunk, tool calls, embeddings, and the
 * Responses API as the OpenAI Agents SDK drives it) and Anthropic's Messages API.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const CREATED = 1731000000;

function chatCompletion(model: string, toolCall: boolean) {
  const message = toolCall
    ? {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [
          { id: 'call_W2b1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      }
    : { role: 'assistant', content: 'Paris is the capital of France.', refusal: null };
  return {
    id: 'chatcmpl-AbC123',
    object: 'chat.completion',
    created: CREATED,
    model: `${model}-2024-07-18`,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toolCall ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 24, completion_tokens: 8, total_tokens: 32 },
    system_fingerprint: 'fp_0ba0d124f1',
  };
}

function streamChunks(model: string, includeUsage: boolean): unknown[] {
  const base = {
    id: 'chatcmpl-Str456',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: `${model}-2024-07-18`,
    system_fingerprint: 'fp_0ba0d124f1',
  };
  const words = ['Bonjour', ' from', ' the', ' stream.'];
  const chunks: unknown[] = [
    {
      ...base,
      choices: [
        { index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null },
      ],
    },
    ...words.map((w) => ({
      ...base,
      choices: [{ index: 0, delta: { content: w }, logprobs: null, finish_reason: null }],
    })),
    { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] },
  ];
  if (includeUsage)
    chunks.push({ ...base, choices: [], usage: { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35 } });
  return chunks;
}

/**
 * A Responses API answer that plays a small agent run: hand off to the first `transfer_to_*` tool
 * offered, else call `get_weather` when offered and not called yet, else answer.
 * Usage as OpenAI reports it: `input_tokens` include the cached ones.
 */
function responsesAnswer(body: Record<string, unknown>, n: number) {
  const tools = (Array.isArray(body.tools) ? body.tools : []) as { name?: string }[];
  const input = Array.isArray(body.input) ? (body.input as { type?: string; name?: string }[]) : [];
  const toolDone = input.some((i) => i.type === 'function_call' && i.name === 'get_weather');
  const handoff = tools.find((t) => t.name?.startsWith('transfer_to_'));
  const call = (name: string, args: string) => ({
    type: 'function_call',
    id: `fc_${n}`,
    call_id: `call_${n}`,
    name,
    arguments: args,
    status: 'completed',
  });
  const output = handoff
    ? [call(handoff.name as string, '{}')]
    : tools.some((t) => t.name === 'get_weather') && !toolDone
      ? [call('get_weather', '{"city":"Paris"}')]
      : [
          {
            type: 'message',
            id: `msg_${n}`,
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text: 'It is sunny in Paris.', annotations: [] }],
          },
        ];
  return {
    id: `resp_${n}`,
    object: 'response',
    created_at: CREATED,
    status: 'completed',
    model: `${String(body.model ?? 'gpt-4o-mini')}-2024-07-18`,
    output,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage: {
      input_tokens: 1200,
      input_tokens_details: { cached_tokens: 1000 },
      output_tokens: 40,
      output_tokens_details: { reasoning_tokens: 8 },
      total_tokens: 1240,
    },
  };
}

export interface FakeOpenAI {
  url: string;
  requests: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: FakeOpenAI['requests'] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const path = req.url ?? '';
      requests.push({ path, body });
      const model = String(body.model ?? 'gpt-4o-mini');
      if (path === '/v1/chat/completions' && body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const usage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
        for (const chunk of streamChunks(model, usage)) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        res.end('data: [DONE]\n\n');
      } else if (path === '/v1/chat/completions') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const completion = chatCompletion(model, Array.isArray(body.tools));
        // A request naming a prompt cache key is answered as a call whose prompt was mostly cached.
        if (body.prompt_cache_key !== undefined) {
          Object.assign(completion.usage, {
            prompt_tokens_details: { cached_tokens: 16 },
            completion_tokens_details: { reasoning_tokens: 3 },
          });
        }
        res.end(JSON.stringify(completion));
      } else if (path === '/v1/messages') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
            type: 'message',
            role: 'assistant',
            model: String(body.model ?? 'claude-3-5-sonnet-20241022'),
            content: [{ type: 'text', text: 'Lisbon has seven hills.' }],
            stop_reason: 'end_turn',
            stop_sequence: null,
            // A prompt mostly read from the cache, as Anthropic reports it: input_tokens without the cached parts.
            usage:
              body.model === 'claude-sonnet-4-5'
                ? {
                    input_tokens: 5000,
                    cache_read_input_tokens: 90000,
                    cache_creation_input_tokens: 5000,
                    output_tokens: 1000,
                  }
                : { input_tokens: 21, output_tokens: 9 },
          }),
        );
      } else if (path === '/v1/responses') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${requests.length}` });
        res.end(JSON.stringify(responsesAnswer(body, requests.length)));
      } else if (path === '/v1/embeddings') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            object: 'list',
            data: [{ object: 'embedding', index: 0, embedding: [0.0023, -0.0094, 0.0158] }],
            model,
            usage: { prompt_tokens: 5, total_tokens: 5 },
          }),
        );
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `Unknown path ${path}`, type: 'invalid_request_error' } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, requests, close: () => new Promise((r) => server.close(() => r())) };
}
