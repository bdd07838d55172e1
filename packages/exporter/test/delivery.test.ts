/**
 * The sender and the outboxes on their own: a scripted AgentOps API behind the client's `fetch`
 * option answers each call, so the order of calls, their concurrency and what each failure leads to
 * are seen exactly, without timing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AgentOpsClient } from '../src/client/agentops-client.js';
import { ApiError } from '../src/client/api-error.js';
import { SessionOutbox } from '../src/delivery/outbox.js';
import { OutboxStore } from '../src/delivery/outbox-store.js';
import { batchEnd, type FailureAction, failureAction } from '../src/delivery/retry-policy.js';
import { Sender } from '../src/delivery/sender.js';
import type { Logger } from '../src/internal/logger.js';
import type { EventPayload } from '../src/wire.js';

const S1 = '0af76519-16cd-43dd-8448-eb211c80319c';
const S2 = '1af76519-16cd-43dd-8448-eb211c80319c';

interface Call {
  path: string;
  body: unknown;
  auth: string | undefined;
}
type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** A scripted API: `answer` decides each reply (default: success); every call is recorded. */
function scriptedApi(answer: (call: Call, n: number) => Answer | Promise<Answer> | undefined = () => undefined) {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fetchFn = (async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    const call: Call = {
      path: new URL(url).pathname,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
      auth: headers.authorization ?? headers['x-agentops-api-key'],
    };
    calls.push(call);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const scripted = await answer(call, calls.length);
      const reply = scripted ?? success(call);
      return new Response(JSON.stringify(reply.body ?? null), { status: reply.status, headers: reply.headers });
    } finally {
      inFlight--;
    }
  }) as typeof fetch;
  return { calls, fetch: fetchFn, maxInFlight: () => maxInFlight };
}

function success(call: Call): Answer {
  switch (call.path) {
    case '/v2/create_session':
      return {
        status: 200,
        body: {
          status: 'Success',
          jwt: `jwt-${(call.body as { session: { session_id: string } }).session.session_id}`,
          session_url: 'u',
        },
      };
    case '/v2/reauthorize_jwt':
      return {
        status: 200,
        body: { status: 'Success', jwt: `jwt2-${(call.body as { session_id: string }).session_id}` },
      };
    case '/v2/update_session':
      return { status: 200, body: { status: 'success', token_cost: '0.000100' } };
    default:
      return { status: 200, body: 'Success' };
  }
}

function silentLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (m: string) => lines.push(`${level} ${m}`);
  return { lines, debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') };
}

function toolEvent(sessionId: string, i: number): EventPayload {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    event_type: 'tools',
    session_id: sessionId,
    init_timestamp: '2024-05-01T12:00:00.000000Z',
    end_timestamp: '2024-05-01T12:00:01.000000Z',
    name: `t${i}`,
  } as EventPayload;
}

const senders: Sender[] = [];
afterEach(() => {
  for (const s of senders.splice(0)) s.stop();
});

function setup(
  api: ReturnType<typeof scriptedApi>,
  o: { maxBatchSize?: number; maxQueueSize?: number; concurrency?: number } = {},
) {
  const logger = silentLogger();
  const client = new AgentOpsClient({ apiKey: 'key', endpoint: 'http://api.test', fetch: api.fetch });
  const store = new OutboxStore(o.maxBatchSize ?? 200, o.maxQueueSize ?? 10_000);
  const sender = new Sender({
    client,
    store,
    logger,
    maxConcurrentRequests: o.concurrency ?? 4,
    batchWaitMillis: 0,
    backoff: { initialMs: 1, maxMs: 2, maxRetryAfterMs: 5 },
  });
  senders.push(sender);
  return { store, sender, logger };
}

function openSession(store: OutboxStore, id: string, events: number, ended = true): void {
  store.open(id, 'create').setPayload({ session_id: id, init_timestamp: '2024-05-01T12:00:00.000000Z' }, ended);
  for (let i = 0; i < events; i++) store.addEvent(id, toolEvent(id, i));
}

/** The number of events in each create_events call, in order. */
const batchSizes = (calls: Call[]) =>
  calls.filter((c) => c.path === '/v2/create_events').map((c) => (c.body as { events: unknown[] }).events.length);

const eventIds = (calls: Call[]) =>
  calls
    .filter((c) => c.path === '/v2/create_events')
    .flatMap((c) => (c.body as { events: { id: string }[] }).events.map((e) => e.id));

