// Retention's purge while the server answers: every session of a project past its time (a policy
// keeping unended sessions one day, over events stored weeks ago), deleted step by step by the
// retention the server runs, in a server process of its own (not the one that seeded the store, whose
// garbage would be collected meanwhile), while a client asks /health every 5 ms. Target: no request
// waits more than 50 ms. `node bench/retention.mjs [count] [--postgres]` seeds `count` events (as the
// search benchmark does) and purges them alone.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildApp, openStore, runRetention } from '@agentops/server';

const here = fileURLToPath(import.meta.url);

/** Purges every event of `projectId` (stored weeks ago) while /health is asked; the rate and the longest wait. */
export async function purgeWhileServing(store, projectId) {
  const app = await buildApp(store, { publicUrl: () => '' });
  // As the server runs it: SQLite's checkpoints in a thread of their own.
  store.checkpointInBackground?.();
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await store.setRetentionPolicy(projectId, { keep_days: { unended: 1 } });
  // The client connected first (the first fetch of a process loads its HTTP client: no wait of the server's).
  await fetch(`${url}/health`);
  const waits = [];
  const writes = [];
  let purging = true;
  /** Runs `once` every 5 ms while the purge runs, keeping how long each took. */
  const every5ms = async (into, once) => {
    while (purging) {
      const t = performance.now();
      await once();
      into.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  // Meanwhile an app's session stores a batch of 10 events every 5 ms.
  const writer = crypto.randomUUID();
  let written = 0;
  const batch = () => {
    const at = new Date().toISOString();
    return Array.from({ length: 10 }, () => ({
      payload: {
        id: `w${written++}`,
        event_type: 'actions',
        action_type: 'step',
        init_timestamp: at,
        end_timestamp: at,
      },
      cost: null,
    }));
  };
  // Its first batch before the purge: a connection opened and statements prepared are not the purge's.
  const write = () =>
    store.writeSession(projectId, writer, { start: new Date().toISOString(), agents: [], events: batch() });
  await write();
  const asking = Promise.all([every5ms(waits, () => fetch(`${url}/health`)), every5ms(writes, write)]);
  const started = performance.now();
  const work = await runRetention(store, { projectId });
  const seconds = (performance.now() - started) / 1000;
  purging = false;
  await asking;
  await app.close();
  waits.sort((a, b) => a - b);
  writes.sort((a, b) => a - b);
  return {
    events: work.deleted_events,
    sessions: work.deleted_sessions,
    rate: work.deleted_events / seconds,
    seconds,
    healthMaxMs: waits.at(-1) ?? 0,
    healthP99Ms: waits[Math.floor(waits.length * 0.99)] ?? 0,
    asked: waits.length,
    writeMaxMs: writes.at(-1) ?? 0,
    written: writes.length,
  };
}

/**
 * `purgeWhileServing` in a fresh process over the store at `db` (a SQLite file or a PostgreSQL URL),
 * closed here first: the figure of a server, not of the process that seeded the store.
 */
export async function purgeInServerProcess(store, projectId) {
  const db = store.location;
  await store.close();
  const out = execFileSync(process.execPath, [here, '--child', db, projectId], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1));
}

if (process.argv[1] === here && process.argv[2] === '--child') {
  const store = await openStore(process.argv[3]);
  const result = await purgeWhileServing(store, process.argv[4]);
  await store.close();
  console.log(JSON.stringify(result));
} else if (process.argv[1] === here) {
  const { onEachStore } = await import('./on-each-store.mjs');
  const { daysAgo, seedEvents } = await import('./search.mjs');
  const count = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const print = (label, r) =>
    console.log(
      `${label}: ${r.events} events of ${r.sessions} sessions purged at ${r.rate.toFixed(0)}/s (${r.seconds.toFixed(2)} s); ` +
        `/health asked ${r.asked} times meanwhile, longest wait ${r.healthMaxMs.toFixed(1)} ms (p99 ${r.healthP99Ms.toFixed(1)} ms); ` +
        `${r.written} batches stored meanwhile, longest ${r.writeMaxMs.toFixed(1)} ms`,
    );
  await onEachStore('retention', async (label, store) => {
    await store.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: '' });
    // Stored today: on PostgreSQL a day not over yet, purged row by row.
    await seedEvents(store, 'p', count);
    print(`${label}, stored today`, await purgeInServerProcess(store, 'p'));
  });
  if (process.argv.includes('--postgres')) {
    // Stored a month ago: PostgreSQL drops the day's partition.
    const { postgresForBench } = await import('./lib.mjs');
    const { openStore } = await import('@agentops/server');
    const postgres = await postgresForBench();
    const store = await openStore(await postgres.database());
    await store.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: '' });
    await daysAgo(30, () => seedEvents(store, 'p', count));
    print('PostgreSQL, stored 30 days ago', await purgeInServerProcess(store, 'p'));
    await postgres.stop();
  }
}
