/** The sessions open in this process, by id and by trace id (shared by the ESM and CJS builds). */
import type { Session } from './Session.js';
import { shared } from './shared-state.js';

function recount(): void {
  shared.onlySession = shared.sessionsById.size === 1 ? shared.sessionsById.values().next().value : undefined;
}

export const sessionRegistry = {
  add(session: Session): void {
    shared.sessionsById.set(session.id, session);
    shared.sessionsByTraceId.set(session.traceId, session);
    recount();
  },
  remove(session: Session): void {
    if (shared.sessionsById.get(session.id) === session) shared.sessionsById.delete(session.id);
    if (shared.sessionsByTraceId.get(session.traceId) === session) shared.sessionsByTraceId.delete(session.traceId);
    recount();
  },
  get(id: string): Session | undefined {
    return shared.sessionsById.get(id);
  },
  byTraceId(traceId: string): Session | undefined {
    return shared.sessionsByTraceId.get(traceId);
  },
  all(): Session[] {
    return [...shared.sessionsById.values()];
  },
  size(): number {
    return shared.sessionsById.size;
  },
  /** The open session when there is exactly one. */
  only(): Session | undefined {
    return shared.onlySession;
  },
};
