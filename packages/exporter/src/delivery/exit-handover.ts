/**
 * Delivery at `process.exit()`, where nothing asynchronous runs any more: what is undelivered is
 * handed, as JSON on stdin (never argv: it holds the API key), to a short-lived helper process
 * (deliver.ts) that sends it with the usual retries, while this process blocks, up to a deadline.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutboxSnapshot } from './outbox.js';

/** What the helper process is given. */
export interface DeliveryHandover {
  apiKey: string;
  endpoint: string;
  maxBatchSize: number;
  timeoutMillis: number;
  outboxes: OutboxSnapshot[];
}

/**
 * The helper process's script: in the built package, `deliver.js` beside the entry point. Found by
 * path when needed, not as `new URL('./deliver.js', import.meta.url)` when loaded: a bundler that
 * takes the SDK into an app's server (Next.js's Turbopack, in server components) rewrites that
 * pattern into an asset URL of its own, and loading the SDK threw.
 */
function deliverScript(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'deliver.js');
}

/**
 * Runs the helper and waits for it (at most `timeoutMillis` plus two seconds for it to start).
 * Resolves to undefined when it delivered everything, else to why not.
 */
export function handOver(handover: DeliveryHandover): string | undefined {
  if (handover.outboxes.length === 0) return undefined;
  const result = spawnSync(process.execPath, [deliverScript()], {
    input: JSON.stringify(handover),
    timeout: handover.timeoutMillis + 2000,
    stdio: ['pipe', 'ignore', 'inherit'],
    windowsHide: true,
  });
  if (result.status === 0) return undefined;
  return result.error?.message ?? `helper exited ${result.status ?? result.signal}`;
}
