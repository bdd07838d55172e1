// The peers side by side: one library per process (`node peers-child.mjs <peer>`), set up as its
// documentation says, exporting to a no-op exporter, records the same LLM call and wraps the same
// tool; beside it, in the same process, raw OpenTelemetry writes the same LLM span by hand and runs
// the tool under a bare `startActiveSpan`, through a BatchSpanProcessor to the same no-op exporter.
// Prints the mean milliseconds per call of each side. Peers: agentops, openllmetry (Traceloop's
// node-server-sdk), openinference (@arizeai/openinference-core), langfuse (@langfuse/tracing).
import { context, SpanKind, trace } from '@opentelemetry/api';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { LLM_CALL, llmAttributesByHand, sideBySide } from './lib.mjs';

const peer = process.argv[2];
const quick = process.argv.includes('--quick');
const call = LLM_CALL;
const add = (x) => x + 1;
const SESSION = '0af76519-16cd-43dd-8448-eb211c80319c';

/** A no-op exporter that counts what it is given: a peer that recorded nothing fails the run. */
const exported = { peer: 0, raw: 0 };
const counting = (side) => ({
  export: (spans, done) => {
    exported[side] += spans.length;
    done({ code: 0 });
  },
  shutdown: async () => {},
  forceFlush: async () => {},
});
const noop = counting('peer');
const batch = (exporter = noop) => new BatchSpanProcessor(exporter, { maxQueueSize: 1_000_000 });

/** Each peer's LLM event and wrapped tool, and how it is shut down. */
const peers = {
  async agentops() {
    const agentops = await import('agentops');
    new NodeTracerProvider({
      spanProcessors: [new agentops.AgentOpsSpanProcessor({ logLevel: 'silent' }), batch()],
    }).register();
    const session = agentops.init({ handleExit: false, logLevel: 'silent', instrumentLlmCalls: false });
    const tool = agentops.recordTool('add', add);
    return {
      llm: () => session.record(new agentops.LLMEvent(call)),
      tool: () => tool(1),
      stop: () => agentops.shutdown(),
    };
  },
  async openllmetry() {
    const traceloop = await import('@traceloop/node-server-sdk');
    traceloop.initialize({
      appName: 'bench',
      exporter: noop,
      silenceInitializationMessage: true,
      instrumentModules: {},
      traceloopSyncEnabled: false,
    });
    const completion = { finish_reason: 'stop', message: call.completion };
    const usage = {
      prompt_tokens: call.promptTokens,
      completion_tokens: call.completionTokens,
      total_tokens: call.promptTokens + call.completionTokens,
    };
    return {
      llm: () =>
        traceloop.withLLMCall({ vendor: 'openai', type: 'chat' }, ({ span }) => {
          span.reportRequest({ model: call.model, messages: call.prompt });
          span.reportResponse({ model: call.model, usage, completions: [completion] });
        }),
      // withTool runs the function at once (its wrapper form is a decorator).
      tool: () => traceloop.withTool({ name: 'add' }, add, 1),
      stop: () => traceloop.forceFlush(),
    };
  },
  async openinference() {
    const oi = await import('@arizeai/openinference-core');
    new NodeTracerProvider({ spanProcessors: [batch()] }).register();
    const tracer = oi.getTracer('bench');
    const tool = oi.traceTool(add, { name: 'add' });
    return {
      llm: () =>
        tracer
          .startSpan(`chat ${call.model}`, {
            kind: SpanKind.CLIENT,
            attributes: oi.getLLMAttributes({
              provider: 'openai',
              modelName: call.model,
              inputMessages: call.prompt,
              outputMessages: [call.completion],
              tokenCount: {
                prompt: call.promptTokens,
                completion: call.completionTokens,
                total: call.promptTokens + call.completionTokens,
              },
            }),
          })
          .end(),
      tool: () => tool(1),
      stop: async () => {},
    };
  },
  async langfuse() {
    const { LangfuseSpanProcessor } = await import('@langfuse/otel');
    const lf = await import('@langfuse/tracing');
    new NodeTracerProvider({
      spanProcessors: [new LangfuseSpanProcessor({ exporter: noop, publicKey: 'pk-bench', secretKey: 'sk-bench' })],
    }).register();
    const tool = lf.observe(add, { name: 'add', asType: 'tool' });
    return {
      llm: () =>
        lf
          .startObservation(
            `chat ${call.model}`,
            {
              model: call.model,
              input: call.prompt,
              output: call.completion,
              usageDetails: { input: call.promptTokens, output: call.completionTokens },
            },
            { asType: 'generation' },
          )
          .end(),
      tool: () => tool(1),
      stop: async () => {},
    };
  },
};

if (!(peer in peers)) throw new Error(`peers-child: unknown peer ${peer} (one of ${Object.keys(peers).join(', ')})`);
const rawProvider = new NodeTracerProvider({ spanProcessors: [batch(counting('raw'))] });
const raw = rawProvider.getTracer('raw');
const rawSession = trace.setSpan(context.active(), raw.startSpan('agentops.session'));
const sides = await peers[peer]();
const t = await sideBySide(
  {
    llm: sides.llm,
    // The same LLM call written by hand with raw OpenTelemetry, as the GenAI conventions want it.
    rawLlm: () =>
      raw
        .startSpan(
          `chat ${call.model}`,
          { kind: SpanKind.CLIENT, attributes: llmAttributesByHand(call, SESSION) },
          rawSession,
        )
        .end(),
    tool: sides.tool,
    rawTool: () =>
      raw.startActiveSpan('execute_tool add', (span) => {
        const r = add(1);
        span.end();
        return r;
      }),
  },
  quick,
);
await sides.stop();
const global = trace.getTracerProvider();
await Promise.all([(global.getDelegate?.() ?? global).forceFlush?.(), rawProvider.forceFlush()]);
if (exported.peer === 0 || exported.raw === 0)
  throw new Error(`peers-child ${peer}: nothing exported (${JSON.stringify(exported)})`);
console.log(JSON.stringify(t));
