/**
 * Delivery through a misbehaving network: the SDK (with a user-built AgentOpsSpanProcessor) talks
 * to the real server through a fault proxy. Every event recorded arrives exactly once, the app's
 * calls never throw, and the refusals that are final are reported once.
 */

import type { SessionExport } from '@agentops/exporter';
import { AgentOpsSpanExporter } from '@agentops/exporter';
import * as agentops from 'agentops';
import { AgentOpsSpanProcessor } from 'agentops';
import { describe, expect, it } from 'vitest';
import { AppTracerProvider } from './helpers/otel.js';
import { withProxiedServer } from './helpers/proxied-server.js';

const env = withProxiedServer({ jwtTtlSeconds: 60 });

function setup(options: { apiKey?: string; maxQueueSize?: number; flushTimeoutMillis?: number } = {}) {
  const exporter = new AgentOpsSpanExporter({
    apiKey: options.apiKey ?? env.server.apiKey,
    endpoint: env.proxy.url,
    backoff: { initialMs: 20, maxMs: 200, maxRetryAfterMs: 5000 },
    requestTimeoutMillis: 300,
    flushTimeoutMillis: options.flushTimeoutMillis ?? 20_000,
    maxQueueSize: options.maxQueueSize,
    dropReportIntervalMillis: 100,
    logger: env.logger,
  });
  env.provider = new AppTracerProvider({ spanProcessors: [new AgentOpsSpanProcessor({ exporter, maxWaitTime: 20 })] });
  env.provider.register();
  const session = agentops.init({ handleExit: false, logLevel: 'silent' });
  if (!session) throw new Error('no session');
  return { exporter, session };
}

/** Records n tool events; the app's calls never throw, whatever the network does. */
function recordTools(session: agentops.Session, n: number, prefix = 'tool') {
  expect(() => {
    for (let i = 0; i < n; i++) session.record(new agentops.ToolEvent({ name: `${prefix}-${i}` }));
  }).not.toThrow();
}

async function exported(id: string) {
  return (await env.server.get<SessionExport>(`/v2/sessions/${id}/export`)).body;
}

function expectExactlyOnce(e: SessionExport, n: number) {
  expect(e.tools).toHaveLength(n);
  expect(new Set(e.tools.map((t) => t.name)).size).toBe(n);
  expect(new Set(e.tools.map((t) => t.id)).size).toBe(n);
}

const N = 10_000;

