/**
 * Turns on the recording of the LLM client libraries the app has installed (optional peers), one
 * loader per row of the client table (clients.ts), and reaches the clients the app loaded before
 * `init()`: a CommonJS build in the require cache, and in an ES module app the ES module build,
 * which the require hook never sees.
 */

import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import {
  canRequireEsm,
  entryIsEsModule,
  esmFileOf,
  isInstalled,
  loadedCopies,
  optionalRequire,
  packageVersionOf,
  requireCacheHolders,
  requireFile,
  resolveForApp,
} from '../optional-require.js';
import { type ClientInstrumentation, createClientInstrumentation } from './client-loader.js';
import { CLIENTS, type ClientModule, type CreateContext, modulesOf } from './clients.js';
import { esmLoaderHook } from './esm-hook.js';
import { GenAiContentLogBridge } from './GenAiContentLogBridge.js';

type InstrumentationModule = typeof import('@opentelemetry/instrumentation');

/** Enables what is installed; returns the function that disables it again. */
export function enableLlmInstrumentations(options: {
  tracerProvider: TracerProvider;
  /** Where the instrumentations that measure their own calls (the official OpenAI one) record: the SDK's metrics' provider. */
  meterProvider?: MeterProvider | undefined;
  captureContent: boolean;
  logger: Logger;
  joinSession: CreateContext['joinSession'];
  sessionOfNewWork: CreateContext['sessionOfNewWork'];
}): () => void {
  const base = optionalRequire<InstrumentationModule>('@opentelemetry/instrumentation');
  const loaders = base
    ? CLIENTS.filter((spec) => isInstalled(spec.instrumentation)).map((spec) =>
        createClientInstrumentation(base, spec, options),
      )
    : [];
  if (!base || loaders.length === 0) {
    options.logger.debug('LLM auto-instrumentation: no LLM instrumentation package is installed');
    return () => {};
  }
  const disable = base.registerInstrumentations({
    instrumentations: loaders,
    tracerProvider: options.tracerProvider,
    ...(options.meterProvider ? { meterProvider: options.meterProvider } : {}),
    loggerProvider: new GenAiContentLogBridge(),
  });
  const holders = requireCacheHolders();
  for (const loader of loaders) patchRequired(loader, holders);
  // Under `--import agentops/register` the loader hook patches ES module builds as the app imports them.
  if (entryIsEsModule() && !esmLoaderHook.registered) {
    for (const loader of loaders) patchEsmBuild(loader, options.logger);
  } else if (!entryIsEsModule()) {
    for (const loader of loaders) if (loader.spec.unseenByRequireHook) patchUnseen(loader, options.logger);
  }
  const restoreAnthropic = anthropicTracesContent(options.captureContent);
  options.logger.debug(`LLM auto-instrumentation: ${loaders.map((l) => l.spec.package).join(', ')}`);
  return () => {
    disable();
    restoreAnthropic();
  };
}

/**
 * A client the app required before init() (or an ES module app's static import of a CommonJS
 * client such as Bedrock's) is in the require cache: the require hook never sees it again. Each
 * copy loaded is patched now; disabling unpatches them.
 */
function patchRequired(loader: ClientInstrumentation, holders: Map<string, Set<string>>): void {
  const { spec } = loader;
  for (const { hooked, specifier } of modulesOf(spec)) {
    for (const copy of loadedCopies(spec.package, specifier, holders)) {
      loader.manuallyInstrument(copy.exports, packageVersionOf(copy.file, spec.package), hooked);
    }
  }
}

/** A CommonJS app's copy of a client the require hook cannot see: loaded now, and patched. */
function patchUnseen(loader: ClientInstrumentation, logger: Logger): void {
  const { spec } = loader;
  for (const { hooked, specifier } of modulesOf(spec)) {
    const file = resolveForApp(specifier, process.argv[1], false);
    if (!file) continue;
    try {
      loader.manuallyInstrument(requireFile(file), packageVersionOf(file, spec.package), hooked);
    } catch (err) {
      logger.debug(`${specifier} could not be loaded to be patched (${errorText(err)})`);
    }
  }
}

/**
 * An ES module app imports a client's ES module build, another copy of it that the require hook
 * never sees: it is patched with the same patch. Where Node can require an ES module (20.19+,
 * 22.12+) that is at once: requiring the build gives the very module the app imported (or will
 * import), so a call made right after `init()` is recorded; the app pays for loading a client it
 * has installed but not imported. On an older Node the build is imported and patched when that
 * settles: calls made before are not recorded, which `init()` says once, with the `--import` line
 * that records them all.
 */
function patchEsmBuild(loader: ClientInstrumentation, logger: Logger): void {
  for (const module of modulesOf(loader.spec)) patchEsmModule(loader, module, logger);
}

function patchEsmModule(loader: ClientInstrumentation, { hooked, specifier }: ClientModule, logger: Logger): void {
  const { spec } = loader;
  const file = spec.esmOf && esmFileOf(specifier, spec.esmOf);
  if (!file) return;
  // The app's copy's version (the one patched), not whatever copy this package would resolve.
  const version = packageVersionOf(file, spec.package);
  if (!loader.patches(version)) return;
  if (canRequireEsm()) {
    try {
      loader.manuallyInstrument(requireFile(file), version, hooked);
      return;
    } catch (err) {
      logger.debug(`${spec.package}'s ES module build could not be required (${errorText(err)}); imported instead`);
    }
  }
  logger.info(
    `${spec.package} is recorded in this ES module app once its ES module build is patched: calls made before that are not. To record every call, start the app with: node --import agentops/register ${process.argv[1] ? basename(process.argv[1]) : 'app.mjs'}`,
  );
  import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ pathToFileURL(file).href).then(
    (module: unknown) => loader.manuallyInstrument(module, version, hooked),
    (err: unknown) => logger.debug(`${spec.package}'s ES module build was not patched (${errorText(err)})`),
  );
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
