/**
 * Turns on the well-kept OpenTelemetry instrumentations of LLM client libraries the app has
 * installed (optional peers): the official `@opentelemetry/instrumentation-openai` for `openai`,
 * OpenLLMetry's `@traceloop/instrumentation-anthropic` for `@anthropic-ai/sdk` (there is no
 * official one), OpenInference's for LangChain.js and for `@aws-sdk/client-bedrock-runtime` (the
 * one that records the Converse API as well as InvokeModel, streams included), and our own for
 * `@google/genai`, which has no well-kept one. Their spans follow the GenAI or the OpenInference
 * conventions, which the exporter maps as they are.
 */

import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '@agentops/exporter';
import { asString, errorText } from '@agentops/exporter/internal';
import type { TracerProvider } from '@opentelemetry/api';
import {
  canRequireEsm,
  entryIsEsModule,
  esmBuildOf,
  esmFileOf,
  isInstalled,
  loadedModule,
  optionalRequire,
  packageVersionOf,
  requireEsm,
} from '../optional-require.js';
import { createDeferredInstrumentation, type PatchingInstrumentation } from './deferred.js';
import { esmLoaderHook } from './esm-hook.js';
import { GenAiContentLogBridge } from './GenAiContentLogBridge.js';
import { createGoogleGenAIInstrumentation, GOOGLE_GENAI_MODULE } from './google-genai.js';
import { recordOpenAIUsageDetails } from './openai-usage.js';

type InstrumentationModule = typeof import('@opentelemetry/instrumentation');
type OpenAIModule = typeof import('@opentelemetry/instrumentation-openai');
type AnthropicModule = typeof import('@traceloop/instrumentation-anthropic');
/** OpenInference's instrumentations, as the deferred stand-in builds them. */
interface OpenInferenceOptions {
  instrumentationConfig: { enabled: boolean };
  traceConfig: { hideInputs: boolean; hideOutputs: boolean };
  tracerProvider: TracerProvider | undefined;
}
type OpenInferenceClass = new (options: OpenInferenceOptions) => PatchingInstrumentation;

type Hook = ((exports: unknown, version?: string) => unknown) | undefined;
interface ModuleDefinition {
  name: string;
  moduleExports?: unknown;
  moduleVersion?: string;
  supportedVersions?: string[];
  patch?: Hook;
  unpatch?: Hook;
  files?: { name: string; patch: Hook; unpatch: Hook }[];
}

/** What the SDK knows of a client package that a third-party instrumentation patches. */
interface ClientFacts {
  /**
   * Versions whose API the instrumentation patches unchanged although its declared range stops
   * short of them (the patch stays guarded: a version that does break it runs uninstrumented, said).
   */
  sameApi?: string;
  /** Its ES module build, beside the CommonJS one: the require hook never sees it (see patchHookedEsmBuilds). */
  esmOf?: (cjsFile: string) => string;
  /** From this major on, the client is recorded another way, and the instrumentation leaves it alone. */
  recordedOtherwise?: { fromMajor: number; how: string };
}

const mjsBeside = (cjs: string) => cjs.replace(/\.js$/, '.mjs');

/**
 * The clients patched through the require hook, by package. `openai`: the official instrumentation
 * 0.22 (the OpenTelemetry 3.x line) declares `openai >=4.19 <7`, but openai 7 keeps the classes it
 * wraps (`Chat.Completions`, `Embeddings`, `Responses`) and their request and response shapes.
 * `@anthropic-ai/sdk`: it traces itself from 1.0 (GenAI spans, read as they are), and OpenLLMetry's
 * instrumentation 0.27 cannot patch it (the classes it wraps moved).
 */
const CLIENTS: Record<string, ClientFacts> = {
  openai: { sameApi: '>=7.0.0 <8', esmOf: mjsBeside },
  '@anthropic-ai/sdk': {
    esmOf: mjsBeside,
    recordedOtherwise: { fromMajor: 1, how: "the Anthropic SDK's own tracing" },
  },
};

