// `pnpm bench` (`-- --quick` for a short check): each figure is measured side by side with raw
// OpenTelemetry in the same run, so ratios hold on a noisy machine. Prints a table and writes
// bench/results.json. Targets are the ones the benchmark issue sets.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentOpsSpanExporter, mapSpan } from '@agentops/exporter';
import { Store } from '@agentops/server';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import * as agentops from 'agentops';
import { Bench } from 'tinybench';
import { fmt, here, probe, serverProcess } from './lib.mjs';

const quick = process.argv.includes('--quick');
const scale = quick
  ? { e2e: 10_000, memory: 100_000, hostSeconds: 1, hostRuns: 1, coldRuns: 2 }
  : { e2e: 100_000, memory: 1_000_000, hostSeconds: 4, hostRuns: 3, coldRuns: 5 };
const results = [];
const dir = mkdtempSync(join(tmpdir(), 'agentops-bench-'));

function report(name, value, unit, target, met, detail = {}) {
  results.push({ name, value, unit, target, met, ...detail });
  const verdict = met === null ? 'info  ' : met ? 'MET   ' : 'MISSED';
  console.log(`${verdict} ${name.padEnd(52)} ${fmt(value).padStart(12)} ${unit.padEnd(10)} target ${target}`);
}

const noop = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
const LLM_ATTRIBUTES = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.response.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 120,
  'gen_ai.usage.output_tokens': 40,
  'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Plan my day' }] }]),
  'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: '1. Coffee' }] }]),
};

/**
 * Mean time per call of each function, measured side by side: short tinybench rounds that
 * alternate between them, and the median round of each. A slow spell of a shared machine then
 * lands on both sides instead of on whichever happened to run during it.
 */
async function sideBySide(fns) {
  const rounds = quick ? 7 : 25;
  const perRound = quick ? 20 : 100;
  const samples = Object.fromEntries(Object.keys(fns).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, fn] of Object.entries(fns)) {
      const bench = new Bench({ time: perRound, warmupTime: round === 0 ? (quick ? 100 : 300) : 10 });
      bench.add(name, fn);
      await bench.run();
      samples[name].push(bench.tasks[0].result.latency.mean);
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, median(xs)]));
}

