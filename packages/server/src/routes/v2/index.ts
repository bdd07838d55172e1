/** The AgentOps REST API v2: session lifecycle, ingest, stats and export. */
import type { FastifyInstance } from 'fastify';
import { registerAlertRoutes } from './alerts.js';
import type { V2Deps } from './deps.js';
import { registerEvaluationRoutes } from './evaluations.js';
import { registerIngestRoutes } from './ingest.js';
import { registerOverviewRoutes } from './overview.js';
import { registerReadRoutes } from './read.js';
import { registerRetentionRoutes } from './retention.js';
import { registerSessionRoutes } from './sessions.js';

export type { V2Deps } from './deps.js';

export function registerV2Routes(app: FastifyInstance, deps: V2Deps): void {
  registerSessionRoutes(app, deps);
  registerIngestRoutes(app, deps);
  registerEvaluationRoutes(app, deps);
  registerReadRoutes(app, deps);
  registerOverviewRoutes(app, deps);
  registerRetentionRoutes(app, deps);
  registerAlertRoutes(app, deps);
}
