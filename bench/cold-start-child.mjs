// Time from the start of `import` to the first recorded event (ms), in a fresh process.
import { performance } from 'node:perf_hooks';

const which = process.argv[2];
const t0 = performance.now();
if (which === 'agentops') {
  const agentops = await import('agentops');
  const session = agentops.init({ apiKey: 'k', endpoint: 'http://127.0.0.1:9', handleExit: false, logLevel: 'silent' });
  session.record(new agentops.ActionEvent({ actionType: 'first' }));
} else {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { trace } = await import('@opentelemetry/api');
  const sdk = new NodeSDK({
    traceExporter: new OTLPTraceExporter({ url: 'http://127.0.0.1:9/v1/traces' }),
    instrumentations: [],
  });
  sdk.start();
  trace.getTracer('bench').startSpan('first').end();
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms }));
process.exit(0);
