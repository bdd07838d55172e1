// Figure 8: while the local server (its own process) takes one large OTLP request, and then exports
// the session it made, how long does a small request (GET /health, every 10 ms from another
// process) wait at most? Prints the longest wait behind each and the large requests' own times.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { here } from './lib.mjs';

if (process.argv[2] === '--probe') {
  const target = process.argv[3];
  let stop = false;
  let maxWaitMs = 0;
  let probes = 0;
  process.on('message', () => {
    stop = true;
  });
  process.send('ready');
  while (!stop) {
    const t = performance.now();
    await fetch(`${target}/health`);
    maxWaitMs = Math.max(maxWaitMs, performance.now() - t);
    probes++;
    await new Promise((r) => setTimeout(r, 10));
  }
  console.log(JSON.stringify({ maxWaitMs, probes }));
  process.exit(0);
}

const spansCount = Number(process.argv[2] ?? 50_000);
const dir = mkdtempSync(join(tmpdir(), 'agentops-stall-'));
const server = fork(here('./server-child.mjs'), [join(dir, 'stall.db')], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const { url, apiKey } = await new Promise((resolve) => server.once('message', resolve));

const kv = (key, v) => ({ key, value: typeof v === 'number' ? { intValue: v } : { stringValue: v } });
const spans = [];
for (let i = 0; i < spansCount; i++) {
  spans.push({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: 'chat gpt-4o',
    kind: 3,
    startTimeUnixNano: String(1714564800000000000n + BigInt(i) * 1000000n),
    endTimeUnixNano: String(1714564801000000000n + BigInt(i) * 1000000n),
    attributes: [
      kv('agentops.session.id', '0af76519-16cd-43dd-8448-eb211c80319c'),
      kv('gen_ai.operation.name', 'chat'),
      kv('gen_ai.request.model', 'gpt-4o'),
      kv('gen_ai.usage.input_tokens', 100),
      kv('gen_ai.usage.output_tokens', 20),
    ],
    status: {},
  });
}
const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });

/** Runs `big` while a process of its own sends the small requests; the longest wait and big's time. */
async function probed(big) {
  const prober = fork(here('./otlp-stall-child.mjs'), ['--probe', url], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let probeOut = '';
  prober.stdout.on('data', (d) => (probeOut += d));
  await new Promise((resolve) => prober.once('message', resolve));
  await new Promise((r) => setTimeout(r, 200));
  const t = performance.now();
  const status = await big();
  const bigMs = performance.now() - t;
  prober.send('stop');
  await new Promise((resolve) => prober.once('exit', resolve));
  const { maxWaitMs, probes } = JSON.parse(probeOut.trim());
  return { maxWaitMs, bigMs, status, probes };
}

const ingest = await probed(async () => {
  const r = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-agentops-api-key': apiKey },
    body,
  });
  await r.arrayBuffer();
  return r.status;
});
let exportedEvents = 0;
const exported = await probed(async () => {
  const r = await fetch(`${url}/v2/sessions/0af76519-16cd-43dd-8448-eb211c80319c/export`, {
    headers: { 'x-agentops-api-key': apiKey },
  });
  exportedEvents = (await r.json()).llms?.length ?? 0;
  return r.status;
});
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    maxWaitMs: ingest.maxWaitMs,
    bigMs: ingest.bigMs,
    status: ingest.status,
    probes: ingest.probes,
    bodyMb: body.length / 1e6,
    spans: spansCount,
    exportMaxWaitMs: exported.maxWaitMs,
    exportMs: exported.bigMs,
    exportStatus: exported.status,
    exportedEvents,
  }),
);
