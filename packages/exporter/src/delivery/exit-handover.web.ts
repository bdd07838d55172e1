/**
 * Delivery at exit where there are no processes (Workers, the Edge runtime): nothing to hand over
 * to. Such runtimes do not exit under a running request; `withSession` finishes delivery before the
 * answer or hands it to `waitUntil`.
 */
import type { DeliveryHandover } from './exit-handover.js';

export type { DeliveryHandover };

export function handOver(handover: DeliveryHandover): string | undefined {
  return handover.outboxes.length === 0 ? undefined : 'this runtime cannot start a helper process';
}
