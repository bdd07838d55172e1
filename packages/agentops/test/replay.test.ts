/**
 * Replay's pieces without a process or a network: the request key and diff, the order of a
 * recording's steps, matching by position and by key, each `onDivergence`, a fork's point, and a
 * tool's recorded result or error. (The whole path, with real clients, is test/replay.e2e.test.ts.)
 */

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReplayExchange, SessionExport } from '@agentops/exporter';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentOpsSpanProcessor } from '../src/pipeline/AgentOpsSpanProcessor.js';
import { REPLAY_KEY, type ReplayCalls, recordExchanges } from '../src/replay/http.js';
import { planReplay, Replay, ReplayDivergenceError, ReplayError, type ReplayOptions } from '../src/replay/Replay.js';
import { canonicalJson, differences, diffText, requestKey } from '../src/replay/request-key.js';
import type { Session } from '../src/session/Session.js';

const manager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(manager.enable());
});
afterAll(() => {
  context.disable();
});

describe('the request key and diff', () => {
  it('a request is the same call whatever its keys’ order, its origin or its undefined fields', () => {
    const a = {
      method: 'POST',
      url: 'https://api.openai.com/v1/chat/completions',
      body: '{"model":"m","messages":[1,2]}',
    };
    const b = {
      method: 'post',
      url: 'http://127.0.0.1:8080/v1/chat/completions',
      body: '{"messages":[1,2],"model":"m"}',
    };
    expect(requestKey(a)).toBe(requestKey(b));
    expect(requestKey({ ...a, body: '{"model":"m","messages":[2,1]}' })).not.toBe(requestKey(a));
    expect(requestKey({ ...a, url: 'https://api.openai.com/v1/responses' })).not.toBe(requestKey(a));
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [true, null] } })).toBe('{"a":{"c":[true,null]},"b":1}');
  });

  it('says each place two values differ, by its JSON path, at most 20', () => {
    const found = differences(
      { messages: [{ role: 'user', content: 'Paris?' }], 'max-tokens': 5 },
      { messages: [{ role: 'user', content: 'Lisbon?' }, { role: 'tool' }], 'max-tokens': 5 },
    );
    expect(found).toEqual([
      { path: '$.messages[0].content', recorded: 'Paris?', now: 'Lisbon?' },
      { path: '$.messages[1]', recorded: undefined, now: { role: 'tool' } },
    ]);
    expect(diffText(found)).toBe(
      '- $.messages[0].content: "Paris?"\n+ $.messages[0].content: "Lisbon?"\n- $.messages[1]: (absent)\n+ $.messages[1]: {"role":"tool"}',
    );
    expect(differences({ 'a b': 1 }, { 'a b': 2 })[0]?.path).toBe('$["a b"]');
    const many = differences(
      Array.from({ length: 50 }, (_, i) => i),
      Array.from({ length: 50 }, (_, i) => -i - 1),
    );
    expect(many).toHaveLength(20);
  });
});

/** An exchange answering a chat request for `content`. */
const exchange = (content: string): ReplayExchange => ({
  request: {
    method: 'POST',
    url: 'https://api.example/v1/chat',
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
  },
  response: {
    status: 200,
    status_text: 'OK',
    headers: [['content-type', 'application/json']],
    chunks: [`{"a":"${content}"}`],
  },
});

const at = (ms: number, micro = 0) =>
  new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString().replace('Z', `${String(micro).padStart(3, '0')}Z`);

/** A recording: two LLM calls around a tool (which started in the same millisecond as the second call, and ended first) and a failing tool. */
function recording(): SessionExport {
  const llm = (id: string, content: string, start: string, end: string) => ({
    id,
    session_id: 'origin',
    event_type: 'llms' as const,
    model: 'm',
    init_timestamp: start,
    end_timestamp: end,
    replay: exchange(content),
  });
  return {
    session: { session_id: 'origin', name: 'run' },
    llms: [llm('l1', 'first', at(0), at(5)), llm('l2', 'second', at(6), at(9)), llm('l3', 'third', at(20), at(21))],
    tools: [
      {
        id: 't1',
        session_id: 'origin',
        event_type: 'tools',
        name: 'lookup',
        params: { q: 1 },
        returns: { rows: 3 },
        init_timestamp: at(6, 0),
        end_timestamp: at(6, 200),
      },
      {
        id: 't2',
        session_id: 'origin',
        event_type: 'tools',
        name: 'fail',
        params: [],
        returns: null,
        init_timestamp: at(10),
        end_timestamp: at(11),
      },
    ],
    errors: [
      {
        id: 'e1',
        session_id: 'origin',
        event_type: 'errors',
        error_type: 'TimeoutError',
        details: 'took too long',
        trigger_event_id: 't2',
        init_timestamp: at(11),
        end_timestamp: at(11),
      },
    ],
    actions: [],
    agents: [],
    stats: {},
  } as unknown as SessionExport;
}

