// Full-text search over many events: `count` events (half LLM calls with a prompt and a completion
// of about 30 words, half tool calls with arguments and a result) in sessions of 100, stored through
// the store's own ingest (which indexes them as the server does), then the session list searched for
// a word in 10 events, a word in about 1% of them, and two words each in about 5% found together,
// each asked 20 times (median). `node bench/search.mjs [count] [--postgres] [--days N] [--ingest]` runs it
// alone (`--ingest`: also SQLite's ingest with its index written and with none, side by side).
import { fileURLToPath } from 'node:url';

const VOCABULARY = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}x`);
/** A word of the vocabulary, the first ones far more often (about Zipf's law). */
const word = (r) => VOCABULARY[Math.floor(VOCABULARY.length * r ** 3)];

/** A deterministic pseudo-random stream, so both stores get the same events. */
function random(seed) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

export const SEARCHES = [
  ['a word in 10 events', 'needlexyz'],
  ['a word in 1% of events', 'onepercentx'],
  ['two words in 5% each, together', 'fiveaa fivebb'],
];

function sentence(next, i) {
  const words = Array.from({ length: 30 }, () => word(next()));
  if (i % 100 === 37) words.push('onepercentx');
  if (i % 20 === 3) words.push('fiveaa');
  if (i % 20 === 3 || i % 20 === 11) words.push('fivebb');
  return words.join(' ');
}

/**
 * Runs `work` with the process's clock `daysAgo` days back: what the server stores meanwhile it
 * stores as then (its sessions' first-stored time, by which PostgreSQL puts their events in a day's
 * partition).
 */
export async function daysAgo(days, work) {
  const Real = Date;
  const offset = days * 86_400_000;
  globalThis.Date = class extends Real {
    constructor(...args) {
      super(...(args.length > 0 ? args : [Real.now() - offset]));
    }
    static now() {
      return Real.now() - offset;
    }
  };
  try {
    return await work();
  } finally {
    globalThis.Date = Real;
  }
}

/**
 * Stores `count` events; returns the rate they were stored (and indexed) at. With `days`, the
 * sessions are stored over that many days past, as many each day (PostgreSQL: a partition each).
 */
export async function seedEvents(store, projectId, count, days = 0) {
  const next = random(7);
  const perSession = 100;
  const sessions = count / perSession;
  const needles = new Set(Array.from({ length: 10 }, (_, k) => Math.floor((count / 10) * k + 5)));
  const started = performance.now();
  for (let s = 0; s < sessions; s++) {
    if (days > 0) await daysAgo(days - Math.floor((s * days) / sessions), () => seedSession(s));
    else await seedSession(s);
  }
  // Stored and indexed: PostgreSQL's queue read to its end (its instances index in the background,
  // yielding to ingest; SQLite's thread keeps up, and a search waits for it).
  if (store.kind === 'postgres') while ((await store.search.step()) > 0) {}
  return count / ((performance.now() - started) / 1000);

  async function seedSession(s) {
    const sessionId = crypto.randomUUID();
    await store.upsertSession(projectId, {
      session_id: sessionId,
      init_timestamp: new Date(Date.UTC(2026, 10, 1) + s * 60_000).toISOString(),
      tags: ['bench', `t${s % 50}`],
    });
    const events = [];
    for (let k = 0; k < perSession; k++) {
      const i = s * perSession + k;
      const at = new Date(Date.UTC(2026, 10, 1) + s * 60_000 + k).toISOString();
      const text = sentence(next, i) + (needles.has(i) ? ' needlexyz' : '');
      const common = { id: crypto.randomUUID(), init_timestamp: at, end_timestamp: at };
      events.push({
        payload:
          i % 2
            ? { ...common, event_type: 'tools', name: 'lookup', params: { query: text }, returns: { rows: 3 } }
            : {
                ...common,
                event_type: 'llms',
                model: 'gpt-4o',
                prompt: [{ role: 'user', content: text }],
                completion: { role: 'assistant', content: sentence(next, -1) },
              },
        cost: null,
      });
    }
    await store.insertEvents(sessionId, events);
  }
}

/** `count` events in sessions of 100 (the seed's kind of events), made before any clock runs. */
function eventsInSessions(count) {
  const next = random(11);
  return Array.from({ length: count / 100 }, (_, s) => ({
    id: crypto.randomUUID(),
    events: Array.from({ length: 100 }, (_, k) => {
      const at = new Date(Date.UTC(2026, 10, 1) + s * 60_000 + k).toISOString();
      const common = { id: crypto.randomUUID(), init_timestamp: at, end_timestamp: at };
      const text = sentence(next, s * 100 + k);
      const payload =
        k % 2
          ? { ...common, event_type: 'tools', name: 'lookup', params: { query: text }, returns: { rows: 3 } }
          : { ...common, event_type: 'llms', model: 'gpt-4o', prompt: [{ role: 'user', content: text }] };
      return { payload, cost: null };
    }),
  }));
}

/**
 * A session stored before the clock starts, as a running server has stored before: its threads
 * started and its code warm; with the index, found by a search, so the index's thread is up (its
 * start, once per server, is not ingest's cost).
 */
async function warmUp(store, indexed) {
  const [first] = eventsInSessions(100);
  await store.upsertSession('p', { session_id: first.id, init_timestamp: new Date().toISOString() });
  await store.insertEvents(first.id, first.events);
  if (indexed) await store.listSessions('p', { limit: 1, offset: 0, q: 'lookup' });
}

/**
 * Ingest with the search index written as a server writes it and with nothing indexed, `runs`
 * times each in turn (which goes first alternates: the process's first run is its coldest), each
 * on a fresh store from `open(indexed, run)`, `writers` sessions written at once: the rate each
 * stored `count` events at, medians, and their ratio.
 */
async function ingestWithIndex(count, runs, writers, open) {
  const rates = { indexed: [], unindexed: [] };
  for (let r = 0; r < runs; r++) {
    for (const indexed of r % 2 ? [false, true] : [true, false]) {
      const sessions = eventsInSessions(count);
      const store = await open(indexed, r);
      await store.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: '' });
      await warmUp(store, indexed);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: writers }, async (_, writer) => {
          for (let i = writer; i < sessions.length; i += writers) {
            const s = sessions[i];
            await store.upsertSession('p', { session_id: s.id, init_timestamp: new Date().toISOString() });
            await store.insertEvents(s.id, s.events);
          }
        }),
      );
      rates[indexed ? 'indexed' : 'unindexed'].push(count / ((performance.now() - started) / 1000));
      await store.close();
    }
  }
  return ratioOf(rates);
}

/**
 * SQLite's ingest with its search index written (by the index's own thread, as a server runs it)
 * and with nothing indexed (the index closed: only the queue is written), `runs` times each in
 * turn, on fresh files, both with checkpoints in their thread, one session written at a time.
 */
export async function sqliteIngestWithIndex(dir, count, runs = 6) {
  const { SqliteStore } = await import('@agentops/server');
  return ingestWithIndex(count, runs, 1, async (indexed, r) => {
    const store = new SqliteStore(`${dir}/ingest-${r}-${indexed}.db`);
    store.checkpointInBackground();
    if (indexed) store.indexInBackground();
    else await store.search.close();
    return store;
  });
}

/**
 * PostgreSQL's ingest with its search index written by the store's queue (as a server runs it) and
 * with nothing indexed (the queue written, not read), `runs` times each in turn, each in a fresh
 * database from `database()`, four sessions written at once (a server's requests share its pool).
 */
export async function postgresIngestWithIndex(database, count, runs = 4) {
  const { openStore } = await import('@agentops/server');
  return ingestWithIndex(count, runs, 4, async (indexed) => {
    const store = await openStore(await database());
    if (indexed) store.indexInBackground();
    return store;
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function ratioOf(rates) {
  const indexed = median(rates.indexed);
  const unindexed = median(rates.unindexed);
  return { indexed, unindexed, ratio: indexed / unindexed, rates };
}

/** Median milliseconds of a page of the session list searched for each of SEARCHES, and what it found. */
export async function searchLatency(store, projectId, runs = 20) {
  const figures = {};
  for (const [name, q] of SEARCHES) {
    const times = [];
    let total = 0;
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      total = (await store.listSessions(projectId, { limit: 50, offset: 0, q })).total;
      times.push(performance.now() - t);
    }
    figures[name] = { ms: times.sort((a, b) => a - b)[Math.floor(runs / 2)], sessions: total, q };
  }
  return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { onEachStore } = await import('./on-each-store.mjs');
  const count = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  // `--days N`: stored over the N days past (on PostgreSQL, a partition each).
  const daysAt = process.argv.indexOf('--days');
  const days = daysAt > 0 ? Number(process.argv[daysAt + 1]) : 0;
  const run = async (label, store) => {
    // As a server runs it: SQLite's index written by a thread of its own.
    store.indexInBackground?.();
    await store.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: '' });
    const rate = await seedEvents(store, 'p', count, days);
    const figures = await searchLatency(store, 'p');
    await store.close();
    console.log(
      `${label}: ${count} events stored and indexed at ${rate.toFixed(0)}/s${days ? ` over ${days} days` : ''}`,
    );
    for (const [name, f] of Object.entries(figures))
      console.log(`  ${name.padEnd(32)} ${f.ms.toFixed(1)} ms (${f.sessions} sessions)`);
  };
  await onEachStore('search', run);
  if (process.argv.includes('--ingest')) {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/agentops-ingest-`);
    const ab = await sqliteIngestWithIndex(dir, Math.min(count, 200_000));
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `SQLite ingest, indexed ${ab.indexed.toFixed(0)}/s, unindexed ${ab.unindexed.toFixed(0)}/s: ${ab.ratio.toFixed(3)}x`,
    );
  }
}
