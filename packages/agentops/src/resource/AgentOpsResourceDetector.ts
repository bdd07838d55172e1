/**
 * The host facts AgentOps shows that OpenTelemetry's own detectors do not give: CPU count and model,
 * memory, disk, working directory and the SDK version; and the runtime when it is Bun, Deno or
 * Cloudflare's workerd or the Edge runtime, which OpenTelemetry's process detector names Node.js
 * (all answer `process.versions.node`). All read synchronously and cheaply; what a runtime does not know (a
 * Worker has no CPU count, memory or disk to tell) is left out, not sent as 0.
 */
import type { DetectedResource, ResourceDetector } from '@opentelemetry/resources';
import { SDK_VERSION } from '../version.js';
import { hostFacts } from './host-facts.js';

export class AgentOpsResourceDetector implements ResourceDetector {
  /** `sdkOnly` (env data opt-out): the SDK version alone. */
  constructor(private readonly sdkOnly = false) {}

  detect(): DetectedResource {
    if (this.sdkOnly) return { attributes: { 'agentops.sdk.version': SDK_VERSION } };
    return { attributes: { 'agentops.sdk.version': SDK_VERSION, ...hostFacts(), ...runtimeAttributes() } };
  }
}

/**
 * The JavaScript runtime when it is not Node.js: Bun or Deno, by their own globals; Cloudflare's
 * workerd by its user agent, the Edge runtime of Next.js and Vercel by its `EdgeRuntime` global
 * (neither tells a version of its own).
 */
export function nonNodeRuntime(): { name: string; version?: string; description: string } | undefined {
  try {
    const g = globalThis as {
      Bun?: { version?: unknown };
      Deno?: { version?: { deno?: unknown } };
      navigator?: { userAgent?: unknown };
      EdgeRuntime?: unknown;
    };
    if (typeof g.Bun?.version === 'string') return { name: 'bun', version: g.Bun.version, description: 'Bun' };
    const deno = g.Deno?.version?.deno;
    if (typeof deno === 'string') return { name: 'deno', version: deno, description: 'Deno' };
    if (g.navigator?.userAgent === 'Cloudflare-Workers') return { name: 'workerd', description: 'Cloudflare Workers' };
    if (typeof g.EdgeRuntime === 'string')
      return { name: 'edge-runtime', description: 'Edge Runtime (Next.js, Vercel)' };
  } catch {
    // A global that cannot be read: taken for Node.js.
  }
  return undefined;
}

function runtimeAttributes(): Record<string, string> {
  const runtime = nonNodeRuntime();
  if (!runtime) return {};
  return {
    'process.runtime.name': runtime.name,
    // workerd and the Edge runtime tell no version of their own: the process detector's would be the Node.js one emulated.
    'process.runtime.version': runtime.version ?? '',
    'process.runtime.description': runtime.description,
  };
}
