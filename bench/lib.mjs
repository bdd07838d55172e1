// Shared bits of the benchmarks: child processes, a local server in its own process, formatting.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

export const here = (file) => fileURLToPath(new URL(file, import.meta.url));

/** Runs a probe script in its own Node process and resolves with the JSON it prints last. */
export function probe(script, args = [], env = {}, execArgv = []) {
  return new Promise((resolve, reject) => {
    const child = fork(here(script), args, {
      env: { ...process.env, ...env },
      execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

/** The local server in a child process (so it does not share the event loop being measured). */
export async function serverProcess(db) {
  const child = fork(here('./server-child.mjs'), [db], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const info = await new Promise((resolve) => child.once('message', resolve));
  return {
    ...info,
    stop: () =>
      new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGTERM');
      }),
  };
}

export const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

export const noop = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
  forceFlush: async () => {},
};
/** One LLM call, as the app has it at hand: what the per-event figures record. */
export const LLM_CALL = {
  model: 'gpt-4o',
  prompt: [{ role: 'user', content: 'Plan my day' }],
  completion: { role: 'assistant', content: '1. Coffee' },
  promptTokens: 120,
  completionTokens: 40,
};

/**
 * The attributes of the SDK's span of `call` in session `sessionId`, built from the call as raw
 * OpenTelemetry code would (messages encoded as the GenAI conventions want them).
 */
export function llmAttributesByHand(call, sessionId) {
  return {
    'agentops.event.type': 'llms',
    'agentops.session.id': sessionId,
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': call.model,
    'gen_ai.response.model': call.model,
    'gen_ai.usage.input_tokens': call.promptTokens,
    'gen_ai.usage.output_tokens': call.completionTokens,
    'gen_ai.input.messages': JSON.stringify(
      call.prompt.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] })),
    ),
    'gen_ai.output.messages': JSON.stringify([
      { role: call.completion.role, parts: [{ type: 'text', content: call.completion.content }] },
    ]),
  };
}

export const LLM_ATTRIBUTES = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.response.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 120,
  'gen_ai.usage.output_tokens': 40,
  'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Plan my day' }] }]),
  'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: '1. Coffee' }] }]),
};

/**
 * Mean time per call of each function, measured side by side: short tinybench rounds that
 * alternate between them, and the median round of each. A slow spell of a shared machine then
 * lands on both sides instead of on whichever happened to run during it.
 */
export async function sideBySide(fns, quick) {
  const rounds = quick ? 11 : 25;
  const perRound = quick ? 30 : 100;
  const samples = Object.fromEntries(Object.keys(fns).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, fn] of Object.entries(fns)) {
      const bench = new Bench({ time: perRound, warmupTime: round === 0 ? (quick ? 100 : 300) : 10 });
      bench.add(name, fn);
      await bench.run();
      samples[name].push(bench.tasks[0].result.latency.mean);
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, median(xs)]));
}

/**
 * The PostgreSQL server the benchmarks use: AGENTOPS_TEST_DATABASE_URL's, else a private cluster
 * (fsync on, as a real one); `database()` makes an empty database in it. `url` is undefined, with
 * `why`, where there is no PostgreSQL to run.
 */
export async function postgresForBench() {
  const { startPostgresCluster } = await import('../scripts/postgres-cluster.mjs');
  const { default: pg } = await import('pg');
  let cluster;
  let url = process.env.AGENTOPS_TEST_DATABASE_URL;
  if (!url) {
    try {
      cluster = await startPostgresCluster();
      url = cluster.url;
    } catch (err) {
      return { url: undefined, why: err.message.split('\n')[0] };
    }
  }
  const made = [];
  const admin = async (sql) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    url,
    async database() {
      const name = `agentops_bench_${made.length}_${process.pid}`;
      await admin(`DROP DATABASE IF EXISTS ${name}`);
      await admin(`CREATE DATABASE ${name}`);
      made.push(name);
      const u = new URL(url);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async stop() {
      for (const name of made) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      cluster?.stop();
    },
  };
}

/**
 * Events/s from the first request to the last event stored: one session, `total` tool events in
 * v2 batches of 500 with 8 requests in flight, each batch sent to the next of `servers` in turn.
 */
export async function httpIngestRate(servers, total) {
  const [first] = servers;
  const key = { 'x-agentops-api-key': first.apiKey };
  const sessionId = crypto.randomUUID();
  const created = await fetch(`${first.url}/v2/create_session`, {
    method: 'POST',
    headers: { ...key, 'content-type': 'application/json' },
    body: JSON.stringify({ session: { session_id: sessionId, init_timestamp: new Date().toISOString() } }),
  });
  const { jwt } = await created.json();
  const at = new Date().toISOString();
  const bodies = [];
  for (let i = 0; i < total; i += 500) {
    const events = Array.from({ length: Math.min(500, total - i) }, (_, j) => ({
      id: crypto.randomUUID(),
      event_type: 'tools',
      name: 'lookup',
      params: { i: i + j },
      returns: { ok: true },
      init_timestamp: at,
      end_timestamp: at,
    }));
    bodies.push(JSON.stringify({ events }));
  }
  let next = 0;
  let refused = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < bodies.length) {
        const n = next++;
        const server = servers[n % servers.length];
        const r = await fetch(`${server.url}/v2/create_events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
          body: bodies[n],
        });
        if (r.status !== 200) refused++;
        await r.arrayBuffer();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const stats = await (await fetch(`${first.url}/v2/sessions/${sessionId}/stats`, { headers: key })).json();
  return { rate: total / seconds, seconds, lost: total - stats.events, refused, instances: servers.length };
}
