/**
 * Run by `AgentOpsSpanExporter.deliverSync()` in a short-lived child process, when the app's own
 * process is exiting and can no longer wait for a network call (`process.exit()`): takes over what
 * was not delivered (read as JSON from stdin) and sends it with the usual retries, within the time
 * it was given.
 */
import { AgentOpsSpanExporter, type DeliveryHandover } from './AgentOpsSpanExporter.js';
import { createConsoleLogger } from './logger.js';

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const handover = JSON.parse(Buffer.concat(chunks).toString('utf8')) as DeliveryHandover;
  const exporter = new AgentOpsSpanExporter({
    apiKey: handover.apiKey,
    endpoint: handover.endpoint,
    maxBatchSize: handover.maxBatchSize,
    logger: createConsoleLogger('warn'),
  });
  // The exporter's timers do not keep a process alive (they must not hold an app open); here
  // nothing else would, so this one does until the delivery is done or given up.
  const keepAlive = setTimeout(() => {}, handover.timeoutMillis + 1000);
  exporter.restore(handover.outboxes);
  await exporter.forceFlush(handover.timeoutMillis);
  clearTimeout(keepAlive);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`AgentOps: delivery at exit failed: ${String(err)}`);
    process.exit(1);
  },
);