describe('retry policy', () => {
  const cases: [string, unknown, number, FailureAction][] = [
    ['network error', new ApiError('x', 0), 1, 'retry'],
    ['408', new ApiError('x', 408), 1, 'retry'],
    ['429', new ApiError('x', 429), 1, 'retry'],
    ['503', new ApiError('x', 503), 1, 'retry'],
    ['expired JWT', new ApiError('token expired', 401), 1, 'reauthorize'],
    ['401 key', new ApiError('Invalid API key', 401), 1, 'refuse-key'],
    ['403', new ApiError('forbidden', 403), 1, 'refuse-key'],
    ['413 of a batch', new ApiError('too large', 413), 10, 'split'],
    ['413 of one event', new ApiError('too large', 413), 1, 'drop'],
    ['400 of a batch', new ApiError('bad', 400), 5, 'isolate'],
    ['422 of a batch', new ApiError('bad', 422), 5, 'isolate'],
    ['400 of one event', new ApiError('bad', 400), 1, 'drop'],
    ['404', new ApiError('not found', 404), 5, 'drop'],
    ['not an ApiError', new TypeError('bug'), 1, 'fault'],
  ];
  it.each(cases)('%s', (_name, err, size, action) => {
    expect(failureAction(err, size)).toBe(action);
  });

  it('cuts a batch at the size limit, but always sends at least one event', () => {
    const events = ['a'.repeat(10), 'b'.repeat(10), 'c'.repeat(10)];
    expect(batchEnd(events, 200, 25)).toBe(2);
    expect(batchEnd(events, 2, 1000)).toBe(2);
    expect(batchEnd(['x'.repeat(100)], 200, 10)).toBe(1);
    expect(batchEnd([], 200, 10)).toBe(0);
  });
});

describe('SessionOutbox', () => {
  it('needs an update only for a payload version the server has not seen', () => {
    const outbox = new SessionOutbox(S1, 'create', 10);
    expect(outbox.needsUpdate).toBe(false);
    outbox.setPayload({ session_id: S1, init_timestamp: 't' }, false);
    expect(outbox.needsUpdate).toBe(true);
    outbox.updateSent(outbox.payloadVersion);
    expect(outbox.needsUpdate).toBe(false);
    outbox.setPayload({ session_id: S1, init_timestamp: 't', tags: ['x'] }, true);
    expect(outbox.needsUpdate && outbox.ended).toBe(true);
  });

  it('keeps each agent once', () => {
    const outbox = new SessionOutbox(S1, 'join', 10);
    outbox.addAgent({ id: 'a', name: 'A' });
    outbox.addAgent({ id: 'a', name: 'A again' });
    outbox.addAgent({ id: 'b', name: 'B' });
    expect(outbox.agents.map((a) => a.name)).toEqual(['A', 'B']);
  });

  it('a joined session with nothing to send has no work; an expired token makes it join again', () => {
    const outbox = new SessionOutbox(S1, 'join', 10);
    expect(outbox.hasWork).toBe(false);
    outbox.mustCreate();
    outbox.created('j', 'http://s/1', 0);
    expect([outbox.mode, outbox.jwt, outbox.sessionUrl]).toEqual(['create', 'j', 'http://s/1']);
    outbox.expireToken();
    expect(outbox.needsAuthorization && outbox.mode === 'join').toBe(true);
  });

  it('a joined session is claimed by its own start only while nothing of it is authorized or known', () => {
    const joined = new SessionOutbox(S1, 'join', 10);
    joined.claim();
    expect(joined.mode).toBe('create');
    const authorized = new SessionOutbox(S1, 'join', 10);
    authorized.authorized('j');
    authorized.claim();
    expect(authorized.mode).toBe('join');
    const known = new SessionOutbox(S1, 'join', 10);
    known.setPayload({ session_id: S1, init_timestamp: 't' }, false);
    known.claim();
    expect(known.mode).toBe('join');
  });

  it('creating a session sends its data, except an ended one: its update still goes after its events', () => {
    const running = new SessionOutbox(S1, 'create', 10);
    running.setPayload({ session_id: S1, init_timestamp: 't' }, false);
    running.created('j', undefined, running.payloadVersion);
    expect(running.needsUpdate).toBe(false);
    const ended = new SessionOutbox(S1, 'create', 10);
    ended.setPayload({ session_id: S1, init_timestamp: 't' }, true);
    ended.created('j', undefined, ended.payloadVersion);
    expect(ended.needsUpdate).toBe(true);
    ended.updateGivenUp();
    expect(ended.needsUpdate || ended.hasWork).toBe(false);
  });

  it('an abandoned session has nothing left to send nor to authorize', () => {
    const outbox = new SessionOutbox(S1, 'create', 10);
    outbox.setPayload({ session_id: S1, init_timestamp: 't' }, false);
    outbox.events.push('"e"');
    outbox.evaluations.push('"v"');
    outbox.addAgent({ id: 'a', name: 'A' });
    expect(outbox.hasWork).toBe(true);
    outbox.abandon();
    expect([outbox.hasWork, outbox.mode, outbox.payload]).toEqual([false, 'join', undefined]);
  });

  it('a snapshot carries the batches in flight and the waiting events, and restores to the same state', () => {
    const outbox = new SessionOutbox(S1, 'create', 10);
    outbox.created('j', undefined, 0);
    outbox.setPayload({ session_id: S1, init_timestamp: 't' }, true);
    outbox.events.push('"w1"', '"w2"');
    outbox.batchesInFlight.add(['"f1"']);
    outbox.addAgent({ id: 'a', name: 'A' });
    outbox.firstEventAt = 'first';
    const snapshot = JSON.parse(JSON.stringify(outbox.snapshot()));
    expect(snapshot.events).toEqual(['"f1"', '"w1"', '"w2"']);
    const restored = new SessionOutbox(S1, snapshot.mode, 10);
    restored.restore(snapshot);
    expect(restored.snapshot()).toEqual(snapshot);
    expect(restored.needsUpdate && restored.ended && restored.hasWork).toBe(true);
  });
});

