/**
 * Vercel AI SDK 7 (`ai@7`) recorded with no code. Its OpenTelemetry spans moved out of `ai` into
 * `@ai-sdk/otel`; when that is installed, `init()` registers its `OpenTelemetry` integration (the
 * GenAI conventions: an `invoke_agent` span per call, a span per step, `chat` and `execute_tool`
 * spans) on the SDK's tracer, unless the app registered one itself (that, or `LegacyOpenTelemetry`
 * and its `ai.*` spans, which the exporter maps too). (`ai` 4 to 6 write their `ai.*` spans with
 * `experimental_telemetry: { isEnabled: true }` and need nothing from here.)
 */
import type { Logger } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import type { Tracer } from '@opentelemetry/api';
import { canRequireEsm, isInstalled, optionalRequire } from '../optional-require.js';

interface OtelModule {
  OpenTelemetry: new (options?: { tracer?: Tracer; agentSpanName?: 'modelId' | 'functionId' }) => object;
}

/** Where `registerTelemetry()` of `ai` keeps the integrations every call reports to. */
const REGISTRY = 'AI_SDK_TELEMETRY_INTEGRATIONS';
const OTEL_INTEGRATIONS = new Set(['OpenTelemetry', 'LegacyOpenTelemetry']);

function registry(): unknown[] {
  const holder = globalThis as unknown as Record<string, unknown[] | undefined>;
  holder[REGISTRY] ??= [];
  return holder[REGISTRY];
}

/** Registers `@ai-sdk/otel`'s integration when it is installed; returns the function that removes it. */
export function enableAiSdkTelemetry(host: { tracer: Tracer; logger: Logger }): () => void {
  let ours: object | undefined;
  let stopped = false;
  const register = (mod: OtelModule | undefined) => {
    if (stopped || typeof mod?.OpenTelemetry !== 'function') return;
    const list = registry();
    if (list.some((i) => OTEL_INTEGRATIONS.has((i as object | null)?.constructor?.name ?? ''))) {
      host.logger.debug(
        'AI SDK: the app registered its own OpenTelemetry integration; its spans are recorded as they are',
      );
      return;
    }
    try {
      ours = new mod.OpenTelemetry({ tracer: host.tracer, agentSpanName: 'functionId' });
    } catch (err) {
      host.logger.warn(`could not register @ai-sdk/otel (${errorText(err)}); AI SDK calls are not recorded.`);
      return;
    }
    list.push(ours);
    host.logger.debug('AI SDK: @ai-sdk/otel registered; generateText, streamText and their tools are recorded');
  };
  if (!isInstalled('@ai-sdk/otel')) return () => {};
  // An ES module: where Node can require one (20.19+, 22.12+) it is loaded on the AI SDK's first
  // call, through a stand-in (loading it costs a tenth of a second), else imported at once (ready
  // a moment later).
  if (canRequireEsm()) {
    register({ OpenTelemetry: lazyIntegration(() => optionalRequire<OtelModule>('@ai-sdk/otel'), host.logger) });
  } else {
    const specifier = '@ai-sdk/otel'; // not resolved at build time: an optional peer
    // Nor by an app's bundler (Next.js, webpack, Vite): the app may not have it.
    import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ specifier).then(
      (m) => register(m as unknown as OtelModule),
      (err: unknown) =>
        host.logger.warn(`could not load @ai-sdk/otel (${errorText(err)}); AI SDK calls are not recorded.`),
    );
  }
  return () => {
    stopped = true;
    const list = registry();
    const i = ours ? list.indexOf(ours) : -1;
    if (i >= 0) list.splice(i, 1);
  };
}

/**
 * A stand-in for `@ai-sdk/otel`'s `OpenTelemetry` class whose instances build the real integration
 * the first time the AI SDK reads one of its methods, and hand every read to it (methods bound to
 * it, so its private state stays its own).
 */
function lazyIntegration(load: () => OtelModule | undefined, logger: Logger): OtelModule['OpenTelemetry'] {
  return class {
    constructor(options?: ConstructorParameters<OtelModule['OpenTelemetry']>[0]) {
      let real: object | null | undefined;
      const bound = new Map<PropertyKey, unknown>();
      const target = () => {
        if (real !== undefined) return real;
        try {
          const mod = load();
          if (!mod) logger.warn('@ai-sdk/otel could not be loaded; AI SDK calls are not recorded.');
          real = mod ? new mod.OpenTelemetry(options) : null;
        } catch (err) {
          logger.warn(`could not load @ai-sdk/otel (${errorText(err)}); AI SDK calls are not recorded.`);
          real = null;
        }
        return real;
      };
      // biome-ignore lint/correctness/noConstructorReturn: the instance is the stand-in itself
      return new Proxy(this, {
        get(_self, prop) {
          const to = target();
          if (!to) return undefined;
          const value = Reflect.get(to, prop, to);
          if (typeof value !== 'function') return value;
          let fn = bound.get(prop);
          if (!fn) {
            fn = value.bind(to);
            bound.set(prop, fn);
          }
          return fn;
        },
        has(_self, prop) {
          const to = target();
          return to ? prop in to : false;
        },
      });
    }
  } as unknown as OtelModule['OpenTelemetry'];
}