// 1 + 2: per-event and wrapper overhead, against raw spans through the same BatchSpanProcessor.
{
  const sdkProvider = new NodeTracerProvider({
    spanProcessors: [
      new agentops.AgentOpsSpanProcessor({ logLevel: 'silent' }),
      new BatchSpanProcessor(noop, { maxQueueSize: 1_000_000 }),
    ],
  });
  sdkProvider.register();
  const rawTracer = new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(noop, { maxQueueSize: 1_000_000 })],
  }).getTracer('raw');
  const session = agentops.init({ handleExit: false, logLevel: 'silent', instrumentLlmCalls: false });
  // One LLM call, as the app has it at hand.
  const call = {
    model: 'gpt-4o',
    prompt: [{ role: 'user', content: 'Plan my day' }],
    completion: { role: 'assistant', content: '1. Coffee' },
    promptTokens: 120,
    completionTokens: 40,
  };
  const event = () => session.record(new agentops.LLMEvent(call));
  // The same span written by hand with raw OpenTelemetry: a child of the session's span, with the
  // attributes the SDK's span carries, built from the call (messages encoded as the GenAI
  // conventions want them).
  const rawSession = rawTracer.startSpan('agentops.session');
  const rawSessionContext = trace.setSpan(context.active(), rawSession);
  const sameByHand = () =>
    rawTracer
      .startSpan(
        `chat ${call.model}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'agentops.event.id': randomUUID(),
            'agentops.event.type': 'llms',
            'agentops.session.id': session.id,
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': call.model,
            'gen_ai.response.model': call.model,
            'gen_ai.usage.input_tokens': call.promptTokens,
            'gen_ai.usage.output_tokens': call.completionTokens,
            'gen_ai.input.messages': JSON.stringify(
              call.prompt.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] })),
            ),
            'gen_ai.output.messages': JSON.stringify([
              { role: call.completion.role, parts: [{ type: 'text', content: call.completion.content }] },
            ]),
          },
        },
        rawSessionContext,
      )
      .end();
  // The least a span can cost: no parent, attributes built once outside the loop.
  const bare = () => rawTracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, attributes: LLM_ATTRIBUTES }).end();

  const fn = (x) => x + 1;
  const wrapped = agentops.recordTool('add', fn);
  const rawActive = () =>
    rawTracer.startActiveSpan('execute_tool add', (span) => {
      const r = fn(1);
      span.end();
      return r;
    });
  // The same tool span written by hand: a child of the session, with the attributes recordTool sets.
  const rawActiveSame = () => {
    const toolCallId = randomUUID();
    return rawTracer.startActiveSpan(
      'execute_tool add',
      {
        attributes: {
          'agentops.event.id': toolCallId,
          'gen_ai.tool.call.id': toolCallId,
          'agentops.event.type': 'tools',
          'agentops.session.id': session.id,
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'add',
          'gen_ai.tool.call.arguments': JSON.stringify(1),
        },
      },
      rawSessionContext,
      (span) => {
        const r = fn(1);
        span.setAttribute('gen_ai.tool.call.result', JSON.stringify(r));
        span.end();
        return r;
      },
    );
  };
  const t = await sideBySide({ event, sameByHand, bare, wrapper: () => wrapped(1), rawActive, rawActiveSame });
  const perEvent = t.event / t.sameByHand;
  report('per-event overhead (record vs same span by hand)', perEvent, 'x', '<= 1.3', perEvent <= 1.3, {
    oursUs: t.event * 1000,
    rawUs: t.sameByHand * 1000,
  });
  const perEventBare = t.event / t.bare;
  report('  record vs a bare span, attributes prebuilt', perEventBare, 'x', '(info)', null, {
    oursUs: t.event * 1000,
    rawUs: t.bare * 1000,
  });
  const wrapper = t.wrapper / t.rawActive;
  report('wrapper overhead (recordTool vs startActiveSpan)', wrapper, 'x', '<= 1.3', wrapper <= 1.3, {
    oursUs: t.wrapper * 1000,
    rawUs: t.rawActive * 1000,
  });
  const wrapperSame = t.wrapper / t.rawActiveSame;
  report('  recordTool vs the same tool span by hand', wrapperSame, 'x', '(info)', null, {
    oursUs: t.wrapper * 1000,
    rawUs: t.rawActiveSame * 1000,
  });
  rawSession.end();
  await agentops.shutdown();
  await sdkProvider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

// 3: mapping + JSON of 512-span batches vs OTLP JSON encoding of the same spans.
{
  const memory = new InMemorySpanExporter();
  const tracer = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('m');
  for (let i = 0; i < 512; i++) {
    tracer
      .startSpan('chat gpt-4o', {
        attributes: { ...LLM_ATTRIBUTES, 'agentops.session.id': '0af76519-16cd-43dd-8448-eb211c80319c' },
      })
      .end();
  }
  const spans = memory.getFinishedSpans();
  const options = { price: () => 0.001 };
  // Both sides end with the request body's bytes: the OTLP serializer returns UTF-8 bytes, and
  // our JSON text is encoded the same way when it is sent.
  const r = await sideBySide({
    ours: () => {
      const events = [];
      for (const span of spans)
        for (const item of mapSpan(span, options)) if (item.kind === 'event') events.push(item.event);
      return Buffer.from(JSON.stringify({ events }));
    },
    otlp: () => JsonTraceSerializer.serializeRequest(spans),
  });
  const ratio = r.otlp / r.ours;
  report('mapping throughput (ours / OTLP JSON)', ratio, 'x', '>= 1.0', ratio >= 1.0, {
    oursMsPerBatch: r.ours,
    otlpMsPerBatch: r.otlp,
  });
}

// 4: end to end into the local server, vs the server's raw insert rate for the same rows.
{
  const server = await serverProcess(join(dir, 'e2e.db'));
  const exporter = new AgentOpsSpanExporter({
    apiKey: server.apiKey,
    endpoint: server.url,
    maxQueueSize: scale.e2e + 10,
    flushTimeoutMillis: 600_000,
    logger: { debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  const provider = new NodeTracerProvider({
    spanProcessors: [
      new agentops.AgentOpsSpanProcessor({ exporter, maxQueueSize: scale.e2e + 10, logLevel: 'silent' }),
    ],
  });
  provider.register();
  const session = agentops.init({ handleExit: false, logLevel: 'silent', instrumentLlmCalls: false });
  const started = performance.now();
  for (let i = 0; i < scale.e2e; i++) {
    session.record(new agentops.ToolEvent({ name: 'lookup', params: { i }, returns: { ok: true } }));
    if (i % 2000 === 0) await new Promise((r) => setImmediate(r));
  }
  await session.endSession('Success');
  const seconds = (performance.now() - started) / 1000;
  const stats = await (
    await fetch(`${server.url}/v2/sessions/${session.id}/stats`, { headers: { 'x-agentops-api-key': server.apiKey } })
  ).json();
  await agentops.shutdown();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
  await server.stop();

  const store = new Store(join(dir, 'raw.db'));
  store.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: '' });
  store.upsertSession('p', { session_id: session.id, init_timestamp: new Date().toISOString() });
  const rows = Array.from({ length: scale.e2e }, (_, i) => ({
    payload: {
      id: crypto.randomUUID(),
      event_type: 'tools',
      session_id: session.id,
      init_timestamp: '2024-05-01T12:00:00.000000Z',
      end_timestamp: '2024-05-01T12:00:00.000000Z',
      name: 'lookup',
      params: { i },
      returns: { ok: true },
    },
    cost: null,
  }));
  const t = performance.now();
  for (let i = 0; i < rows.length; i += 500) store.insertEvents(session.id, rows.slice(i, i + 500));
  const rawRate = rows.length / ((performance.now() - t) / 1000);
  store.close();
  const rate = scale.e2e / seconds;
  const lost = scale.e2e - stats.events;
  report(
    `end to end events/s (${scale.e2e} events, lost ${lost})`,
    rate,
    'events/s',
    '>= 50% of raw insert',
    rate >= rawRate / 2 && lost === 0,
    {
      secondsToFlushed: seconds,
      rawInsertRate: rawRate,
      fractionOfRaw: rate / rawRate,
      lost,
    },
  );
}

// 5: event-loop delay added by recording 10k events/s while exporting.
{
  const server = await serverProcess(join(dir, 'host.db'));
  // Alternating runs, median of each: one slow spell of the machine does not decide the figure.
  const runs = { off: [], sdk: [] };
  for (let i = 0; i < scale.hostRuns; i++) {
    for (const mode of ['off', 'sdk']) {
      const args = [mode, '10000', String(scale.hostSeconds), server.url, server.apiKey];
      runs[mode].push((await probe('./host-impact-child.mjs', args)).p99Ms);
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const on = { p99Ms: median(runs.sdk) };
  const off = { p99Ms: median(runs.off) };
  await server.stop();
  const added = on.p99Ms - off.p99Ms;
  report('event-loop delay p99 added at 10k events/s', added, 'ms', '<= 2 ms', added <= 2, {
    p99WithSdkMs: on.p99Ms,
    p99WithoutMs: off.p99Ms,
    runs,
  });
}

// 6: memory with the backend down for good.
{
  const m = await probe('./memory-child.mjs', [String(scale.memory)], {}, ['--expose-gc']);
  const exact = m.dropped === m.recorded - m.pending - m.sent;
  report(
    `RSS growth after ${scale.memory} events, backend down`,
    m.rssGrowthMb,
    'MB',
    '<= 64 MB, drops exact',
    m.rssGrowthMb <= 64 && exact,
    m,
  );
}

// 7: cold start to the first recorded event, vs the OpenTelemetry NodeSDK.
{
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ours = [];
  const theirs = [];
  for (let i = 0; i < scale.coldRuns; i++) {
    ours.push((await probe('./cold-start-child.mjs', ['agentops'])).ms);
    theirs.push((await probe('./cold-start-child.mjs', ['nodesdk'])).ms);
  }
  const ratio = median(ours) / median(theirs);
  report('cold start (import + init + first event)', ratio, 'x', '<= 1.5', ratio <= 1.5, {
    oursMs: median(ours),
    nodeSdkMs: median(theirs),
  });
}

rmSync(dir, { recursive: true, force: true });
writeFileSync(
  here('./results.json'),
  `${JSON.stringify({ quick, node: process.version, at: new Date().toISOString(), results }, null, 2)}\n`,
);
console.log(
  `\n${results.filter((r) => r.met).length} of ${results.filter((r) => r.met !== null).length} targets met${quick ? ' (quick mode: figures are indicative only)' : ''}. Written to bench/results.json`,
);
