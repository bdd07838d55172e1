/**
 * Turns on the well-kept OpenTelemetry instrumentations of LLM client libraries the app has
 * installed (optional peers): the official `@opentelemetry/instrumentation-openai` for `openai`, and
 * OpenLLMetry's `@traceloop/instrumentation-anthropic` for `@anthropic-ai/sdk` (there is no
 * official one). Their spans follow the GenAI conventions, so the exporter maps them as they are.
 */
import type { Logger } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import type { TracerProvider } from '@opentelemetry/api';
import { optionalRequire } from '../optional-require.js';
import { GenAiContentLogBridge } from './GenAiContentLogBridge.js';

type InstrumentationModule = typeof import('@opentelemetry/instrumentation');
type OpenAIModule = typeof import('@opentelemetry/instrumentation-openai');
type AnthropicModule = typeof import('@traceloop/instrumentation-anthropic');
interface LangChainModule {
  LangChainInstrumentation: new (options?: {
    traceConfig?: { hideInputs?: boolean; hideOutputs?: boolean };
  }) => InstanceType<InstrumentationModule['InstrumentationBase']> & { manuallyInstrument(module: unknown): void };
}

type Hook = ((exports: unknown, version?: string) => unknown) | undefined;
interface ModuleDefinition {
  name: string;
  supportedVersions?: string[];
  patch?: Hook;
  unpatch?: Hook;
  files?: { name: string; patch: Hook; unpatch: Hook }[];
}

/**
 * Client versions whose API an instrumentation patches unchanged although its declared range stops
 * short of them. `@opentelemetry/instrumentation-openai` 0.22 (the OpenTelemetry 3.x line) declares
 * `openai >=4.19 <7`, but openai 7 keeps the classes it wraps (`Chat.Completions`, `Embeddings`,
 * `Responses`) and their request and response shapes; the patch stays guarded, so a version that
 * does break it runs uninstrumented with a warning.
 */
const SAME_API_RANGES: Record<string, string> = { openai: '>=7.0.0 <8' };

/** The module definitions the require hook uses (`_modules`; `getModuleDefinitions()` builds fresh ones). */
function keptDefinitions(instrumentation: { getModuleDefinitions(): unknown[] }): ModuleDefinition[] {
  const kept = (instrumentation as { _modules?: unknown })._modules;
  return (Array.isArray(kept) ? kept : instrumentation.getModuleDefinitions()) as ModuleDefinition[];
}

export function widenSupportedVersions(instrumentation: { getModuleDefinitions(): unknown[] }): void {
  for (const def of keptDefinitions(instrumentation)) {
    const extra = SAME_API_RANGES[def.name];
    if (extra && Array.isArray(def.supportedVersions) && !def.supportedVersions.includes(extra)) {
      def.supportedVersions.push(extra);
    }
  }
}

/**
 * A third-party instrumentation that throws while patching (an SDK version it does not know, say)
 * would throw out of the app's own `require`. Each patch hook is guarded: on failure the library runs
 * uninstrumented and the SDK says so once.
 */
export function guardPatches(instrumentation: { getModuleDefinitions(): unknown[] }, logger: Logger): void {
  const guard = (hook: Hook, what: string): Hook =>
    hook &&
    ((exports, version) => {
      try {
        return hook(exports, version);
      } catch (err) {
        logger.warn(`could not instrument ${what}@${version ?? '?'} (${errorText(err)}); it runs uninstrumented.`);
        return exports;
      }
    });
  for (const def of keptDefinitions(instrumentation)) {
    def.patch = guard(def.patch, def.name);
    def.unpatch = guard(def.unpatch, def.name);
    for (const file of def.files ?? []) {
      file.patch = guard(file.patch, file.name) as Hook;
      file.unpatch = guard(file.unpatch, file.name) as Hook;
    }
  }
}

/** Enables what is installed; returns the function that disables it again. */
export function enableLlmInstrumentations(options: {
  tracerProvider: TracerProvider;
  captureContent: boolean;
  logger: Logger;
}): () => void {
  const base = optionalRequire<InstrumentationModule>('@opentelemetry/instrumentation');
  const openai = optionalRequire<OpenAIModule>('@opentelemetry/instrumentation-openai');
  const anthropic = optionalRequire<AnthropicModule>('@traceloop/instrumentation-anthropic');
  const langchain = optionalRequire<LangChainModule>('@arizeai/openinference-instrumentation-langchain');
  const hide = !options.captureContent;
  const langchainInstrumentation = langchain
    ? new langchain.LangChainInstrumentation({ traceConfig: { hideInputs: hide, hideOutputs: hide } })
    : undefined;
  const instrumentations = [
    ...(openai ? [new openai.OpenAIInstrumentation({ captureMessageContent: options.captureContent })] : []),
    ...(anthropic ? [new anthropic.AnthropicInstrumentation({ traceContent: options.captureContent })] : []),
    ...(langchainInstrumentation ? [langchainInstrumentation] : []),
  ];
  if (!base || instrumentations.length === 0) {
    options.logger.debug('LLM auto-instrumentation: no LLM instrumentation package is installed');
    return () => {};
  }
  for (const instrumentation of instrumentations) {
    widenSupportedVersions(instrumentation);
    guardPatches(instrumentation, options.logger);
  }
  const disable = base.registerInstrumentations({
    instrumentations,
    tracerProvider: options.tracerProvider,
    loggerProvider: new GenAiContentLogBridge(),
  });
  if (langchainInstrumentation) patchLangChainEsm(langchainInstrumentation, options.logger);
  options.logger.debug(`LLM auto-instrumentation: ${instrumentations.map((i) => i.instrumentationName).join(', ')}`);
  return disable;
}

/**
 * LangChain's ES module build is another copy of its callback manager, which the require hook never
 * sees: it is patched too, when `@langchain/core` is installed, so an ES module app is recorded
 * whatever it imports first (a chain started at once may run before this settles).
 */
function patchLangChainEsm(instrumentation: { manuallyInstrument(module: unknown): void }, logger: Logger): void {
  if (!optionalRequire<unknown>('@langchain/core/package.json')) return;
  const specifier = '@langchain/core/callbacks/manager'; // not resolved at build time: an optional peer
  import(specifier).then(
    (module: unknown) => instrumentation.manuallyInstrument(module),
    (err: unknown) => logger.debug(`LangChain's ES module build was not patched (${errorText(err)})`),
  );
}
