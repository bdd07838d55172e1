import {
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  type Resource,
} from '@opentelemetry/resources';
import { AgentOpsResourceDetector } from './AgentOpsResourceDetector.js';

/** The resource of the SDK's own provider: OpenTelemetry's detectors plus ours; less on opt-out. */
export function detectHostResource(envDataOptOut: boolean): Resource {
  const detectors = envDataOptOut
    ? [osDetector, new AgentOpsResourceDetector(true)]
    : [envDetector, hostDetector, osDetector, processDetector, new AgentOpsResourceDetector()];
  return detectResources({ detectors });
}
