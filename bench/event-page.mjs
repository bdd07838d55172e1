// A session's events read a page at a time (the session page, the export, the MCP tools) on a
// PostgreSQL database holding `days` days of sessions: a partition of events per day. Only the
// session's own day is read. `node bench/event-page.mjs [days]` runs it alone (200 days).
import { fileURLToPath } from 'node:url';
import { seedEvents } from './search.mjs';

/** The median milliseconds of a page of 100 of a session's tool events, over `runs` reads; the store closed then. */
export async function eventPageLatency(store, days, runs = 200) {
  await store.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: '' });
  // A session of 100 events a day.
  await seedEvents(store, 'p', days * 100, days);
  const { sessions } = await store.listSessions('p', { limit: 1, offset: 0 });
  const sessionId = sessions[0].session.session_id;
  const times = [];
  let read = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    read = (await store.eventsJsonPage(sessionId, 'tools', undefined, 100)).json.length;
    times.push(performance.now() - started);
  }
  await store.close();
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], events: read, days };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { openStore } = await import('@agentops/server');
  const { postgresForBench } = await import('./lib.mjs');
  const days = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200);
  const postgres = await postgresForBench();
  if (!postgres.url) throw new Error(`no PostgreSQL: ${postgres.why}`);
  const store = await openStore(await postgres.database());
  const page = await eventPageLatency(store, days);
  await postgres.stop();
  console.log(`a page of ${page.events} of a session's events, ${days} days of partitions: ${page.ms.toFixed(2)} ms`);
}
