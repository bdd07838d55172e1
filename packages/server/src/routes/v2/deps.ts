import type { SessionTokens } from '../../auth/SessionTokens.js';
import type { Store } from '../../db/Store.js';
import type { Ingest } from '../../ingest.js';
import { sessionStats } from '../../stats.js';

export interface V2Deps {
  store: Store;
  ingest: Ingest;
  tokens: SessionTokens;
  /** Base URL of the dashboard, for `session_url`. */
  publicUrl: () => string;
}

/** A session of the project and its stats, or undefined when the project has no such session. */
export function sessionWithStats(store: Store, projectId: string, id: string) {
  const session = store.getSession(projectId, id);
  if (!session) return undefined;
  return { session, stats: sessionStats(session, store.eventTotals(id), store.agentCount(id)) };
}