describe('OutboxStore', () => {
  it('takes events up to maxQueueSize, then counts drops', () => {
    const store = new OutboxStore(10, 3);
    for (let i = 0; i < 5; i++) store.addEvent(S1, toolEvent(S1, i));
    expect(store.stats()).toMatchObject({ queued: 3, droppedQueueFull: 2, pending: 3 });
    expect(store.get(S1)?.totals.toolCalls).toBe(3);
    const logger = silentLogger();
    store.reportDrops(logger);
    store.reportDrops(logger);
    expect(logger.lines).toEqual([
      'warn dropped 2 events because the queue was full (maxQueueSize 3); 2 dropped in all',
    ]);
  });

  it('counts what it gives up on as failed, once', () => {
    const store = new OutboxStore(10, 100);
    openSession(store, S1, 4);
    store.dropAll(store.get(S1) as SessionOutbox);
    expect(store.stats()).toMatchObject({ queued: 4, failed: 4, pending: 0 });
    expect(store.active.size).toBe(0);
  });

  it('keeps retired sessions readable and reopens them', () => {
    const store = new OutboxStore(10, 100);
    openSession(store, S1, 1);
    const outbox = store.get(S1) as SessionOutbox;
    store.retire(outbox);
    expect(store.active.has(S1)).toBe(false);
    expect(store.get(S1)).toBe(outbox);
    expect(store.open(S1, 'join')).toBe(outbox);
    expect(store.active.has(S1)).toBe(true);
  });
});

