/**
 * The one loader of the LLM client instrumentations: for each client of the table (clients.ts) an
 * OpenTelemetry `InstrumentationBase` whose require hook (and, under `--import agentops/register`,
 * whose ES module hook) is the SDK's own. The instrumentation that records the client (the official
 * OpenAI one, OpenLLMetry's, OpenInference's, ours for Gen AI) is loaded and built only the first
 * time its client loads, never enabled itself: its patch is taken from its public
 * `getModuleDefinitions()` and run here, guarded, for exactly the versions the table gives. So a
 * client the app never loads costs nothing, a version outside the table is said once by name and
 * version, a patch that throws leaves the client running uninstrumented (one warning, never a throw
 * out of the app's `require`), and each module is patched once however it is reached (the require
 * hook, the require cache, its ES module build).
 */
import type { Logger } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import { metrics, type TracerProvider } from '@opentelemetry/api';
import { SDK_VERSION } from '../version.js';
import {
  type ClientSpec,
  inVersions,
  moduleOf,
  type Patcher,
  type RealInstrumentation,
  recordedOtherwise,
  versionsText,
} from './clients.js';

export type { CreateContext, RealInstrumentation } from './clients.js';

type InstrumentationModule = typeof import('@opentelemetry/instrumentation');
type Hook = (exports: unknown, version?: string) => unknown;

export type ClientInstrumentation = InstanceType<InstrumentationModule['InstrumentationBase']> & {
  readonly spec: ClientSpec;
  /** Patches a module reached another way (the require cache, an ES module build); disable() unpatches it. */
  manuallyInstrument(module: unknown, version: string | undefined): void;
  /**
   * Whether `version` of the client is one this loader patches; says once why not (recorded
   * another way, or outside the table's versions).
   */
  patches(version: string | undefined): boolean;
};

const isObject = (value: unknown): value is object =>
  (typeof value === 'object' && value !== null) || typeof value === 'function';

