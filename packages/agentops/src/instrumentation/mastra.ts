/**
 * Mastra (`@mastra/core` 1.x) traces itself through its observability, which an app turns on with
 * `new Mastra({ observability })`, and Mastra's own OpenTelemetry bridge (`@mastra/otel-bridge`)
 * makes those traces OpenTelemetry spans with the GenAI attributes: the agent run, its model
 * generation (tokens summed over its requests), each tool call, workflows. A Mastra made without
 * observability is given the bridge, on the SDK's tracer provider, the first time its observability
 * is asked for (an agent's run reads it): through `registerExporter`, Mastra's public way to start
 * observability on an instance that has none. A Mastra that configures observability itself is left
 * as it is (with its own `OtelBridge`, its spans reach AgentOps through the global provider).
 */
import { type Logger, semconv as S } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import { type TracerProvider, trace } from '@opentelemetry/api';
import { canRequireEsm, entryIsEsModule, requireFile, resolveForApp } from '../optional-require.js';

export const MASTRA_OBSERVABILITY = '@mastra/observability';
export const MASTRA_OTEL_BRIDGE = '@mastra/otel-bridge';

/** Where the getter the patch replaced is kept, on the prototype it was replaced on. */
const ORIGINAL = Symbol.for('agentops.mastra.observability');

/** What the SDK uses of Mastra's observability entry point (`Observability` of `@mastra/observability`). */
interface Entrypoint {
  getDefaultInstance(): unknown;
}
interface MastraObservabilityModules {
  Observability: new (config: object) => Entrypoint;
  DefaultObservabilityInstance: new (config: object) => unknown;
  SensitiveDataFilter: new () => unknown;
  OtelBridge: new (config: { tracerProvider?: TracerProvider }) => Bridge;
}
interface MastraLike {
  registerExporter(exporter: unknown, instance: unknown, entrypoint: unknown): void;
}

/** What the SDK reads of a Mastra tracing event. */
interface TracingEvent {
  type: string;
  exportedSpan?: { id?: string; parentSpanId?: string; type?: string; entityId?: string };
}
interface Bridge {
  executeInContextSync<T>(spanId: string, fn: () => T): T;
}

/**
 * The exporter `registerExporter` takes with the bridge. It sends nothing (the bridge's spans go
 * through the SDK's pipeline); it names the agent each span works for, as the SDK does under
 * `trackAgent()`. The bridge writes a span's attributes only when it ends, after the spans inside
 * it started and ended, so stamping cannot find the agent from the parent: Mastra's span-started
 * event says which agent run a span is under, and the bridge gives the span it made for it.
 */
function agentNamingExporter(bridge: Bridge) {
  const agentOf = new Map<string, string>();
  return {
    name: 'agentops',
    exportTracingEvent: async (event: TracingEvent) => {
      const span = event.exportedSpan;
      if (!span?.id) return;
      if (event.type === 'span_ended') {
        agentOf.delete(span.id);
        return;
      }
      if (event.type !== 'span_started') return;
      const parentAgent = span.parentSpanId ? agentOf.get(span.parentSpanId) : undefined;
      const own = span.type === 'agent_run' ? span.entityId : undefined;
      const agent = own ?? parentAgent;
      if (agent === undefined) return;
      agentOf.set(span.id, agent);
      if (own === undefined) {
        bridge.executeInContextSync(span.id, () => trace.getActiveSpan())?.setAttribute(S.ATTR_AGENT_ID, agent);
      }
    },
    flush: async () => {},
    shutdown: async () => {
      agentOf.clear();
    },
  };
}

/**
 * With content capture off, Mastra's spans are exported without their inputs and outputs (the
 * prompts, completions, tool arguments and results the bridge would write). Mastra's span output
 * processors change the span they are given and return it.
 */
const WITHOUT_CONTENT = {
  name: 'agentops-without-content',
  process(span: { input?: unknown; output?: unknown }) {
    span.input = undefined;
    span.output = undefined;
    return span;
  },
  shutdown: async () => {},
};