/** The facts of the package `name` names (a package, or a file in it). */
function clientOf(name: string): ClientFacts | undefined {
  const pkg = Object.keys(CLIENTS).find((p) => name === p || name.startsWith(`${p}/`));
  return pkg === undefined ? undefined : CLIENTS[pkg];
}

/** The module definitions the require hook uses (`_modules`; `getModuleDefinitions()` builds fresh ones). */
function keptDefinitions(instrumentation: { getModuleDefinitions(): unknown[] }): ModuleDefinition[] {
  const kept = (instrumentation as { _modules?: unknown })._modules;
  return (Array.isArray(kept) ? kept : instrumentation.getModuleDefinitions()) as ModuleDefinition[];
}

export function widenSupportedVersions(instrumentation: { getModuleDefinitions(): unknown[] }): void {
  for (const def of keptDefinitions(instrumentation)) {
    const extra = CLIENTS[def.name]?.sameApi;
    if (extra && Array.isArray(def.supportedVersions) && !def.supportedVersions.includes(extra)) {
      def.supportedVersions.push(extra);
    }
  }
}

/** How `name` (a package, or a file in it) at `version` is recorded instead, if it is. */
function recordedOtherwise(name: string, version: string | undefined): string | undefined {
  const major = Number.parseInt(version ?? '', 10);
  const otherwise = clientOf(name)?.recordedOtherwise;
  return otherwise && Number.isInteger(major) && major >= otherwise.fromMajor ? otherwise.how : undefined;
}

/**
 * A third-party instrumentation that throws while patching (an SDK version it does not know, say)
 * would throw out of the app's own `require`. Each patch hook is guarded: on failure the library runs
 * uninstrumented and the SDK says so once. A hook also patches a module's exports once: a module
 * patched because it was loaded before init() is not patched again when the app requires it next.
 */
export function guardPatches(instrumentation: { getModuleDefinitions(): unknown[] }, logger: Logger): void {
  // Per module or file: a patch hook and its unpatch hook share one set.
  const guard = (hook: Hook, what: string, patching: boolean, patched: WeakSet<object>): Hook =>
    hook &&
    ((exports, version) => {
      const key = typeof exports === 'object' || typeof exports === 'function' ? exports : null;
      if (key && patching === patched.has(key)) return exports;
      const otherwise = patching ? recordedOtherwise(what, version) : undefined;
      if (otherwise) {
        logger.debug(`${what}@${version}: recorded through ${otherwise}, not patched`);
        return exports;
      }
      try {
        const result = hook(exports, version);
        if (key) patching ? patched.add(key) : patched.delete(key);
        return result;
      } catch (err) {
        logger.warn(`could not instrument ${what}@${version ?? '?'} (${errorText(err)}); it runs uninstrumented.`);
        return exports;
      }
    });
  for (const def of keptDefinitions(instrumentation)) {
    const patched = new WeakSet<object>();
    def.patch = guard(def.patch, def.name, true, patched);
    def.unpatch = guard(def.unpatch, def.name, false, patched);
    for (const file of def.files ?? []) {
      const filePatched = new WeakSet<object>();
      file.patch = guard(file.patch, file.name, true, filePatched) as Hook;
      file.unpatch = guard(file.unpatch, file.name, false, filePatched) as Hook;
    }
  }
}

/**
 * A client the app required before init() (or an ES module app's static import of a CommonJS
 * client such as Bedrock's) is already in the require cache: the require hook never sees it again.
 * It is patched now, and recorded as the hook would record it, so disabling unpatches it.
 */
