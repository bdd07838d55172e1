/** CPU count and model, memory, disk and working directory, from Node's `os`, `fs` and `process`. */
import { statfsSync } from 'node:fs';
import * as os from 'node:os';
import type { Attributes } from '@opentelemetry/api';

export function hostFacts(): Attributes {
  const cpus = os.cpus();
  return {
    ...(cpus.length > 0 ? { 'host.cpu.count': cpus.length, 'host.cpu.model.name': cpus[0]?.model.trim() } : {}),
    ...(os.totalmem() > 0 ? { 'host.memory.total': os.totalmem(), 'host.memory.free': os.freemem() } : {}),
    ...diskOf(process.cwd()),
    'process.working_directory': process.cwd(),
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
