// `pnpm bench` (`-- --quick` for a short check): each figure is measured side by side with raw
// OpenTelemetry in the same run, so ratios hold on a noisy machine. Prints a table and writes
// bench/results.json. Targets are the ones the benchmark issue sets. The micro-benchmarks run in
// child processes of their own, so one figure's heap and JIT state never weigh on another's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentOpsSpanExporter } from '@agentops/exporter';
import { openStore, SqliteStore } from '@agentops/server';
import { context, propagation, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import * as agentops from 'agentops';
import { eventPageLatency } from './event-page.mjs';
import { fmt, here, httpIngestRate, postgresForBench, probe, serverProcess } from './lib.mjs';
import { overviewLatency, seedPostgres, seedSqlite } from './overview.mjs';
import { purgeInServerProcess } from './retention.mjs';
import { daysAgo, postgresIngestWithIndex, searchLatency, seedEvents, sqliteIngestWithIndex } from './search.mjs';
import { sessionListLatency } from './session-list.mjs';

const quick = process.argv.includes('--quick');
const scale = quick
  ? { microRuns: 3, e2e: 50_000, memory: 100_000, hostSeconds: 1, hostRuns: 3, coldRuns: 2 }
  : { microRuns: 3, e2e: 100_000, memory: 1_000_000, hostSeconds: 4, hostRuns: 3, coldRuns: 5 };
const results = [];
const dir = mkdtempSync(join(tmpdir(), 'agentops-bench-'));

function report(name, value, unit, target, met, detail = {}) {
  results.push({ name, value, unit, target, met, ...detail });
  const verdict = met === null ? 'info  ' : met ? 'MET   ' : 'MISSED';
  console.log(`${verdict} ${name.padEnd(52)} ${fmt(value).padStart(12)} ${unit.padEnd(10)} target ${target}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * A side-by-side child run `scale.microRuns` times, each in a fresh process: one process can
 * settle into a faster or slower state for the OpenTelemetry code both sides share (the same child
 * gave per-event 0.81x in one process and 1.02x in the next), so one process decides no figure.
 */
async function childRuns(script, args = []) {
  const runs = [];
  for (let i = 0; i < scale.microRuns; i++) runs.push(await probe(script, [...args, ...(quick ? ['--quick'] : [])]));
  return runs;
}

/** Reports the median over runs of ours / raw (raw / ours for a throughput, where more is better). */
function reportRatio(name, runs, ours, raw, { target, limit, throughput = false, unitScale = 1000, unit = 'us' }) {
  const ratios = runs.map((t) => (throughput ? t[raw] / t[ours] : t[ours] / t[raw]));
  const ratio = median(ratios);
  const run = runs[ratios.indexOf(ratio)];
  const met = limit === undefined ? null : throughput ? ratio >= limit : ratio <= limit;
  report(name, ratio, 'x', target, met, {
    [`ours_${unit}`]: run[ours] * unitScale,
    [`raw_${unit}`]: run[raw] * unitScale,
    ratios,
  });
}

// 1 + 2: per-event and wrapper overhead, against raw spans through the same BatchSpanProcessor.
{
  const runs = await childRuns('./overhead-child.mjs');
  reportRatio('per-event overhead (record vs same span by hand)', runs, 'event', 'sameByHand', {
    target: '<= 1.1',
    limit: 1.1,
  });
  reportRatio('  record vs a bare span, attributes prebuilt', runs, 'event', 'bare', { target: '(info)' });
  reportRatio('wrapper overhead (recordTool vs startActiveSpan)', runs, 'wrapper', 'rawActive', {
    target: '<= 1.5',
    limit: 1.5,
  });
  reportRatio('recordTool vs the same tool span by hand', runs, 'wrapper', 'rawActiveSame', {
    target: '<= 1.0',
    limit: 1.0,
  });
  reportRatio('  the same tool span by hand vs startActiveSpan', runs, 'rawActiveSame', 'rawActive', {
    target: '(info)',
  });
}

// 2b: the whole pipeline with an API key (events mapped, queued and sent to an API that answers
// as AgentOps' does), against the same span by hand with no export, and with OTLP protobuf export.
{
  const runs = await childRuns('./pipeline-child.mjs');
  reportRatio('pipeline with an API key (per LLM event vs raw span)', runs, 'pipeline', 'raw', {
    target: '<= 3',
    limit: 3,
  });
  reportRatio('per-event overhead with an API key (the calls alone)', runs, 'pipelineCall', 'rawCall', {
    target: '<= 1.1',
    limit: 1.1,
  });
  reportRatio('  raw span with OTLP protobuf export vs raw span', runs, 'rawOtlp', 'raw', { target: '(info)' });

  reportRatio('  pipeline with an API key vs raw span with OTLP export', runs, 'pipeline', 'rawOtlp', {
    target: '<= 1.0',
    limit: 1.0,
  });
}

// 2c: the peers side by side, one library per process, each as its documentation sets it up, against
// raw OpenTelemetry in the same process: the same LLM call written by hand, the tool under a bare
// startActiveSpan. AgentOps must be ahead of every peer on both figures.
{
  const PEERS = ['agentops', 'openllmetry', 'openinference', 'langfuse'];
  const figures = {};
  for (const peer of PEERS) {
    const runs = [];
    for (let i = 0; i < scale.microRuns; i++)
      runs.push(await probe('./peers-child.mjs', [peer, ...(quick ? ['--quick'] : [])]));
    figures[peer] = {
      llm: median(runs.map((t) => t.llm / t.rawLlm)),
      tool: median(runs.map((t) => t.tool / t.rawTool)),
    };
  }
  for (const [figure, what] of [
    ['llm', 'per LLM event vs the same span by hand'],
    ['tool', 'per tool call vs a bare startActiveSpan'],
  ]) {
    const ours = figures.agentops[figure];
    const others = PEERS.slice(1).map((p) => figures[p][figure]);
    report(
      `peers: ${what}, agentops`,
      ours,
      'x',
      'ahead of every peer',
      others.every((o) => ours < o),
      {
        peers: Object.fromEntries(PEERS.map((p) => [p, figures[p][figure]])),
      },
    );
    for (const p of PEERS.slice(1)) report(`  ${p}`, figures[p][figure], 'x', '(info)', null);
  }
}

// 2d: the exporter behind the hand-off processor the SDK gives it, and behind OpenTelemetry's
// BatchSpanProcessor, fed the same spans (whether handing spans over at once, while they are young,
// beats batching them in a queue).
{
  const runs = await childRuns('./pipeline-child.mjs', ['--processors']);
  reportRatio('exporter behind HandOffSpanProcessor vs BatchSpanProcessor', runs, 'handOff', 'batched', {
    target: '(info)',
  });
  reportRatio('  behind HandOffSpanProcessor, vs the raw span', runs, 'handOff', 'raw', { target: '(info)' });
}

// 3: mapping + JSON of 512-span batches vs OTLP JSON encoding of the same spans.
reportRatio('mapping throughput (ours / OTLP JSON)', await childRuns('./mapping-child.mjs'), 'ours', 'otlp', {
  target: '>= 1.0',
  limit: 1.0,
  throughput: true,
  unitScale: 1,
  unit: 'msPerBatch',
});

// 4: end to end into the local server, vs the server's raw insert rate for the same rows: on SQLite,
// and on PostgreSQL (a private cluster, fsync on; or AGENTOPS_TEST_DATABASE_URL's server).
const postgres = await postgresForBench();

/** Rows as the server stores them: `count` tool calls of one session. */
function toolRows(sessionId, count) {
  return Array.from({ length: count }, (_, i) => ({
    payload: {
      id: crypto.randomUUID(),
      event_type: 'tools',
      session_id: sessionId,
      init_timestamp: '2024-05-01T12:00:00.000000Z',
      end_timestamp: '2024-05-01T12:00:00.000000Z',
      name: 'lookup',
      params: { i },
      returns: { ok: true },
    },
    cost: null,
  }));
}

/** The store's own insert rate for the rows end to end sends, in batches of 500: its limit. */
async function rawInsertRate(store, sessionId) {
  await store.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: '' });
  await store.upsertSession('p', { session_id: sessionId, init_timestamp: new Date().toISOString() });
  const rows = toolRows(sessionId, scale.e2e);
  const t = performance.now();
  for (let i = 0; i < rows.length; i += 500) await store.insertEvents(sessionId, rows.slice(i, i + 500));
  const rate = rows.length / ((performance.now() - t) / 1000);
  await store.close();
  return rate;
}

async function endToEnd(label, db, rawStore) {
  const server = await serverProcess(db.server);
  const exporter = new AgentOpsSpanExporter({
    apiKey: server.apiKey,
    endpoint: server.url,
    maxQueueSize: scale.e2e + 10,
    flushTimeoutMillis: 600_000,
    logger: { debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  const provider = new NodeTracerProvider({
    spanProcessors: [
      new agentops.AgentOpsSpanProcessor({ exporter, maxQueueSize: scale.e2e + 10, logLevel: 'silent' }),
    ],
  });
  provider.register();
  const session = agentops.init({ handleExit: false, logLevel: 'silent', instrumentLlmCalls: false });
  const started = performance.now();
  for (let i = 0; i < scale.e2e; i++) {
    session.record(new agentops.ToolEvent({ name: 'lookup', params: { i }, returns: { ok: true } }));
    if (i % 2000 === 0) await new Promise((r) => setImmediate(r));
  }
  await session.endSession('Success');
  const seconds = (performance.now() - started) / 1000;
  const stats = await (
    await fetch(`${server.url}/v2/sessions/${session.id}/stats`, { headers: { 'x-agentops-api-key': server.apiKey } })
  ).json();
  await agentops.shutdown();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
  await server.stop();

  const rawRate = await rawInsertRate(await rawStore(), session.id);
  const rate = scale.e2e / seconds;
  const lost = scale.e2e - stats.events;
  report(
    `end to end events/s, ${label} (${scale.e2e} events, lost ${lost})`,
    rate,
    'events/s',
    '>= 50% of raw insert',
    rate >= rawRate / 2 && lost === 0,
    {
      secondsToFlushed: seconds,
      rawInsertRate: rawRate,
      fractionOfRaw: rate / rawRate,
      lost,
    },
  );
}

await endToEnd('SQLite', { server: join(dir, 'e2e.db') }, () => new SqliteStore(join(dir, 'raw.db')));

// 4d: the dashboard's overview of a project of 100,000 sessions (30 days of them), read from the
// store: the whole range per day, and the last 7 days per hour. Target: under a second.
const OVERVIEW_SESSIONS = quick ? 10_000 : 100_000;
async function overviewFigures(label, store) {
  await store.addProject({ id: 'bench', name: 'bench', key_hash: 'bench', created_at: '2026-01-01T00:00:00.000000Z' });
  await (label === 'SQLite'
    ? seedSqlite(store, 'bench', OVERVIEW_SESSIONS)
    : seedPostgres(store, 'bench', OVERVIEW_SESSIONS));
  const o = await overviewLatency(store, 'bench');
  await store.close();
  report(
    `overview of ${OVERVIEW_SESSIONS} sessions, 30 days per day, ${label}`,
    o.days30.ms,
    'ms',
    '< 1000 ms',
    o.days30.ms < 1000,
    o.days30,
  );
  report(
    `  the last 7 days per hour (${o.hours7.sessions} sessions), ${label}`,
    o.hours7.ms,
    'ms',
    '< 1000 ms',
    o.hours7.ms < 1000,
    o.hours7,
  );
}
await overviewFigures('SQLite', new SqliteStore(join(dir, 'overview.db')));

// 4e: the session list on big sessions: a page of 100 sessions of 4,000 events each (400 quick),
// with /health asked every 5 ms meanwhile. Targets: a page under 20 ms, nothing waiting over 50 ms.
const LIST_EVENTS = quick ? 400 : 4000;
async function sessionListFigures(label, db) {
  const l = await sessionListLatency(db, LIST_EVENTS);
  report(`session list, 100 sessions of ${LIST_EVENTS} events, ${label}`, l.ms, 'ms', '< 20 ms', l.ms < 20, l);
  report(`  /health's longest wait meanwhile, ${label}`, l.healthMaxMs, 'ms', '< 50 ms', l.healthMaxMs < 50, l);
}
await sessionListFigures('SQLite', join(dir, 'list.db'));

// 4f: full-text search of the session list over 1,000,000 events (20,000 quick), stored and indexed
// through the store's ingest: a word in 10 events, one in 1% of them, two in 5% each together.
// Target: under 100 ms each.
const SEARCH_EVENTS = quick ? 20_000 : 1_000_000;
async function searchFigures(label, store) {
  // As a server runs it: SQLite's index written by a thread of its own.
  store.indexInBackground?.();
  await store.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: '' });
  const rate = await seedEvents(store, 'p', SEARCH_EVENTS);
  const figures = await searchLatency(store, 'p');
  // 4g: then every one of those events purged by retention (a policy past which they all are), in a
  // server process of its own, with /health asked every 5 ms. Target: no request waits over 50 ms.
  const purge = await purgeInServerProcess(store, 'p');
  report(`search of ${SEARCH_EVENTS} events: stored and indexed, ${label}`, rate, 'events/s', 'info', null);
  for (const [name, f] of Object.entries(figures)) report(`  ${name}, ${label}`, f.ms, 'ms', '< 100 ms', f.ms < 100, f);
  report(`retention: those events purged, ${label}`, purge.rate, 'events/s', 'info', null, purge);
  report(
    `  /health's longest wait meanwhile, ${label}`,
    purge.healthMaxMs,
    'ms',
    '< 50 ms',
    purge.healthMaxMs < 50,
    purge,
  );
  report(`  a batch stored meanwhile, longest, ${label}`, purge.writeMaxMs, 'ms', 'info', null, purge);
}
await searchFigures('SQLite', new SqliteStore(join(dir, 'search.db')));
// 4f': SQLite's ingest with its index written by its thread, against the same with nothing indexed
// (six runs each, in turn, alternating which goes first; 200,000 events, 50,000 quick). Target: within 10%.
{
  const ab = await sqliteIngestWithIndex(dir, quick ? 50_000 : 200_000);
  report('SQLite ingest with the search index / without', ab.ratio, 'x', '>= 0.9', ab.ratio >= 0.9, ab);
}
if (postgres.url) {
  const e2e = await postgres.database();
  const raw = await postgres.database();
  await endToEnd('PostgreSQL', { server: e2e }, () => openStore(raw));
  await overviewFigures('PostgreSQL', await openStore(await postgres.database()));
  await sessionListFigures('PostgreSQL', await postgres.database());
  await searchFigures('PostgreSQL', await openStore(await postgres.database()));
  // 4f'': the same for PostgreSQL: its queue indexed by the store in the background, against the
  // queue left unread (four runs each, in turn, alternating; 100,000 events, 50,000 quick: runs
  // shorter than a few seconds are mostly this machine's noise). Target: within 10%.
  {
    const ab = await postgresIngestWithIndex(() => postgres.database(), quick ? 50_000 : 100_000);
    report('PostgreSQL ingest with the search index / without', ab.ratio, 'x', '>= 0.9', ab.ratio >= 0.9, ab);
  }
  // 4i: a page of a session's events on a database of a year of days (a partition each): only the
  // session's own day is read.
  {
    const days = quick ? 60 : 365;
    const page = await eventPageLatency(await openStore(await postgres.database()), days);
    report(`a page of a session's events, ${days} days of partitions, PostgreSQL`, page.ms, 'ms', 'info', null, page);
  }
  // 4h: the same events stored 30 days ago: retention drops their day's partitions, not their rows.
  const aMonthAgo = await openStore(await postgres.database());
  await aMonthAgo.addProject({ id: 'p', name: 'p', key_hash: 'h', created_at: '' });
  await daysAgo(30, () => seedEvents(aMonthAgo, 'p', SEARCH_EVENTS));
  const drop = await purgeInServerProcess(aMonthAgo, 'p');
  report(`retention: a day of ${SEARCH_EVENTS} events dropped, PostgreSQL`, drop.rate, 'events/s', 'info', null, drop);
  report(
    "  /health's longest wait meanwhile, PostgreSQL (a day dropped)",
    drop.healthMaxMs,
    'ms',
    '< 50 ms',
    drop.healthMaxMs < 50,
    drop,
  );
  report('  a batch stored meanwhile, longest, PostgreSQL (a day dropped)', drop.writeMaxMs, 'ms', 'info', null, drop);

  // 4c: ingest through one instance and through two on one database: 500-event v2 batches, 8 in
  // flight, spread over the instances, until every event is stored.
  const rates = [];
  for (const instances of [1, 2]) {
    const db = await postgres.database();
    const servers = await Promise.all(Array.from({ length: instances }, () => serverProcess(db)));
    rates.push(await httpIngestRate(servers, scale.e2e));
    await Promise.all(servers.map((s) => s.stop()));
  }
  report('PostgreSQL ingest events/s, 1 instance (v2 batches)', rates[0].rate, 'events/s', 'info', null, rates[0]);
  report('PostgreSQL ingest events/s, 2 instances (v2 batches)', rates[1].rate, 'events/s', 'info', null, {
    ...rates[1],
    versusOne: rates[1].rate / rates[0].rate,
  });
  await postgres.stop();
} else {
  report(`end to end events/s, PostgreSQL: not measured (${postgres.why})`, Number.NaN, 'events/s', 'info', null);
}

