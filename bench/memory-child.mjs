// RSS growth after N events with the backend down for good: the queue stays bounded and every
// event that could not be kept is counted as dropped.
import { AgentOpsSpanExporter } from '@agentops/exporter';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import * as agentops from 'agentops';

const n = Number(process.argv[2]);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const exporter = new AgentOpsSpanExporter({
  apiKey: 'k',
  endpoint: 'http://127.0.0.1:9',
  logger: silent,
  flushTimeoutMillis: 200,
});
const provider = new NodeTracerProvider({
  spanProcessors: [new agentops.AgentOpsSpanProcessor({ exporter, logLevel: 'silent' })],
});
provider.register();
const session = agentops.init({ handleExit: false, logLevel: 'silent' });
global.gc?.();
const before = process.memoryUsage();
for (let i = 0; i < n; i++) {
  session.record(new agentops.ToolEvent({ name: 'step', params: { i } }));
  if (i % 5000 === 0) await new Promise((r) => setImmediate(r));
}
await new Promise((r) => setTimeout(r, 1200));
global.gc?.();
const after = process.memoryUsage();
const stats = exporter.stats();
console.log(
  JSON.stringify({
    rssGrowthMb: (after.rss - before.rss) / 2 ** 20,
    // What stays reachable after a full GC: the bounded queues themselves.
    heapGrowthMb: (after.heapUsed - before.heapUsed) / 2 ** 20,
    recorded: n,
    dropped: stats.droppedQueueFull,
    pending: stats.pending,
    sent: stats.sent,
  }),
);
process.exit(0);
