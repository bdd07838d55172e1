// Profiling aid: `node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-record.mjs` records LLM events in a loop.
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import * as agentops from 'agentops';

const noop = { export: (_s, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
new NodeTracerProvider({
  spanProcessors: [
    new agentops.AgentOpsSpanProcessor({ logLevel: 'silent' }),
    new BatchSpanProcessor(noop, { maxQueueSize: 1_000_000 }),
  ],
}).register();
const session = agentops.init({ handleExit: false, logLevel: 'silent', instrumentLlmCalls: false });
const t = performance.now();
for (let i = 0; i < 200_000; i++) {
  session.record(
    new agentops.LLMEvent({
      model: 'gpt-4o',
      prompt: [{ role: 'user', content: 'Plan my day' }],
      completion: { role: 'assistant', content: '1. Coffee' },
      promptTokens: 120,
      completionTokens: 40,
    }),
  );
  if (i % 5000 === 0) await new Promise((r) => setImmediate(r));
}
console.log(((performance.now() - t) / 200_000) * 1000, 'us/event');
process.exit(0);