const session = { context: () => ROOT_CONTEXT, endSession: async () => '0.00' } as unknown as Session;

/** Runs `fn` with the replay's calls, as the interception and the wrappers find them. */
async function inReplay(options: ReplayOptions, fn: (calls: ReplayCalls) => void, recorded = recording()) {
  const replay = new Replay(planReplay(recorded, options), session);
  let error: unknown;
  try {
    await replay.run(() => fn(context.active().getValue(REPLAY_KEY) as ReplayCalls));
  } catch (err) {
    error = err;
  }
  return { replay, error };
}

const request = (content: string) => exchange(content).request;

describe('a replay', () => {
  it('orders the recorded calls by start, then end; answers them by position and by key', async () => {
    const { replay, error } = await inReplay({}, (calls) => {
      expect(calls.llm(request('first'), {})).toEqual(exchange('first'));
      expect(calls.tool('lookup', { q: 1 })).toEqual({ value: { rows: 3 } });
      // Out of order (concurrent calls): found by their key.
      expect(calls.llm(request('third'), {})).toEqual(exchange('third'));
      expect(calls.llm(request('second'), {})).toEqual(exchange('second'));
      const failed = calls.tool('fail', []);
      expect('error' in failed && failed.error).toMatchObject({ name: 'TimeoutError', message: 'took too long' });
    });
    expect(error).toBeUndefined();
    expect(replay.steps.map((s) => s.eventId)).toEqual(['l1', 't1', 'l2', 't2', 'l3']);
    expect([replay.replayed, replay.live, replay.replayable]).toEqual([5, 0, true]);
  });

  it("'throw' fails the diverging call and every later one, and run() rejects with the divergence", async () => {
    const { replay, error } = await inReplay({}, (calls) => {
      const failed = calls.llm(request('changed'), {});
      expect(failed).toBeInstanceOf(ReplayDivergenceError);
      expect(calls.llm(request('second'), {})).toBe(failed);
      expect(calls.tool('lookup', { q: 1 })).toEqual({ error: failed });
    });
    expect(error).toBeInstanceOf(ReplayDivergenceError);
    expect((error as ReplayDivergenceError).divergence).toMatchObject({ step: 0, kind: 'llm', action: 'throw' });
    expect(replay.divergences).toHaveLength(1);
  });

  it("'live' runs the diverging call and replays the next; 'stop' runs it and all after", async () => {
    const live = await inReplay({ onDivergence: 'live' }, (calls) => {
      expect(calls.llm(request('changed'), {})).toBe('live');
      expect(calls.tool('lookup', { q: 2 })).toBe('live');
      expect(calls.llm(request('second'), {})).toEqual(exchange('second'));
    });
    expect(live.replay.divergences.map((d) => [d.step, d.kind, d.diff])).toEqual([
      [0, 'llm', '- $.messages[0].content: "first"\n+ $.messages[0].content: "changed"'],
      [1, 'tool', '- $.arguments.q: 1\n+ $.arguments.q: 2'],
    ]);
    expect([live.replay.replayed, live.replay.live]).toEqual([1, 2]);
    const stop = await inReplay({ onDivergence: 'stop' }, (calls) => {
      expect(calls.llm(request('first'), {})).toEqual(exchange('first'));
      expect(calls.tool('other', {})).toBe('live');
      expect(calls.llm(request('second'), {})).toBe('live');
    });
    expect([stop.replay.replayed, stop.replay.live, stop.replay.divergences.length]).toEqual([1, 2, 1]);
  });

  it('a fork replays the steps before its point and runs the rest live; a point outside the recording is refused', async () => {
    const { replay } = await inReplay({ from: { eventId: 'l2' } }, (calls) => {
      expect(calls.llm(request('first'), {})).toEqual(exchange('first'));
      expect(calls.tool('lookup', { q: 1 })).toEqual({ value: { rows: 3 } });
      expect(calls.llm(request('second, fixed'), {})).toBe('live');
      expect(calls.tool('fail', [])).toBe('live');
    });
    expect([replay.replayed, replay.live, replay.divergences.length]).toEqual([2, 2, 0]);
    expect(() => planReplay(recording(), { from: { step: 6 } })).toThrow(ReplayError);
    expect(() => planReplay(recording(), { from: { step: 1.5 } })).toThrow(
      'from.step must be a whole number from 0 to 5',
    );
    expect(() => planReplay(recording(), { from: { eventId: 'nope' } })).toThrow('is not an LLM or tool call');
    expect(() => planReplay(recording(), { from: 2 as never })).toThrow('from must be { step: N } or { eventId: ID }');
    // Checked before the new session starts (agentops.replay() starts it with these options).
    expect(() => planReplay(recording(), { onDivergence: 'skip' as never })).toThrow(ReplayError);
    expect(planReplay(recording(), { from: { step: 2 }, tags: ['t'] }).session).toEqual({
      tags: ['fork', 't'],
      forkedFrom: { sessionId: 'origin', step: 2 },
      name: 'run',
    });
    expect(() => planReplay(recording(), { onDivergence: 'skip' as never })).toThrow(
      `onDivergence must be 'throw', 'live' or 'stop', not "skip"`,
    );
  });

  it("a recorded failure is given again to the same call's retries, not to a new call of the same request", async () => {
    const recorded = recording();
    const first = recorded.llms[0]?.replay;
    if (first) first.response = { ...first.response, status: 503, chunks: ['{"error":"overloaded"}'] };
    const { replay, error } = await inReplay(
      { onDivergence: 'live' },
      (calls) => {
        const call = {};
        const failed = calls.llm(request('first'), call);
        expect(failed).toMatchObject({ response: { status: 503 } });
        // Two retries of that call: the same failure, no step used up.
        expect(calls.llm(request('first'), call)).toBe(failed);
        expect(calls.llm(request('first'), call)).toBe(failed);
        expect(calls.tool('lookup', { q: 1 })).toEqual({ value: { rows: 3 } });
        // Another call, even with the same request, is the next step's.
        expect(calls.llm(request('first'), {})).toBe('live');
      },
      recorded,
    );
    expect(error).toBeUndefined();
    expect([replay.replayed, replay.live]).toEqual([2, 1]);
    expect(replay.divergences).toMatchObject([{ step: 2, kind: 'llm', action: 'live' }]);
    // A success is not given again: the same call asking again is the next step's.
    const ok = await inReplay({ onDivergence: 'live' }, (calls) => {
      const call = {};
      expect(calls.llm(request('first'), call)).toEqual(exchange('first'));
      expect(calls.llm(request('first'), call)).toBe('live');
    });
    expect(ok.replay.divergences).toHaveLength(1);
  });

  it('says which calls were not recorded in full; a call past the recording is a divergence', async () => {
    const recorded = recording();
    delete (recorded.llms[1] as { replay?: unknown }).replay;
    const { replay } = await inReplay(
      { onDivergence: 'live' },
      (calls) => {
        calls.llm(request('first'), {});
        calls.tool('lookup', { q: 1 });
        expect(calls.llm(request('second'), {})).toBe('live');
      },
      recorded,
    );
    expect(replay.replayable).toBe(false);
    expect(replay.gaps).toEqual(['step 2: LLM call l2 has no recorded exchange']);
    // As the mask leaves an exchange it changed (marked), and one it replaced whole (a hash).
    const masked = recording();
    const first = masked.llms[0]?.replay;
    if (first) first.masked = true;
    (masked.llms[2] as { replay?: unknown }).replay = 'sha256:0123456789abcdef';
    expect(new Replay(planReplay(masked, {}), session).gaps).toEqual([
      "step 0: the mask changed LLM call l1's recorded exchange",
      'step 4: LLM call l3 has no recorded exchange',
    ]);
    // A response that says [REDACTED] itself is a response like any other.
    const said = recording();
    const third = said.llms[2]?.replay;
    if (third) third.response.chunks = ['{"a":"[REDACTED]"}'];
    expect(new Replay(planReplay(said, {}), session).gaps).toEqual([]);
    const past = await inReplay({ onDivergence: 'live' }, (calls) => {
      for (const c of ['first', 'second', 'third']) calls.llm(request(c), {});
      expect(calls.llm(request('fourth'), {})).toBe('live');
    });
    expect(past.replay.divergences.at(-1)).toMatchObject({ step: -1, kind: 'llm' });
  });
});