export function patchPreloaded(instrumentation: { getModuleDefinitions(): unknown[] }): void {
  for (const def of keptDefinitions(instrumentation)) {
    if (def.moduleExports !== undefined || !def.patch) continue;
    const exports = loadedModule(def.name);
    if (exports === undefined) continue;
    const version = asString(optionalRequire<{ version?: unknown }>(`${def.name}/package.json`)?.version);
    def.moduleExports = def.patch(exports, version);
    def.moduleVersion = version;
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
  const hide = !options.captureContent;
  const traceConfig = { hideInputs: hide, hideOutputs: hide };
  // OpenInference's, loaded when their library is (see deferred.ts).
  const openInference = (pkg: string, className: string, module: string, versions: string[]) =>
    base && isInstalled(pkg)
      ? createDeferredInstrumentation(base, {
          name: pkg,
          module,
          versions,
          create: (tracerProvider) => {
            const Class = optionalRequire<Record<string, OpenInferenceClass>>(pkg)?.[className];
            return Class && new Class({ instrumentationConfig: { enabled: false }, traceConfig, tracerProvider });
          },
        })
      : undefined;
  const langchainInstrumentation = openInference(
    '@arizeai/openinference-instrumentation-langchain',
    'LangChainInstrumentation',
    '@langchain/core/dist/callbacks/manager.cjs',
    ['>=0.2.0 <2'],
  );
  const bedrock = openInference(
    '@arizeai/openinference-instrumentation-bedrock',
    'BedrockInstrumentation',
    '@aws-sdk/client-bedrock-runtime',
    ['^3.0.0'],
  );
  const googleGenAI =
    base && isInstalled(GOOGLE_GENAI_MODULE)
      ? createGoogleGenAIInstrumentation(base, options.captureContent)
      : undefined;
  const openaiInstrumentation = openai
    ? new openai.OpenAIInstrumentation({ captureMessageContent: options.captureContent })
    : undefined;
  if (openaiInstrumentation) recordOpenAIUsageDetails(openaiInstrumentation, options.logger);
  const instrumentations = [
    ...(openaiInstrumentation ? [openaiInstrumentation] : []),
    ...(anthropic ? [new anthropic.AnthropicInstrumentation({ traceContent: options.captureContent })] : []),
    ...(langchainInstrumentation ? [langchainInstrumentation] : []),
    ...(bedrock ? [bedrock] : []),
    ...(googleGenAI ? [googleGenAI] : []),
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
  for (const instrumentation of instrumentations) patchPreloaded(instrumentation);
  // ES module builds: patched at once where the app already imported them (static imports run before
  // init()), so a call made right after init() is recorded too; else imported, unless the app surely
  // is CommonJS (it loads the CommonJS builds, which the require hook patches).
  const esmBuilds = [
    ...(langchainInstrumentation ? [{ instrumentation: langchainInstrumentation, ...LANGCHAIN_ESM }] : []),
    ...(googleGenAI ? [{ instrumentation: googleGenAI, ...GOOGLE_GENAI_ESM }] : []),
  ];
  const esmApp = entryIsEsModule();
  for (const build of esmBuilds) {
    const esm = esmBuildOf(build.specifier, build.esmOf, build.loadedWith);
    if (!esm) continue;
    if (esm.loaded) patchLoaded(build.instrumentation, build.specifier, esm.loaded, options.logger);
    else if (esmApp) patchEsmBuild(build.instrumentation, build.specifier, esm.file, options.logger);
  }
  // Under `--import agentops/register` the loader hook patches them as the app imports them.
  const unpatchEsm = esmApp && !esmLoaderHook.registered ? patchHookedEsmBuilds(instrumentations, options.logger) : [];
  const restoreAnthropic = anthropicTracesContent(options.captureContent);
  options.logger.debug(`LLM auto-instrumentation: ${instrumentations.map((i) => i.instrumentationName).join(', ')}`);
  return () => {
    disable();
    for (const unpatch of unpatchEsm) unpatch();
    restoreAnthropic();
  };
}

/** The Anthropic SDK's (1.x) switch for the content of its own spans, read when a client is made. */
const ANTHROPIC_CONTENT_MODE = 'ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE';

/**
 * The Anthropic SDK from 1.0 traces itself; its spans carry no messages unless its content mode is
 * `content`. With content captured, clients made after `init()` record their messages (as the
 * other clients' calls are), unless the app set the mode itself. Returns what puts it back.
 */
function anthropicTracesContent(captureContent: boolean): () => void {
  if (!captureContent || process.env[ANTHROPIC_CONTENT_MODE] !== undefined) return () => {};
  process.env[ANTHROPIC_CONTENT_MODE] = 'content';
  return () => {
    if (process.env[ANTHROPIC_CONTENT_MODE] === 'content') delete process.env[ANTHROPIC_CONTENT_MODE];
  };
}

/**
 * Patches the ES module builds of the `CLIENTS` that have one (an ES module app imports that build,
 * which the require hook never sees) with the instrumentation's own patch (the one its require hook runs), so an ES module app that imported its client before `init()` is recorded
 * with no flag. Where Node can require an ES module (20.19+, 22.12+) that is at once: requiring the
 * build gives the very module the app imported (or will import), so a call made right after
 * `init()` is recorded. On an older Node the build is imported, and patched when that settles: calls
 * made before are not recorded, which `init()` says once, with the `--import` line that records
 * them all. Returns what unpatches them.
 */
function patchHookedEsmBuilds(instrumentations: object[], logger: Logger): (() => void)[] {
  const unpatches: (() => void)[] = [];
  for (const [name, facts] of Object.entries(CLIENTS)) {
    const file = facts.esmOf && esmFileOf(name, facts.esmOf);
    const def = file
      ? instrumentations.flatMap((i) => keptDefinitions(i as never)).find((d) => d.name === name)
      : undefined;
    if (!file || !def?.patch) continue;
    // The app's copy's version (the one patched), not whatever copy this package would resolve.
    const version = packageVersionOf(file, name);
    let patched: unknown;
    const patcher = {
      manuallyInstrument: (module: unknown) => {
        def.patch?.(module, version);
        patched = module;
      },
    };
    unpatches.push(() => {
      if (patched !== undefined) def.unpatch?.(patched, version);
    });
    if (canRequireEsm()) {
      try {
        patchLoaded(patcher, name, requireEsm(file), logger);
        continue;
      } catch (err) {
        logger.debug(`${name}'s ES module build could not be required (${errorText(err)}); imported instead`);
      }
    }
    logger.info(
      `${name} is recorded in this ES module app once its ES module build is patched: calls made before that are not. To record every call, start the app with: node --import agentops/register ${process.argv[1] ? basename(process.argv[1]) : 'app.mjs'}`,
    );
    patchEsmBuild(patcher, name, file, logger);
  }
  return unpatches;
}

/**
 * Where an ES module build is beside its CommonJS one, and a CommonJS package it imports (in the
 * require cache once it is loaded; see esmBuildOf).
 */
const LANGCHAIN_ESM = {
  specifier: '@langchain/core/callbacks/manager',
  esmOf: (cjs: string) => cjs.replace(/\.cjs$/, '.js'),
  loadedWith: 'p-queue',
};
const GOOGLE_GENAI_ESM = {
  specifier: GOOGLE_GENAI_MODULE,
  esmOf: (cjs: string) => cjs.replace(/\.cjs$/, '.mjs'),
  loadedWith: 'google-auth-library',
};

/**
 * An ES module build is another copy of the library, which the require hook never sees (LangChain's
 * callback manager, Google GenAI's `Models`): it is patched too, so an ES module app is recorded
 * whatever it imports first (a call made at once may run before this settles). A patch that fails
 * warns once, as the require hook's do.
 */
function patchEsmBuild(
  instrumentation: { manuallyInstrument(module: unknown): void },
  specifier: string,
  file: string, // the app's copy, not resolved at build time: an optional peer
  logger: Logger,
): void {
  import(pathToFileURL(file).href).then(
    (module: unknown) => patchLoaded(instrumentation, specifier, module, logger),
    (err: unknown) => logger.debug(`${specifier}'s ES module build was not patched (${errorText(err)})`),
  );
}

function patchLoaded(
  instrumentation: { manuallyInstrument(module: unknown): void },
  specifier: string,
  module: unknown,
  logger: Logger,
): void {
  try {
    instrumentation.manuallyInstrument(module);
  } catch (err) {
    logger.warn(`could not instrument ${specifier} (${errorText(err)}); its ES module build runs uninstrumented.`);
  }
}
