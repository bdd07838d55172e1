// Figures 1 and 2 (per-event and wrapper overhead), in a process of their own: their spans and JIT
// state do not weigh on the other figures. Both sides go through the same BatchSpanProcessor with a
// no-op exporter; prints the mean milliseconds per call of each function.
import { context, SpanKind, trace } from '@opentelemetry/api';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import * as agentops from 'agentops';
import { LLM_ATTRIBUTES, LLM_CALL, llmAttributesByHand, noop, sideBySide } from './lib.mjs';

const quick = process.argv.includes('--quick');
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
const call = LLM_CALL;
const event = () => session.record(new agentops.LLMEvent(call));
// The same span written by hand with raw OpenTelemetry: a child of the session's span, with the
// attributes the SDK's span carries (its event id is derived from the span's ids, not written).
const rawSession = rawTracer.startSpan('agentops.session');
const rawSessionContext = trace.setSpan(context.active(), rawSession);
const sameByHand = () => {
  const attributes = llmAttributesByHand(call, session.id);
  attributes['gen_ai.conversation.id'] = session.id;
  rawTracer.startSpan(`chat ${call.model}`, { kind: SpanKind.CLIENT, attributes }, rawSessionContext).end();
};
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
// The same tool span written by hand: a child of the session, with the attributes recordTool's
// span carries (its event and tool call ids are derived from the span's ids, not written).
const rawActiveSame = () => {
  return rawTracer.startActiveSpan(
    'execute_tool add',
    {
      attributes: {
        'agentops.event.type': 'tools',
        'agentops.session.id': session.id,
        'gen_ai.conversation.id': session.id,
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
const t = await sideBySide({ event, sameByHand, bare, wrapper: () => wrapped(1), rawActive, rawActiveSame }, quick);
rawSession.end();
await agentops.shutdown();
await sdkProvider.shutdown();
console.log(JSON.stringify(t));
