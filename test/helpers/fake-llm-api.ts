/**
 * A local stand-in for LLM provider APIs, replaying responses in the shapes the real APIs return:
 * OpenAI (chat completions as JSON and as SSE with a usage chunk, tool calls, embeddings, and the
 * Responses API as the OpenAI Agents SDK drives it), Anthropic's Messages API, the Gemini API
 * (generateContent as JSON and as SSE, function calls, cached and thinking tokens) and Amazon
 * Bedrock's runtime (Converse, ConverseStream in AWS's event-stream framing, InvokeModel).
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

const CREATED = 1731000000;

function chatCompletion(model: string, toolCall: boolean, n: number) {
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
    id: `chatcmpl-AbC${n}`,
    object: 'chat.completion',
    created: CREATED,
    model: `${model}-2024-07-18`,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toolCall ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 24, completion_tokens: 8, total_tokens: 32 },
    system_fingerprint: 'fp_0ba0d124f1',
  };
}

/** The usage details of a call whose prompt was mostly read from OpenAI's prompt cache. */
const CACHED_CHAT_DETAILS = {
  prompt_tokens_details: { cached_tokens: 16 },
  completion_tokens_details: { reasoning_tokens: 3 },
};

function streamChunks(model: string, includeUsage: boolean, cached = false): unknown[] {
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
  if (includeUsage) {
    const usage = { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35, ...(cached ? CACHED_CHAT_DETAILS : {}) };
    chunks.push({ ...base, choices: [], usage });
  }
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

/**
 * A Gemini generateContent answer: a function call when tools are offered and no function response
 * came back yet, else text. Usage as Gemini reports it: `promptTokenCount` includes the cached
 * tokens (when the request names cached content), `candidatesTokenCount` leaves thinking out.
 */
function geminiAnswer(model: string, body: Record<string, unknown>, n: number) {
  const contents = (Array.isArray(body.contents) ? body.contents : []) as { parts?: Record<string, unknown>[] }[];
  const answered = contents.some((c) => c.parts?.some((p) => p.functionResponse !== undefined));
  const parts =
    Array.isArray(body.tools) && !answered
      ? [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }]
      : [{ text: 'It is sunny in Paris.' }];
  const cached = (body.generationConfig as Record<string, unknown> | undefined)?.cachedContent ?? body.cachedContent;
  return {
    candidates: [{ content: { parts, role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: {
      promptTokenCount: 1200,
      candidatesTokenCount: 30,
      thoughtsTokenCount: 10,
      totalTokenCount: 1240,
      ...(cached ? { cachedContentTokenCount: 1000 } : {}),
    },
    modelVersion: model,
    responseId: `gem-${n}`,
  };
}

function geminiStream(model: string): unknown[] {
  const words = ['Bonjour', ' from', ' Gemini.'];
  return words.map((text, i) => ({
    candidates: [
      {
        content: { parts: [{ text }], role: 'model' },
        index: 0,
        ...(i === words.length - 1 ? { finishReason: 'STOP' } : {}),
      },
    ],
    usageMetadata: { promptTokenCount: 14, ...(i === words.length - 1 ? { candidatesTokenCount: 6 } : {}) },
    modelVersion: model,
    responseId: 'gem-stream',
  }));
}

/** One message of AWS's event-stream framing (prelude, string headers, payload, CRCs), as Bedrock streams. */
function eventStreamMessage(eventType: string, payload: unknown): Buffer {
  const headers = Buffer.concat(
    Object.entries({ ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' }).map(
      ([name, value]) => {
        const v = Buffer.from(value);
        const head = Buffer.alloc(1 + name.length + 3);
        head.writeUInt8(name.length, 0);
        head.write(name, 1);
        head.writeUInt8(7, 1 + name.length); // string
        head.writeUInt16BE(v.length, 2 + name.length);
        return Buffer.concat([head, v]);
      },
    ),
  );
  const body = Buffer.from(JSON.stringify(payload));
  const total = 12 + headers.length + body.length + 4;
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headers.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const message = Buffer.concat([prelude, headers, body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(message), 0);
  return Buffer.concat([message, crc]);
}

function bedrock(path: string, res: http.ServerResponse): boolean {
  const match = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/.exec(path);
  if (!match) return false;
  const usage = { inputTokens: 25, outputTokens: 9, totalTokens: 34 };
  if (match[1] === 'no-such-model') {
    res.writeHead(400, {
      'content-type': 'application/json',
      'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/',
      'x-amzn-requestid': 'req-bdrk-invalid',
    });
    res.end(JSON.stringify({ message: 'The provided model identifier is invalid.' }));
  } else if (match[2] === 'converse') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        output: { message: { role: 'assistant', content: [{ text: 'Lisbon has seven hills.' }] } },
        stopReason: 'end_turn',
        usage,
        metrics: { latencyMs: 310 },
      }),
    );
  } else if (match[2] === 'converse-stream') {
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    res.write(eventStreamMessage('messageStart', { role: 'assistant' }));
    for (const text of ['Seven', ' hills.']) {
      res.write(eventStreamMessage('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }));
    }
    res.write(eventStreamMessage('contentBlockStop', { contentBlockIndex: 0 }));
    res.write(eventStreamMessage('messageStop', { stopReason: 'end_turn' }));
    res.end(
      eventStreamMessage('metadata', {
        usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15 },
        metrics: { latencyMs: 120 },
      }),
    );
  } else if (match[2] === 'invoke-with-response-stream') {
    // InvokeModelWithResponseStream with an Anthropic model: each chunk one of Anthropic's stream
    // events, as base64 in the chunk's `bytes`.
    const model = decodeURIComponent(match[1] ?? '');
    const events = [
      {
        type: 'message_start',
        message: {
          id: 'msg_bdrk_02',
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          usage: { input_tokens: 14, output_tokens: 1 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Coimbra has' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' a university.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5 } },
      { type: 'message_stop' },
    ];
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'req-bdrk-stream' });
    for (const event of events) {
      res.write(
        eventStreamMessage('chunk', { bytes: Buffer.from(JSON.stringify(event)).toString('base64'), p: 'abcd' }),
      );
    }
    res.end();
  } else {
    // InvokeModel with an Anthropic model: the body is Anthropic's Messages API.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'msg_bdrk_01',
        type: 'message',
        role: 'assistant',
        model: decodeURIComponent(match[1] ?? ''),
        content: [{ type: 'text', text: 'Porto is on the Douro.' }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 18, output_tokens: 7 },
      }),
    );
  }
  return true;
}