describe('the interception of fetch', () => {
  it('records an LLM call’s exchange on its span and leaves every other request as the app sent it (a form keeps its boundary)', async () => {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const boundary = /boundary=(.+)$/.exec(req.headers['content-type'] ?? '')?.[1];
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'a=b' });
        res.end(
          JSON.stringify({ boundaryInBody: boundary ? body.includes(`--${boundary}`) : null, length: body.length }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat`;
    const tracer = new TracerProvider().getTracer('test');
    const form = () => {
      const f = new FormData();
      f.append('purpose', 'fine-tune');
      f.append('file', new Blob(['{"a":1}']), 'data.jsonl');
      return f;
    };
    expect(recordExchanges(true)).toBe(true);
    try {
      // Outside an LLM call, and inside one: the form arrives whole, its boundary the one its header names.
      expect(await (await fetch(url, { method: 'POST', body: form() })).json()).toMatchObject({ boundaryInBody: true });
      const attributes = {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'm',
        'gen_ai.provider.name': 'openai',
      };
      const span = await tracer.startActiveSpan('chat m', { attributes }, async (s) => {
        expect(await (await fetch(url, { method: 'POST', body: form() })).json()).toMatchObject({
          boundaryInBody: true,
        });
        await (
          await fetch(url, { method: 'POST', body: '{"messages":[1]}', headers: { authorization: 'Bearer sk-secret' } })
        ).text();
        s.end();
        return s as unknown as { attributes: Record<string, unknown> };
      });
      const kept = JSON.parse(span.attributes['agentops.replay.exchange'] as string) as ReplayExchange;
      expect(kept.request).toEqual({ method: 'POST', url, body: '{"messages":[1]}' });
      // No request header (the key), and of the response's only those a client reads.
      expect(JSON.stringify(kept)).not.toContain('sk-secret');
      expect(kept.response).toMatchObject({ status: 200, headers: [['content-type', 'application/json']] });
    } finally {
      recordExchanges(false);
      server.close();
    }
  });

  it('goes on recording when the app sets its own global dispatcher after init, and records a call once through one that hands requests to the last', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat`;
    const GLOBAL = Symbol.for('undici.globalDispatcher.1');
    const holder = globalThis as unknown as Record<symbol, object | undefined>;
    // What undici's setGlobalDispatcher does (the npm package's, which an app uses for a proxy or a pool).
    const setGlobalDispatcher = (agent: unknown) =>
      Object.defineProperty(globalThis, GLOBAL, {
        value: agent,
        writable: true,
        enumerable: false,
        configurable: false,
      });
    const provider = new TracerProvider({ spanProcessors: [new AgentOpsSpanProcessor({ logLevel: 'silent' })] });
    const tracer = provider.getTracer('test');
    const attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'm',
      'gen_ai.provider.name': 'openai',
    };
    /** An LLM call through fetch; how many times its exchange was written on its span, and the last. */
    const call = (body: string) =>
      tracer.startActiveSpan('chat m', { attributes }, async (s) => {
        let writes = 0;
        const set = s.setAttribute.bind(s);
        s.setAttribute = (key, value) => {
          if (key === 'agentops.replay.exchange') writes++;
          return set(key, value);
        };
        await (await fetch(url, { method: 'POST', body })).text();
        s.end();
        const kept = (s as unknown as { attributes: Record<string, unknown> }).attributes['agentops.replay.exchange'];
        return { writes, request: kept ? (JSON.parse(kept as string) as ReplayExchange).request.body : undefined };
      });
    expect(recordExchanges(true)).toBe(true);
    const original = holder[GLOBAL];
    try {
      const Agent = Object.getPrototypeOf(original).constructor as new () => object;
      setGlobalDispatcher(new Agent());
      expect(await call('{"n":1}')).toEqual({ writes: 1, request: '{"n":1}' });
      // A dispatcher that hands each request to the one before it (which records): still once.
      let passed = 0;
      const before = holder[GLOBAL] as unknown as { dispatch(o: unknown, h: unknown): boolean };
      class Counting extends Agent {
        dispatch(o: unknown, h: unknown): boolean {
          passed++;
          return before.dispatch(o, h);
        }
      }
      setGlobalDispatcher(new Counting());
      expect(await call('{"n":2}')).toEqual({ writes: 1, request: '{"n":2}' });
      expect(passed).toBe(1);
    } finally {
      recordExchanges(false);
      holder[GLOBAL] = original;
      await provider.shutdown();
      server.close();
    }
  });
});
