// Event-loop delay p99 of an app recording `rate` events/s for `seconds`, with the SDK exporting to
// a live local server, or with the SDK disabled (the same app loop, nothing recorded).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as agentops from 'agentops';

const [mode, rate, seconds, endpoint, apiKey] = process.argv.slice(2);
// `record-only`: the SDK records but has no API key, so nothing is exported (for diagnosis).
const enabled = mode === 'sdk' || mode === 'record-only';
const maxWaitTime = Number(process.env.BENCH_MAX_WAIT ?? 1000);
const session = enabled
  ? agentops.init({
      apiKey: mode === 'sdk' ? apiKey : undefined,
      endpoint,
      handleExit: false,
      logLevel: 'silent',
      maxQueueSize: 100_000,
      maxWaitTime,
    })
  : undefined;
const perTick = Number(rate) / 100; // one tick every 10 ms
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
let work = 0;
const end = Date.now() + Number(seconds) * 1000;
await new Promise((resolve) => {
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      work += JSON.stringify({ i, at: Date.now() }).length; // the app's own work, in both modes
      session?.record(new agentops.ToolEvent({ name: 'lookup', params: { i }, returns: { ok: true } }));
    }
    if (Date.now() >= end) {
      clearInterval(timer);
      resolve();
    }
  }, 10);
});
histogram.disable();
const flushStarted = performance.now();
if (session) await session.endSession('Success');
// How far delivery lagged behind recording: the backlog left when recording stopped.
const flushMs = performance.now() - flushStarted;
console.log(JSON.stringify({ p99Ms: histogram.percentile(99) / 1e6, flushMs, work }));
process.exit(0);