describe('Sender', () => {
  it('delivers a session in order: create, agent, events, update', async () => {
    const api = scriptedApi();
    const { store, sender } = setup(api, { maxBatchSize: 2 });
    openSession(store, S1, 3);
    store.get(S1)?.addAgent({ id: 'a', name: 'A' });
    expect(await sender.flush(5000)).toBe(true);
    expect(api.calls.map((c) => c.path)).toEqual([
      '/v2/create_session',
      '/v2/create_agent',
      '/v2/create_events',
      '/v2/create_events',
      '/v2/update_session',
    ]);
    expect(api.calls.slice(1).every((c) => c.auth === `Bearer jwt-${S1}`)).toBe(true);
    expect(store.stats()).toMatchObject({ sent: 3, pending: 0, failed: 0 });
    expect(store.get(S1)?.endResult?.token_cost).toBe('0.000100');
  });

  it('never has more calls in flight than maxConcurrentRequests', async () => {
    const api = scriptedApi(() => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2)));
    const { store, sender } = setup(api, { maxBatchSize: 1, concurrency: 3 });
    openSession(store, S1, 20);
    openSession(store, S2, 20);
    expect(await sender.flush(10_000)).toBe(true);
    expect(api.maxInFlight()).toBe(3);
    expect(eventIds(api.calls)).toHaveLength(40);
  });

  it('retries a batch the server failed on, and sends each event once', async () => {
    const api = scriptedApi((call, n) => (call.path === '/v2/create_events' && n < 5 ? { status: 503 } : undefined));
    const { store, sender } = setup(api);
    openSession(store, S1, 5);
    expect(await sender.flush(5000)).toBe(true);
    const delivered = api.calls.filter((c) => c.path === '/v2/create_events').at(-1)?.body as { events: unknown[] };
    expect(delivered.events).toHaveLength(5);
    expect(store.stats()).toMatchObject({ sent: 5, failed: 0 });
  });

  it('halves the batch when the body is too large', async () => {
    const api = scriptedApi((call) =>
      call.path === '/v2/create_events' && (call.body as { events: unknown[] }).events.length > 2
        ? { status: 413, body: { message: 'too large' } }
        : undefined,
    );
    const { store, sender } = setup(api, { maxBatchSize: 8, concurrency: 1 });
    openSession(store, S1, 8);
    expect(await sender.flush(5000)).toBe(true);
    const sizes = batchSizes(api.calls);
    expect(sizes).toEqual([8, 4, 2, 2, 2, 2]);
    expect(new Set(eventIds(api.calls)).size).toBe(8);
  });

  it('sends a batch refused as bad input again in halves: only the event refused alone is dropped', async () => {
    const bad = (call: Call) =>
      (call.body as { events: { id: string }[] }).events.some((e) => e.id === toolEvent(S1, 5).id);
    const api = scriptedApi((call) =>
      call.path === '/v2/create_events' && bad(call)
        ? { status: 400, body: { message: 'Body is not valid' } }
        : undefined,
    );
    const { store, sender } = setup(api, { maxBatchSize: 8, concurrency: 1 });
    openSession(store, S1, 8);
    expect(await sender.flush(5000)).toBe(true);
    const sizes = batchSizes(api.calls);
    // 8 refused; 4 taken; 4 refused; 2 refused; 1 taken; 1 refused alone, dropped; the last 2 at once.
    expect(sizes).toEqual([8, 4, 4, 2, 1, 1, 2]);
    expect(store.stats()).toMatchObject({ sent: 7, failed: 1 });
    for (let i = 8; i < 16; i++) store.addEvent(S1, toolEvent(S1, i));
    expect(await sender.flush(5000)).toBe(true);
    expect(api.calls.filter((c) => c.path === '/v2/create_events').at(-1)?.body).toMatchObject({
      events: { length: 8 },
    });
  });

  it('halves the evaluations per call when their body is too large, and sends each once', async () => {
    const api = scriptedApi((call) =>
      call.path === '/v2/create_evaluations' && (call.body as { evaluations: unknown[] }).evaluations.length > 3
        ? { status: 413, body: { message: 'too large' } }
        : undefined,
    );
    const { store, sender } = setup(api, { maxBatchSize: 10, concurrency: 1 });
    openSession(store, S1, 2);
    for (let i = 0; i < 10; i++) {
      store.addEvaluation(S1, {
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        session_id: S1,
        timestamp: '2024-05-01T12:00:01.000000Z',
        name: 'quality',
        score: i / 10,
      });
    }
    expect(await sender.flush(5000)).toBe(true);
    const sent = api.calls.filter((c) => c.path === '/v2/create_evaluations');
    expect(sent.map((c) => (c.body as { evaluations: unknown[] }).evaluations.length)).toEqual([10, 5, 2, 2, 2, 2, 2]);
    // The 10 and the 5 were refused; the calls of 2 took them all, each once.
    const ids = sent
      .slice(2)
      .flatMap((c) => (c.body as { evaluations: { id: string }[] }).evaluations.map((e) => e.id));
    expect(new Set(ids).size).toBe(10);
    expect(ids).toHaveLength(10);
    // The events' batches stay as they were.
    expect(api.calls.find((c) => c.path === '/v2/create_events')?.body).toMatchObject({ events: [{}, {}] });
    expect(store.stats()).toMatchObject({ failed: 0 });
  });

  it('reauthorizes on an expired token and goes on with the new one', async () => {
    let expired = false;
    const api = scriptedApi((call) => {
      if (call.path === '/v2/create_events' && !expired) {
        expired = true;
        return { status: 401, body: { message: 'token expired' } };
      }
      return undefined;
    });
    const { store, sender } = setup(api);
    openSession(store, S1, 2);
    expect(await sender.flush(5000)).toBe(true);
    const paths = api.calls.map((c) => c.path);
    expect(paths).toEqual([
      '/v2/create_session',
      '/v2/create_events',
      '/v2/reauthorize_jwt',
      '/v2/create_events',
      '/v2/update_session',
    ]);
    expect(api.calls[3]?.auth).toBe(`Bearer jwt2-${S1}`);
  });

  it('a refused key is asked once, whatever the number of sessions, and everything is dropped', async () => {
    const api = scriptedApi(() => ({ status: 401, body: { message: 'Invalid API key' } }));
    const { store, sender, logger } = setup(api);
    openSession(store, S1, 3);
    openSession(store, S2, 3);
    expect(await sender.flush(5000)).toBe(true);
    expect(api.calls.map((c) => c.path)).toEqual(['/v2/create_session']);
    expect(store.keyRefused).toBe(true);
    expect(store.stats()).toMatchObject({ failed: 6, pending: 0 });
    expect(logger.lines.filter((l) => l.includes('refused the API key'))).toHaveLength(1);
  });

  it('drops events the server refuses for good, and still ends the session', async () => {
    const api = scriptedApi((call) =>
      call.path === '/v2/create_events' ? { status: 400, body: { message: 'bad' } } : undefined,
    );
    const { store, sender, logger } = setup(api, { concurrency: 1 });
    openSession(store, S1, 10);
    expect(await sender.flush(5000)).toBe(true);
    const paths = api.calls.map((c) => c.path);
    expect([paths[0], paths.at(-1)]).toEqual(['/v2/create_session', '/v2/update_session']);
    // Each refused batch goes again in halves, until three events were refused alone in a row: the
    // server refuses them all, and the rest is dropped at once.
    const sizes = batchSizes(api.calls);
    expect(sizes).toEqual([10, 5, 2, 1, 9, 4, 2, 1, 8, 4, 2, 1, 7]);
    expect(store.stats()).toMatchObject({ failed: 10, sent: 0 });
    expect(logger.lines.some((l) => l.startsWith('error') && l.includes('dropping 7'))).toBe(true);
  });

  it('a joined session reauthorizes, and creates the session when the server does not know it yet', async () => {
    const api = scriptedApi((call) => (call.path === '/v2/reauthorize_jwt' ? { status: 404 } : undefined));
    const { store, sender } = setup(api);
    store.addEvent(S1, toolEvent(S1, 0));
    expect(await sender.flush(5000)).toBe(true);
    expect(api.calls.map((c) => c.path)).toEqual(['/v2/reauthorize_jwt', '/v2/create_session', '/v2/create_events']);
    expect((api.calls[1]?.body as { session?: { init_timestamp: string } } | undefined)?.session?.init_timestamp).toBe(
      '2024-05-01T12:00:00.000000Z',
    );
  });

  it('a flush gives up at its timeout while the server does not answer, and the events stay queued', async () => {
    const api = scriptedApi(() => new Promise<Answer>(() => {}));
    const { store, sender } = setup(api);
    openSession(store, S1, 2);
    expect(await sender.flush(50)).toBe(false);
    expect(store.pending).toBe(2);
  });
});