describe('retries until delivered', () => {
  it('503s on create_events', async () => {
    let failures = 0;
    env.proxy.setFault(({ path }) =>
      path === '/v2/create_events' && failures++ < 3 ? { kind: 'status', status: 503 } : { kind: 'pass' },
    );
    const { session } = setup();
    recordTools(session, N);
    await session.endSession('Success');
    expectExactlyOnce(await exported(session.id), N);
    expect(env.proxy.requests.filter((r) => r.path === '/v2/create_events' && r.fault === 'status')).toHaveLength(3);
  });

  it('500s on every kind of call', async () => {
    env.proxy.setFault(({ n }) => (n % 2 === 0 ? { kind: 'status', status: 500 } : { kind: 'pass' }));
    const { session } = setup();
    recordTools(session, N);
    await session.endSession('Success');
    expectExactlyOnce(await exported(session.id), N);
    expect(env.proxy.requests.filter((r) => r.fault === 'status').length).toBeGreaterThan(3);
  });

  it('429 with Retry-After: waits as long as asked', async () => {
    let limited = false;
    env.proxy.setFault(({ path }) => {
      if (path !== '/v2/create_events' || limited) return { kind: 'pass' };
      limited = true;
      return { kind: 'status', status: 429, retryAfter: '1' };
    });
    const { session } = setup();
    recordTools(session, N);
    const started = Date.now();
    await session.endSession('Success');
    const waited = Date.now() - started;
    expectExactlyOnce(await exported(session.id), N);
    const eventsCalls = env.proxy.requests.filter((r) => r.path === '/v2/create_events');
    expect(eventsCalls[0]?.fault).toBe('status');
    // Retry-After is a floor the client must honour: a correctness bound, not a speed measurement.
    expect(waited).toBeGreaterThanOrEqual(1000);
  });

  it('connection resets', async () => {
    env.proxy.setFault(({ n }) => (n % 3 === 1 ? { kind: 'reset' } : { kind: 'pass' }));
    const { session } = setup();
    recordTools(session, N);
    await session.endSession('Success');
    expectExactlyOnce(await exported(session.id), N);
    expect(env.proxy.requests.some((r) => r.fault === 'reset')).toBe(true);
  });

  it('a request that hangs past the timeout', async () => {
    let hung = false;
    env.proxy.setFault(({ path }) => {
      if (path !== '/v2/create_events' || hung) return { kind: 'pass' };
      hung = true;
      return { kind: 'hang' };
    });
    const { session } = setup();
    recordTools(session, N);
    await session.endSession('Success');
    expectExactlyOnce(await exported(session.id), N);
  });

  it('the server down for 10 s, then back', async () => {
    let down = true;
    env.proxy.setFault(() => (down ? { kind: 'reset' } : { kind: 'pass' }));
    const { session } = setup();
    recordTools(session, N);
    setTimeout(() => {
      down = false;
    }, 10_000);
    await session.endSession('Success');
    expectExactlyOnce(await exported(session.id), N);
    expect(session.endState).toBe('Success');
    expect((await exported(session.id)).session.end_state).toBe('Success');
  });

  it('an expired JWT: reauthorizes and goes on', async () => {
    let expireNext = false;
    env.proxy.setFault(({ path }) => {
      if (path === '/v2/create_events' && expireNext) {
        expireNext = false;
        return { kind: 'status', status: 401, body: JSON.stringify({ message: 'Expired Token' }) };
      }
      return { kind: 'pass' };
    });
    const { session } = setup();
    recordTools(session, N / 2, 'before');
    await agentops.flush();
    expireNext = true;
    recordTools(session, N / 2, 'after');
    await session.endSession('Success');
    expectExactlyOnce(await exported(session.id), N);
    expect(env.proxy.requests.map((r) => r.path)).toContain('/v2/reauthorize_jwt');
    expect(env.logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });
});

describe('final refusals', () => {
  it('a bad API key is reported once and not retried', async () => {
    const { session } = setup({ apiKey: 'wrong-key' });
    recordTools(session, 20);
    const other = agentops.startSession();
    recordTools(other, 20);
    await expect(session.endSession('Success')).resolves.toBe('0.00');
    await other.endSession('Success');
    const refusals = env.logs.filter((l) => l.includes('refused the API key'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).not.toContain('wrong-key');
    expect(env.proxy.requests.filter((r) => r.path === '/v2/create_session')).toHaveLength(1);
    expect(env.proxy.requests.filter((r) => r.path === '/v2/create_events')).toHaveLength(0);
  });
});

describe('bounded memory', () => {
  it('with the server down for good, drops past maxQueueSize are counted and reported, and flush gives up in time', async () => {
    env.proxy.setFault(() => ({ kind: 'reset' }));
    const { exporter, session } = setup({ maxQueueSize: 100, flushTimeoutMillis: 500 });
    recordTools(session, 400);
    expect(() => session.record(new agentops.ToolEvent({ name: 'one-more' }))).not.toThrow();
    await session.endSession('Failure', 'server down');
    const stats = exporter.stats();
    expect(stats.droppedQueueFull).toBe(301);
    expect(stats.pending).toBe(100);
    await new Promise((r) => setTimeout(r, 250));
    expect(env.logs.some((l) => /dropped 301 events because the queue was full \(maxQueueSize 100\)/.test(l))).toBe(
      true,
    );
    // The warning says why (the connection was reset) and where to, once.
    const gaveUp = env.logs.filter((l) => /flush gave up after 500 ms with 100 events not yet delivered to/.test(l));
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toMatch(/no answer from http:\/\/127\.0\.0\.1:\d+ \(.*(socket hang up|ECONNRESET)/);
    // Shutdown gives up after its flush timeout too, and reports what it could not deliver.
    await agentops.shutdown();
    await env.provider?.shutdown();
    expect(env.logs.some((l) => /shut down with 100 events undelivered/.test(l))).toBe(true);
  });
});
