// The store alone, without HTTP: 40,000 events (half LLM calls, half tool calls) written in 500-event
// batches, a retried batch, a page of the session list filtered by tag, a session read (three runs,
// medians), and the overview of 100,000 sessions (30 days per day, the last 7 per hour). `node bench/store.mjs` measures SQLite with this Node's driver (AGENTOPS_SQLITE_DRIVER
// names one); `node bench/store.mjs --postgres` PostgreSQL too (a private cluster, as `pnpm bench`);
// `--alert-rules` with three spend rules, to weigh what counting spend adds to ingest.
import { onEachStore } from './on-each-store.mjs';
import { overviewLatency, seedPostgres, seedSqlite } from './overview.mjs';

const EVENTS = 40_000;
/** `--alert-rules`: the project has three spend rules (per user, tag and model), which every costed batch counts toward. */
const ALERT_RULES = process.argv.includes('--alert-rules');
const RUNS = 3;
const OVERVIEW_SESSIONS = 100_000;

function storedEvents() {
  const start = Date.now();
  return Array.from({ length: EVENTS }, (_, i) => {
    const at = new Date(start + i).toISOString();
    const common = { id: crypto.randomUUID(), init_timestamp: at, end_timestamp: at };
    const payload =
      i % 2
        ? { ...common, event_type: 'tools', name: 'lookup', params: { i }, returns: { ok: true } }
        : { ...common, event_type: 'llms', model: 'gpt-4o', prompt_tokens: 10, completion_tokens: 5, prompt: 'x' };
    return { payload, cost: i % 3 ? null : 0.001 };
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(label, store) {
  await store.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: '' });
  if (ALERT_RULES) {
    for (const group_by of ['user', 'tag', 'model']) {
      const condition = { kind: 'spend', group_by, window: '24h', threshold: 1e9 };
      await store.addAlertRule(
        'p',
        { name: group_by, condition, webhook: { url: 'http://127.0.0.1:9/', format: 'json' } },
        's',
      );
    }
  }
  const inserts = [];
  const retries = [];
  for (let run = 0; run < RUNS; run++) {
    const sessionId = crypto.randomUUID();
    const init = new Date().toISOString();
    await store.upsertSession('p', { session_id: sessionId, init_timestamp: init, tags: ['a'], user_id: 'u' });
    const events = storedEvents();
    let t = performance.now();
    for (let i = 0; i < events.length; i += 500) await store.insertEvents(sessionId, events.slice(i, i + 500));
    inserts.push(EVENTS / ((performance.now() - t) / 1000));
    t = performance.now();
    const batch = { start: new Date().toISOString(), agents: [], events: events.slice(0, 500) };
    for (let i = 0; i < 10; i++) await store.writeSession('p', sessionId, batch);
    retries.push((performance.now() - t) / 10);
  }
  for (let i = 0; i < 200; i++) {
    const init = new Date(Date.now() - i * 1000).toISOString();
    await store.upsertSession('p', { session_id: crypto.randomUUID(), init_timestamp: init, tags: ['a', 'b'] });
  }
  let t = performance.now();
  for (let i = 0; i < 50; i++) await store.listSessions('p', { limit: 100, offset: 0, tag: 'a' });
  const list = (performance.now() - t) / 50;
  t = performance.now();
  for (let i = 0; i < 500; i++) await store.getSession('p', 'absent');
  const read = ((performance.now() - t) / 500) * 1000;
  await store.addProject({ id: 'o', name: 'o', key_hash: 'o', created_at: '' });
  await (store.kind === 'sqlite'
    ? seedSqlite(store, 'o', OVERVIEW_SESSIONS)
    : seedPostgres(store, 'o', OVERVIEW_SESSIONS));
  const overview = await overviewLatency(store, 'o');
  await store.close();
  console.log(
    `${label.padEnd(26)} insert ${median(inserts).toFixed(0)} events/s · retried batch ${median(retries).toFixed(2)} ms · ` +
      `list page ${list.toFixed(2)} ms · session read ${read.toFixed(0)} µs · ` +
      `overview ${overview.days30.ms.toFixed(0)} ms (30 days), ${overview.hours7.ms.toFixed(0)} ms (7 days per hour)`,
  );
}

await onEachStore('store', measure);
