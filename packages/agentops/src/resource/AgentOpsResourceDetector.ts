/**
 * The host facts AgentOps shows that OpenTelemetry's own detectors do not give: CPU count and model,
 * memory, disk, working directory and the SDK version. All read synchronously and cheaply.
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
        'host.cpu.count': cpus.length,
        'host.cpu.model.name': cpus[0]?.model.trim(),
        'host.memory.total': os.totalmem(),
        'host.memory.free': os.freemem(),
        ...diskOf(process.cwd()),
        'process.working_directory': process.cwd(),
      },
    };
  }
}

function diskOf(path: string): Record<string, number> {
  try {
    const stats = statfsSync(path);
    return { 'host.disk.total': stats.blocks * stats.bsize, 'host.disk.free': stats.bavail * stats.bsize };
  } catch {
    return {};
  }
}