// 5: event-loop delay added by recording 10k events/s while exporting.
{
  const server = await serverProcess(join(dir, 'host.db'));
  // Alternating runs, median of each: one slow spell of the machine does not decide the figure.
  const runs = { off: [], sdk: [] };
  const wholeRuns = { off: [], sdk: [] };
  for (let i = 0; i < scale.hostRuns; i++) {
    for (const mode of ['off', 'sdk']) {
      const args = [mode, '10000', String(scale.hostSeconds), server.url, server.apiKey];
      const r = await probe('./host-impact-child.mjs', args);
      runs[mode].push(r.p99Ms);
      wholeRuns[mode].push(r.p99WholeMs);
    }
  }
  await server.stop();
  // Steady state: after a second of warm-up at the same rate, in both modes.
  const added = median(runs.sdk) - median(runs.off);
  report('event-loop delay p99 added at 10k events/s', added, 'ms', '<= 2 ms', added <= 2, {
    p99WithSdkMs: median(runs.sdk),
    p99WithoutMs: median(runs.off),
    runs,
  });
  // The same with the first second (the JIT warming up the SDK's code) counted in.
  const addedWhole = median(wholeRuns.sdk) - median(wholeRuns.off);
  report('  the same, warm-up second included', addedWhole, 'ms', '(info)', null, {
    p99WithSdkMs: median(wholeRuns.sdk),
    p99WithoutMs: median(wholeRuns.off),
    runs: wholeRuns,
  });
}

