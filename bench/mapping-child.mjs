// Figure 3 (mapping + JSON of a 512-span batch vs OTLP JSON of the same spans), in a process of its
// own. Prints the mean milliseconds per batch of each side.
import { mapSpan } from '@agentops/exporter';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { LLM_ATTRIBUTES, sideBySide } from './lib.mjs';

const quick = process.argv.includes('--quick');
const memory = new InMemorySpanExporter();
const tracer = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('m');
for (let i = 0; i < 512; i++) {
  tracer
    .startSpan('chat gpt-4o', {
      attributes: { ...LLM_ATTRIBUTES, 'agentops.session.id': '0af76519-16cd-43dd-8448-eb211c80319c' },
    })
    .end();
}
const spans = memory.getFinishedSpans();
const options = { price: () => 0.001 };
// Both sides end with the request body's bytes: the OTLP serializer returns UTF-8 bytes, and
// our JSON text is encoded the same way when it is sent.
const r = await sideBySide(
  {
    ours: () => {
      const events = [];
      for (const span of spans)
        for (const item of mapSpan(span, options)) if (item.kind === 'event') events.push(item.event);
      return Buffer.from(JSON.stringify({ events }));
    },
    otlp: () => JsonTraceSerializer.serializeRequest(spans),
  },
  quick,
);
console.log(JSON.stringify(r));
