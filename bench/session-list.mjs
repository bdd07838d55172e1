// The session list on big sessions: a page of 100 sessions of `events` events each, over HTTP from
// a server process, while another client asks /health every 5 ms. The list reads each session's
// totals off its row, so its time does not grow with the events, and nothing waits behind it.
import { openStore } from '@agentops/server';
import { serverProcess } from './lib.mjs';

const SESSIONS = 100;

/** 100 sessions of `events` tool events each, written straight into the store's tables, with their totals. */
async function seed(store, projectId, events) {
  const session = (i) => `${String(i).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
  if (store.kind === 'sqlite') {
    store.db.exec(`
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${SESSIONS - 1})
      INSERT INTO sessions (id, project_id, init_timestamp, tags, created_at, updated_at, tool_calls, last_event_end)
      SELECT printf('%08d-0000-4000-8000-%012d', i, i), '${projectId}', printf('2026-01-01T00:%02d:00.000000Z', i % 60),
             '[]', '', '', ${events}, '2026-01-01T01:00:00.000000Z' FROM n;
      WITH RECURSIVE e(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM e WHERE j < ${events - 1})
      INSERT INTO events (session_id, id, event_type, init_timestamp, end_timestamp, data, received_at)
      SELECT s.id, printf('%s-%d', s.id, j), 'tools', '2026-01-01T00:30:00.000000Z', '2026-01-01T00:30:01.000000Z',
             '{"name":"t"}', '' FROM sessions s, e WHERE s.project_id = '${projectId}';
    `);
    return;
  }
  const ids = Array.from({ length: SESSIONS }, (_, i) => session(i));
  // Stored today (as the server stores them: its clock names the day whose partition holds their events).
  const now = new Date().toISOString();
  await store.pool.query(
    `INSERT INTO sessions (id, project_id, init_timestamp, tags, created_at, updated_at, tool_calls, last_event_end)
     SELECT id, $1, '2026-01-01T00:' || lpad((n % 60)::text, 2, '0') || ':00.000000Z', '[]', $4, $4, $2,
            '2026-01-01T01:00:00.000000Z'
     FROM unnest($3::text[]) WITH ORDINALITY AS u(id, n)`,
    [projectId, events, ids, now],
  );
  await store.pool.query('SELECT DISTINCT agentops_partition(part) FROM sessions WHERE id = ANY ($1::text[])', [ids]);
  await store.pool.query(
    `INSERT INTO events (part, session_id, id, event_type, init_timestamp, end_timestamp, data, received_at)
     SELECT s.part, s.id, s.id || '-' || j, 'tools', '2026-01-01T00:30:00.000000Z', '2026-01-01T00:30:01.000000Z',
            '{"name":"t"}', ''
     FROM sessions AS s, generate_series(0, $2 - 1) AS j WHERE s.id = ANY ($1::text[])`,
    [ids, events],
  );
  await store.pool.query('ANALYZE');
}

/**
 * Median and p95 ms of `runs` list pages of 100, and the longest /health wait while they ran.
 * `db` is the server's database (a SQLite file or a PostgreSQL URL).
 */
export async function sessionListLatency(db, events, runs = 30) {
  const server = await serverProcess(db);
  const store = await openStore(db);
  try {
    const [project] = await projects(store);
    await seed(store, project, events);
    const headers = { 'x-agentops-api-key': server.apiKey };
    const list = async () => {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/v2/sessions?limit=${SESSIONS}`, { headers });
      const body = await res.json();
      if (res.status !== 200 || body.sessions.length !== SESSIONS || body.sessions[0].stats.tool_calls !== events)
        throw new Error(`the list answered ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
      return performance.now() - t0;
    };
    await list(); // warm-up
    let listing = true;
    let healthMax = 0;
    const prober = (async () => {
      while (listing) {
        const t0 = performance.now();
        await fetch(`${server.url}/health`);
        healthMax = Math.max(healthMax, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const times = [];
    for (let i = 0; i < runs; i++) times.push(await list());
    listing = false;
    await prober;
    times.sort((a, b) => a - b);
    return {
      ms: times[Math.floor(runs / 2)],
      p95Ms: times[Math.floor(runs * 0.95)],
      healthMaxMs: healthMax,
      sessions: SESSIONS,
      eventsPerSession: events,
    };
  } finally {
    await store.close();
    await server.stop();
  }
}

async function projects(store) {
  return (await store.listProjects()).map((p) => p.id);
}
