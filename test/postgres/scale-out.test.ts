/**
 * Several server instances on one PostgreSQL database, each a process of its own (the installed
 * `agentops-server` CLI): they start together on an empty database (one schema, one project, one
 * signing secret), any of them answers for a session another wrote, and the same batch arriving at
 * two of them at once is stored once. Run by `pnpm test:postgres`.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionExport, SessionStats } from '@agentops/exporter';
import { openStore, PostgresStore } from '@agentops/server';
import * as agentops from 'agentops';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runNode, type Service, startService } from '../helpers/child.js';
import { startTestServer } from '../helpers/server.js';
import { freshPostgresDatabase, postgresUrl, selectRows } from '../helpers/stores.js';

const cli = join(dirname(createRequire(import.meta.url).resolve('@agentops/server')), 'cli.js');
const KEY = '5ca1e0a7-0000-4000-8000-000000000001';

interface Instance {
  url: string;
  stdout: () => string;
  stop(): Promise<unknown>;
}

/** `agentops-server --db URL` in a process of its own, resolved once it listens. */
async function startInstance(db: string, args: string[] = []): Promise<Instance> {
  let child: ChildProcess | undefined;
  let out = '';
  let listening: (url: string) => void = () => {};
  const ready = new Promise<string>((resolve) => {
    listening = resolve;
  });
  const exited = runNode(cli, ['--port', '0', '--db', db, ...args], {}, (line, c) => {
    child = c;
    out += `${line}\n`;
    const m = /listening on (http:\/\/\S+)/.exec(line);
    if (m?.[1]) listening(m[1]);
  });
  const url = await Promise.race([
    ready,
    exited.then((r) => Promise.reject(new Error(`the instance exited ${r.code}: ${r.stderr}`))),
  ]);
  // The rest of what it prints on start (the key lines) follows the "listening" line at once.
  await new Promise((r) => setTimeout(r, 100));
  return {
    url,
    stdout: () => out,
    stop: () => {
      child?.kill('SIGTERM');
      return exited;
    },
  };
}

async function call<T>(base: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(base + path, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      'x-agentops-api-key': KEY,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as T };
}

describe('instances starting together on an empty database', () => {
  it('migrate it once, make one project and one signing secret, and each serves', async () => {
    const { url, drop } = await freshPostgresDatabase();
    const instances = await Promise.all([1, 2, 3].map(() => startInstance(url)));
    try {
      const created = instances.map((i) => /Its API key: (\S+)/.exec(i.stdout())?.[1]).filter(Boolean);
      // One of them made the local project and printed its key; no key file stands for a database.
      expect(created).toHaveLength(1);
      expect(instances.map((i) => i.stdout()).join('')).not.toContain('saved in');
      const store = await openStore(url);
      try {
        expect(await store.listProjects()).toHaveLength(1);
        expect(await (store as PostgresStore).schemaVersion()).toBe(PostgresStore.latestSchemaVersion);
        const secrets = await selectRows<{ n: number }>(
          store,
          "SELECT CAST(count(*) AS INTEGER) AS n FROM meta WHERE key = 'jwt_secret'",
        );
        expect(secrets).toEqual([{ n: 1 }]);
      } finally {
        await store.close();
      }
      for (const instance of instances) {
        const r = await call<{ total: number }>(instance.url, '/v2/sessions', {
          headers: { 'x-agentops-api-key': created[0] as string },
        });
        expect(r).toMatchObject({ status: 200, body: { total: 0 } });
      }
    } finally {
      await Promise.all(instances.map((i) => i.stop()));
      await drop();
    }
  });

  it('four stores opening one new database at once all open it, at the latest schema', async () => {
    const { url, drop } = await freshPostgresDatabase();
    try {
      const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.open(url)));
      const versions = await Promise.all(stores.map((s) => s.schemaVersion()));
      expect(new Set(versions)).toEqual(new Set([PostgresStore.latestSchemaVersion]));
      const applied = await selectRows<{ version: number }>(
        stores[0] as PostgresStore,
        'SELECT version FROM agentops_schema_migrations ORDER BY version',
      );
      expect(applied).toEqual(
        Array.from({ length: PostgresStore.latestSchemaVersion }, (_, i) => ({ version: i + 1 })),
      );
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await drop();
    }
  });

  it('a database a newer server migrated is refused with what to do', async () => {
    const { url, drop } = await freshPostgresDatabase();
    try {
      const store = await PostgresStore.open(url);
      await store.pool.query("INSERT INTO agentops_schema_migrations (version, applied_at) VALUES (99, 'later')");
      await store.close();
      await expect(openStore(url)).rejects.toThrow(
        `schema is version 99, newer than this server's (${PostgresStore.latestSchemaVersion}): run a newer`,
      );
    } finally {
      await drop();
    }
  });
});

