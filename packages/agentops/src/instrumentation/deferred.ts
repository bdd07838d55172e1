/**
 * A third-party instrumentation loaded only when the library it patches is: some load that library
 * themselves, or a large part of their own (OpenInference's Bedrock instrumentation requires the
 * whole AWS client; its LangChain one, its own OpenTelemetry copy and utilities), which init()
 * would otherwise pay for in every app that has them installed. This stand-in holds the require
 * hook; the first time the library loads, it builds the real instrumentation (its own hook off, on
 * the SDK's tracer provider) and has it patch the library.
 */
import type { TracerProvider } from '@opentelemetry/api';

type InstrumentationModule = typeof import('@opentelemetry/instrumentation');

/** What the stand-in needs of the real instrumentation. */
export interface PatchingInstrumentation {
  patch(module: unknown, version?: string): unknown;
  unpatch(module: unknown, version?: string): unknown;
}

export interface DeferredSpec {
  /** The stand-in's name (the real one's, for the SDK's log lines). */
  name: string;
  /** The module (or file) the real instrumentation hooks, and the versions it patches. */
  module: string;
  versions: string[];
  /** Loads and builds the real instrumentation; undefined when it cannot be loaded. */
  create(tracerProvider: TracerProvider | undefined): PatchingInstrumentation | undefined;
}

export function createDeferredInstrumentation(
  base: InstrumentationModule,
  spec: DeferredSpec,
): InstanceType<InstrumentationModule['InstrumentationBase']> & { manuallyInstrument(module: unknown): void } {
  class Deferred extends base.InstrumentationBase {
    #provider: TracerProvider | undefined;
    #real: PatchingInstrumentation | undefined;

    constructor() {
      super(spec.name, '0.0.0', {});
    }

    protected init() {
      return [
        new base.InstrumentationNodeModuleDefinition(
          spec.module,
          spec.versions,
          (exports: unknown, version?: string) => this.#patch(exports, version),
          (exports: unknown, version?: string) => this.#real?.unpatch(exports, version),
        ),
      ];
    }

    override setTracerProvider(provider: TracerProvider): void {
      super.setTracerProvider(provider);
      this.#provider = provider;
    }

    /** Modules patched by hand (an ES module build), unpatched with the rest when disabled. */
    readonly #manual = new Set<unknown>();

    manuallyInstrument(module: unknown): void {
      this.#patch(module, undefined);
      this.#manual.add(module);
    }

    override disable(): void {
      super.disable();
      for (const module of this.#manual) this.#real?.unpatch(module);
      this.#manual.clear();
    }

    #creating = false;

    #patch(exports: unknown, version: string | undefined): unknown {
      // Loading the real one may require the library again (OpenInference's Bedrock one does), which
      // comes back here through the require hook: the call under way patches it.
      if (this.#creating) return exports;
      if (!this.#real) {
        this.#creating = true;
        try {
          this.#real = spec.create(this.#provider);
        } finally {
          this.#creating = false;
        }
      }
      if (!this.#real) throw new Error(`${spec.name} could not be loaded`);
      this.#real.patch(exports, version);
      return exports;
    }
  }
  return new Deferred();
}