describe('AgentOpsClient answers', () => {
  const client = (body: BodyInit | null, status = 200) =>
    new AgentOpsClient({
      apiKey: 'key',
      endpoint: 'http://api.test',
      fetch: (async () => new Response(body, { status })) as typeof fetch,
    });
  const session = { session_id: S1, init_timestamp: 't' };

  it.each([
    ['an HTML page', '<html>Sign in</html>', /not JSON/],
    ['invalid JSON', '{"jwt": ', /not JSON/],
    ['JSON without a jwt', '{"status":"Success"}', /no jwt/],
    ['a JSON array', '[]', /not a JSON object/],
    ['nothing', '', /empty body/],
  ])('create_session answered 200 with %s is an unexpected answer, retried', async (_name, body, why) => {
    const err = await client(body)
      .createSession(session)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(why);
    expect((err as ApiError).unexpectedAnswer && (err as ApiError).retryable).toBe(true);
    expect(failureAction(err)).toBe('retry');
  });

  it('takes "Success" as text, JSON or nothing as an acknowledgement of events', async () => {
    const answers = await Promise.all(
      ['Success', '"Success"', ''].map((b) => client(b).createEncodedEvents('jwt', ['{}'])),
    );
    expect(answers).toEqual(['Success', 'Success', undefined]);
    await expect(client('<html/>').createEncodedEvents('jwt', ['{}'])).rejects.toMatchObject({
      unexpectedAnswer: true,
    });
  });

  it('stops reading an answer past its size limit', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const err = await client(endless)
      .createSession(session)
      .catch((e: unknown) => e);
    expect((err as ApiError).message).toMatch(/larger than 1048576 bytes/);
    expect((err as ApiError).unexpectedAnswer).toBe(true);
    expect(pulled).toBeLessThan(40);
  });
});