describe('two instances behind one database', () => {
  let db: { url: string; drop: () => Promise<void> };
  let a: Instance;
  let b: Instance;
  let serviceB: Service;

  beforeAll(async () => {
    db = await freshPostgresDatabase();
    [a, b] = await Promise.all([startInstance(db.url, ['--api-key', KEY]), startInstance(db.url, ['--api-key', KEY])]);
    // The second process of the session sends through instance B.
    serviceB = await startService(fileURLToPath(new URL('../fixtures/service-b.mjs', import.meta.url)), {
      AGENTOPS_API_KEY: KEY,
      AGENTOPS_API_ENDPOINT: b.url,
    });
  });
  afterAll(async () => {
    await serviceB?.stop();
    await agentops.shutdown();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('a session written through both (A by this process, B by a process joining from headers) reads back whole from either', async () => {
    const session = agentops.init({
      apiKey: KEY,
      endpoint: a.url,
      logLevel: 'silent',
      handleExit: false,
      tags: ['scale-out'],
    });
    if (!session) throw new Error('no session');
    session.record(
      new agentops.LLMEvent({ model: 'gpt-4o', promptTokens: 100, completionTokens: 10, completion: 'from A' }),
    );
    const answer = await fetch(`http://127.0.0.1:${serviceB.port}/q`, { headers: agentops.injectHeaders() });
    expect(((await answer.json()) as { sessionId: string }).sessionId).toBe(session.id);
    await session.endSession('Success', 'A finished');

    const whole = async (base: string) => {
      for (let i = 0; i < 100; i++) {
        const r = await call<SessionExport>(base, `/v2/sessions/${session.id}/export`);
        // Both processes' events (two LLM calls and B's tool), and stats that count them all.
        if (r.status === 200 && r.body.llms.length === 2 && r.body.tools.length === 1 && r.body.stats.events === 3)
          return r.body;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`the session never had both processes' events at ${base}`);
    };
    const fromA = await whole(a.url);
    const fromB = await whole(b.url);
    expect(fromB).toEqual(fromA);
    expect(fromA.session).toMatchObject({ end_state: 'Success', end_state_reason: 'A finished', tags: ['scale-out'] });
    expect(fromA.llms.map((e) => e.completion?.content).sort()).toEqual(['from A', 'from B']);
    expect(fromA.tools.map((t) => t.name)).toEqual(['lookup']);
    expect(new Set(fromA.llms.map((e) => e.origin?.pid)).size).toBe(2);
  });

  it('a session token signed by one instance is taken by the other', async () => {
    const id = randomUUID();
    const created = await call<{ jwt: string }>(a.url, '/v2/create_session', {
      body: { session: { session_id: id, init_timestamp: new Date().toISOString() } },
    });
    expect(created.status).toBe(200);
    const event = {
      id: randomUUID(),
      event_type: 'tools',
      name: 'search',
      init_timestamp: new Date().toISOString(),
      end_timestamp: new Date().toISOString(),
    };
    const sent = await call(b.url, '/v2/create_events', {
      body: { events: [event] },
      headers: { authorization: `Bearer ${created.body.jwt}`, 'x-agentops-api-key': '' },
    });
    expect(sent).toEqual({ status: 200, body: 'Success' });
    expect((await call<SessionStats>(a.url, `/v2/sessions/${id}/stats`)).body).toMatchObject({ tool_calls: 1 });
  });

  it('the same v2 batch and the same OTLP request, each sent to both instances at once, are stored once', async () => {
    const id = randomUUID();
    const { body } = await call<{ jwt: string }>(a.url, '/v2/create_session', {
      body: { session: { session_id: id, init_timestamp: new Date().toISOString() } },
    });
    const at = new Date().toISOString();
    const events = Array.from({ length: 300 }, (_, i) => ({
      id: randomUUID(),
      event_type: 'actions',
      action_type: `step-${i}`,
      init_timestamp: at,
      end_timestamp: at,
    }));
    const bearer = { authorization: `Bearer ${body.jwt}`, 'x-agentops-api-key': '' };
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(
        [a, b, a, b].map((i) => call(i.url, '/v2/create_events', { body: { events }, headers: bearer })),
      );
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    }
    const traceId = id.replaceAll('-', '');
    const spans = Array.from({ length: 200 }, (_, i) => ({
      traceId,
      spanId: (i + 1).toString(16).padStart(16, '0'),
      name: `tool ${i}`,
      kind: 1,
      startTimeUnixNano: `${Date.now()}000000`,
      endTimeUnixNano: `${Date.now() + 1}000000`,
      attributes: [
        { key: 'agentops.session.id', value: { stringValue: id } },
        { key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } },
        { key: 'gen_ai.tool.name', value: { stringValue: `tool-${i}` } },
      ],
    }));
    const otlp = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] };
    const answers = await Promise.all([a, b, a, b].map((i) => call(i.url, '/v1/traces', { body: otlp })));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const stats = (await call<SessionStats>(b.url, `/v2/sessions/${id}/stats`)).body;
    expect(stats).toMatchObject({ actions: 300, tool_calls: 200, events: 500 });
  });
});

describe('connections cut under a running instance', () => {
  it('the instance answers again once PostgreSQL has dropped every connection it held, and says it lost them', async () => {
    // The server says so with a process warning per idle connection lost: taken here, not printed.
    const warnings: string[] = [];
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => {
      warnings.push(String(warning));
    });
    const server = await startTestServer();
    try {
      expect((await server.get('/v2/sessions')).status).toBe(200);
      const database = new URL((server.store as PostgresStore).location).pathname.slice(1);
      const admin = new pg.Client({ connectionString: postgresUrl() });
      await admin.connect();
      try {
        const cut = await admin.query(
          'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [database],
        );
        expect(cut.rows[0]?.n).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      // A request may meet a connection as it is cut; within a few, the pool has new ones.
      const statuses: number[] = [];
      for (let i = 0; i < 5 && statuses.at(-1) !== 200; i++) {
        statuses.push((await server.get('/v2/sessions')).status);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(statuses.at(-1)).toBe(200);
      expect(statuses.filter((s) => s !== 200).every((s) => s === 500)).toBe(true);
      const session = await server.post('/v2/create_session', {
        session: { session_id: randomUUID(), init_timestamp: new Date().toISOString() },
      });
      expect(session.status).toBe(200);
      expect(warnings.length).toBeGreaterThan(0);
      for (const w of warnings) expect(w).toMatch(/^a PostgreSQL connection failed while idle: terminating connection/);
    } finally {
      await server.stop();
      emitWarning.mockRestore();
    }
  });
});