// 6: memory with the backend down for good.
{
  const m = await probe('./memory-child.mjs', [String(scale.memory)], {}, ['--expose-gc']);
  const exact = m.dropped === m.recorded - m.pending - m.sent;
  report(
    `RSS growth after ${scale.memory} events, backend down`,
    m.rssGrowthMb,
    'MB',
    '<= 64 MB, drops exact',
    m.rssGrowthMb <= 64 && exact,
    m,
  );
}

// 7: cold start to the first recorded event, vs the OpenTelemetry NodeSDK.
{
  const ours = [];
  const theirs = [];
  for (let i = 0; i < scale.coldRuns; i++) {
    ours.push((await probe('./cold-start-child.mjs', ['agentops'])).ms);
    theirs.push((await probe('./cold-start-child.mjs', ['nodesdk'])).ms);
  }
  const ratio = median(ours) / median(theirs);
  report('cold start (import + init + first event)', ratio, 'x', '<= 1.5', ratio <= 1.5, {
    oursMs: median(ours),
    nodeSdkMs: median(theirs),
  });
}

// 7b: what withSession() adds to a serverless invocation: its session delivered before the answer.
{
  const server = await serverProcess(join(dir, 'serverless.db'));
  try {
    const r = await probe('./serverless-child.mjs', [server.url, server.apiKey, quick ? '50' : '300']);
    const added = r.withSessionMs - r.bareMs;
    report('withSession: time added per invocation (delivered)', added, 'ms', 'info', null, r);
  } finally {
    await server.stop();
  }
}

