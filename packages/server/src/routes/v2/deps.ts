import type { SessionRecord } from '@agentops/exporter';
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
export async function sessionWithStats(store: Store, projectId: string, id: string) {
  const session = await store.getSession(projectId, id);
  if (!session) return undefined;
  return { session, stats: await statsOf(store, session) };
}

/** A stored session's stats: its totals, agents and the summary of its evaluations, read together. */
export async function statsOf(store: Store, session: SessionRecord) {
  const [totals, agents, evaluations] = await Promise.all([
    store.sessionTotals(session.session_id),
    store.agentCount(session.session_id),
    store.evaluationTotals(session.session_id),
  ]);
  return sessionStats(session, totals, agents, evaluations);
}