type StreamEvent = [string, Record<string, unknown>];

/** A Messages API stream of one content block: 100 input tokens, `output` out. */
function anthropicStream(model: string, block: StreamEvent[], stop: string, output: number): StreamEvent[] {
  const message = {
    id: `msg_${stop}_${output}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  };
  return [
    ['message_start', { type: 'message_start', message }],
    ...block,
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    [
      'message_delta',
      { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: output } },
    ],
    ['message_stop', { type: 'message_stop' }],
  ];
}

const toolUse = (id: string, name: string, input: unknown): StreamEvent[] => [
  [
    'content_block_start',
    { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id, name, input: {} } },
  ],
  [
    'content_block_delta',
    { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(input) } },
  ],
];
const text = (t: string): StreamEvent[] => [
  ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } }],
];

/**
 * Claude Code's turns, by the conversation so far. "Which JSON files": the Glob tool (12 tokens
 * out), then an answer (7). "Plan a trip": the weather MCP tool (12), then a subagent through the
 * Task tool (20), then an answer (7); the subagent ("Say OK") answers at once (3).
 */
function claudeCodeTurn(model: string, conversation: string): StreamEvent[] {
  const results = conversation.split('tool_result').length - 1;
  if (conversation.includes('Plan a trip')) {
    if (results === 0)
      return anthropicStream(
        model,
        toolUse('toolu_weather', 'mcp__weather__get_weather', { city: 'Paris' }),
        'tool_use',
        12,
      );
    if (results === 1) {
      const task = { description: 'Check', prompt: 'Say OK', subagent_type: 'general-purpose' };
      return anthropicStream(model, toolUse('toolu_task', 'Task', task), 'tool_use', 20);
    }
    return anthropicStream(model, text('Paris is sunny.'), 'end_turn', 7);
  }
  if (conversation.includes('Say OK')) return anthropicStream(model, text('OK'), 'end_turn', 3);
  if (results === 0)
    return anthropicStream(model, toolUse('toolu_glob', 'Glob', { pattern: '*.json' }), 'tool_use', 12);
  return anthropicStream(model, text('There is one JSON file.'), 'end_turn', 7);
}

export interface FakeOpenAI {
  /** The OpenAI base URL (`…/v1`). */
  url: string;
  /** The server's own address: the base URL of the Gemini API. */
  origin: string;
  /** The same API over HTTP/2, as the Bedrock runtime client calls it. */
  bedrockEndpoint: string;
  requests: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: FakeOpenAI['requests'] = [];
  const handle = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const path = req.url ?? '';
      requests.push({ path, body });
      const model = String(body.model ?? 'gpt-4o-mini');
      if (path === '/v1/chat/completions' && model === 'overloaded-model') {
        // A failure clients retry (after the few milliseconds it advises), every time.
        res.writeHead(503, {
          'content-type': 'application/json',
          'x-request-id': `req_${requests.length}`,
          'retry-after-ms': '5',
        });
        res.end(JSON.stringify({ error: { message: 'The server is overloaded.', type: 'server_error', code: null } }));
      } else if (path === '/v1/chat/completions' && model === 'no-such-model') {
        res.writeHead(404, { 'content-type': 'application/json', 'x-request-id': `req_${requests.length}` });
        res.end(
          JSON.stringify({
            error: {
              message: `The model \`${model}\` does not exist or you do not have access to it.`,
              type: 'invalid_request_error',
              param: null,
              code: 'model_not_found',
            },
          }),
        );
      } else if (path === '/v1/chat/completions' && body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const usage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
        // Each chunk a moment after the last, as the API streams them: the client reads them apart.
        const lines = streamChunks(model, usage, body.prompt_cache_key !== undefined).map(
          (chunk) => `data: ${JSON.stringify(chunk)}\n\n`,
        );
        const next = (i: number) => {
          if (i === lines.length) res.end('data: [DONE]\n\n');
          else {
            res.write(lines[i]);
            setTimeout(next, 2, i + 1);
          }
        };
        next(0);
      } else if (path === '/v1/chat/completions') {
        res.writeHead(200, { 'content-type': 'application/json' });
        // Tools offered and no tool result yet: the model asks for the tool; after its result, it answers.
        const answered =
          Array.isArray(body.messages) && body.messages.some((m) => (m as { role?: unknown }).role === 'tool');
        const completion = chatCompletion(model, Array.isArray(body.tools) && !answered, requests.length);
        // A request naming a prompt cache key is answered as a call whose prompt was mostly cached.
        if (body.prompt_cache_key !== undefined) Object.assign(completion.usage, CACHED_CHAT_DETAILS);
        res.end(JSON.stringify(completion));
      } else if (path.startsWith('/v1/messages') && body.stream) {
        // Claude Code's requests (the Claude Agent SDK's process): streamed. A turn asks for the Glob
        // tool until the conversation holds its result, then answers.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const events = claudeCodeTurn(String(body.model ?? 'claude-sonnet-4-5'), JSON.stringify(body.messages ?? []));
        for (const [name, data] of events) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
        res.end();
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
                    // Extended thinking: 400 of the 1,000 output tokens were spent thinking.
                    output_tokens: 1000,
                    output_tokens_details: { thinking_tokens: 400 },
                  }
                : { input_tokens: 21, output_tokens: 9 },
          }),
        );
      } else if (path === '/v1/responses' && body.stream) {
        // As the API streams a response: typed events, each also named on its `event:` line.
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': `req_${requests.length}` });
        const response = responsesAnswer(body, requests.length);
        const events = [
          {
            type: 'response.created',
            sequence_number: 0,
            response: { ...response, status: 'in_progress', output: [] },
          },
          {
            type: 'response.output_text.delta',
            sequence_number: 1,
            item_id: 'msg_1',
            output_index: 0,
            content_index: 0,
            delta: 'It is sunny',
          },
          { type: 'response.completed', sequence_number: 2, response },
        ];
        for (const e of events) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
        res.end();
      } else if (path === '/v1/responses') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${requests.length}` });
        res.end(JSON.stringify(responsesAnswer(body, requests.length)));
      } else if (/^\/v1(beta)?\/models\/[^/]+:/.test(path)) {
        const [, name = '', method = ''] = /^\/v1(?:beta)?\/models\/([^:]+):([A-Za-z]+)/.exec(path) ?? [];
        if (name === 'no-such-model') {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ error: { code: 404, message: `models/${name} is not found`, status: 'NOT_FOUND' } }),
          );
        } else if (method === 'streamGenerateContent') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (const chunk of geminiStream(name)) res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
          res.end();
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(geminiAnswer(name, body, requests.length)));
        }
      } else if (bedrock(path, res)) {
        // answered
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
  };
  const server = http.createServer(handle);
  // The Bedrock runtime client speaks HTTP/2 (cleartext to an http:// endpoint), as to AWS.
  const bedrockServer = http2.createServer((req, res) => handle(req, res as unknown as http.ServerResponse));
  const listen = (s: http.Server | http2.Http2Server) =>
    new Promise<string>((resolve) =>
      s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
    );
  const origin = await listen(server);
  const bedrockEndpoint = await listen(bedrockServer);
  const close = (s: http.Server | http2.Http2Server) => new Promise<void>((r) => s.close(() => r()));
  return {
    url: `${origin}/v1`,
    origin,
    bedrockEndpoint,
    requests,
    close: async () => {
      await Promise.all([close(server), close(bedrockServer)]);
    },
  };
}
