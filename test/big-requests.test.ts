/**
 * A big request does not hold up the others: a large OTLP request is stored a slice at a time, and a
 * large session is exported a page at a time (SQLite's checkpoints, in a thread of their own, are
 * tested in sqlite-store.test.ts). These are behaviour tests (what is answered while the big one is under way); the waits themselves
 * are measured by `pnpm bench` (figure 8).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventPayload, formatCost, type SessionExport } from '@agentops/exporter';
import { type AgentOpsServer, type StoredEvent, startServer } from '@agentops/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from './helpers/stores.js';

const API_KEY = 'big-requests-0000-4000-8000-000000000000';
let dir: string;
let server: AgentOpsServer;
let drop: () => Promise<void>;
const key = { 'x-agentops-api-key': API_KEY };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentops-big-'));
  const database = await testDatabase(join(dir, 'agentops.db'));
  drop = database.drop;
  server = await startServer({ db: database.db, port: 0, apiKey: API_KEY });
});
afterAll(async () => {
  await server.close();
  await drop();
  rmSync(dir, { recursive: true, force: true });
});

async function newSession(): Promise<string> {
  const projectId = (await server.store.listProjects())[0]?.id;
  if (!projectId) throw new Error('no project');
  const id = randomUUID();
  await server.store.upsertSession(projectId, { session_id: id, init_timestamp: '2024-05-01T12:00:00.000Z' });
  return id;
}

/** A session made through the API, and its JWT for sending events. */
async function createSession(): Promise<{ id: string; jwt: string }> {
  const id = randomUUID();
  const r = await fetch(`${server.url}/v2/create_session`, {
    method: 'POST',
    headers: { ...key, 'content-type': 'application/json' },
    body: JSON.stringify({ session: { session_id: id, init_timestamp: '2024-05-01T12:00:00.000Z' } }),
  });
  expect(r.status).toBe(200);
  return { id, jwt: ((await r.json()) as { jwt: string }).jwt };
}

/** A timestamp in the form the server stores (microseconds), `i` ms after the session's start. */
const at = (i: number) => new Date(Date.UTC(2024, 4, 1, 12) + i).toISOString().replace('Z', '000Z');

function event(sessionId: string, type: EventPayload['event_type'], i: number, extra = {}): EventPayload {
  const base = { id: randomUUID(), session_id: sessionId, init_timestamp: at(i), end_timestamp: at(i + 1) };
  if (type === 'llms') return { ...base, event_type: 'llms', model: 'gpt-4o', prompt_tokens: 10, ...extra };
  if (type === 'tools') return { ...base, event_type: 'tools', name: `tool-${i}`, ...extra };
  if (type === 'actions') return { ...base, event_type: 'actions', action_type: `act-${i}`, ...extra };
  return { ...base, event_type: 'errors', error_type: 'Boom', details: `error ${i}`, ...extra };
}

async function exportOf(sessionId: string): Promise<SessionExport> {
  const r = await fetch(`${server.url}/v2/sessions/${sessionId}/export`, { headers: key });
  expect(r.status).toBe(200);
  return (await r.json()) as SessionExport;
}

