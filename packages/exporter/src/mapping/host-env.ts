/** OpenTelemetry resource attributes -> the AgentOps `host_env` object. */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { EventOrigin, HostEnv } from '../wire.js';

type Section = Record<string, string | number | boolean>;

const SECTIONS: Record<string, [string, string][]> = {
  SDK: [
    ['agentops.sdk.version', 'AgentOps SDK Version'],
    ['process.runtime.name', 'Runtime'],
    ['process.runtime.version', 'Runtime Version'],
    ['telemetry.sdk.version', 'OpenTelemetry SDK Version'],
  ],
  OS: [
    ['host.name', 'Hostname'],
    ['os.type', 'OS'],
    ['os.version', 'OS Version'],
    ['os.description', 'OS Release'],
    ['host.arch', 'Arch'],
  ],
  CPU: [
    ['host.cpu.count', 'Total cores'],
    ['host.cpu.model.name', 'Model'],
  ],
  RAM: [
    ['host.memory.total', 'Total'],
    ['host.memory.free', 'Available'],
  ],
  Disk: [
    ['host.disk.total', 'Total'],
    ['host.disk.free', 'Free'],
  ],
  Process: [
    ['process.pid', 'PID'],
    ['process.executable.name', 'Executable'],
    ['process.command', 'Command'],
    ['process.owner', 'Owner'],
    ['service.name', 'Service'],
  ],
};

function scalar(v: AttributeValue | undefined): string | number | boolean | undefined {
  // An empty value says nothing (a runtime's detector clears what another detector got wrong with one).
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v)) return v.join(' ');
  return v as string | number | boolean;
}

/** Host environments already built, per resource attributes object (a settled resource keeps one). */
const built = new WeakMap<Attributes, HostEnv>();

/**
 * The AgentOps `host_env` of a resource. Built once per attributes object: a session's state is
 * announced several times (start, tag changes, end) from the same resource. Callers must not change it.
 */
export function resourceToHostEnv(attributes: Attributes): HostEnv {
  let env = built.get(attributes);
  if (!env) {
    env = buildHostEnv(attributes);
    built.set(attributes, env);
  }
  return env;
}

function buildHostEnv(attributes: Attributes): HostEnv {
  const env: HostEnv = {};
  for (const [section, fields] of Object.entries(SECTIONS)) {
    const out: Section = {};
    for (const [key, label] of fields) {
      const value = scalar(attributes[key]);
      if (value !== undefined) out[label] = value;
    }
    if (Object.keys(out).length > 0) env[section] = out;
  }
  const cwd = scalar(attributes['process.working_directory']);
  if (cwd !== undefined) env['Project Working Directory'] = String(cwd);
  return env;
}

export function resourceToOrigin(attributes: Attributes): EventOrigin {
  const origin: EventOrigin = {};
  if (typeof attributes['host.name'] === 'string') origin.host = attributes['host.name'];
  if (typeof attributes['process.pid'] === 'number') origin.pid = attributes['process.pid'];
  if (typeof attributes['service.name'] === 'string') origin.service = attributes['service.name'];
  return origin;
}
