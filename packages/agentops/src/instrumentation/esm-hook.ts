/**
 * Whether OpenTelemetry's ES module loader hook is registered in this process (`--import
 * agentops/register` registers it): the instrumentations then patch the ES module builds an app
 * imports through it, and `init()` does not patch them another way.
 */
import { processWide } from '../process-wide.js';

export const esmLoaderHook = processWide('esm-loader-hook', () => ({ registered: false }));