describe('the session export, a page at a time', () => {
  it('gives every event of each type in time order (ties in the order stored), with the cost the server keeps', async () => {
    const id = await newSession();
    const types = ['llms', 'tools', 'actions', 'errors'] as const;
    const stored: StoredEvent[] = [];
    // 2,345 events: more than two pages of LLM calls, and timestamps shared by several events.
    for (let i = 0; i < 2345; i++) {
      const type = types[i % 7 === 0 ? 1 + (i % 3) : 0] as EventPayload['event_type'];
      const payload = event(id, type, Math.floor(i / 3));
      // Three kinds of cost: given by the client (also in the payload), priced by the server, none.
      const cost = type !== 'llms' ? null : i % 3 === 0 ? 0.1 + i / 1e6 : i % 3 === 1 ? i / 7e5 : null;
      stored.push({ payload: i % 3 === 0 && cost !== null ? { ...payload, cost } : payload, cost });
    }
    expect(await server.store.insertEvents(id, stored)).toBe(2345);

    const body = await exportOf(id);
    for (const type of types) {
      const expected = stored
        .filter((e) => e.payload.event_type === type)
        .map((e, order) => ({ e, order }))
        .sort((a, b) => a.e.payload.init_timestamp.localeCompare(b.e.payload.init_timestamp) || a.order - b.order)
        .map(({ e }) => (e.cost === null ? e.payload : { ...e.payload, cost: formatCost(e.cost) }));
      expect(body[type]).toEqual(expected);
    }
    expect(body.llms.length).toBeGreaterThan(2000);
    expect(body.session.session_id).toBe(id);
    expect(body.stats.events).toBe(2345);
  });

  it('an empty session exports empty lists', async () => {
    const id = await newSession();
    const body = await exportOf(id);
    expect(body).toMatchObject({ agents: [], llms: [], tools: [], actions: [], errors: [] });
  });

  it('is streamed: an event sent while a big export is under way is answered, and is in the export', async () => {
    const { id, jwt } = await createSession();
    // 40k LLM calls of about 1 KB each: far more than the socket and the stream can hold ahead.
    const params = { notes: 'x'.repeat(1000) };
    await server.store.insertEvents(
      id,
      Array.from({ length: 40_000 }, (_, i) => ({ payload: event(id, 'llms', i, { params }), cost: null })),
    );
    const late = event(id, 'errors', 0);

    const body = await new Promise<SessionExport>((resolve, reject) => {
      get(`${server.url}/v2/sessions/${id}/export`, { headers: key }, (res) => {
        expect(res.headers['content-length']).toBeUndefined();
        const chunks: Buffer[] = [];
        res.once('data', async (first: Buffer) => {
          chunks.push(first);
          // Held here, the export cannot run ahead to its errors, which come after the LLM calls.
          res.pause();
          const r = await fetch(`${server.url}/v2/create_events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
            body: JSON.stringify({ events: [late] }),
          });
          expect(r.status).toBe(200);
          res.on('data', (c: Buffer) => chunks.push(c));
          res.resume();
        });
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SessionExport));
        res.on('error', reject);
      }).on('error', reject);
    });
    expect(body.llms).toHaveLength(40_000);
    expect(body.errors).toEqual([late]);
  });
});

describe('a big OTLP request', () => {
  it('is stored a slice at a time: a session read during it shows part of its spans', async () => {
    const id = randomUUID();
    const traceId = id.replaceAll('-', '');
    const kv = (k: string, v: string | number) => ({
      key: k,
      value: typeof v === 'number' ? { intValue: v } : { stringValue: v },
    });
    const count = 20_000;
    const spans = Array.from({ length: count }, (_, i) => ({
      traceId,
      spanId: (i + 1).toString(16).padStart(16, '0'),
      name: 'chat gpt-4o',
      kind: 3,
      startTimeUnixNano: String(1714564800000000000n + BigInt(i) * 1000000n),
      endTimeUnixNano: String(1714564801000000000n + BigInt(i) * 1000000n),
      attributes: [
        kv('agentops.session.id', id),
        kv('gen_ai.operation.name', 'chat'),
        kv('gen_ai.request.model', 'gpt-4o'),
        kv('gen_ai.usage.input_tokens', 100),
      ],
      status: {},
    }));
    const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
    let bigDone = false;
    const big = fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...key },
      body,
    }).then((r) => {
      bigDone = true;
      return r;
    });
    const seen: number[] = [];
    while (!bigDone) {
      const r = await fetch(`${server.url}/v2/sessions/${id}/stats`, { headers: key });
      if (r.status === 200 && !bigDone) seen.push(((await r.json()) as { events: number }).events);
      else await r.arrayBuffer();
    }
    expect((await big).status).toBe(200);
    expect(seen.some((n) => n > 0 && n < count)).toBe(true);
    expect((await exportOf(id)).llms).toHaveLength(count);
  });
});