// 7b: replay: what recordReplay adds to an LLM call (its exchange kept), and what a replayed call
// costs (answered from the recording, no network), against the same call live to a local server.
{
  const calls = quick ? '300' : '3000';
  const us = { off: [], on: [], replay: [] };
  for (let i = 0; i < scale.microRuns; i++) {
    for (const mode of Object.keys(us)) us[mode].push((await probe('./replay-child.mjs', [mode, calls])).us);
  }
  const [off, on, replayed] = [median(us.off), median(us.on), median(us.replay)];
  report('recordReplay: time added per LLM call (1 kB each way)', on - off, 'us', 'info', null, { off, on, us });
  report('a replayed LLM call, as a share of the live call', replayed / off, 'x', 'info', null, { off, replayed });
}

// 8: the local server stays responsive while it takes one large OTLP request.
{
  const runs = [];
  for (let i = 0; i < (quick ? 1 : 3); i++)
    runs.push(await probe('./otlp-stall-child.mjs', [quick ? '10000' : '50000']));
  const waits = runs.map((r) => r.maxWaitMs);
  const wait = median(waits);
  const run = runs[waits.indexOf(wait)];
  report(`longest wait of a small request behind ${run.spans} OTLP spans`, wait, 'ms', '<= 100 ms', wait <= 100, {
    ...run,
    waits,
  });
  const exportWaits = runs.map((r) => r.exportMaxWaitMs);
  const exportWait = median(exportWaits);
  const exportRun = runs[exportWaits.indexOf(exportWait)];
  report(
    `longest wait of a small request behind the export of a ${exportRun.exportedEvents}-event session`,
    exportWait,
    'ms',
    '<= 100 ms',
    exportWait <= 100,
    { exportMs: exportRun.exportMs, exportStatus: exportRun.exportStatus, waits: exportWaits },
  );
}

rmSync(dir, { recursive: true, force: true });
writeFileSync(
  here('./results.json'),
  `${JSON.stringify({ quick, node: process.version, at: new Date().toISOString(), results }, null, 2)}\n`,
);
console.log(
  `\n${results.filter((r) => r.met).length} of ${results.filter((r) => r.met !== null).length} targets met${quick ? ' (quick mode: figures are indicative only)' : ''}. Written to bench/results.json`,
);
