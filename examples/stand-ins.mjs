// Local stand-ins of the LLM APIs the examples call when no real key is set: just enough of each
// for its example's run (a tool call, then an answer), in the shapes the real APIs return, with
// token usage so the sessions have counts and cost. Not a test fake: see test/helpers/ for that.
import http from 'node:http';
import http2 from 'node:http2';

const CREATED = 1731000000;
const ANSWER = 'It is sunny in Paris.';

/** The OpenAI Responses API: hand off when offered, call get_weather once, answer. */
function responses(body) {
  const names = (body.tools ?? []).map((t) => t.name);
  const called = (body.input ?? []).some((i) => i.type === 'function_call' && i.name === 'get_weather');
  const handoff = names.find((n) => n.startsWith('transfer_to_'));
  const fn = (name, args) => ({
    type: 'function_call',
    id: 'fc_1',
    call_id: `call_${name}`,
    name,
    arguments: args,
    status: 'completed',
  });
  const text = {
    type: 'message',
    id: 'msg_1',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text: ANSWER, annotations: [] }],
  };
  const output = handoff
    ? [fn(handoff, '{}')]
    : names.includes('get_weather') && !called
      ? [fn('get_weather', '{"city":"Paris"}')]
      : [text];
  return {
    id: 'resp_1',
    object: 'response',
    created_at: CREATED,
    status: 'completed',
    model: 'gpt-4o-mini-2024-07-18',
    output,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage: {
      input_tokens: 900,
      input_tokens_details: { cached_tokens: 600 },
      output_tokens: 30,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 930,
    },
  };
}

/** OpenAI chat completions: call get_weather until its result is in the messages, then answer. */
function chatCompletion(body, n) {
  const answered = (body.messages ?? []).some((m) => m.role === 'tool');
  const toolCall = (body.tools ?? []).length > 0 && !answered;
  const message = toolCall
    ? {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      }
    : { role: 'assistant', content: ANSWER };
  return {
    id: `chatcmpl-${n}`,
    object: 'chat.completion',
    created: CREATED,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message, finish_reason: toolCall ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 120, completion_tokens: 18, total_tokens: 138 },
  };
}

/** Gemini generateContent: a function call while tools are offered and unanswered, then text. */
function gemini(model, body, n) {
  const answered = (body.contents ?? []).some((c) => (c.parts ?? []).some((p) => p.functionResponse));
  const parts =
    body.tools && !answered ? [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] : [{ text: ANSWER }];
  return {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 90, candidatesTokenCount: 12, thoughtsTokenCount: 20, totalTokenCount: 122 },
    modelVersion: model,
    responseId: `gem-${n}`,
  };
}

/** Bedrock's Converse: a toolUse while tools are offered and unanswered, then text. */
function converse(body) {
  const answered = (body.messages ?? []).some((m) => (m.content ?? []).some((c) => c.toolResult));
  const content =
    body.toolConfig && !answered
      ? [{ toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } }]
      : [{ text: ANSWER }];
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: content[0].toolUse ? 'tool_use' : 'end_turn',
    usage: { inputTokens: 210, outputTokens: 24, totalTokens: 234 },
    metrics: { latencyMs: 180 },
  };
}

function handler() {
  let n = 0;
  return (req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}');
      const path = req.url ?? '';
      n++;
      const model = /models\/([^:]+):generateContent/.exec(path)?.[1];
      const answer =
        path === '/v1/responses'
          ? responses(body)
          : path === '/v1/chat/completions'
            ? chatCompletion(body, n)
            : model
              ? gemini(model, body, n)
              : /^\/model\/[^/]+\/converse$/.test(path)
                ? converse(body)
                : undefined;
      res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer ?? { error: { message: `the stand-in has no ${path}` } }));
    });
  };
}

const listen = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));

/** Starts the stand-ins: `url` for OpenAI (…/v1) and Gemini, `bedrockEndpoint` over HTTP/2 as Bedrock's client speaks. */
export async function startStandIns() {
  const server = http.createServer(handler());
  const bedrock = http2.createServer(handler());
  const origin = await listen(server);
  const bedrockEndpoint = await listen(bedrock);
  return {
    openaiUrl: `${origin}/v1`,
    geminiUrl: origin,
    bedrockEndpoint,
    close: () => Promise.all([new Promise((r) => server.close(r)), new Promise((r) => bedrock.close(r))]),
  };
}