/** The app's `@mastra/observability` and `@mastra/otel-bridge`, of the module kind of its `@mastra/core`. */
function loadModules(): MastraObservabilityModules {
  const esm = entryIsEsModule() && canRequireEsm();
  const load = (name: string) => {
    const cjs = resolveForApp(name);
    if (!cjs) throw new Error(`${name} is not installed (npm i ${MASTRA_OBSERVABILITY} ${MASTRA_OTEL_BRIDGE})`);
    // Their ES module builds beside the CommonJS ones: an ES module app's Mastra is the ES module one.
    return requireFile(esm ? cjs.replace(/\.cjs$/, '.js') : cjs) as Record<string, unknown>;
  };
  const { Observability, DefaultObservabilityInstance, SensitiveDataFilter } = load(MASTRA_OBSERVABILITY);
  const { OtelBridge } = load(MASTRA_OTEL_BRIDGE);
  const modules = { Observability, DefaultObservabilityInstance, SensitiveDataFilter, OtelBridge };
  for (const [name, value] of Object.entries(modules))
    if (typeof value !== 'function') throw new Error(`${name} is not exported where it was expected`);
  return modules as MastraObservabilityModules;
}

/** Mastra's observability when the app configured none (its no-op has no default instance). */
function isUnconfigured(observability: unknown): boolean {
  const o = observability as Partial<Entrypoint> | undefined;
  return typeof o?.getDefaultInstance === 'function' && o.getDefaultInstance() === undefined;
}

/** The patch of `@mastra/core`'s `Mastra` class (a module of it that exports the class). */
export function createMastraInstrumentation({
  tracerProvider,
  captureContent,
  logger,
}: {
  tracerProvider: TracerProvider | undefined;
  captureContent: boolean;
  logger: Logger;
}): { patch(exports: unknown): unknown; unpatch(exports: unknown): unknown } {
  let modules: MastraObservabilityModules | undefined;
  const bootstrap = (mastra: MastraLike) => {
    modules ??= loadModules();
    // As `new Observability({ configs: { default: ... } })` builds its default instance, with the
    // redaction of secrets Mastra applies by default.
    const bridge = new modules.OtelBridge({ tracerProvider });
    const exporter = agentNamingExporter(bridge);
    const instance = new modules.DefaultObservabilityInstance({
      name: 'default',
      serviceName: 'mastra',
      bridge,
      exporters: [],
      // A span per streamed chunk: nothing AgentOps shows, and a span each.
      excludeSpanTypes: ['model_chunk'],
      spanOutputProcessors: captureContent
        ? [new modules.SensitiveDataFilter()]
        : [WITHOUT_CONTENT, new modules.SensitiveDataFilter()],
    });
    mastra.registerExporter(exporter, instance, new modules.Observability({}));
  };
  return {
    patch(exports) {
      const proto = mastraPrototype(exports);
      if (Object.hasOwn(proto, ORIGINAL)) return exports;
      const descriptor = Object.getOwnPropertyDescriptor(proto, 'observability');
      const original = descriptor?.get;
      if (!descriptor || !original || typeof proto.registerExporter !== 'function')
        throw new Error('Mastra has no observability getter or registerExporter');
      const tried = new WeakSet<object>();
      Object.defineProperty(proto, ORIGINAL, { value: descriptor, configurable: true });
      Object.defineProperty(proto, 'observability', {
        ...descriptor,
        get(this: MastraLike) {
          const current = original.call(this);
          if (tried.has(this) || !isUnconfigured(current)) return current;
          tried.add(this);
          try {
            bootstrap(this);
          } catch (err) {
            warnOnce(logger, `Mastra runs are not recorded: ${errorText(err)}`);
            return current;
          }
          return original.call(this);
        },
      });
      return exports;
    },
    unpatch(exports) {
      const proto = mastraPrototype(exports);
      const descriptor = Object.getOwnPropertyDescriptor(proto, ORIGINAL)?.value as PropertyDescriptor | undefined;
      if (descriptor) {
        Object.defineProperty(proto, 'observability', descriptor);
        delete (proto as Record<symbol, unknown>)[ORIGINAL];
      }
      return exports;
    },
  };
}

function mastraPrototype(exports: unknown): MastraLike & Record<PropertyKey, unknown> {
  const Mastra = (exports as { Mastra?: unknown } | undefined)?.Mastra;
  if (typeof Mastra !== 'function') throw new Error('the module exports no Mastra class');
  return Mastra.prototype as MastraLike & Record<PropertyKey, unknown>;
}

const warned = new WeakSet<Logger>();
function warnOnce(logger: Logger, message: string): void {
  if (warned.has(logger)) return;
  warned.add(logger);
  logger.warn(message);
}
