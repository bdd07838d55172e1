/**
 * The helper process of exit-handover.ts: run in a short-lived child process when the app's own
 * process is exiting and can no longer wait for a network call (`process.exit()`). Takes over what
 * was not delivered (read as JSON from stdin) and sends it with the usual retries, within the time
 * it was given.
 */
import { AgentOpsClient } from '../client/agentops-client.js';
import { DEFAULT_BACKOFF } from '../client/backoff.js';
import { createConsoleLogger } from '../internal/logger.js';
import { errorText } from '../internal/values.js';
import type { DeliveryHandover } from './exit-handover.js';
import { OutboxStore } from './outbox-store.js';
import { flushGaveUp, Sender } from './sender.js';

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const handover = JSON.parse(Buffer.concat(chunks).toString('utf8')) as DeliveryHandover;
  const logger = createConsoleLogger('warn');
  const client = new AgentOpsClient({ apiKey: handover.apiKey, endpoint: handover.endpoint });
  const store = new OutboxStore(handover.maxBatchSize, Number.POSITIVE_INFINITY);
  store.restore(handover.outboxes);
  const sender = new Sender({
    client,
    store,
    logger,
    maxConcurrentRequests: 4,
    batchWaitMillis: 0,
    backoff: DEFAULT_BACKOFF,
  });
  // The sender's timers do not keep a process alive (they must not hold an app open); here nothing
  // else would, so this one does until the delivery is done or given up.
  const keepAlive = setTimeout(() => {}, handover.timeoutMillis + 1000);
  const delivered = await sender.flush(handover.timeoutMillis);
  clearTimeout(keepAlive);
  if (!delivered) {
    logger.warn(flushGaveUp(handover.timeoutMillis, store.pending, client.endpoint, sender.failing));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`AgentOps: delivery at exit failed: ${errorText(err)}`);
    process.exit(1);
  },
);
