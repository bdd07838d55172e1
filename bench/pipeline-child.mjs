// The whole pipeline with an API key, in a process of its own: LLM events recorded by the SDK and
// sent to an AgentOps API (a sink in another process that answers as the API does and keeps
// nothing), against the same span written by hand with raw OpenTelemetry (a no-op exporter), and
// that raw span exported as OTLP protobuf to the same sink. Each side records a burst of events and
// flushes; prints the mean milliseconds per event of each side (the median of its rounds), and of
// the calls alone (`pipelineCall`, `rawCall`: the per-event cost the app's own code pays, with the
// export work left to the turns between its bursts).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { AgentOpsSpanExporter, HandOffSpanProcessor } from '@agentops/exporter';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import * as agentops from 'agentops';
import { LLM_CALL, llmAttributesByHand, noop } from './lib.mjs';

const quick = process.argv.includes('--quick');
const perRound = quick ? 5_000 : 20_000;
const rounds = quick ? 5 : 7;

// The sink: answers each AgentOps call (and OTLP) as the API does, reading and dropping the body.
const sinkSource = `
const http = require('node:http');
const answers = {
  '/v2/create_session': { status: 'Success', jwt: 'jwt', session_url: 'http://sink/s' },
  '/v2/update_session': { status: 'success', token_cost: '0', session_url: 'http://sink/s' },
  '/v2/reauthorize_jwt': { status: 'Success', jwt: 'jwt' },
};
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = JSON.stringify(answers[req.url] ?? 'Success');
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0)).resume();
`;
const sink = spawn(process.execPath, ['-e', sinkSource], { stdio: ['pipe', 'pipe', 'inherit'] });
const [portLine] = await once(sink.stdout, 'data');
const url = `http://127.0.0.1:${String(portLine).trim()}`;

const call = LLM_CALL;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const ours = new NodeTracerProvider({
  spanProcessors: [
    new agentops.AgentOpsSpanProcessor({
      apiKey: 'bench-key',
      endpoint: url,
      maxQueueSize: 100_000,
      logLevel: 'silent',
    }),
  ],
});
ours.register();
const session = agentops.init({ handleExit: false, logLevel: 'silent', instrumentLlmCalls: false });

function rawProvider(exporter) {
  return new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 100_000, maxExportBatchSize: 512 })],
  });
}
const raw = rawProvider(noop);
// The exporter behind each of the two processors it can go behind, fed the same spans by hand:
// whether handing spans over at once (they die young) beats batching them in OpenTelemetry's queue.
const exporterOptions = { apiKey: 'bench-key', endpoint: url, maxQueueSize: 100_000, logger: silent };
const handOff = new NodeTracerProvider({
  spanProcessors: [new HandOffSpanProcessor(new AgentOpsSpanExporter(exporterOptions), { maxPending: 100_000 })],
});
const batched = rawProvider(new AgentOpsSpanExporter(exporterOptions));
const rawOtlp = rawProvider(new OTLPTraceExporter({ url: `${url}/v1/traces` }));

/** The LLM span the SDK records, written by hand: a child of a session span, with its attributes. */
function byHand(tracer, parent) {
  const attributes = llmAttributesByHand(call, session.id);
  attributes['gen_ai.conversation.id'] = session.id;
  tracer.startSpan(`chat ${call.model}`, { kind: SpanKind.CLIENT, attributes }, parent).end();
}

/** What the app's calls themselves took, per side: the calls alone, not the turns between them. */
const callTimes = {};

/**
 * Milliseconds per event of `perRound` events recorded in bursts of `burst` (the app's turns), then
 * flushed: everything the pipeline does on the app's thread. The calls alone (what the app's own
 * code waits for) are kept apart in `callTimes[name]`: export work runs in the turns between them.
 */
async function timed(name, burst, record, flush) {
  const t = performance.now();
  let calls = 0;
  for (let i = 0; i < perRound; i += burst) {
    const started = performance.now();
    for (let j = i; j < i + burst && j < perRound; j++) record();
    calls += performance.now() - started;
    await new Promise((r) => setImmediate(r));
  }
  await flush();
  callTimes[name] ??= [];
  callTimes[name].push(calls / perRound);
  return (performance.now() - t) / perRound;
}

/** A raw side: the span by hand into `provider`'s tracer, under a session span of its own. */
function rawSide(provider) {
  const tracer = provider.getTracer('raw');
  const parent = trace.setSpan(context.active(), tracer.startSpan('agentops.session'));
  return (name, burst) =>
    timed(
      name,
      burst,
      () => byHand(tracer, parent),
      () => provider.forceFlush(),
    );
}

// `--processors`: the exporter behind its two processors, in a process of its own (its heap and
// JIT state apart from the pipeline's figures).
const processors = process.argv.includes('--processors');
const sides = processors
  ? { raw: rawSide(raw), handOff: rawSide(handOff), batched: rawSide(batched) }
  : {
      pipeline: (name, burst) =>
        timed(
          name,
          burst,
          () => session.record(new agentops.LLMEvent(call)),
          () => ours.forceFlush(),
        ),
      raw: rawSide(raw),
      rawOtlp: rawSide(rawOtlp),
    };

const samples = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
// The whole pipeline in bursts of 500 events a turn (a busy app's worst); the calls alone in turns
// of 10 events (an agent's turn: a few calls, then it waits for a model).
for (const [name, run] of Object.entries(sides)) await run(`${name}-warm-up`, 500); // not counted
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of Object.entries(sides)) samples[name].push(await run(name, 500));
  if (!processors) for (const name of ['pipeline', 'raw']) await sides[name](`${name}-calls`, 10);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await session.endSession('Success');
await agentops.shutdown();
await Promise.all([ours.shutdown(), raw.shutdown(), rawOtlp.shutdown(), handOff.shutdown(), batched.shutdown()]);
sink.stdin.end();
console.log(
  JSON.stringify({
    ...Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)])),
    ...(processors
      ? {}
      : { pipelineCall: median(callTimes['pipeline-calls']), rawCall: median(callTimes['raw-calls']) }),
  }),
);
