/**
 * The host facts AgentOps shows that OpenTelemetry's own detectors do not give: CPU count and model,
 * memory, disk, working directory and the SDK version; and the runtime when it is Bun, Deno or
 * Cloudflare's workerd, which OpenTelemetry's process detector names Node.js (all answer
 * `process.versions.node`). All read synchronously and cheaply; what a runtime does not know (a
 * Worker has no CPU count, memory or disk to tell) is left out, not sent as 0.
 */
import { statfsSync } from 'node:fs';
import * as os from 'node:os';
import type { DetectedResource, ResourceDetector } from '@opentelemetry/resources';
import { SDK_VERSION } from '../version.js';

export class AgentOpsResourceDetector implements ResourceDetector {
  /** `sdkOnly` (env data opt-out): the SDK version alone. */
  constructor(private readonly sdkOnly = false) {}

  detect(): DetectedResource {
    if (this.sdkOnly) return { attributes: { 'agentops.sdk.version': SDK_VERSION } };
    const cpus = os.cpus();
    return {
      attributes: {
        'agentops.sdk.version': SDK_VERSION,
        ...(cpus.length > 0 ? { 'host.cpu.count': cpus.length, 'host.cpu.model.name': cpus[0]?.model.trim() } : {}),
        ...(os.totalmem() > 0 ? { 'host.memory.total': os.totalmem(), 'host.memory.free': os.freemem() } : {}),
        ...diskOf(process.cwd()),
        'process.working_directory': process.cwd(),
        ...runtimeAttributes(),
      },
    };
  }
}

/**
 * The JavaScript runtime when it is not Node.js: Bun or Deno, by their own globals; Cloudflare's
 * workerd by its user agent (it tells no version of its own).
 */
export function nonNodeRuntime(): { name: string; version?: string; description: string } | undefined {
  try {
    const g = globalThis as {
      Bun?: { version?: unknown };
      Deno?: { version?: { deno?: unknown } };
      navigator?: { userAgent?: unknown };
    };
    if (typeof g.Bun?.version === 'string') return { name: 'bun', version: g.Bun.version, description: 'Bun' };
    const deno = g.Deno?.version?.deno;
    if (typeof deno === 'string') return { name: 'deno', version: deno, description: 'Deno' };
    if (g.navigator?.userAgent === 'Cloudflare-Workers') return { name: 'workerd', description: 'Cloudflare Workers' };
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
    // workerd tells no version of its own: the process detector's is the Node.js version it emulates.
    'process.runtime.version': runtime.version ?? '',
    'process.runtime.description': runtime.description,
  };
}

function diskOf(path: string): Record<string, number> {
  try {
    const stats = statfsSync(path);
    const total = stats.blocks * stats.bsize;
    return total > 0 ? { 'host.disk.total': total, 'host.disk.free': stats.bavail * stats.bsize } : {};
  } catch {
    return {};
  }
}