export function createClientInstrumentation(
  base: InstrumentationModule,
  spec: ClientSpec,
  options: { captureContent: boolean; logger: Logger },
): ClientInstrumentation {
  const { logger } = options;
  const module = moduleOf(spec);

  class Loader extends base.InstrumentationBase {
    readonly spec = spec;
    #tracerProvider: TracerProvider | undefined;
    #loggerProvider: unknown;
    #hooks: Patcher | undefined;
    #creating = false;
    /** Modules patched (by any way): each is patched once. */
    readonly #patched = new WeakSet<object>();
    /** Modules patched by hand, with their versions: unpatched when disabled. */
    readonly #manual = new Map<unknown, string | undefined>();
    /** What has been said once: versions passed over, failures. */
    readonly #said = new Set<string>();

    constructor() {
      super(spec.instrumentation, SDK_VERSION, {});
    }

    protected init() {
      // Every version reaches the guard below, which says why one is passed over.
      return [
        new base.InstrumentationNodeModuleDefinition(
          module,
          ['*'],
          (exports: unknown, version?: string) => this.#patch(exports, version),
          (exports: unknown, version?: string) => this.#unpatch(exports, version),
        ),
      ];
    }

    override setTracerProvider(provider: TracerProvider): void {
      super.setTracerProvider(provider);
      this.#tracerProvider = provider;
    }

    override setLoggerProvider(
      provider: Parameters<InstanceType<typeof base.InstrumentationBase>['setLoggerProvider']>[0],
    ): void {
      super.setLoggerProvider(provider);
      this.#loggerProvider = provider;
    }

    patches(version: string | undefined): boolean {
      const otherwise = recordedOtherwise(spec, version);
      if (otherwise) {
        this.#once(`otherwise ${version}`, () =>
          logger.debug(`${spec.package}@${version}: recorded through ${otherwise}, not patched`),
        );
        return false;
      }
      if (version !== undefined && !inVersions(spec, version)) {
        this.#once(`version ${version}`, () =>
          logger.warn(
            `${spec.package}@${version} is not a version AgentOps records (${versionsText(spec)}); it runs uninstrumented.`,
          ),
        );
        return false;
      }
      return true;
    }

    manuallyInstrument(exports: unknown, version: string | undefined): void {
      if (isObject(exports) && this.#patched.has(exports)) return;
      // The guard says why a version is passed over; only a module it patched is unpatched later.
      this.#patch(exports, version);
      if (isObject(exports) && this.#patched.has(exports)) this.#manual.set(exports, version);
    }

    override disable(): void {
      super.disable();
      for (const [exports, version] of this.#manual) this.#unpatch(exports, version);
      this.#manual.clear();
    }

    #once(key: string, say: () => void): void {
      if (this.#said.has(key)) return;
      this.#said.add(key);
      say();
    }

    /** The real instrumentation's patch for the client, built the first time it is needed. */
    #realHooks(): Patcher | undefined {
      if (this.#hooks || this.#creating) return this.#hooks;
      // Building it may require the client again (OpenInference's Bedrock one does), which comes
      // back here through the require hook: the patch under way covers it.
      this.#creating = true;
      try {
        const real = spec.create({
          tracerProvider: this.#tracerProvider,
          captureContent: options.captureContent,
          logger,
        });
        if (!real) throw new Error(`${spec.instrumentation} could not be loaded`);
        this.#hooks = 'getModuleDefinitions' in real ? this.#definitionOf(real) : real;
        return this.#hooks;
      } finally {
        this.#creating = false;
      }
    }

    /** The patch of the module in an instrumentation's definitions, on this loader's providers. */
    #definitionOf(real: Extract<RealInstrumentation, { getModuleDefinitions(): unknown[] }>): Patcher {
      if (this.#tracerProvider) real.setTracerProvider?.(this.#tracerProvider);
      if (this.#loggerProvider) real.setLoggerProvider?.(this.#loggerProvider);
      // Its metric instruments are made when it is given a meter provider (the OpenAI one records
      // the GenAI client metrics): the app's, as registerInstrumentations gives every instrumentation.
      real.setMeterProvider?.(metrics.getMeterProvider());
      // It is never enabled itself (its own hook would patch the client a second time), and the
      // methods it patches ask it whether it is (the OpenAI one's do): it is while this loader is.
      if (typeof (real as { isEnabled?: unknown }).isEnabled === 'function') {
        Object.defineProperty(real, 'isEnabled', { value: () => this.isEnabled(), configurable: true });
      }
      const definition = (real.getModuleDefinitions() as { name?: unknown; patch?: unknown; unpatch?: unknown }[]).find(
        (d) => d.name === module,
      );
      if (typeof definition?.patch !== 'function')
        throw new Error(`${spec.instrumentation} has no patch for ${module}`);
      const unpatch = typeof definition.unpatch === 'function' ? (definition.unpatch as Hook) : undefined;
      return { patch: definition.patch as Hook, unpatch: (e, v) => unpatch?.(e, v) };
    }

    #patch(exports: unknown, version: string | undefined): unknown {
      if (isObject(exports) && this.#patched.has(exports)) return exports;
      if (!this.patches(version)) return exports;
      try {
        const hooks = this.#realHooks();
        if (!hooks) return exports;
        const result = hooks.patch(exports, version);
        if (isObject(exports)) this.#patched.add(exports);
        return result ?? exports;
      } catch (err) {
        this.#once(`failed ${version}`, () =>
          logger.warn(
            `could not instrument ${spec.package}@${version ?? '?'} (${errorText(err)}); it runs uninstrumented.`,
          ),
        );
        return exports;
      }
    }

    #unpatch(exports: unknown, version: string | undefined): unknown {
      if (!isObject(exports) || !this.#patched.has(exports)) return exports;
      this.#patched.delete(exports);
      try {
        return this.#hooks?.unpatch(exports, version) ?? exports;
      } catch (err) {
        logger.debug(`${spec.package}: unpatching failed (${errorText(err)})`);
        return exports;
      }
    }
  }
  return new Loader();
}
