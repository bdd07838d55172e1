// The overview's latency on a project of many sessions: `count` sessions spread over 30 days, each
// with its totals and two models' costs, written straight into the store's tables (the totals are
// what ingest keeps; the tests check ingest keeps them right, this measures reading them).

const DAYS = 30;
export const OVERVIEW_END = '2026-02-01T00:00:00.000000Z';
const endMs = Date.parse(OVERVIEW_END);
const startMs = endMs - DAYS * 86_400_000;
const states = ['Success', 'Success', 'Success', 'Fail', 'Indeterminate', null];

/** The same sessions on either store: session `i` starts `i` steps into the 30 days. */
function spec(count) {
  return { step: (DAYS * 86_400_000) / count, start: startMs / 1000 };
}

export function seedSqlite(store, projectId, count) {
  const { step, start } = spec(count);
  store.db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1}),
    s AS (SELECT i, printf('%08x-0000-4000-8000-%012x', i, i) AS id,
                 ${start} + i * ${step / 1000} AS t0, (i * 7919) % 600000 AS ms FROM n)
    INSERT INTO sessions (id, project_id, init_timestamp, end_timestamp, end_state, tags, created_at, updated_at,
                          llm_calls, errors, prompt_tokens, completion_tokens, cache_read_tokens, cost, last_event_end)
    SELECT id, '${projectId}', strftime('%Y-%m-%dT%H:%M:%f', t0, 'unixepoch') || '000Z',
           CASE WHEN i % 6 = 5 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%f', t0 + ms / 1000.0, 'unixepoch') || '000Z' END,
           CASE i % 6 ${states.map((st, k) => `WHEN ${k} THEN ${st ? `'${st}'` : 'NULL'}`).join(' ')} END, '[]', '', '',
           3, i % 10 = 0, 1200, 300, 800, (i % 100) / 1000.0, strftime('%Y-%m-%dT%H:%M:%f', t0 + ms / 1000.0, 'unixepoch') || '000Z'
    FROM s;
    INSERT INTO session_models (session_id, model, llm_calls, prompt_tokens, completion_tokens, cost)
      SELECT id, 'gpt-4o', 2, 800, 200, cost * 0.75 FROM sessions WHERE project_id = '${projectId}'
      UNION ALL
      SELECT id, 'model-' || (rowid % 20), 1, 400, 100, cost * 0.25 FROM sessions WHERE project_id = '${projectId}';
  `);
}

export async function seedPostgres(store, projectId, count) {
  const { step, start } = spec(count);
  const iso = (t) => `to_char(to_timestamp(${t}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  await store.pool.query(`
    INSERT INTO sessions (id, project_id, init_timestamp, end_timestamp, end_state, tags, created_at, updated_at,
                          llm_calls, errors, prompt_tokens, completion_tokens, cache_read_tokens, cost, last_event_end)
    SELECT lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0'), '${projectId}', ${iso('t0')},
           CASE WHEN i % 6 = 5 THEN NULL ELSE ${iso('t0 + ms / 1000.0')} END,
           CASE i % 6 ${states.map((st, k) => `WHEN ${k} THEN ${st ? `'${st}'` : 'NULL'}`).join(' ')} END, '[]', '', '',
           3, CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END, 1200, 300, 800, (i % 100) / 1000.0, ${iso('t0 + ms / 1000.0')}
    FROM (SELECT i, ${start} + i * ${step / 1000} AS t0, (i * 7919) % 600000 AS ms FROM generate_series(0, ${count - 1}) AS i) AS s`);
  await store.pool.query(`
    INSERT INTO session_models (session_id, model, llm_calls, prompt_tokens, completion_tokens, cost)
      SELECT id, 'gpt-4o', 2, 800, 200, cost * 0.75 FROM sessions WHERE project_id = '${projectId}'
      UNION ALL
      SELECT id, 'model-' || (seq % 20), 1, 400, 100, cost * 0.25 FROM sessions WHERE project_id = '${projectId}'`);
  await store.pool.query('ANALYZE');
}

/** Median milliseconds of `runs` overviews: the whole 30 days per day, and the last 7 days per hour. */
export async function overviewLatency(store, projectId, runs = 5) {
  const queries = {
    days30: { from: new Date(startMs).toISOString(), to: new Date(endMs).toISOString(), bucket: 'day' },
    hours7: { from: new Date(endMs - 7 * 86_400_000).toISOString(), to: new Date(endMs).toISOString(), bucket: 'hour' },
  };
  const out = {};
  for (const [name, q] of Object.entries(queries)) {
    const query = { ...q, from: q.from.replace('Z', '000Z'), to: q.to.replace('Z', '000Z') };
    const times = [];
    let sessions = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const o = await store.overview(projectId, query);
      times.push(performance.now() - t0);
      sessions = o.totals.sessions;
    }
    times.sort((a, b) => a - b);
    out[name] = { ms: times[Math.floor(runs / 2)], sessions };
  }
  return out;
}
