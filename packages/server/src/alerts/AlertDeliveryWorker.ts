/**
 * Delivers fired alerts to their webhooks: every `pollMs` it claims the alerts due (across
 * instances on one PostgreSQL database each alert is claimed by one), POSTs each, signed, and
 * settles it: delivered on a 2xx, else tried again with backoff (1 s, 2 s, 4 s... up to an hour),
 * given up after `maxAttempts`. A receiver may see an alert twice (an instance stopped between
 * sending and settling): the `X-Agentops-Alert-Id` header is the same each time.
 */
import { createHmac } from 'node:crypto';
import type { Store } from '../db/Store.js';
import { RepeatingPass } from '../repeating-pass.js';
import { SERVER_VERSION } from '../version.js';
import { type AlertBody, alertText, type DueAlert } from './rules.js';

export interface AlertDeliveryOptions {
  /** Time between looks for due alerts, ms. Default 1000. */
  pollMs?: number;
  /** Attempts before an alert is given up. Default 8. */
  maxAttempts?: number;
  /** The wait before attempt `n + 1` after `n` failed, ms. Default 1 s doubled each time, at most an hour. */
  backoffMs?: (attempts: number) => number;
  /** A webhook's answer is awaited this long, ms. Default 10,000. */
  timeoutMs?: number;
  /** Told of each attempt that failed (and, with no alert id, of a pass that could not look for alerts). */
  onFailure?: (alertId: string, error: string) => void;
}

const CLAIM = 10;

/**
 * The headers that sign a webhook's body: `X-Agentops-Signature` is `sha256=` and the hex HMAC-SHA256,
 * keyed by the rule's secret, of `{timestamp}.{body}`, the timestamp (Unix seconds) being
 * `X-Agentops-Timestamp`'s: a receiver checks both, and refuses an old timestamp (a replay).
 */
export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The body a webhook gets: the alert itself, or Slack's `{ text }`. */
export function webhookBody(alert: DueAlert): string {
  if (alert.format === 'json') return alert.body;
  return JSON.stringify({ text: alertText(JSON.parse(alert.body) as AlertBody) });
}

export class AlertDeliveryWorker {
  readonly #store: Store;
  readonly #pollMs: number;
  readonly #maxAttempts: number;
  readonly #backoff: (attempts: number) => number;
  readonly #timeoutMs: number;
  readonly #onFailure: AlertDeliveryOptions['onFailure'];
  readonly #passes: RepeatingPass;
  #lastPassError: string | undefined;

  constructor(store: Store, options: AlertDeliveryOptions = {}) {
    this.#store = store;
    this.#pollMs = options.pollMs ?? 1000;
    this.#maxAttempts = options.maxAttempts ?? 8;
    this.#backoff = options.backoffMs ?? ((n) => Math.min(1000 * 2 ** (n - 1), 3_600_000));
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#onFailure = options.onFailure;
    this.#passes = new RepeatingPass(() => this.#pass(), this.#pollMs);
  }

  start(): void {
    this.#passes.start(0);
  }

  async #pass(): Promise<void> {
    try {
      await this.deliverDue();
      this.#lastPassError = undefined;
    } catch (err) {
      // A store that is away fails every pass: said when it starts failing, or fails otherwise.
      const message = `looking for due alerts failed: ${String(err)}`;
      if (message !== this.#lastPassError) this.#onFailure?.('', message);
      this.#lastPassError = message;
    }
  }

  /** Claims the alerts due now and attempts each once; how many were delivered. */
  async deliverDue(now = Date.now()): Promise<number> {
    let delivered = 0;
    for (;;) {
      // Claimed for longer than an attempt can take, so no other instance sends it meanwhile.
      const due = await this.#store.claimDueAlerts(now, CLAIM, this.#timeoutMs * 3);
      const results = await Promise.all(due.map((a) => this.#attempt(a)));
      delivered += results.filter(Boolean).length;
      if (due.length < CLAIM || this.#passes.stopped) return delivered;
    }
  }

  async #attempt(alert: DueAlert): Promise<boolean> {
    const body = webhookBody(alert);
    const timestamp = Math.floor(Date.now() / 1000);
    let error: string;
    try {
      const res = await fetch(alert.webhook_url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `agentops-server/${SERVER_VERSION}`,
          'x-agentops-alert-id': alert.id,
          'x-agentops-timestamp': String(timestamp),
          'x-agentops-signature': signature(alert.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => {});
      if (res.ok) {
        await this.#store.settleAlert(alert.id, { delivered: true, at: Date.now() });
        return true;
      }
      error = `the webhook answered ${res.status}`;
    } catch (err) {
      error = `the webhook could not be reached: ${(err as Error).message}`;
    }
    this.#onFailure?.(alert.id, error);
    const retryAt = alert.attempts < this.#maxAttempts ? Date.now() + this.#backoff(alert.attempts) : undefined;
    await this.#store.settleAlert(alert.id, { delivered: false, error, retryAt });
    return false;
  }

  /** Stops looking for due alerts; resolves when the attempts under way have been settled. */
  stop(): Promise<void> {
    return this.#passes.stop();
  }
}
