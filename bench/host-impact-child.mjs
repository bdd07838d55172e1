// Event-loop delay p99 of an app recording `rate` events/s for `seconds`, with the SDK exporting to
// a live local server, or with the SDK disabled (the same app loop, nothing recorded). The app runs
// WARMUP_MS at the same rate first, so the figure is the app's steady state, as every other figure
// of the suite is (tinybench warms up too); the p99 of the whole run, warm-up included, is reported
// beside it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as agentops from 'agentops';

const WARMUP_MS = 1000;
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
const whole = monitorEventLoopDelay({ resolution: 1 });
const steady = monitorEventLoopDelay({ resolution: 1 });
whole.enable();
const warmupTimer = setTimeout(() => steady.enable(), WARMUP_MS);
let work = 0;
const end = Date.now() + WARMUP_MS + Number(seconds) * 1000;
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
clearTimeout(warmupTimer);
whole.disable();
steady.disable();
const flushStarted = performance.now();
if (session) await session.endSession('Success');
// How far delivery lagged behind recording: the backlog left when recording stopped.
const flushMs = performance.now() - flushStarted;
console.log(
  JSON.stringify({ p99Ms: steady.percentile(99) / 1e6, p99WholeMs: whole.percentile(99) / 1e6, flushMs, work }),
);
process.exit(0);
