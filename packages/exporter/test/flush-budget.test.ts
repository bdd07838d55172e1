/**
 * One budget per outage: a flush that gave up on a backend that does not answer says why and where
 * to, once; later flushes wait only OUTAGE_FLUSH_MILLIS until a call succeeds again (so an app's
 * awaited endSession and then its exit do not each wait the whole flush timeout). Time is faked:
 * the rule is tested on the clock the sender reads, not by sleeping.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, expect, it, vi } from 'vitest';
import { AgentOpsSpanExporter, OUTAGE_FLUSH_MILLIS } from '../src/AgentOpsSpanExporter.js';
import { inSession, span } from './span-fixture.js';

afterEach(() => {
  vi.useRealTimers();
});

it('the first flush waits its timeout and says why; the next ones a moment; a recovery restores the timeout', async () => {
  let up = false;
  const fetchFn = (async (url: string, init: RequestInit) => {
    if (!up) throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 10.9.9.9:443') });
    const path = new URL(url).pathname;
    const body =
      path === '/v2/create_session' || path === '/v2/reauthorize_jwt'
        ? { status: 'Success', jwt: 'jwt', session_url: 'u' }
        : path === '/v2/update_session'
          ? { status: 'success', token_cost: '0.00' }
          : 'Success';
    void init;
    return new Response(JSON.stringify(body), { status: 200 });
  }) as typeof fetch;
  const warnings: string[] = [];
  const exporter = new AgentOpsSpanExporter({
    apiKey: 'k',
    endpoint: 'http://agentops.test',
    fetch: fetchFn,
    flushTimeoutMillis: 1000,
    batchWaitMillis: 0,
    logger: { debug: () => {}, info: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
  });
  await exporter.forceFlush(); // nothing to send: only waits for the price table
  vi.useFakeTimers();
  const record = (id: string) =>
    exporter.export(
      [
        span({
          spanId: id,
          attributes: inSession({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't' }),
        }) as unknown as ReadableSpan,
      ],
      () => {},
    );
  const settles = (p: Promise<void>) => {
    const state = { done: false };
    void p.then(() => {
      state.done = true;
    });
    return state;
  };

  record('0000000000000001');
  const first = settles(exporter.forceFlush());
  await vi.advanceTimersByTimeAsync(999);
  expect(first.done).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  expect(first.done).toBe(true);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(
    /^flush gave up after 1000 ms with 1 events not yet delivered to http:\/\/agentops\.test: .*no answer from http:\/\/agentops\.test \(connect ECONNREFUSED 10\.9\.9\.9:443\)/,
  );

  // The exit's flush, after that: a moment, and nothing said again.
  const second = settles(exporter.forceFlush());
  await vi.advanceTimersByTimeAsync(OUTAGE_FLUSH_MILLIS);
  expect(second.done).toBe(true);
  expect(warnings).toHaveLength(1);

  // The backend answers again: what waited is delivered, and a new outage gets the whole timeout.
  up = true;
  const recovered = settles(exporter.forceFlush());
  await vi.advanceTimersByTimeAsync(60_000);
  expect(recovered.done).toBe(true);
  expect(exporter.stats().pending).toBe(0);
  up = false;
  record('0000000000000002');
  const third = settles(exporter.forceFlush());
  await vi.advanceTimersByTimeAsync(OUTAGE_FLUSH_MILLIS);
  expect(third.done).toBe(false);
  await vi.advanceTimersByTimeAsync(1000);
  expect(third.done).toBe(true);
  expect(warnings).toHaveLength(2);
});
