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
import { errorText } from '@agentops/exporter/internal';
import { type MeterProvider, metrics, type TracerProvider } from '@opentelemetry/api';
import { SDK_VERSION } from '../version.js';
import {
  type ClientSpec,
  type CreateContext,
  inVersions,
  modulesOf,
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
  /**
   * Patches a module reached another way (the require cache, an ES module build); disable() unpatches
   * it. `module`: which of the row's modules it is (default: its first).
   */
  manuallyInstrument(exports: unknown, version: string | undefined, module?: string): void;
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
  options: Omit<CreateContext, 'tracerProvider'>,
): ClientInstrumentation {
  const { logger } = options;
  const modules = modulesOf(spec).map((m) => m.hooked);

  class Loader extends base.InstrumentationBase {
    readonly spec = spec;
    #tracerProvider: TracerProvider | undefined;
    #loggerProvider: unknown;
    #meterProvider: MeterProvider | undefined;
    #real: RealInstrumentation | undefined;
    /** The patch of each module, taken from the real instrumentation. */
    readonly #hooks = new Map<string, Patcher>();
    #creating = false;
    /** Modules patched (by any way): each is patched once. */
    readonly #patched = new WeakSet<object>();
    /** Modules patched by hand, with their versions and names: unpatched when disabled. */
    readonly #manual = new Map<unknown, { version: string | undefined; module: string }>();
    /** What has been said once: versions passed over, failures. */
    readonly #said = new Set<string>();

    constructor() {
      super(spec.instrumentation, SDK_VERSION, {});
    }

    protected init() {
      // Every version reaches the guard below, which says why one is passed over. One definition
      // of the package, as OpenTelemetry's instrumentations patch a file inside theirs: the entry
      // when it is a module patched, each other module as a file of it, by its CommonJS file and
      // its ES module build's (which OpenTelemetry's ES module hook, under `--import
      // agentops/register`, names so). The ESM build a copy of its own, each copy patched once.
      // (Called by the base constructor: the hooks run later, on a built loader.)
      const patch = (module: string) => (exports: unknown, version?: string) => this.#patch(exports, version, module);
      const unpatch = (module: string) => (exports: unknown, version?: string) =>
        this.#unpatch(exports, version, module);
      const files = modules
        .filter((module) => module !== spec.package)
        .flatMap((module) =>
          [module, ...esmNameOf(spec, module)].map(
            (name) => new base.InstrumentationNodeModuleFile(name, ['*'], patch(module), unpatch(module)),
          ),
        );
      const entry = modules.includes(spec.package);
      return [
        new base.InstrumentationNodeModuleDefinition(
          spec.package,
          ['*'],
          entry ? patch(spec.package) : undefined,
          entry ? unpatch(spec.package) : undefined,
          files,
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

    override setMeterProvider(provider: MeterProvider): void {
      super.setMeterProvider(provider);
      this.#meterProvider = provider;
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

    manuallyInstrument(exports: unknown, version: string | undefined, module = modules[0] as string): void {
      if (isObject(exports) && this.#patched.has(exports)) return;
      // The guard says why a version is passed over; only a module it patched is unpatched later.
      this.#patch(exports, version, module);
      if (isObject(exports) && this.#patched.has(exports)) this.#manual.set(exports, { version, module });
    }

    override disable(): void {
      super.disable();
      for (const [exports, { version, module }] of this.#manual) this.#unpatch(exports, version, module);
      this.#manual.clear();
    }

    #once(key: string, say: () => void): void {
      if (this.#said.has(key)) return;
      this.#said.add(key);
      say();
    }

    /** The real instrumentation's patch of `module`, built the first time it is needed. */
    #realHooks(module: string): Patcher | undefined {
      const known = this.#hooks.get(module);
      if (known || this.#creating) return known;
      // Building it may require the client again (OpenInference's Bedrock one does), which comes
      // back here through the require hook: the patch under way covers it.
      this.#creating = true;
      try {
        if (!this.#real) {
          this.#real = spec.create({
            tracerProvider: this.#tracerProvider,
            captureContent: options.captureContent,
            logger,
            joinSession: options.joinSession,
            sessionOfNewWork: options.sessionOfNewWork,
          });
          if (!this.#real) throw new Error(`${spec.instrumentation} could not be loaded`);
          if ('getModuleDefinitions' in this.#real) this.#onProviders(this.#real);
        }
        const real = this.#real;
        const hooks = 'getModuleDefinitions' in real ? definitionOf(real, module) : real;
        this.#hooks.set(module, hooks);
        return hooks;
      } finally {
        this.#creating = false;
      }
    }

    /** An instrumentation given this loader's providers, and enabled while this loader is. */
    #onProviders(real: Extract<RealInstrumentation, { getModuleDefinitions(): unknown[] }>): void {
      if (this.#tracerProvider) real.setTracerProvider?.(this.#tracerProvider);
      if (this.#loggerProvider) real.setLoggerProvider?.(this.#loggerProvider);
      // Its metric instruments are made when it is given a meter provider (the OpenAI one records
      // the GenAI client metrics): the SDK's metrics' provider, else the app's global one, as
      // registerInstrumentations gives every instrumentation.
      real.setMeterProvider?.(this.#meterProvider ?? metrics.getMeterProvider());
      // It is never enabled itself (its own hook would patch the client a second time), and the
      // methods it patches ask it whether it is (the OpenAI one's do): it is while this loader is.
      if (typeof (real as { isEnabled?: unknown }).isEnabled === 'function') {
        Object.defineProperty(real, 'isEnabled', { value: () => this.isEnabled(), configurable: true });
      }
    }

    #patch(exports: unknown, version: string | undefined, module: string): unknown {
      if (isObject(exports) && this.#patched.has(exports)) return exports;
      if (!this.patches(version)) return exports;
      try {
        const hooks = this.#realHooks(module);
        if (!hooks) return exports;
        spec.beneath?.patch(exports, version);
        const result = hooks.patch(exports, version) ?? exports;
        spec.around?.patch(result, version);
        if (isObject(exports)) this.#patched.add(exports);
        return result;
      } catch (err) {
        this.#once(`failed ${version}`, () =>
          logger.warn(
            `could not instrument ${spec.package}@${version ?? '?'} (${errorText(err)}); it runs uninstrumented.`,
          ),
        );
        return exports;
      }
    }

    #unpatch(exports: unknown, version: string | undefined, module: string): unknown {
      if (!isObject(exports) || !this.#patched.has(exports)) return exports;
      this.#patched.delete(exports);
      try {
        spec.around?.unpatch(exports, version);
        const result = this.#hooks.get(module)?.unpatch(exports, version) ?? exports;
        spec.beneath?.unpatch(exports, version);
        return result;
      } catch (err) {
        logger.debug(`${spec.package}: unpatching failed (${errorText(err)})`);
        return exports;
      }
    }
  }
  return new Loader();
}

/** The package-relative name of a module file's ES module build, when it has one apart. */
function esmNameOf(spec: ClientSpec, module: string): string[] {
  const esm = spec.esmOf?.(module);
  return esm && esm !== module ? [esm] : [];
}

/** The patch of `module` in an instrumentation's public definitions. */
function definitionOf(real: { getModuleDefinitions(): unknown[] }, module: string): Patcher {
  const definition = (real.getModuleDefinitions() as { name?: unknown; patch?: unknown; unpatch?: unknown }[]).find(
    (d) => d.name === module,
  );
  if (typeof definition?.patch !== 'function') throw new Error(`no patch for ${module} in its definitions`);
  const unpatch = typeof definition.unpatch === 'function' ? (definition.unpatch as Hook) : undefined;
  return { patch: definition.patch as Hook, unpatch: (e, v) => unpatch?.(e, v) };
}
