/**
 * `node --import agentops/register app.mjs` (or `NODE_OPTIONS=--import=agentops/register`): starts
 * AgentOps from the `AGENTOPS_*` environment before the app's first module loads, and opens a
 * session (`AGENTOPS_AUTO_START_SESSION=false`: none), so every supported LLM client the app imports
 * is recorded with no code, ES module or CommonJS, imported statically or dynamically. ES modules are
 * reached through OpenTelemetry's own loader hook (`@opentelemetry/instrumentation/hook.mjs`, which
 * is `import-in-the-middle`'s), registered here with `module.register` before anything is imported.
 * The app's own `init()`, if it calls one, takes over that session (with its tags) instead of
 * starting a second runtime.
 */
import * as nodeModule from 'node:module';
import { initFromRegister } from './api.js';
import { esmLoaderHook } from './instrumentation/esm-hook.js';

const OTEL_HOOK = '@opentelemetry/instrumentation/hook.mjs';

function hookEsModules(): void {
  const register = (nodeModule as { register?: (specifier: string, parentUrl: string) => void }).register;
  if (typeof register !== 'function') {
    console.warn(
      `AgentOps: this Node (${process.version}) has no module.register, so ES modules are not recorded; use Node 20.6 or later.`,
    );
    return;
  }
  try {
    register(OTEL_HOOK, import.meta.url);
    esmLoaderHook.registered = true;
  } catch (err) {
    console.warn(
      `AgentOps: --import agentops/register could not hook ES modules (${err instanceof Error ? err.message : String(err)}); ` +
        'install @opentelemetry/instrumentation to record the clients an ES module app imports (CommonJS ones still are).',
    );
  }
}

hookEsModules();
initFromRegister();
